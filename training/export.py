"""Stage: copy a trained checkpoint into the package, with a model card.

    python -m training.export --checkpoint runs/cpu/rrhf/checkpoint --name perfopt-t5-small \
        [--runs runs/cpu] [--hardware "2-core CPU"]

Writes ``perfopt/models/<name>/`` (safetensors weights, config, tokenizer) and
its ``MODEL_CARD.md``: data, steps, wall time, hardware, and the metrics each
stage logged. Weights are stored in float16, half the bytes of the float32
checkpoint: the whole working tree must fit in the 64 MiB a lent accelerator
takes (training/device/README.md), and perfopt loads them back as float32.
Refuses weights over 130 MB, the package's budget.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

MAX_BYTES = 130 * 10**6
PACKAGE_MODELS = Path(__file__).resolve().parents[1] / "perfopt" / "models"
FILES = (
    "model.safetensors",
    "config.json",
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "merges.txt",
    "special_tokens_map.json",
)


def _log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _json(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def _metrics_table(runs: Path) -> list[str]:
    """Validation metrics measured by ``training.evaluate`` after each stage that has them."""
    rows = []
    for stage in ("sft", "rrhf"):
        e = _json(runs / stage / "eval.json")
        if not e:
            continue
        k = e["k"]
        applied = f"{e['apply']:.1%}" if "apply" in e else "n/a"
        rows.append(
            f"| after {stage} | {e['programs']} | {e['format']} | {applied} | {e['compile']:.1%} | {e['pass']:.1%} | "
            f"{e['pass@1']:.1%} | {e[f'pass@{k}']:.1%} | {e[f'opt@{k}']:.1%} (k={k}) | {e['mean_speedup']:.3f} |"
        )
    if not rows:
        return ["No validation metrics were found (run `python -m training.evaluate`)."]
    timer = next(
        _json(runs / s / "eval.json").get("timer") for s in ("rrhf", "sft") if (runs / s / "eval.json").exists()
    )
    return [
        f"Validation split (problems held out by hash of the problem id), graded by perfopt's reward model "
        f"with the `{timer}` timer; rates are over all k candidates, pass@1 is the greedy one:",
        "",
        "| model | programs | output format | apply | compile | pass | pass@1 | pass@k | %opt@k | mean speedup |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]


def card(name: str, runs: Path, hardware: str, notes: str = "") -> str:
    times = _json(runs / "pipeline.json").get("seconds", {})
    rl = (
        "then RRHF scored by perfopt's reward model."
        if _log(runs / "rrhf" / "log.jsonl")
        else "and no RRHF yet (this run stopped after SFT)."
    )
    lines = [
        f"# {name}",
        "",
        "A T5 with the CodeT5 tokenizer, trained from random init by perfopt's own pipeline",
        "(`training/`): span-corruption pretraining on the C++ corpus, SFT on (slow, fast) pairs",
        f"(verified by tests, by compiling, or by the rule that made them), {rl}",
        "No pretrained CodeT5 weights were used.",
        "",
        f"Hardware: {hardware}.",
        "",
        "The weights are stored in float16 (rounded from the float32 training checkpoint, to halve the",
        "package) and perfopt loads them as float32.",
        "",
        "## Stages",
        "",
    ]
    for stage in ("pretrain", "sft", "rrhf"):
        log = _log(runs / stage / "log.jsonl")
        if not log:
            lines.append(f"- {stage}: no log found under {runs / stage}")
            continue
        last = log[-1]
        metrics = ", ".join(f"{k} {v}" for k, v in last.items() if k not in ("step", "seconds"))
        wall = f" (stage wall time {times[stage]:.0f} s)" if stage in times else ""
        lines.append(f"- {stage}: {last['step']} steps in {last['seconds']} s{wall}; last: {metrics}")
    if notes:
        lines += ["", notes]
    lines += ["", "## Validation", "", *_metrics_table(runs)]
    curve = _log(runs / "rrhf" / "curve.jsonl")
    if curve:
        lines += ["", "Greedy validation rates per RL step (compile / pass / optimized):", ""]
        lines += [
            f"- step {c['rl_step']}: {c['valid']['compile']:.2f} / {c['valid']['pass']:.2f} / {c['valid']['opt']:.2f}"
            for c in curve
        ]
    return "\n".join(lines) + "\n"


def halve(folder: Path) -> None:
    """Store a model folder's float32 weights as float16 (and say so in its config)."""
    import torch
    from safetensors.torch import load_file, save_file

    weights = folder / "model.safetensors"
    tensors = load_file(weights)
    halved = {k: v.to(torch.float16) if v.dtype == torch.float32 else v for k, v in tensors.items()}
    for key, value in halved.items():
        if value.dtype == torch.float16 and not torch.isfinite(value).all():
            raise SystemExit(f"{weights}: {key} does not fit in float16")
    save_file(halved, weights, metadata={"format": "pt"})
    config = folder / "config.json"
    settings = json.loads(config.read_text())
    settings["dtype"] = "float16"
    config.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")


def export(
    checkpoint: Path, name: str, runs: Path, hardware: str, into: Path = PACKAGE_MODELS, notes: str = ""
) -> Path:
    weights = checkpoint / "model.safetensors"
    if not weights.exists():
        raise SystemExit(f"{checkpoint}: no model.safetensors")
    if weights.stat().st_size > MAX_BYTES:
        raise SystemExit(f"{weights}: {weights.stat().st_size / 1e6:.0f} MB is over the package's 130 MB budget")
    target = into / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for file in FILES:
        if (checkpoint / file).exists():
            shutil.copy2(checkpoint / file, target / file)
    halve(target)
    (target / "MODEL_CARD.md").write_text(card(name, runs, hardware, notes))
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, required=True)
    parser.add_argument("--name", default="perfopt-t5-small")
    parser.add_argument(
        "--runs", type=Path, help="folder holding pretrain/, sft/ and rrhf/ (default: above the checkpoint)"
    )
    parser.add_argument("--hardware", default="2-core CPU, no GPU")
    parser.add_argument(
        "--notes", default="", help="a paragraph for the card: anything a reader must know about the run"
    )
    args = parser.parse_args(argv)
    runs = args.runs or args.checkpoint.parents[1]
    print(export(args.checkpoint, args.name, runs, args.hardware, notes=args.notes))


if __name__ == "__main__":
    main()

"""Commit-sized snapshots of a training stage, so that CPU training accumulates across machines.

    python -m training.snapshot save    --run runs/campaign/pretrain --name pretrain-d256
    python -m training.snapshot restore --run runs/campaign/pretrain --name pretrain-d256

A stage's checkpoint (``RUN/checkpoint``) holds float32 weights and AdamW's
two moments: three times the model, too much to commit at every interval. A
snapshot keeps the weights in float16 (half the model's float32 size) with
the step, seconds and tokens the stage had reached and its log, which is what
a new machine needs to go on: ``restore`` writes them back as a checkpoint the
stage resumes from. The optimizer starts fresh there; its moments rebuild
within a few hundred steps, which costs less than carrying them.

Snapshots live in git's history, not in the working tree (:mod:`training.history`):
``save`` commits the snapshot folder, then removes it in a second commit that
leaves a small pointer, ``training/checkpoints/NAME.json``; ``restore`` reads
the weights back out of the first commit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import torch
from transformers import T5ForConditionalGeneration

from training.history import park, unpark

#: What a snapshot holds besides the weights and their config.
STATE_FILES = ("state.json",)
LOG_FILES = ("log.jsonl", "curve.jsonl")
#: Where pointers live, relative to the repository's root.
POINTERS = Path("training/checkpoints")


def write(run: Path, to: Path) -> Path:
    """Write ``run``'s checkpoint to the folder ``to`` in float16, replacing what was there."""
    checkpoint = run / "checkpoint"
    if not (checkpoint / "state.json").exists():
        raise SystemExit(f"{checkpoint}: no checkpoint to snapshot")
    # Cast after loading: from_pretrained keeps T5's `wo` layers in float32 whatever dtype is asked for.
    model = T5ForConditionalGeneration.from_pretrained(checkpoint).to(torch.float16)  # type: ignore[arg-type]
    staging = to.with_name(to.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.save_pretrained(staging, safe_serialization=True)
    for name in STATE_FILES:
        shutil.copy2(checkpoint / name, staging / name)
    step = int(json.loads((checkpoint / "state.json").read_text())["step"])
    for name in LOG_FILES:
        if (run / name).exists():
            # Records past the checkpoint would be written again by the resumed run: keep the log's prefix.
            rows = (run / name).read_text().splitlines()
            kept = [r for r in rows if int(json.loads(r).get("step", 0)) <= step]
            (staging / name).write_text("".join(r + "\n" for r in kept))
    # Swapped in whole, so that an interrupted save never leaves a half-written snapshot to commit.
    shutil.rmtree(to, ignore_errors=True)
    staging.rename(to)
    return to


def load_into(snapshot: Path, run: Path) -> Path:
    """Make ``run/checkpoint`` from the snapshot folder ``snapshot`` unless ``run`` already went further."""
    state = json.loads((snapshot / "state.json").read_text())
    checkpoint = run / "checkpoint"
    if (checkpoint / "state.json").exists():
        here = json.loads((checkpoint / "state.json").read_text())
        if int(here["step"]) >= int(state["step"]):
            return checkpoint
    model = T5ForConditionalGeneration.from_pretrained(snapshot).to(torch.float32)  # type: ignore[arg-type]
    shutil.rmtree(checkpoint, ignore_errors=True)
    model.save_pretrained(checkpoint, safe_serialization=True)
    (checkpoint / "state.json").write_text(json.dumps(state))
    for name in LOG_FILES:
        if (snapshot / name).exists():
            shutil.copy2(snapshot / name, run / name)
    return checkpoint


def save(run: Path, name: str, repo: Path) -> Path:
    """Commit ``run``'s snapshot into ``repo``'s history and leave its pointer; returns the pointer."""
    state = json.loads((run / "checkpoint" / "state.json").read_text()) if (run / "checkpoint").exists() else None
    if state is None:
        raise SystemExit(f"{run / 'checkpoint'}: no checkpoint to snapshot")
    folder = POINTERS / name
    write(run, repo / folder)
    summary = f"step {state['step']:,}, {int(state.get('tokens', 0)):,} tokens, {float(state['seconds']):,.0f} s"
    return park(repo, folder, POINTERS / f"{name}.json", state, f"Snapshot {name}: {summary}")


def restore(run: Path, name: str, repo: Path) -> Path:
    """Resume ``run`` from the snapshot that ``training/checkpoints/NAME.json`` points at."""
    with tempfile.TemporaryDirectory() as tmp:
        folder, _ = unpark(repo, POINTERS / f"{name}.json", Path(tmp), "snapshot")
        return load_into(folder, run)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("save", "restore"))
    parser.add_argument("--run", type=Path, required=True, help="the stage's output folder (its config's out)")
    parser.add_argument("--name", required=True, help="the snapshot's name, e.g. pretrain-d256")
    parser.add_argument("--repo", type=Path, default=Path("."), help="the repository that holds it (default: .)")
    args = parser.parse_args(argv)
    action = save if args.action == "save" else restore
    print(action(args.run, args.name, args.repo))


if __name__ == "__main__":
    main()

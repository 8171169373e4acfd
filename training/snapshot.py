"""Commit-sized snapshots of a training stage, so that CPU training accumulates across machines.

    python -m training.snapshot save    --run runs/campaign/pretrain --to training/checkpoints/pretrain-d256
    python -m training.snapshot restore --run runs/campaign/pretrain --from training/checkpoints/pretrain-d256

A stage's checkpoint (``RUN/checkpoint``) holds float32 weights and AdamW's
two moments: three times the model, too much to commit at every interval. A
snapshot keeps the weights in float16 (half the model's float32 size) with
the step, seconds and tokens the stage had reached and its log, which is what
a new machine needs to go on: ``restore`` writes them back as a checkpoint the
stage resumes from. The optimizer starts fresh there; its moments rebuild
within a few hundred steps, which costs less than carrying them.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import torch
from transformers import T5ForConditionalGeneration

#: What a snapshot holds besides the weights and their config.
STATE_FILES = ("state.json",)
LOG_FILES = ("log.jsonl", "curve.jsonl")


def save(run: Path, to: Path) -> Path:
    """Write ``run``'s checkpoint to ``to`` in float16, replacing an older snapshot there."""
    checkpoint = run / "checkpoint"
    if not (checkpoint / "state.json").exists():
        raise SystemExit(f"{checkpoint}: no checkpoint to snapshot")
    model = T5ForConditionalGeneration.from_pretrained(checkpoint, torch_dtype=torch.float16)
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


def restore(snapshot: Path, run: Path) -> Path:
    """Make ``run/checkpoint`` from ``snapshot`` unless ``run`` already went further."""
    state = json.loads((snapshot / "state.json").read_text())
    checkpoint = run / "checkpoint"
    if (checkpoint / "state.json").exists():
        here = json.loads((checkpoint / "state.json").read_text())
        if int(here["step"]) >= int(state["step"]):
            return checkpoint
    model = T5ForConditionalGeneration.from_pretrained(snapshot, torch_dtype=torch.float32)
    shutil.rmtree(checkpoint, ignore_errors=True)
    model.save_pretrained(checkpoint, safe_serialization=True)
    (checkpoint / "state.json").write_text(json.dumps(state))
    for name in LOG_FILES:
        if (snapshot / name).exists():
            shutil.copy2(snapshot / name, run / name)
    return checkpoint


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("save", "restore"))
    parser.add_argument("--run", type=Path, required=True, help="the stage's output folder (its config's out)")
    parser.add_argument("--to", type=Path, help="save: the snapshot folder")
    parser.add_argument("--from", dest="source", type=Path, help="restore: the snapshot folder")
    args = parser.parse_args(argv)
    if args.action == "save":
        if args.to is None:
            parser.error("save needs --to")
        print(save(args.run, args.to))
    else:
        if args.source is None:
            parser.error("restore needs --from")
        print(restore(args.source, args.run))


if __name__ == "__main__":
    main()

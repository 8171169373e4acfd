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

Snapshots live in git's history, not in the working tree. A lent GPU receives
the working tree, 64 MiB at most, and it must hold a corpus part beside the
code and the bundled model: one more model-sized file leaves no room for it.
So ``save`` commits the snapshot folder, then removes it in a second commit
that leaves a small pointer, ``training/checkpoints/NAME.json``, naming the
first commit; ``restore`` reads the weights back out of that commit. A clone
with history (every clone but a shallow one) can resume; nothing travels to
a device that does not need it.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import torch
from transformers import T5ForConditionalGeneration

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


def _git(repo: Path, *args: str, data: bool = False) -> Any:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout if data else done.stdout.decode().strip()


def save(run: Path, name: str, repo: Path) -> Path:
    """Commit ``run``'s snapshot into ``repo``'s history and leave its pointer; returns the pointer."""
    state = json.loads((run / "checkpoint" / "state.json").read_text()) if (run / "checkpoint").exists() else None
    if state is None:
        raise SystemExit(f"{run / 'checkpoint'}: no checkpoint to snapshot")
    folder = POINTERS / name
    write(run, repo / folder)
    summary = f"step {state['step']:,}, {int(state.get('tokens', 0)):,} tokens, {float(state['seconds']):,.0f} s"
    _git(repo, "add", "--", str(folder))
    # Only the snapshot's paths: whatever else the developer has staged stays staged, uncommitted.
    _git(repo, "commit", "-q", "-m", f"Snapshot {name}: {summary}", "--", str(folder))
    commit = _git(repo, "rev-parse", "HEAD")
    pointer = POINTERS / f"{name}.json"
    record = {"commit": commit, "path": folder.as_posix(), **state}
    (repo / pointer).write_text(json.dumps(record, indent=1) + "\n")
    _git(repo, "rm", "-r", "-q", "--", str(folder))
    shutil.rmtree(repo / folder, ignore_errors=True)
    _git(repo, "add", "--", str(pointer))
    message = f"Park snapshot {name} in history ({commit[:10]}): the working tree stays small enough for a device"
    _git(repo, "commit", "-q", "-m", message, "--", str(folder), str(pointer))
    return repo / pointer


def restore(run: Path, name: str, repo: Path) -> Path:
    """Resume ``run`` from the snapshot that ``training/checkpoints/NAME.json`` points at."""
    pointer = repo / POINTERS / f"{name}.json"
    if not pointer.exists():
        raise SystemExit(f"{pointer}: no such snapshot pointer")
    record = json.loads(pointer.read_text())
    archive = _git(repo, "archive", "--format=tar", record["commit"], record["path"], data=True)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp, filter="data")
        return load_into(Path(tmp) / record["path"], run)


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

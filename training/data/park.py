"""The data engine's made stages, kept in git's history so that a new machine skips them.

    python -m training.data.park save    [--name data-build] [--out runs/data]
    python -m training.data.park restore [--name data-build] [--out runs/data]

The synthetic stage costs an hour or more of two cores, and Library Checker's another quarter; their
outputs (every ``synthetic*`` chunk with its counts, Library Checker's pairs and outcomes, the seconds
each stage took) are about 16 MB compressed. ``save`` commits them through :mod:`training.history`, and
``restore`` puts them back under ``out``, where the build's resume logic finds every chunk done. Chunks
already there are kept: a restore never overwrites work.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from training.history import park, unpark

#: Where the pointers live, relative to the repository's root.
POINTERS = Path("training/data/parked")
#: What is kept, relative to ``out``: the outputs of the stages that make pairs, not of the checks (those are
#: in training/data/checked) nor the assembled set (remade from these in minutes).
KEPT = ("synthetic*/chunk-*", "library_checker.jsonl", "library_checker.outcomes.json", "timings.json")


def _kept(out: Path) -> list[Path]:
    return sorted({p for pattern in KEPT for p in out.glob(pattern) if p.is_file()})


def save(out: Path, name: str, repo: Path) -> Path:
    files = _kept(out)
    if not any(p.parent.name.startswith("synthetic") for p in files):
        raise SystemExit(f"{out}: no synthetic chunks to keep")
    folder = POINTERS / name
    shutil.rmtree(repo / folder, ignore_errors=True)
    for path in files:
        target = repo / folder / path.relative_to(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    chunks = sum(1 for p in files if p.name.endswith(".stats.json"))
    record = {"chunks": chunks, "files": len(files)}
    return park(repo, folder, POINTERS / f"{name}.json", record, f"Data engine stages {name}: {chunks} chunks")


def restore(out: Path, name: str, repo: Path) -> int:
    """Put the kept files back under ``out``; returns how many were missing there."""
    added = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder, _ = unpark(repo, POINTERS / f"{name}.json", Path(tmp), "parked data")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target = out / path.relative_to(folder)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
                added += 1
    return added


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("save", "restore"))
    parser.add_argument("--name", default="data-build")
    parser.add_argument("--out", type=Path, default=Path("runs/data"))
    parser.add_argument("--repo", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    if args.action == "save":
        print(save(args.out, args.name, args.repo))
    else:
        print(f"{restore(args.out, args.name, args.repo)} files restored under {args.out}")


if __name__ == "__main__":
    main()

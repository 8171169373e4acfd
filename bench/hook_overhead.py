"""What the hook costs a commit that changes no C++ file (the common case; the target is under 0.5 s).

    python bench/hook_overhead.py [--runs 5]

Makes a temp git repository with a staged Markdown change and runs ``perfopt hook``
two ways: as pre-commit calls it (the file named) and as the plain git hook does
(nothing named: perfopt asks git what is staged). Prints the median wall time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    perfopt = [sys.executable, "-m", "perfopt", "hook"]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        for cmd in (["init", "-q"], ["config", "user.email", "a@b"], ["config", "user.name", "a"]):
            subprocess.run(["git", *cmd], cwd=repo, check=True)
        (repo / "notes.md").write_text("notes\n")
        subprocess.run(["git", "add", "notes.md"], cwd=repo, check=True)
        print("| perfopt hook, no C++ staged | median seconds |\n|---|---|")
        for label, extra in (("pre-commit style (file named)", ["notes.md"]), ("plain git hook (none named)", [])):
            times = [run([*perfopt, *extra], repo) for _ in range(args.runs)]
            print(f"| {label} | {statistics.median(times):.2f} |")


if __name__ == "__main__":
    main()

"""Verification tiers: how far each pair has been checked, from weakest to strongest.

- ``construction``: meaning-preserving by the rule that made it; the rule's soundness is measured;
- ``compiled``: both sides pass ``g++ -fsyntax-only`` with the configured flags (templates are
  instantiated, nothing is linked);
- ``tested``: both sides pass the problem's tests, amplified ones included;
- ``timed``: tested, and the slow side costs at least ``min_speedup`` times the fast side's (instructions
  plus weighted system calls, perfopt's ``cost`` timer) on the largest test.

A syntax check of a file that includes ``<bits/stdc++.h>`` spends most of a second parsing the header; a
precompiled copy, built once with the same flags, cuts it to a fifth, which is what makes thousands of checks
affordable on two cores.
"""

from __future__ import annotations

import hashlib
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

from perfopt.reward.harness import IOHarness
from perfopt.timing import CostTimer, TimingError
from training.data.pairs import input_size

#: A syntax check that needs more is a pathological template, not a pair worth keeping.
_MEMORY = 2 << 30
_SECONDS = 60


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY, _MEMORY))


class SyntaxChecker:
    """``g++ -fsyntax-only`` on source text, with a precompiled ``<bits/stdc++.h>`` and extra include folders."""

    def __init__(self, flags: list[str], workdir: Path, include: list[Path]) -> None:
        self.flags = [*flags, "-fsyntax-only"]
        self.include = [f"-I{p}" for p in include]
        pch = workdir / "pch"
        header = pch / "bits" / "stdc++.h.gch"
        if not header.exists():
            header.parent.mkdir(parents=True, exist_ok=True)
            source = pch / "stdc++.h"
            source.write_text("#include <bits/stdc++.h>\n")
            built = subprocess.run(
                ["g++", *flags, "-x", "c++-header", str(source), "-o", str(header)], capture_output=True, check=False
            )
            if built.returncode != 0:
                header.unlink(missing_ok=True)  # checks still work, only slower
        # Searched first, so that <bits/stdc++.h> resolves to the precompiled copy (same flags, or g++ ignores it).
        self.include.insert(0, f"-I{pch}")

    def error(self, code: str) -> str | None:
        """None when ``code`` compiles; else g++'s first error line."""
        try:
            run = subprocess.run(
                ["g++", *self.flags, *self.include, "-x", "c++", "-"],
                input=code.encode(),
                capture_output=True,
                timeout=_SECONDS,
                preexec_fn=_limit_memory,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"the check took over {_SECONDS} s"
        if run.returncode == 0:
            return None
        lines = run.stderr.decode(errors="replace").splitlines()
        return next((line for line in lines if "error" in line), lines[0] if lines else f"exit {run.returncode}")


def code_key(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class Judged:
    """A program run against a problem's tests: whether it passed, and its cost on the largest test."""

    passed: bool
    cost: float | None
    reason: str = ""


def judge(harness: IOHarness, timer: CostTimer, code: str) -> Judged:
    """Build, run every test, and cost the largest: the same harness and timer as ``perfopt suggest``."""
    build = harness.build(code)
    try:
        if not build.ok:
            return Judged(False, None, "does not compile")
        failed = harness.check(build).failed
        if failed is not None:
            return Judged(False, None, "fails a test")
        largest = max(harness.invocations(build), key=input_size)
        try:
            cost = timer.cost(largest)
        except TimingError as e:
            # It passed natively but cannot be counted (valgrind's smaller stack, say): tested, not timed.
            # Raising here ended the whole test stage on one such program.
            return Judged(True, None, f"not timed: {str(e).splitlines()[0]}")
        return Judged(True, cost)
    finally:
        harness.release(build)


def tested_tier(slow: Judged, fast: Judged, min_speedup: float) -> str | None:
    """The tier a pair earns from its two judged sides; None when the slow side broke the program."""
    if not (slow.passed and fast.passed):
        return None
    if slow.cost is not None and fast.cost is not None and slow.cost >= min_speedup * fast.cost:
        return "timed"
    return "tested"

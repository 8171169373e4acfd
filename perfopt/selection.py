"""Which candidate to suggest: only R4 (correct and faster by the threshold), and of those the fastest.

This is PerfRL's inference-time filter. A candidate that is fast but wrong
(R2) or correct but not faster (R3) is never suggested, whatever its timing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from perfopt.generation.interface import Candidate
from perfopt.reward.levels import Level
from perfopt.reward.model import Verdict


@dataclass
class Outcome:
    candidate: Candidate
    #: None for a candidate that was not verified (unusable, a duplicate, or identical to the input).
    verdict: Verdict | None = None
    skipped: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "origin": self.candidate.origin,
            "generator": self.candidate.generator or None,
            "rewrite": self.candidate.rewrite or None,
            "reason": self.candidate.reason or None,
            "skipped": self.skipped or None,
            "problem": self.candidate.problem or None,
            "verdict": self.verdict.to_json() if self.verdict else None,
        }


@dataclass
class Counts:
    generated: int = 0
    unusable: int = 0
    duplicates: int = 0
    identical: int = 0
    verified: int = 0
    compiled: int = 0
    passed: int = 0
    faster: int = 0
    levels: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        dropped = [
            f"{n} {what}"
            for n, what in (
                (self.unusable, "unusable"),
                (self.duplicates, "duplicate"),
                (self.identical, "identical to the input"),
            )
            if n
        ]
        head = f"{self.generated} generated" + (f" ({', '.join(dropped)})" if dropped else "")
        return f"{head}; {self.verified} verified: {self.compiled} compiled, {self.passed} passed, {self.faster} faster"


def count(outcomes: list[Outcome]) -> Counts:
    c = Counts(generated=len(outcomes))
    for o in outcomes:
        if o.verdict is None:
            c.unusable += o.skipped == "unusable"
            c.duplicates += o.skipped == "duplicate"
            c.identical += o.skipped == "identical"
            continue
        level = o.verdict.level
        c.verified += 1
        c.compiled += level >= Level.RUNTIME_ERROR
        c.passed += level >= Level.NOT_FASTER
        c.faster += level == Level.FASTER
        c.levels[level.code] = c.levels.get(level.code, 0) + 1
    return c


def select(outcomes: list[Outcome]) -> Outcome | None:
    """The fastest R4 outcome; on a tie, the earliest (the greedy one comes first)."""
    best: Outcome | None = None
    for o in outcomes:
        v = o.verdict
        if v is None or v.level is not Level.FASTER or v.speedup is None:
            continue
        if best is None or v.speedup > (best.verdict.speedup or 0.0):  # type: ignore[union-attr]
            best = o
    return best

"""The graded verdict levels of the PerfRL reward model."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum


class Level(IntEnum):
    COMPILE_ERROR = 0
    RUNTIME_ERROR = 1
    WRONG_ANSWER = 2
    NOT_FASTER = 3
    FASTER = 4

    @property
    def code(self) -> str:
        return f"R{int(self)}"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Level.COMPILE_ERROR: "does not compile",
    Level.RUNTIME_ERROR: "runtime error or timeout",
    Level.WRONG_ANSWER: "wrong answer",
    Level.NOT_FASTER: "correct, not faster",
    Level.FASTER: "correct and faster",
}


def rates(levels: Sequence[int]) -> dict[str, float]:
    """The share of graded candidates that compiled, passed (R3 or R4) and were faster (R4)."""
    n = max(1, len(levels))
    return {
        "compile": sum(lvl >= Level.RUNTIME_ERROR for lvl in levels) / n,
        "pass": sum(lvl >= Level.NOT_FASTER for lvl in levels) / n,
        "opt": sum(lvl == Level.FASTER for lvl in levels) / n,
    }

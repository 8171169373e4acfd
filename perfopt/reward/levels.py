"""The graded verdict levels of the PerfRL reward model."""

from __future__ import annotations

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

"""The interface every timer implements, and what it reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from perfopt.sandbox import Limits


@dataclass(frozen=True)
class Invocation:
    """One timed run: a program, its stdin, and for project mode its folder."""

    argv: tuple[str, ...]
    stdin: Path | None = None
    workdir: Path | None = None
    env: Mapping[str, str] | None = field(default=None, hash=False, compare=False)
    #: Overrides the timer's limits (project mode's bench command runs longer than one test).
    limits: Limits | None = None
    #: More paths the program may read where reads are confined (project mode's build tools).
    readable: tuple[Path, ...] = field(default=(), hash=False, compare=False)
    #: Which tests it belongs to ("given", "generated"): reports show the speedup of each group.
    group: str = ""


@dataclass(frozen=True)
class GroupTiming:
    """The totals of one group of tests (given, generated) within a comparison."""

    name: str
    baseline: float
    candidate: float

    @property
    def speedup(self) -> float:
        return self.baseline / self.candidate if self.candidate > 0 else 1.0


def by_group(
    invocations: Sequence[Invocation], base: Sequence[float], cand: Sequence[float]
) -> tuple[GroupTiming, ...]:
    """Per-group totals of per-invocation measurements; empty when all tests are in one group."""
    names = list(dict.fromkeys(inv.group for inv in invocations))
    if len(names) < 2:
        return ()
    return tuple(
        GroupTiming(
            name,
            sum(b for inv, b in zip(invocations, base, strict=True) if inv.group == name),
            sum(c for inv, c in zip(invocations, cand, strict=True) if inv.group == name),
        )
        for name in names
    )


@dataclass(frozen=True)
class Timing:
    timer: str
    #: "s" for seconds, "instructions" for instruction counts, "cost" for instructions plus weighted system calls.
    unit: str
    #: Total over all tests (PIE's definition), for the original and the candidate.
    baseline: float
    candidate: float
    #: baseline / candidate.
    speedup: float
    #: Relative spread of the speedup estimate (interquartile range / median); 0 when deterministic.
    noise: float
    samples: int
    #: The same comparison per group of tests (given, generated), when there are several.
    groups: tuple[GroupTiming, ...] = ()
    #: What the totals are made of, and any warning about how they were measured.
    detail: str = ""

    def by_group(self) -> str:
        """``; given tests 1.00x, generated tests 7.96x``, or "" with one group."""
        if not self.groups:
            return ""
        return "; " + ", ".join(f"{g.name} tests {g.speedup:.2f}x" for g in self.groups)

    def describe(self) -> str:
        detail = f"; {self.detail}" if self.detail else ""
        if self.unit == "cost":
            return (
                f"{self.speedup:.2f}x by cost ({self.baseline:,.0f} -> {self.candidate:,.0f} "
                f"instruction-equivalents, deterministic{self.by_group()}; {self.detail})"
            )
        if self.unit == "instructions":
            return (
                f"{self.speedup:.2f}x by instruction count "
                f"({self.baseline:,.0f} -> {self.candidate:,.0f} instructions, deterministic{self.by_group()}{detail})"
            )
        return (
            f"{self.speedup:.2f}x by wall time "
            f"({self.baseline * 1e3:.1f} ms -> {self.candidate * 1e3:.1f} ms, "
            f"median of {self.samples} paired runs, noise ±{self.noise * 100:.1f}%{self.by_group()}{detail})"
        )


class TimingError(Exception):
    """A run that passed the tests misbehaved while being timed."""


class Timer(Protocol):
    name: str
    #: Whether several comparisons may run at once without skewing each other.
    parallel_safe: bool
    #: Whether the same binaries and inputs always give the same figures (counted, not clocked).
    deterministic: bool

    def compare(
        self, baseline: Sequence[Invocation], candidate: Sequence[Invocation], threshold: float | None = None
    ) -> Timing:
        """Time both programs over the same test invocations.

        ``threshold`` is the speedup the caller decides on: a timer may stop
        early once its estimate is certain to fall short of it.
        """
        ...

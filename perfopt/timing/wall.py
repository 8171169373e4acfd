"""Wall-clock timing with warm-up and interleaved A/B runs.

Interleaving (A B A B ...) makes slow drifts of a shared machine hit both sides
alike; each round yields one paired ratio, and the speedup is their median.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from perfopt.sandbox import Limits, Sandbox
from perfopt.timing.interface import GroupTiming, Invocation, Timing, TimingError, by_group


def spread(values: Sequence[float]) -> float:
    """Interquartile range over median: robust to the odd descheduled run."""
    if len(values) < 2:
        return 0.0
    q = statistics.quantiles(values, n=4, method="inclusive")
    mid = statistics.median(values)
    return (q[2] - q[0]) / mid if mid else 0.0


class WallTimer:
    name = "wall"
    parallel_safe = False
    deterministic = False

    def __init__(self, sandbox: Sandbox, limits: Limits, repeats: int = 5, warmup: int = 1) -> None:
        self.sandbox = sandbox
        self.limits = limits
        self.repeats = repeats
        self.warmup = warmup

    def _times(self, invocations: Sequence[Invocation]) -> list[float]:
        times = []
        for inv in invocations:
            result = self.sandbox.run(
                inv.argv,
                inv.limits or self.limits,
                stdin=inv.stdin,
                workdir=inv.workdir,
                env=inv.env,
                readable=inv.readable,
            )
            if not result.ok:
                raise TimingError(f"{' '.join(inv.argv[:1])}: {result.reason} while being timed")
            times.append(result.wall_seconds)
        return times

    def compare(
        self, baseline: Sequence[Invocation], candidate: Sequence[Invocation], threshold: float | None = None
    ) -> Timing:
        for _ in range(self.warmup):
            self._times(baseline)
            self._times(candidate)
        base_runs: list[list[float]] = []
        cand_runs: list[list[float]] = []
        ratios = []
        for i in range(self.repeats):
            # Alternate who goes first, so neither side always gets the warmer cache.
            if i % 2 == 0:
                a = self._times(baseline)
                b = self._times(candidate)
            else:
                b = self._times(candidate)
                a = self._times(baseline)
            base_runs.append(a)
            cand_runs.append(b)
            ratios.append(sum(a) / sum(b) if sum(b) > 0 else 1.0)
            if threshold is not None and sum(r < threshold for r in ratios) > self.repeats // 2:
                # More than half of all the rounds there will be are below the threshold, so their
                # median is too, whatever the rest show: the verdict is settled, and most
                # candidates are not faster, so this saves a third of the timing on most of them.
                break
        return Timing(
            timer=self.name,
            unit="s",
            baseline=statistics.median(sum(a) for a in base_runs),
            candidate=statistics.median(sum(b) for b in cand_runs),
            speedup=statistics.median(ratios),
            noise=spread(ratios),
            samples=len(ratios),
            groups=self._groups(baseline, base_runs, cand_runs) if len(baseline) == len(candidate) else (),
        )

    @staticmethod
    def _groups(
        invocations: Sequence[Invocation], base_runs: list[list[float]], cand_runs: list[list[float]]
    ) -> tuple[GroupTiming, ...]:
        """Each group's totals: per test, the median of its rounds, summed over the group."""
        base = [statistics.median(r[i] for r in base_runs) for i in range(len(invocations))]
        cand = [statistics.median(r[i] for r in cand_runs) for i in range(len(invocations))]
        return by_group(invocations, base, cand)

"""The deterministic cost: user-space instructions plus a calibrated weight per system call.

Instruction counts are blind to the kernel: an ``endl`` that flushes each of
6,000 lines makes 6,000 ``write`` calls, 1.48x the wall time of ``'\\n'``,
for 0.5% more instructions. Here a run's cost is

    instructions + sum over calls of (call weight + bytes moved x byte weight)

with the weights in instructions (:mod:`perfopt.timing.weights`). Both
parts come from one valgrind run, so the same binary and input always give
the same cost. Page faults and cache misses are still not seen.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path

from perfopt.sandbox import Limits, Sandbox
from perfopt.sandbox.output import excerpt
from perfopt.timing.instructions import InstructionTimer, counted_instructions
from perfopt.timing.interface import Invocation, Timing, TimingError, by_group
from perfopt.timing.syscalls import PipeReader, Syscalls
from perfopt.timing.weights import CostWeights


class CostTimer:
    name = "cost"
    parallel_safe = True
    deterministic = True

    def __init__(self, sandbox: Sandbox, limits: Limits, weights: CostWeights) -> None:
        self.instructions = InstructionTimer(sandbox, limits)
        self.weights = weights
        self._memo: dict[Invocation, tuple[int, Syscalls]] = {}
        self._lock = threading.Lock()

    def measure(self, inv: Invocation) -> tuple[int, Syscalls]:
        """Instructions and system calls of one invocation, children included."""
        with self._lock:
            if inv in self._memo:
                return self._memo[inv]
        measured = self._run(inv)
        with self._lock:
            self._memo[inv] = measured
        return measured

    def cost(self, inv: Invocation) -> float:
        """One invocation's cost in instruction-equivalents (remembered, like :meth:`measure`)."""
        instructions, calls = self.measure(inv)
        return instructions + self.weights.kernel(calls)

    def _run(self, inv: Invocation) -> tuple[int, Syscalls]:
        reader = PipeReader()
        try:
            files = self.instructions.outputs(inv, syscalls=reader)
        except TimingError as e:
            # valgrind's own words went to the log, not to stderr: add its last one.
            said = reader.result().messages
            raise TimingError(f"{e}; valgrind: {excerpt(said[-1], 120)}" if said else str(e)) from e
        calls = reader.result()
        return sum(counted_instructions(text) for text in files), calls

    @property
    def identity(self) -> str:
        """The timer and its exact weights, for cache keys: a new calibration must not reuse old verdicts."""
        digest = hashlib.sha256(json.dumps(self.weights.to_json(), sort_keys=True).encode()).hexdigest()[:16]
        return f"cost ({self.weights.source}; {digest})"

    def estimate_seconds(self, binary: Path, stdin: Path) -> float:
        """The cost of one run of ``binary`` on ``stdin``, in this machine's seconds (not remembered).

        Stress-test climbing sizes inputs by it: the same inputs on every run, however loaded the machine.
        """
        instructions, calls = self._run(Invocation((str(binary),), stdin=stdin))
        return (instructions + self.weights.kernel(calls)) * self.weights.ns_per_instruction * 1e-9

    def compare(
        self, baseline: Sequence[Invocation], candidate: Sequence[Invocation], threshold: float | None = None
    ) -> Timing:
        base = [self.measure(inv) for inv in baseline]
        cand = [self.measure(inv) for inv in candidate]
        pairs = zip([*baseline, *candidate], [*base, *cand], strict=True)
        lost = next((inv for inv, (_, calls) in pairs if not calls.complete), None)
        if lost is None:
            base_cost = [i + self.weights.kernel(c) for i, c in base]
            cand_cost = [i + self.weights.kernel(c) for i, c in cand]
            detail = _breakdown(base, cand, self.weights)
        else:
            # Both sides by the same measure, never one with calls and one without.
            base_cost = [float(i) for i, _ in base]
            cand_cost = [float(i) for i, _ in cand]
            detail = (
                f"warning: system calls not counted for {lost.argv[0]} (a process of it was killed or "
                "outlived the run, so its calls may be missing), so both sides are compared by instructions alone"
            )
        a, b = sum(base_cost), sum(cand_cost)
        return Timing(
            timer=self.name,
            unit="cost" if lost is None else "instructions",
            baseline=a,
            candidate=b,
            speedup=a / b if b else 1.0,
            noise=0.0,
            samples=1,
            groups=by_group(baseline, base_cost, cand_cost) if len(base) == len(cand) else (),
            detail=detail,
        )


def _breakdown(base: Sequence[tuple[int, Syscalls]], cand: Sequence[tuple[int, Syscalls]], w: CostWeights) -> str:
    """``instructions 369.4M -> 367.4M, system calls 6,041 -> 43 (write 6,000 -> 2); built-in weights (...)``."""
    a_ins, b_ins = sum(i for i, _ in base), sum(i for i, _ in cand)
    a_calls, b_calls = sum((c for _, c in base), Syscalls()), sum((c for _, c in cand), Syscalls())
    # The calls whose weighted cost changed most say why the two differ.
    names = set(a_calls.calls) | set(b_calls.calls)

    def weighted(calls: Syscalls, name: str) -> float:
        return calls.calls[name] * w.call_instructions(name) + calls.moved[name] * w.byte_instructions(name)

    moved = sorted(names, key=lambda n: -abs(weighted(a_calls, n) - weighted(b_calls, n)))[:2]
    changed = [n for n in moved if weighted(a_calls, n) != weighted(b_calls, n)]
    which = ", ".join(f"{n} {a_calls.calls[n]:,} -> {b_calls.calls[n]:,}" for n in changed)
    return (
        f"instructions {_short(a_ins)} -> {_short(b_ins)}, system calls {a_calls.total:,} -> {b_calls.total:,}"
        f"{f' ({which})' if which else ''}; {w.source}"
    )


def _short(n: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return f"{n:.0f}"

"""Deterministic instruction counts under valgrind's cachegrind.

With the cache simulation off, cachegrind counts executed instructions (Ir):
the same binary on the same input gives the same count however loaded the
machine is, which is what a shared 2-core runner needs (PIE used gem5 for this).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from dataclasses import replace

from perfopt.errors import PerfoptError
from perfopt.sandbox import Limits, Sandbox
from perfopt.sandbox.output import excerpt
from perfopt.timing.interface import Invocation, Timing, TimingError, by_group
from perfopt.timing.syscalls import PipeReader

#: Programs run roughly this many times slower under cachegrind without cache simulation.
VALGRIND_SLOWDOWN = 40


def counted_instructions(text: str) -> int:
    """The instructions one cachegrind output file counts (its ``summary:`` line)."""
    for line in text.splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise TimingError("cachegrind wrote no summary line")


class InstructionTimer:
    name = "instructions"
    parallel_safe = True
    deterministic = True

    def __init__(self, sandbox: Sandbox, limits: Limits) -> None:
        valgrind = shutil.which("valgrind")
        if valgrind is None:
            raise PerfoptError("the instructions timer needs valgrind on PATH (apt-get install valgrind)")
        self.valgrind = valgrind
        self.sandbox = sandbox
        self.limits = limits
        self._memo: dict[Invocation, int] = {}
        self._lock = threading.Lock()

    def count(self, inv: Invocation) -> int:
        """Instructions executed by one invocation, children included."""
        with self._lock:
            if inv in self._memo:
                return self._memo[inv]
        total = sum(counted_instructions(text) for text in self.outputs(inv))
        with self._lock:
            self._memo[inv] = total
        return total

    def outputs(self, inv: Invocation, syscalls: PipeReader | None = None) -> list[str]:
        """cachegrind's output files for one invocation (one per process), read and removed.

        With ``syscalls``, valgrind also traces every system call into that pipe.
        """
        own = inv.workdir is None
        outdir = self.sandbox.make_workdir("perfopt-cg-") if own else inv.workdir
        assert outdir is not None
        trace = ("--trace-syscalls=yes", f"--log-fd={syscalls.write_fd}") if syscalls is not None else ()
        try:
            argv = (
                self.valgrind,
                "--tool=cachegrind",
                "--cache-sim=no",
                # vgdb files are named by pid, which repeats across PID namespaces.
                "--vgdb=no",
                "--trace-children=yes",
                f"--cachegrind-out-file={outdir}/.perfopt-cg.%p",
                *trace,
                *inv.argv,
            )
            # valgrind reserves far more address space than the program uses.
            limits = replace(inv.limits or self.limits, memory_bytes=None).scaled(VALGRIND_SLOWDOWN)
            result = self.sandbox.run(
                argv,
                limits,
                stdin=inv.stdin,
                workdir=outdir,
                env=inv.env,
                readable=inv.readable,
                pass_fds=(syscalls.write_fd,) if syscalls is not None else (),
            )
            if syscalls is not None:
                syscalls.close_writer()
            if not result.ok:
                # The program's stderr is mixed in: quote only an escaped excerpt of its end.
                tail = excerpt(result.stderr.strip()[-80:], 80)
                raise TimingError(f"{inv.argv[0]}: {result.reason} under valgrind: {tail}")
            files = list(outdir.glob(".perfopt-cg.*"))
            if not files:
                raise TimingError(f"valgrind wrote no profile: {excerpt(result.stderr.strip()[-80:], 80)}")
            return [f.read_text() for f in files]
        finally:
            if syscalls is not None:
                syscalls.close_writer()
            if own:
                shutil.rmtree(outdir, ignore_errors=True)
            else:
                for f in outdir.glob(".perfopt-cg.*"):
                    f.unlink()

    def compare(
        self, baseline: Sequence[Invocation], candidate: Sequence[Invocation], threshold: float | None = None
    ) -> Timing:
        base = [float(self.count(inv)) for inv in baseline]
        cand = [float(self.count(inv)) for inv in candidate]
        a, b = sum(base), sum(cand)
        return Timing(
            timer=self.name,
            unit="instructions",
            baseline=float(a),
            candidate=float(b),
            speedup=a / b if b else 1.0,
            noise=0.0,
            samples=1,
            groups=by_group(baseline, base, cand) if len(base) == len(cand) else (),
        )

"""``perfopt calibrate``: measure the cost timer's weights on this machine and keep them in the cache."""

from __future__ import annotations

from pathlib import Path

from perfopt.cachedir import cache_root
from perfopt.sandbox import Sandbox
from perfopt.timing import weights
from perfopt.timing.calibrate import Measurement, calibrate


def run_calibrate(cache_dir: Path | None, compiler: str, repeats: int) -> tuple[list[Measurement], Path, str]:
    """Measure, save, and return (what was measured, where it was written, how it compares to the defaults)."""
    sandbox = Sandbox(compiler, cache_dir)
    found_weights, found = calibrate(sandbox, compiler, repeats)
    measured = found_weights
    path = weights.save(measured, cache_root(cache_dir))
    builtin = weights.builtin()
    write_ratio = measured.call_instructions("write") / builtin.call_instructions("write")
    here = measured.call_instructions("write")
    comparison = f"a write costs {here:,.0f} instructions here, {write_ratio:.2f}x the built-in weight"
    return found, path, comparison


def table(measured: list[Measurement]) -> str:
    rows = [f"  {m.name:<22} {m.value:>12.3f} {m.unit:<18} noise ±{m.noise * 100:.1f}%" for m in measured]
    return "\n".join(rows)

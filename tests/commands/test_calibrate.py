"""``perfopt calibrate`` measures the cost timer's weights here, and every later cost timing says it used them."""

from __future__ import annotations

import json
from pathlib import Path

from perfopt.errors import ExitCode
from tests.commands.test_verify import assert_one_line_error, pair, perfopt  # noqa: F401 (pair is a fixture)


def test_calibrate_writes_weights_that_cost_timings_then_use(tmp_path: Path, pair: tuple[Path, Path]) -> None:  # noqa: F811
    cache = tmp_path / "cache"
    slow, fast = pair
    verify = ("verify", slow, fast, "--timer", "cost", "--cache-dir", cache, "--no-amplify")
    # Without a calibration, the report names the built-in weights.
    before = perfopt(*verify)
    assert before.returncode == 0, before.stderr
    assert "by cost" in before.stdout and "built-in weights (" in before.stdout

    done = perfopt("calibrate", "--cache-dir", cache, "--repeats", "3")
    assert done.returncode == 0, done.stderr
    # One row per weight, each with its noise, and where they went.
    for name in ("instruction", "write", "read", "brk", "mmap", "munmap", "futex", "write byte"):
        assert f"  {name} " in done.stdout
    assert "noise ±" in done.stdout and f"wrote: {cache}/cost-weights.json" in done.stdout
    weights = json.loads((cache / "cost-weights.json").read_text())
    assert weights["source"].startswith("calibrated on ")
    # A call costs hundreds of instructions, or of bytes written; a process start, thousands of calls.
    write = weights["call_ns"]["write"]
    assert write > 100 * weights["ns_per_instruction"] and write > 100 * weights["byte_ns"]["write"]
    assert weights["process_ns"] > 10 * write

    # The verdict cached under the built-in weights is not reused under the new ones.
    after = perfopt(*verify)
    assert after.returncode == 0, after.stderr
    assert weights["source"] in after.stdout and "built-in" not in after.stdout


def test_a_damaged_calibration_is_a_one_line_error(tmp_path: Path, pair: tuple[Path, Path]) -> None:  # noqa: F811
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "cost-weights.json").write_text("{not json")
    slow, fast = pair
    proc = perfopt("verify", slow, fast, "--timer", "cost", "--cache-dir", cache, "--no-amplify")
    assert_one_line_error(proc, int(ExitCode.CONFIG), "perfopt calibrate")

"""The README's main command works on a fresh clone: the shipped examples with the bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.commands.test_verify import perfopt

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/slow.cpp"))


def test_the_readme_main_command_runs_with_the_bundled_model() -> None:
    proc = perfopt("suggest", "examples/word_counts/slow.cpp", "--json", "--timer", "instructions", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # Every generator that runs here takes part, within the shared budget of 8.
    assert report["generator"].startswith("rules ") and "model" in report["generator"]
    assert report["counts"]["generated"] <= 8
    # Whatever the model wrote, anything suggested was verified R4.
    assert not report["suggested"] or report["best"]["verdict"]["level"] == "R4"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_each_example_has_a_verified_faster_rewrite(example: Path) -> None:
    proc = perfopt("verify", example / "slow.cpp", example / "fast.cpp", "--timer", "instructions", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["level"] == "R4"


def test_the_readme_cost_example_sees_the_write_calls(tmp_path: Path) -> None:
    """README, `perfopt verify`: prefix_sums' `endl` is 100,000 write calls, which only the cost counts."""
    example = ROOT / "examples" / "prefix_sums"
    args = ("verify", example / "slow.cpp", example / "fast.cpp", "--json", "--no-amplify", "--cache-dir", tmp_path)
    by_cost = json.loads(perfopt(*args, "--timer", "cost").stdout)["timing"]
    by_instructions = json.loads(perfopt(*args, "--timer", "instructions").stdout)["timing"]
    assert by_instructions["speedup"] < 2.1
    assert by_cost["speedup"] > 1.5 * by_instructions["speedup"]
    assert by_cost["unit"] == "cost" and "write 100,005 -> " in by_cost["detail"]

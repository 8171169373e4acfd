"""Evaluation: the metrics' arithmetic, and grading of model outputs in either format by the real reward model."""

from __future__ import annotations

import json
from pathlib import Path

from perfopt.edits import TargetFormat, make_edits
from perfopt.reward import Level
from training.config import TINY_DATA
from training.evaluate import Judge, summarize


def test_summary_follows_pie_and_perfrl_definitions() -> None:
    rows = [
        {"levels": [4, 0, 0], "best_speedup": 1.5},  # greedy optimised
        {"levels": [3, 0, 4], "best_speedup": 1.2},  # greedy correct, a sample optimised
        {"levels": [0, 2, 1], "best_speedup": 1.0},  # nothing correct: counts as 1.0
        {"levels": [0, 0, 0], "best_speedup": 1.0},
    ]
    s = summarize(rows, k=3)
    assert s["programs"] == 4
    assert s["pass@1"] == 0.5 and s["opt@1"] == 0.25
    assert s["pass@3"] == 0.5 and s["opt@3"] == 0.5
    assert s["compile"] == 5 / 12 and s["pass"] == 3 / 12 and s["opt"] == 2 / 12
    assert s["mean_speedup"] == (1.5 + 1.2 + 1.0 + 1.0) / 4


def test_judge_grades_programs_and_edit_scripts(tmp_path: Path) -> None:
    pair = json.loads((TINY_DATA / "pairs.jsonl").read_text().splitlines()[0])
    judge = Judge(TINY_DATA / "tests.jsonl", "wall", tmp_path)
    try:
        slow, fast = pair["slow"], pair["fast"]
        as_programs = judge.score(pair["problem_id"], slow, [fast, slow, "int main( {"], TargetFormat.PROGRAM)
        assert as_programs is not None
        assert as_programs[0].level >= Level.NOT_FASTER
        assert as_programs[1].level == Level.NOT_FASTER  # identical to the original
        assert as_programs[2].level == Level.COMPILE_ERROR
        script = make_edits(slow, fast)
        broken = "<<<\nno such line\n===\n>>>"
        as_edits = judge.score(pair["problem_id"], slow, [script, broken, ""], TargetFormat.EDITS)
        assert as_edits is not None
        assert as_edits[0].level >= Level.NOT_FASTER
        assert as_edits[1].level == Level.COMPILE_ERROR and "does not apply" in as_edits[1].reason
        assert as_edits[2].level == Level.NOT_FASTER  # no edits: the original itself
        # An original that does not compile cannot be judged at all: no verdicts, not a crash.
        assert judge.score(pair["problem_id"], "int main( {", [fast], TargetFormat.PROGRAM) is None
    finally:
        judge.close()

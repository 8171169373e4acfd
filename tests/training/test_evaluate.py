"""Evaluation: the metrics' arithmetic, and grading of model outputs in either format by the real reward model."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from perfopt import line_edits
from perfopt.edits import TargetFormat, make_edits
from perfopt.reward import Level
from perfopt.window_io import Prompt, windows_for
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


def test_judge_grades_programs_and_the_outputs_of_every_format(tmp_path: Path) -> None:
    pair = json.loads((TINY_DATA / "pairs.jsonl").read_text().splitlines()[0])
    judge = Judge(TINY_DATA / "tests.jsonl", "wall", tmp_path)
    try:
        slow, fast = pair["slow"], pair["fast"]
        as_programs = judge.score(pair["problem_id"], slow, [fast, slow, "int main( {"], ["", "", ""])
        assert as_programs is not None
        assert as_programs[0].level >= Level.NOT_FASTER
        assert as_programs[1].level == Level.NOT_FASTER  # identical to the original
        assert as_programs[2].level == Level.COMPILE_ERROR
        for fmt, good, broken in [
            (TargetFormat.EDITS, make_edits(slow, fast), "<<<\nno such line\n===\n>>>"),
            (TargetFormat.LINES, line_edits.write(line_edits.between(slow, fast)), "@@9999-9999\n"),
        ]:
            (window,) = windows_for(slow, fmt, 10_000, lambda lines: [1] * len(lines))
            made = [Prompt(slow, window, fmt).outcome(o) for o in (good, broken)]
            graded = judge.score(pair["problem_id"], slow, [m for m, _ in made], [r for _, r in made])
            assert graded is not None
            assert graded[0].level >= Level.NOT_FASTER
            assert graded[1].level == Level.COMPILE_ERROR and "does not apply" in graded[1].reason
        # An original that does not compile cannot be judged at all: no verdicts, not a crash.
        assert judge.score(pair["problem_id"], "int main( {", [fast], [""]) is None
    finally:
        judge.close()


def test_the_apply_rate_counts_candidates_whose_output_applied() -> None:
    rows = [
        {"levels": [3, 0], "applied": [True, False], "best_speedup": 1.0},
        {"levels": [0, 0], "applied": [True, True], "best_speedup": 1.0},
    ]
    assert summarize(rows, k=2)["apply"] == 3 / 4


def test_a_program_with_the_atcoder_library_is_judged_and_profiled_from_a_relative_workdir(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from perfopt.testsources.interface import TestCase
    from perfopt.testsources.pie import write_pie

    def headers(shared: Path, into: Path) -> Path:
        (into / "atcoder").mkdir(parents=True, exist_ok=True)
        (into / "atcoder" / "all").write_text("inline int twice(int x) { return 2 * x; }\n")
        return into

    monkeypatch.setattr("training.evaluate.acl_headers", headers)
    # The sandbox's unprivileged compiler must pass through every folder above the headers; pytest's
    # own temporary folders are private to root.
    work = Path(tempfile.mkdtemp())
    work.chmod(0o755)
    monkeypatch.chdir(work)
    write_pie(work / "tests.jsonl", {"p1": [TestCase("1", b"4\n", b"8\n")]})
    program = (
        '#include <cstdio>\n#include <atcoder/all>\nint main() { int n; scanf("%d", &n); printf("%d\\n", twice(n)); }\n'
    )
    # Relative, as training.evaluate makes it from a relative --out.
    judge = Judge(Path("tests.jsonl"), "wall", Path("evals/judge-0"), acl=True)
    try:
        verdicts = judge.score("p1", program, [program], [""])
        assert verdicts is not None and verdicts[0].level == Level.NOT_FASTER
        assert judge.profile("p1", program) is not None
    finally:
        judge.close()
        shutil.rmtree(work, ignore_errors=True)

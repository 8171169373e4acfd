"""Tiers and splits of the data engine: what each check earns a pair, and that no problem crosses the split."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from perfopt.rewrite import Parsed
from tests.training.test_data_build import SOURCES
from tests.training.test_tests_amplify import fake_shared
from training.data.checks import Results, judged_key
from training.data.programs import Classifier, Program, leaks
from training.data.report import Soundness, settle
from training.data.tiers import SyntaxChecker, code_key

GOOD = "#include <bits/stdc++.h>\nusing namespace std;\nint main() { vector<int> v(3); cout << v.size() << '\\n'; }\n"
BAD = GOOD.replace("v.size()", "v.length()")


def test_syntax_checker_uses_a_precompiled_header_and_names_the_error(tmp_path: Path) -> None:
    checker = SyntaxChecker(["-std=gnu++20", "-O2"], tmp_path, [])
    assert (tmp_path / "pch" / "bits" / "stdc++.h.gch").exists()
    assert checker.error(GOOD) is None
    error = checker.error(BAD)
    assert error is not None and "length" in error


def _pair(kind: str = "program", problem_id: str | None = None, rule: str = "io.newline_to_endl") -> dict[str, Any]:
    return {
        "slow": "slow",
        "fast": "fast",
        "rule": rule,
        "source": "synthetic",
        "kind": kind,
        "problem_id": problem_id,
        "verified": "construction",
    }


def _settle(pair: dict[str, Any], tmp_path: Path, compiled: dict[str, Any], tested: dict[str, Any]) -> str | None:
    tmp_path.mkdir()
    checks, runs = Results(tmp_path / "c.jsonl"), Results(tmp_path / "t.jsonl")
    for side, error in compiled.items():
        checks.add(code_key(side), error)
    for side, result in tested.items():
        runs.add(judged_key("p1", side), result)
    sound = {"compile": Soundness(), "test": Soundness()}
    return settle(pair, checks, runs, sound, sampled=True)


def test_tiers_follow_the_checks(tmp_path: Path) -> None:
    # Unchecked: the rule's word only.
    assert _settle(_pair(), tmp_path / "a", {}, {}) == "construction"
    # Both compile.
    assert _settle(_pair(), tmp_path / "b", {"fast": None, "slow": None}, {}) == "compiled"
    # The rule broke it: dropped.
    assert _settle(_pair(), tmp_path / "c", {"fast": None, "slow": "error: x"}, {}).startswith("drop")  # type: ignore[union-attr]
    # The original was broken before the rule: a program is dropped, library code keeps its tier.
    assert _settle(_pair(), tmp_path / "d", {"fast": "error: y", "slow": "error: y"}, {}).startswith("drop")  # type: ignore[union-attr]
    library = _pair(kind="library")
    assert _settle(library, tmp_path / "e", {"fast": "no header", "slow": "no header"}, {}) == "construction"
    passed = {"passed": True, "cost": 100.0, "reason": ""}
    slower = {"passed": True, "cost": 150.0, "reason": ""}
    same = {"passed": True, "cost": 101.0, "reason": ""}
    failed = {"passed": False, "cost": None, "reason": "fails a test"}
    both = {"fast": None, "slow": None}
    tested = _pair(problem_id="p1")
    assert _settle(tested, tmp_path / "f", both, {"fast": passed, "slow": same}) == "tested"
    assert _settle(tested, tmp_path / "g", both, {"fast": passed, "slow": slower}) == "timed"
    assert _settle(tested, tmp_path / "h", both, {"fast": passed, "slow": failed}).startswith("drop")  # type: ignore[union-attr]
    # A mined pair needs its tests: compiled is not enough.
    mined = {**_pair(problem_id="p1"), "source": "mined.atcoder_tle", "rule": None}
    assert _settle(mined, tmp_path / "i", both, {}).startswith("drop")  # type: ignore[union-attr]
    assert _settle(mined, tmp_path / "j", both, {"fast": passed, "slow": slower}) == "timed"


def test_one_problem_never_crosses_the_split(tmp_path: Path) -> None:
    shared = fake_shared(tmp_path / "shared")
    (shared / "cpp-corpus" / "SOURCES.md").write_text(SOURCES + "| other/vendor | `0` | MIT | 1 |\n")
    classifier = Classifier(shared, tmp_path / "no-valid.jsonl", valid_percent=50)
    main = "int main() { return 0; }\n"
    programs = []
    for repo, path, code in [
        ("a/x", "abc999/abc999_a_1_AC.cpp", main),
        ("b/y", "abc999_a_7_WA.cpp", main + "// another author\n"),
        ("acme/lib", "names.h", "int f() { return 1; }\n"),
        ("other/vendor", "third_party/names.h", "int f() {  return 1; }\n"),  # the same file, blanks apart
    ]:
        program = classifier.classify({"repo": repo, "path": path, "code": code}, Parsed(code))
        assert isinstance(program, Program), program
        programs.append(program)
    # The task maps to CodeNet's p99001 in both repositories; the two copies of names.h are one problem.
    assert programs[0].problem == programs[1].problem == "codenet:p99001"
    assert programs[0].split == programs[1].split
    assert programs[2].problem == programs[3].problem and programs[2].split == programs[3].split
    assert programs[3].kind == "library"
    rows = [{"problem": p.problem, "split": p.split} for p in programs]
    assert leaks(rows) == set()
    assert leaks([*rows, {"problem": "codenet:p99001", "split": "other"}]) == {"codenet:p99001"}


def test_a_spent_budget_stops_the_checks_between_batches() -> None:
    from collections.abc import Iterator

    from training.data.checks import _run, _within_budget

    pulled: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1000):
            pulled.append(i)
            yield i

    done: list[str] = []
    _run(lambda i: (str(i), None), _within_budget(items(), 0.0), 2, lambda key, _: done.append(key))
    # The deadline has passed before the first item: nothing is taken, let alone checked.
    assert len(pulled) <= 1 and done == []

    def slow(i: int) -> tuple[str, None]:
        time.sleep(0.02)
        return str(i), None

    # Spent during the first batch (16 items at 0.02 s on 2 threads): the rest is never taken.
    _run(slow, _within_budget(items(), 0.1), 2, lambda key, _: done.append(key))
    assert 16 <= len(done) <= 32 and len(pulled) <= 40


def test_a_program_that_passes_but_cannot_be_counted_is_tested_not_timed(tmp_path: Path) -> None:
    from perfopt.reward.compiler import Compiler
    from perfopt.reward.harness import IOHarness
    from perfopt.sandbox import Limits, Sandbox
    from perfopt.testsources.interface import TestCase
    from perfopt.testsources.pie import PieTests, write_pie
    from perfopt.timing import CostTimer, TimingError, weights
    from training.data.tiers import judge

    class Crashing(CostTimer):
        """What valgrind did to a real corpus program: it passed natively, then died counted."""

        def cost(self, inv: Any) -> float:
            raise TimingError("prog: runtime error: killed by SIGSEGV under valgrind")

    tests = tmp_path / "tests.jsonl"
    write_pie(tests, {"p1": [TestCase("1", b"", b"3\n")]})
    sandbox = Sandbox()
    limits = Limits(cpu_seconds=2.0, wall_seconds=8.0)
    harness = IOHarness(PieTests([tests], "p1"), Compiler(sandbox), sandbox, limits)
    try:
        judged = judge(harness, Crashing(sandbox, limits, weights.builtin()), GOOD)
    finally:
        harness.close()
    assert judged.passed and judged.cost is None and "SIGSEGV" in judged.reason

"""``perfopt suggest`` through the real entry point: real g++, real sandbox, real git for the diff."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from unidiff.patch import PatchSet

from perfopt.edits import TargetFormat
from perfopt.errors import ExitCode
from tests.commands.test_verify import assert_one_line_error, perfopt
from tests.conftest import PREFIX_FAST, PREFIX_SLOW, PREFIX_WRONG, write_prefix_tests
from tests.generation.tiny import tiny_model


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """slow.cpp with its tests (one overflows an int), plus a fast rewrite and a fast but wrong one."""
    tests = write_prefix_tests(tmp_path / "slow.tests", n=2000)
    (tests / "input.3.txt").write_text("2\n2000000000 2000000000\n")
    (tests / "output.3.txt").write_text("2000000000\n4000000000\n")
    (tmp_path / "slow.cpp").write_text(PREFIX_SLOW)
    (tmp_path / "fast.cpp").write_text(PREFIX_FAST)
    (tmp_path / "wrong.cpp").write_text(PREFIX_WRONG)
    (tmp_path / "same.cpp").write_text(PREFIX_SLOW.replace("\n", "\n\n"))  # differs in whitespace only
    (tmp_path / "fast2.cpp").write_text(PREFIX_FAST)
    return tmp_path


def suggest(project: Path, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return perfopt("suggest", "slow.cpp", "--timer", "instructions", "--no-cache", *args, cwd=project, env=env)


def candidates(*names: str) -> list[str]:
    return [x for n in names for x in ("--candidate", n)]


def test_the_fastest_correct_candidate_becomes_a_diff_that_git_applies(project: Path) -> None:
    proc = suggest(project, *candidates("wrong.cpp", "same.cpp", "fast.cpp", "fast2.cpp"))
    assert proc.returncode == 0, proc.stderr
    patch = PatchSet(proc.stdout)
    assert [f.path for f in patch] == ["slow.cpp"]
    assert "4 generated (1 duplicate, 1 identical to the input); 2 verified: 2 compiled, 1 passed, 1 faster" in (
        proc.stderr
    )
    assert "by instruction count" in proc.stderr and "file fast.cpp" in proc.stderr
    assert re.search(r"hot spot:   line (8|10) \(loop in main\), \d+% of instructions", proc.stderr)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "apply"], input=proc.stdout, text=True, cwd=project, check=True)
    assert (project / "slow.cpp").read_text() == PREFIX_FAST


def test_a_fast_but_wrong_candidate_is_never_suggested(project: Path) -> None:
    proc = suggest(project, *candidates("wrong.cpp"), "--fail-on-suggestion")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "no faster correct candidate" in proc.stderr
    assert "1 verified: 1 compiled, 0 passed, 0 faster" in proc.stderr


def test_fail_on_suggestion_exits_1_when_there_is_one(project: Path) -> None:
    proc = suggest(project, *candidates("fast.cpp"), "--fail-on-suggestion", "--quiet")
    assert proc.returncode == ExitCode.SUGGESTION
    assert proc.stderr == "" and proc.stdout.startswith("--- a/slow.cpp")


def test_json_report(project: Path) -> None:
    proc = suggest(project, *candidates("fast.cpp", "wrong.cpp"), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["suggested"] and not report["applied"]
    assert report["best"]["origin"] == "file fast.cpp" and report["best"]["verdict"]["level"] == "R4"
    assert report["counts"]["faster"] == 1 and report["counts"]["levels"] == {"R4": 1, "R2": 1}
    assert [c["verdict"]["level"] for c in report["candidates"]] == ["R4", "R2"]
    assert PatchSet(report["diff"])[0].added > 0
    assert set(report["seconds"]) >= {"load", "check", "generate", "verify", "total"}
    # The original's profile: main is all of it; one of its loops holds at least half (PREFIX_SLOW's lines).
    profile = report["profile"]
    assert profile["hot_spot"]["label"] == "loop in main" and profile["hot_spot"]["first"] in (8, 10)
    assert profile["hot_spot"]["share"] >= 0.5 * profile["spots"][0]["share"]
    assert profile["spots"][0] == {"first": 5, "last": 11, "label": "function main", "share": 1.0}


def test_markdown_report(project: Path) -> None:
    proc = suggest(project, *candidates("fast.cpp", "wrong.cpp"), "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("### perfopt: `slow.cpp` can run ")
    assert "```diff\n--- a/slow.cpp" in proc.stdout
    assert "| file wrong.cpp | R2 wrong answer |" in proc.stdout
    none = suggest(project, *candidates("wrong.cpp"), "--format", "markdown")
    assert none.stdout.startswith("### perfopt: no faster correct rewrite of `slow.cpp`")
    # Where the time goes is worth saying even when nothing faster was found.
    assert re.search(r"Hot spot of the original: line (8|10) \(loop in main\), \d+% of instructions\.", none.stdout)


def test_unknown_format_is_a_usage_error(project: Path) -> None:
    assert_one_line_error(suggest(project, "--format", "yaml"), ExitCode.USAGE, "unknown format 'yaml'")


def test_apply_writes_the_verified_rewrite_and_keeps_a_backup(project: Path) -> None:
    target = project / "slow.cpp"
    target.chmod(0o640)
    proc = suggest(project, *candidates("fast.cpp"), "--apply")
    assert proc.returncode == 0, proc.stderr
    assert target.read_text() == PREFIX_FAST
    assert (project / "slow.cpp.perfopt-backup").read_text() == PREFIX_SLOW
    assert target.stat().st_mode & 0o777 == 0o640
    assert "applied, the original is saved as" in proc.stderr
    assert not list(project.glob(".*perfopt-tmp*"))


def test_apply_in_a_read_only_folder_is_bad_input_and_changes_nothing(project: Path) -> None:
    from tests.readonly import read_only

    before = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    with read_only(project):
        proc = suggest(project, *candidates("fast.cpp"), "--apply")
    assert_one_line_error(proc, ExitCode.BAD_INPUT, "slow.cpp: cannot write it: ")
    assert {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()} == before


def test_apply_without_a_verified_rewrite_touches_nothing(project: Path) -> None:
    before = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    proc = suggest(project, *candidates("wrong.cpp", "same.cpp"), "--apply")
    assert proc.returncode == 0, proc.stderr
    assert {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()} == before


def test_the_model_path_end_to_end_with_a_tiny_model(project: Path) -> None:
    model = tiny_model(project / "model", TargetFormat.PROGRAM)
    proc = suggest(
        project, "--model", str(model), "-n", "3", "--max-new-tokens", "16", "--generators", "model", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    # Random weights write garbage: it is verified (and fails to compile), never suggested.
    assert report["generator"] == "model 3" and not report["suggested"]
    assert report["candidates"][0]["origin"] == "greedy"
    assert report["counts"]["generated"] == 3
    assert report["counts"]["verified"] + report["counts"]["duplicates"] + report["counts"]["identical"] == 3
    assert report["counts"]["levels"].get("R0", 0) == report["counts"]["verified"]


def test_a_file_beyond_the_models_context_is_a_clear_error(project: Path) -> None:
    model = tiny_model(project / "model", n_positions=16)
    proc = suggest(project, "--model", str(model), "--generators", "model")
    assert_one_line_error(proc, ExitCode.BAD_INPUT, "slow.cpp: ")
    assert "this model writes whole programs and reads at most 16" in proc.stderr
    # With the other generators beside it, the model skips this file and says why; the rules still work.
    proc = suggest(project, "--model", str(model), "--generators", "model,rules")
    assert proc.returncode == 0, proc.stderr
    assert "model (skipped: " in proc.stderr and "reads at most 16" in proc.stderr
    assert "from the rules/" in proc.stderr


def test_a_bad_model_is_exit_9(project: Path) -> None:
    # Naming a model is asking for it: a missing one is an error even beside the other generators.
    assert_one_line_error(suggest(project, "--model", "./no-model-here"), ExitCode.NO_MODEL, "no such model folder")


BY_VALUE = r"""
#include <cstdio>
#include <vector>
using namespace std;
long long weight_below(vector<long long> weights, long long limit) {
    long long s = 0;
    for (size_t i = 0; i < weights.size(); i++) if (weights[i] < limit) s += weights[i];
    return s;
}
int main() {
    int n; if (scanf("%d", &n) != 1) return 0;
    vector<long long> w(n);
    for (auto& x : w) scanf("%lld", &x);
    long long total = 0;
    for (int q = 0; q < 200; q++) total += weight_below(w, q * 5);
    printf("%lld\n", total);
}
"""


def test_default_generators_find_the_by_value_vector_and_name_the_rewrite(tmp_path: Path) -> None:
    """The issue's acceptance case: no --candidate, default generators, a verified R4 diff naming its rewrite."""
    tests = tmp_path / "byval.tests"
    tests.mkdir()
    (tests / "input.1.txt").write_text("6000\n" + " ".join(str(i * 37 % 1000) for i in range(6000)) + "\n")
    (tmp_path / "byval.cpp").write_text(BY_VALUE)
    binary = tmp_path / "byval"
    subprocess.run(["g++", "-O2", "-o", str(binary), str(tmp_path / "byval.cpp")], check=True)
    out = subprocess.run([str(binary)], stdin=(tests / "input.1.txt").open(), capture_output=True, check=True)
    (tests / "output.1.txt").write_bytes(out.stdout)
    proc = perfopt("suggest", "byval.cpp", "--tests", tests, "--timer", "instructions", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "+long long weight_below(const vector<long long>& weights, long long limit) {" in proc.stdout
    assert "from the rules/copies.const_ref_param candidate" in proc.stderr
    assert "pass vector<long long> weights by const reference" in proc.stderr


@pytest.mark.parametrize(
    ("setup", "code", "fragment"),
    [
        (lambda p: p / "missing.cpp", ExitCode.BAD_INPUT, "no such file"),
        (lambda p: (p / "notes.txt", (p / "notes.txt").write_text("hi"))[0], ExitCode.BAD_INPUT, "not a C++ source"),
        (lambda p: (p / "b.cpp", (p / "b.cpp").write_bytes(b"\x7fELF\0\0"))[0], ExitCode.BAD_INPUT, "binary file"),
        (lambda p: (p / "u.cpp", (p / "u.cpp").write_bytes(b"// caf\xe9\n"))[0], ExitCode.BAD_INPUT, "not UTF-8"),
        (lambda p: (p / "h.cpp", (p / "h.cpp").write_text("//" + "x" * (2 << 20)))[0], ExitCode.BAD_INPUT, "too large"),
        (lambda p: (p / "lone.cpp", (p / "lone.cpp").write_text(PREFIX_SLOW))[0], ExitCode.NO_TESTS, "no tests for"),
    ],
)
def test_bad_input_is_one_line_and_a_documented_code(project: Path, setup: object, code: int, fragment: str) -> None:
    path = setup(project)  # type: ignore[operator]
    proc = perfopt("suggest", path, "--candidate", project / "fast.cpp", cwd=project)
    assert_one_line_error(proc, code, fragment)


def test_an_original_that_does_not_compile(project: Path) -> None:
    (project / "slow.cpp").write_text("int main( {\n")
    assert_one_line_error(suggest(project, *candidates("fast.cpp")), ExitCode.BAD_INPUT, "original does not compile")


def test_no_compiler_on_path(project: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    assert_one_line_error(suggest(project, *candidates("fast.cpp"), env=env), ExitCode.NO_COMPILER, "not found")

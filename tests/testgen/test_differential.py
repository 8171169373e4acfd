"""Differential stress tests: inputs generated from the user's own tests, judged by the original itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perfopt.errors import ExitCode
from perfopt.sandbox import Limits, Sandbox
from perfopt.testgen.differential import DifferentialSettings, Generated, generate_tests, unusable_inputs
from perfopt.testsources.interface import TestCase
from tests.conftest import compile_cpp

#: Each record's score copies the whole vector: quadratic, invisible on 2-3 records.
SLOW = r"""#include <iostream>
#include <vector>
using namespace std;
long long score(vector<long long> all, int i) { return all[i] * 2 + (i > 0 ? all[i - 1] : 0); }
int main() {
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long total = 0;
    for (int i = 0; i < n; i++) total += score(a, i);
    cout << total << '\n';
}
"""
FAST = SLOW.replace("score(vector<long long> all", "score(const vector<long long>& all")
#: Right on every record up to the 1,000th, which is all the given tests hold.
WRONG = FAST.replace("for (int i = 0; i < n; i++)", "for (int i = 0; i < n && i < 1000; i++)")
GIVEN = {"1": ("3\n5 1 2\n", "22\n"), "2": ("2\n7 8\n", "37\n")}


def _tests(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (stdin, stdout) in GIVEN.items():
        (folder / f"input.{name}.txt").write_text(stdin)
        (folder / f"output.{name}.txt").write_text(stdout)
    return folder


def _cases() -> list[TestCase]:
    return [TestCase(n, i.encode(), o.encode()) for n, (i, o) in GIVEN.items()]


def test_the_original_judges_bigger_inputs(world_readable_tmp: Path, sandbox: Sandbox) -> None:
    binary = compile_cpp(SLOW, world_readable_tmp, "slow")
    settings = DifferentialSettings(seconds=0.05, keep=3)
    generated = generate_tests(binary, _cases(), sandbox, Limits(), settings)
    assert 1 <= len(generated.cases) <= 3, generated
    assert all(c.origin == "generated" for c in generated.cases)
    # The biggest input is far beyond the samples, and its expected output is the original's.
    biggest = max(generated.cases, key=lambda c: len(c.input))
    assert int(biggest.input.split()[0]) > 1000
    ran = subprocess.run([str(binary)], input=biggest.input, capture_output=True, check=True)
    assert ran.stdout == biggest.expected
    assert generated.describe().startswith(f"{len(generated.cases)} generated (largest ")
    assert "the original's output is the expected answer" in generated.describe()
    assert Generated.from_json(json.loads(json.dumps(generated.to_json()))) == generated


def test_a_deterministic_measure_decides_the_sizes(world_readable_tmp: Path, sandbox: Sandbox) -> None:
    binary = compile_cpp(SLOW, world_readable_tmp, "slow")
    measured: list[int] = []

    def records(stdin: Path) -> float:
        # "Seconds" from the input alone, as the cost timer's estimate is: 1 ms a record.
        n = int(stdin.read_text().split()[0])
        measured.append(n)
        return n / 1000

    settings = DifferentialSettings(seconds=0.05, keep=3, sizing="test")
    generated = generate_tests(binary, _cases(), sandbox, Limits(), settings, measure=records)
    assert measured and generated.cases
    # Kept only up to 2.5x the budget by the measure: 125 records, whatever the CPU time was.
    assert max(int(c.input.split()[0]) for c in generated.cases) <= 125
    again = generate_tests(binary, _cases(), sandbox, Limits(), settings, measure=records)
    assert [c.input for c in again.cases] == [c.input for c in generated.cases]
    assert settings.key() != DifferentialSettings(seconds=0.05, keep=3).key()


def test_inputs_the_original_fails_or_answers_twice_differently_are_dropped(
    world_readable_tmp: Path, sandbox: Sandbox
) -> None:
    fragile = compile_cpp(
        SLOW.replace("vector<long long> a(n);", "if (n > 50) abort(); vector<long long> a(n);"),
        world_readable_tmp,
        "fragile",
    )
    generated = generate_tests(fragile, _cases(), sandbox, Limits(), DifferentialSettings(seconds=0.05))
    assert all(int(c.input.split()[0]) <= 50 for c in generated.cases)
    assert generated.dropped["the original failed on them"] > 0
    # A program whose answer depends on where its stack is (randomized per run): it disagrees with
    # itself, so nothing it says is kept.
    noisy = compile_cpp(
        SLOW.replace("cout << total << '\\n';", "cout << total + (long long)(size_t)&n % 1000003 << '\\n';"),
        world_readable_tmp,
        "noisy",
    )
    unstable = generate_tests(noisy, _cases(), sandbox, Limits(), DifferentialSettings(seconds=0.05))
    assert unstable.cases == []
    assert unstable.dropped["the original printed different answers on two runs"] > 0


@pytest.mark.parametrize(
    ("inputs", "why"),
    [
        ([b"", b"1\n"], "empty input"),
        ([b"\x00\x01\x02"], "binary input"),
        ([b"\xff\xfe text"], "not text"),
    ],
)
def test_binary_or_empty_inputs_seed_nothing(inputs: list[bytes], why: str) -> None:
    cases = [TestCase(str(i), data, b"") for i, data in enumerate(inputs)]
    assert why in unusable_inputs(cases)


def test_no_structure_means_the_given_tests_only(
    world_readable_tmp: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # infer() finds some shape in any text that is not blank (blank inputs stop earlier, above); when a
    # future structure rule declines one, the tests go on with the given ones.
    monkeypatch.setattr("perfopt.testgen.differential.infer", lambda samples: None)
    binary = compile_cpp("int main() { return 0; }", world_readable_tmp, "nothing")
    generated = generate_tests(binary, _cases(), sandbox, Limits())
    assert generated.cases == [] and "no input structure recognised" in generated.note


def _perfopt(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perfopt", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_suggest_by_default_finds_the_hidden_speedup_and_the_hidden_bug(tmp_path: Path) -> None:
    """The issue's acceptance case: 2-3 records of tests, no extra flags."""
    (tmp_path / "slow.cpp").write_text(SLOW)
    (tmp_path / "fast.cpp").write_text(FAST)
    (tmp_path / "wrong.cpp").write_text(WRONG)
    _tests(tmp_path / "given")
    argv = ["suggest", "slow.cpp", "--tests", "given", "--candidate", "fast.cpp", "--candidate", "wrong.cpp"]
    proc = _perfopt(*argv, "--timer", "instructions", "--json", "--cache-dir", tmp_path / "cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    levels = {Path(c["origin"].split()[-1]).name: c["verdict"]["level"] for c in report["candidates"]}
    assert levels["fast.cpp"] == "R4", report
    assert levels["wrong.cpp"] in ("R1", "R2"), report
    assert "generated" in report["test_source"]
    # The speedup is measured on all tests, and shown for each group: the given ones see nothing.
    groups = {g["name"]: g["baseline"] / g["candidate"] for g in report["best"]["verdict"]["timing"]["groups"]}
    assert set(groups) == {"given", "generated"}
    assert groups["given"] < 1.10 < groups["generated"]
    # Without amplification the same small tests see neither.
    proc = _perfopt(*argv, "--timer", "instructions", "--json", "--no-amplify", "--no-cache", cwd=tmp_path)
    levels = {Path(c["origin"].split()[-1]).name: c["verdict"]["level"] for c in json.loads(proc.stdout)["candidates"]}
    assert levels == {"fast.cpp": "R3", "wrong.cpp": "R3"}


def test_amplify_writes_a_test_folder_perfopt_reads_back(tmp_path: Path) -> None:
    (tmp_path / "slow.cpp").write_text(SLOW)
    _tests(tmp_path / "slow.tests")
    proc = _perfopt("amplify", "slow.cpp", "--out", "stress", "--no-cache", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    inputs = sorted((tmp_path / "stress").glob("input.*.txt"))
    assert 1 <= len(inputs) <= 4
    assert all((tmp_path / "stress" / p.name.replace("input", "output")).exists() for p in inputs)
    assert "generated" in proc.stdout
    # The folder is a test folder like any other.
    check = _perfopt("verify", "slow.cpp", "slow.cpp", "--tests", "stress", "--no-amplify", "--no-cache", cwd=tmp_path)
    assert check.returncode == 10 + 3, check.stdout + check.stderr


def test_amplify_in_project_mode_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "slow.cpp").write_text(SLOW)
    (tmp_path / "perfopt.toml").write_text('[project]\nbuild = "true"\ntest = "true"\nbench = "true"\n')
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    proc = _perfopt("amplify", "slow.cpp", cwd=tmp_path)
    assert proc.returncode == ExitCode.NO_TESTS
    assert "make its bench command large enough" in proc.stderr


def test_project_mode_says_no_tests_are_generated(tmp_path: Path) -> None:
    from perfopt.config import Config, ProjectConfig
    from perfopt.reward import reward_model_for

    config = Config(project=ProjectConfig(build="true", test="true", bench="true", root=tmp_path.resolve()))
    model = reward_model_for(config, tmp_path / "slow.cpp")
    try:
        assert "no tests generated in project mode: its bench command must be large enough" in model.harness.describe()
    finally:
        model.close()
    off = reward_model_for(config.replace(amplify=False), tmp_path / "slow.cpp")
    assert "generated" not in off.harness.describe()
    off.close()


def test_generated_tests_are_cached_by_original_tests_and_settings(
    tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from perfopt.config import Config
    from perfopt.reward import reward_model_for

    (tmp_path / "slow.cpp").write_text(SLOW)
    config = Config(tests=_tests(tmp_path / "given"), cache_dir=tmp_path / "cache", amplify_seconds=0.05)

    def made(settings: Config) -> str:
        model = reward_model_for(settings, tmp_path / "slow.cpp", sandbox)
        try:
            model.check_original(SLOW)
            return model.harness.describe()
        finally:
            model.close()

    first = made(config)
    assert "generated" in first

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("generated again despite the cache")

    monkeypatch.setattr("perfopt.testgen.differential.generate_tests", forbidden)
    assert made(config) == first
    # Other settings are another key: they generate again.
    with pytest.raises(AssertionError, match="despite the cache"):
        made(config.replace(amplify_keep=2))


def test_an_original_that_fails_on_every_generated_input_falls_back_and_says_so(
    world_readable_tmp: Path, sandbox: Sandbox
) -> None:
    # It aborts on anything but its two samples: nothing generated survives.
    only_samples = SLOW.replace(
        "    long long total = 0;",
        "    if (a != vector<long long>{5, 1, 2} && a != vector<long long>{7, 8}) abort();\n    long long total = 0;",
    )
    binary = compile_cpp(only_samples, world_readable_tmp, "only_samples")
    generated = generate_tests(binary, _cases(), sandbox, Limits(), DifferentialSettings(seconds=0.05))
    assert generated.cases == []
    assert generated.note.startswith("the original failed on every generated input (")
    assert generated.note.endswith("; only the given tests are used")
    assert generated.describe().startswith("none generated: the original failed on every generated input")

"""The original's per-line profile: real g++ -g, real cachegrind, and the order it gives the rules' candidates."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from perfopt.config import Config
from perfopt.generation.rules import RulesGenerator
from perfopt.profile import Profile, parse_cachegrind
from perfopt.reward import RewardModel, reward_model_for
from perfopt.sandbox import Sandbox

# The hot code is pow(x, 3) in a loop run a million times (a late family in the library's order); the
# by-value vector (an early one) is copied once.
PROGRAM = r"""#include <cmath>
#include <cstdio>
#include <vector>
long long total(std::vector<long long> v) {
    long long s = 0;
    for (long long x : v) s += x;
    return s;
}
int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 1;
    double acc = 0;
    for (int i = 0; i < n; i++) {
        int x = i % 7;
        acc += std::pow(x, 3);
    }
    std::vector<long long> v(10, 1);
    std::printf("%.0f %lld\n", acc, total(v));
}
"""
HOT_LINES = range(13, 17)


def test_parse_reads_the_source_lines_and_inlined_ones_only() -> None:
    text = "\n".join(
        [
            "events: Ir",
            "fl=/tmp/w/prog.cpp",
            "fn=main",
            "5 100",
            "6 7",
            "fi=/usr/include/c++/12/bits/stl_vector.h",
            "1046 50",
            "fe=/tmp/w/prog.cpp",
            "6 3",
            "fl=/lib/libc.so.6",
            "fn=memmove",
            "5 999",
            "summary: 1159",
        ]
    )
    assert parse_cachegrind(text) == {5: 100, 6: 10}


def test_a_profile_round_trips_and_sums_ranges() -> None:
    profile = Profile({3: 10, 4: 30, 9: 1})
    assert profile.total == 41 and profile.cost(3, 4) == 40
    assert Profile.from_json(profile.to_json()) == profile


@pytest.fixture
def program(tmp_path: Path) -> Path:
    tests = tmp_path / "prog.tests"
    tests.mkdir()
    (tests / "input.1.txt").write_text("300000\n")  # its output is the original's, written by _reward
    target = tmp_path / "prog.cpp"
    target.write_text(PROGRAM)
    return target


def _reward(program: Path, sandbox: Sandbox, cache: bool = False) -> RewardModel:
    binary = program.with_suffix("")
    subprocess.run(["g++", "-O2", "-o", str(binary), str(program)], check=True)
    out = subprocess.run([str(binary)], input=b"300000\n", capture_output=True, check=True).stdout
    (program.parent / "prog.tests" / "output.1.txt").write_bytes(out)
    return reward_model_for(Config(cache=cache, timer="instructions"), program, sandbox)


def test_the_profile_finds_the_hot_loop(program: Path, sandbox: Sandbox) -> None:
    reward = _reward(program, sandbox)
    try:
        profile = reward.profile(PROGRAM)
    finally:
        reward.close()
    assert profile is not None
    hottest = max(profile.lines, key=profile.lines.__getitem__)
    assert hottest in HOT_LINES, profile.lines
    assert profile.cost(HOT_LINES.start, HOT_LINES.stop) > 0.5 * profile.total


def test_a_tight_budget_goes_to_the_rewrite_of_the_hot_code(program: Path, sandbox: Sandbox) -> None:
    rules = RulesGenerator()
    found = [name for name, _, _ in rules.find(PROGRAM)]
    assert found == ["copies.const_ref_param", "math.pow_small_integer"], found
    # Without a profile, the library's order: the cold copy takes the single place beside the combination.
    assert [c.rewrite for c in rules.generate(PROGRAM, 2)] == [
        "copies.const_ref_param",
        "copies.const_ref_param+math.pow_small_integer",
    ]
    reward = _reward(program, sandbox)
    try:
        rules.use_profile(lambda: reward.profile(PROGRAM))
        ordered = [c.rewrite for c in rules.generate(PROGRAM, 2)]
    finally:
        reward.close()
    assert rules.profiled
    assert ordered == ["math.pow_small_integer", "math.pow_small_integer+copies.const_ref_param"]
    # With room for everything no profile is asked for.
    asked: list[int] = []

    def profile() -> Profile | None:
        asked.append(1)
        return None

    rules.use_profile(profile)
    assert len(list(rules.generate(PROGRAM, 8))) == 3 and asked == []


def test_suggest_hands_the_profile_to_the_rules_and_caches_it(program: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    import json
    import sys

    _reward(program, sandbox).close()  # writes the expected output
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "perfopt", "suggest", "prog.cpp", "--timer", "instructions"]
    argv += ["--generators", "rules", "-n", "2", "--json", "--cache-dir", str(cache)]
    for _ in range(2):  # the second run reads the profile (and the verdicts) from the cache
        done = subprocess.run(argv, cwd=program.parent, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        rewrites = [c["rewrite"] for c in json.loads(done.stdout)["candidates"]]
        assert rewrites == ["math.pow_small_integer", "math.pow_small_integer+copies.const_ref_param"]


def test_without_valgrind_there_is_no_profile_and_a_warning(
    program: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reward = _reward(program, sandbox)
    monkeypatch.setattr("shutil.which", lambda name: None)
    try:
        assert reward.profile(PROGRAM) is None
    finally:
        reward.close()
    assert "no profile of the original" in caplog.text


def test_a_profile_that_cannot_compile_says_why(program: Path, sandbox: Sandbox) -> None:
    from perfopt.profile import Profiler
    from perfopt.reward.compiler import Compiler
    from perfopt.sandbox import Limits
    from perfopt.timing import TimingError

    # g++ rejecting a flag stands in for any failed -g build (on a loaded machine, its time limit).
    compiler = Compiler(sandbox, flags=("-O2", "-gno-such-debug-format"))
    with pytest.raises(TimingError, match=r"does not compile with -g: .*gno-such-debug-format"):
        Profiler(compiler, sandbox, Limits(), [program]).run(PROGRAM)

"""Amplification with real g++: planted pairs, a buggy oracle, and inputs that crash everyone."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.config import Config
from perfopt.reward import Level, reward_model_for
from perfopt.reward.compiler import Compiler
from perfopt.sandbox import Limits, Outcome, RunResult, Sandbox
from perfopt.testgen.amplify import AmplifyConfig, amplify_problem, verdict_of
from perfopt.testsources.interface import TestCase
from perfopt.testsources.pie import write_pie

SLOW = r"""
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n; cin >> n;
    long long s = 0;
    for (int i = 0; i < n; i++) { long long x; cin >> x; s += x; cout << s << endl; }
}
"""
FAST = r"""
#include <bits/stdc++.h>
int main() {
    int n; if (scanf("%d", &n) != 1) return 1;
    long long s = 0;
    for (int i = 0; i < n; i++) { long long x; scanf("%lld", &x); s += x; printf("%lld\n", s); }
}
"""
#: Another correct solution, written differently.
FAST2 = r"""
#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false); cin.tie(nullptr);
    int n; cin >> n; vector<long long> a(n); for (auto& x : a) cin >> x;
    partial_sum(a.begin(), a.end(), a.begin());
    for (auto x : a) cout << x << '\n';
}
"""
#: Right on the samples, wrong on anything bigger.
BUGGY = FAST.replace('printf("%lld\\n", s);', 'printf("%lld\\n", n > 20 ? s + 1 : s);')
#: Every oracle aborts on large inputs.
FRAGILE = FAST.replace("long long s = 0;", "if (n > 1000) abort(); long long s = 0;")

SAMPLES = [TestCase("1", b"5\n1 2 3 4 5\n", b"1\n3\n6\n10\n15\n"), TestCase("2", b"3\n-1 0 7\n", b"-1\n-1\n6\n")]
QUICK = AmplifyConfig(scales=(10, 1000, 20_000), tries_per_scale=2, keep=4)


@pytest.fixture(scope="module")
def compiler(sandbox: Sandbox) -> Compiler:
    return Compiler(sandbox)


def test_planted_pair_becomes_measurable(sandbox: Sandbox, compiler: Compiler, tmp_path: Path) -> None:
    amplified = amplify_problem("p90001", SAMPLES, [SLOW, FAST, FAST2], sandbox, compiler, Limits(), QUICK)
    assert amplified.oracles == 3
    assert amplified.kept, amplified.report()
    assert all(n == 3 for n in amplified.agreement)

    original = tmp_path / "tests.jsonl"
    write_pie(original, {"p90001": SAMPLES})
    write_pie(tmp_path / "tests.amplified.jsonl", {"p90001": [*SAMPLES, *amplified.kept]})
    target = tmp_path / "p90001.cpp"
    target.write_text(SLOW)
    config = Config(tests=original, timer="instructions", cache=False, amplify=False)

    # The amplified file beside the original is picked up by default ...
    model = reward_model_for(config, target, sandbox)
    assert "amplified" in model.harness.describe()
    on_amplified = model.verify(SLOW, FAST)
    model.close()
    # ... so hide it to measure on the samples alone.
    (tmp_path / "tests.amplified.jsonl").rename(tmp_path / "hidden.jsonl")
    model = reward_model_for(config, target, sandbox)
    on_samples = model.verify(SLOW, FAST)
    model.close()

    assert on_samples.level is Level.NOT_FASTER and on_samples.speedup is not None
    assert on_samples.speedup < 1.05
    assert on_amplified.level is Level.FASTER and on_amplified.speedup is not None
    assert on_amplified.speedup > 1.3


def test_buggy_oracle_is_outvoted_and_alone_it_blocks_everything(sandbox: Sandbox, compiler: Compiler) -> None:
    outvoted = amplify_problem("p90002", SAMPLES, [FAST, FAST2, BUGGY], sandbox, compiler, Limits(), QUICK)
    assert outvoted.kept and all(n == 2 for n in outvoted.agreement)
    # The agreed answer is the correct one, not the buggy one's.
    case = outvoted.kept[0]
    numbers = [int(x) for x in case.input.split()[1:]]
    assert int(case.expected.split()[-1]) == sum(numbers)

    split = amplify_problem("p90003", SAMPLES, [FAST, BUGGY], sandbox, compiler, Limits(), QUICK)
    assert split.generated > 0
    assert not split.kept
    assert split.rejected["oracles disagree"] > 0


def test_input_that_crashes_every_oracle_is_rejected(sandbox: Sandbox, compiler: Compiler) -> None:
    crashing = [FRAGILE, FRAGILE.replace("long long s", "long long  s")]
    result = amplify_problem("p90004", SAMPLES, crashing, sandbox, compiler, Limits(), QUICK)
    assert result.rejected["every oracle failed"] > 0
    # Only the small scale (n = 50) survives.
    assert result.kept and all(int(c.input.split()[0]) <= 1000 for c in result.kept)


def test_too_few_oracles(sandbox: Sandbox, compiler: Compiler) -> None:
    result = amplify_problem("p90005", SAMPLES, [FAST, "int main(){}"], sandbox, compiler, Limits(), QUICK)
    assert result.oracles == 1
    assert not result.kept and "only 1 oracle" in result.note


def run(output: bytes, outcome: Outcome = Outcome.OK) -> RunResult:
    return RunResult(outcome, 0, None, output, "", 0.01, 0.01, 0)


def test_vote_rules() -> None:
    assert verdict_of([run(b"1"), run(b"1 "), run(b"2")], 2, None) == (b"1", 2, "")
    assert verdict_of([run(b"1"), run(b"2")], 2, None)[2] == "oracles disagree"
    assert verdict_of([run(b"1"), run(b"1"), run(b"2"), run(b"2")], 2, None)[2] == "oracles disagree"
    assert verdict_of([run(b"", Outcome.RUNTIME_ERROR)] * 3, 2, None)[2] == "every oracle failed"
    assert verdict_of([run(b"1"), run(b"", Outcome.TIMEOUT)], 2, None)[2] == "too few oracles ran cleanly"
    assert verdict_of([run(b"0.5000001"), run(b"0.5")], 2, 1e-6)[0] == b"0.5000001"

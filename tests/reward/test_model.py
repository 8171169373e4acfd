"""The reward model end to end, with real g++ and real runs: one test per level and then some."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from perfopt.config import Config, RewardScale
from perfopt.errors import BadInputError, BaselineFailsError
from perfopt.reward import Level, RewardModel, reward_model_for
from perfopt.sandbox import Sandbox
from tests.conftest import PREFIX_FAST, PREFIX_SLOW, PREFIX_WRONG, write_prefix_tests


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """slow.cpp with slow.tests/ beside it: 20k numbers, enough to see the I/O difference."""
    write_prefix_tests(tmp_path / "slow.tests", n=20_000)
    path = tmp_path / "slow.cpp"
    path.write_text(PREFIX_SLOW)
    return path


def model(target: Path, sandbox: Sandbox, **settings: object) -> RewardModel:
    config = Config(cache=False, repeats=3, **settings)  # type: ignore[arg-type]
    return reward_model_for(config, target, sandbox)


def test_every_level(target: Path, sandbox: Sandbox) -> None:
    m = model(target, sandbox, timer="instructions")
    candidates = [
        "int main( {",
        "int main(){ for(;;); }",
        PREFIX_WRONG,
        PREFIX_SLOW.replace("using namespace std;", "using namespace std;  // same code"),
        PREFIX_FAST,
    ]
    verdicts = m.evaluate(PREFIX_SLOW, candidates)
    m.close()
    assert [v.level for v in verdicts] == list(Level)
    compile_error, loop, wrong, same, fast = verdicts
    assert "error" in compile_error.compile_log
    assert loop.reason.startswith("test 1: CPU time limit exceeded")
    assert "wrong answer" in wrong.reason and "expected" in wrong.reason
    assert same.timing is not None and same.timing.speedup == pytest.approx(1.0, abs=0.01)
    assert fast.timing is not None and fast.speedup is not None and fast.speedup >= 1.10
    assert [v.reward for v in verdicts] == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_reward_scale_is_configurable(target: Path, sandbox: Sandbox) -> None:
    scale = RewardScale(r0=-1.0, r1=-0.5, r2=-0.2, r3=0.0, r4=2.0)
    m = model(target, sandbox, rewards=scale)
    assert m.verify(PREFIX_SLOW, "nope").reward == -1.0
    m.close()


def test_wall_timer_sees_the_fast_io_rewrite(target: Path, sandbox: Sandbox) -> None:
    m = model(target, sandbox, timer="wall")
    verdict = m.verify(PREFIX_SLOW, PREFIX_FAST)
    m.close()
    assert verdict.level is Level.FASTER, verdict.reason
    assert verdict.timing is not None and verdict.timing.samples == 3


def test_identical_candidate_is_not_faster(target: Path, sandbox: Sandbox) -> None:
    m = model(target, sandbox)
    verdict = m.verify(PREFIX_SLOW, PREFIX_SLOW)
    m.close()
    assert verdict.level is Level.NOT_FASTER
    assert verdict.reason == "identical to the original"


def test_original_must_compile_and_pass(target: Path, sandbox: Sandbox) -> None:
    m = model(target, sandbox)
    with pytest.raises(BadInputError, match="original does not compile"):
        m.verify("int main( {", PREFIX_FAST)
    with pytest.raises(BaselineFailsError, match="fails its own tests"):
        m.verify(PREFIX_WRONG, PREFIX_FAST)
    m.close()


def test_cache_makes_reverification_free(target: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    config = Config(cache=True, cache_dir=tmp_path / "cache", timer="instructions")
    m = reward_model_for(config, target, sandbox)
    first = m.verify(PREFIX_SLOW, PREFIX_FAST)
    started = time.perf_counter()
    second = m.verify(PREFIX_SLOW, PREFIX_FAST)
    cached_seconds = time.perf_counter() - started
    m.close()
    assert not first.cached and second.cached
    assert second.level is first.level and second.speedup == first.speedup
    assert cached_seconds < 0.5
    # Different tests are a different question: no stale answer.
    (target.parent / "slow.tests" / "input.1.txt").write_text("3\n1 1 1\n")
    (target.parent / "slow.tests" / "output.1.txt").write_text("1 2 3\n")
    m2 = reward_model_for(config, target, sandbox)
    third = m2.verify(PREFIX_SLOW, PREFIX_FAST)
    m2.close()
    assert not third.cached


def test_parallel_results_keep_candidate_order(target: Path, sandbox: Sandbox) -> None:
    m = model(target, sandbox, jobs=2, timer="instructions")
    candidates = ["bad(", PREFIX_FAST, "bad(", PREFIX_WRONG]
    seen: list[int] = []
    verdicts = m.evaluate(PREFIX_SLOW, candidates, on_done=lambda i, v: seen.append(i))
    m.close()
    assert [v.level for v in verdicts] == [Level.COMPILE_ERROR, Level.FASTER, Level.COMPILE_ERROR, Level.WRONG_ANSWER]
    assert sorted(seen) == [0, 1, 2, 3]


def test_grade_puts_unusable_outputs_in_place_without_compiling_them(target: Path, sandbox: Sandbox) -> None:
    m = model(target, sandbox, jobs=2, timer="instructions")
    verdicts = m.grade(PREFIX_SLOW, [None, PREFIX_FAST, None, PREFIX_WRONG], ["no hunk", "", "bad edit", ""])
    with pytest.raises(ValueError):
        m.grade(PREFIX_SLOW, [None], [])
    m.close()
    assert [v.level for v in verdicts] == [Level.COMPILE_ERROR, Level.FASTER, Level.COMPILE_ERROR, Level.WRONG_ANSWER]
    assert [verdicts[0].reason, verdicts[2].reason] == ["no hunk", "bad edit"]

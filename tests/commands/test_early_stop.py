"""``--enough N``: generation in rounds that stops once N faster candidates are verified."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfopt.commands.suggest import run_suggest
from perfopt.config import Config
from perfopt.formats.json_format import JsonFormat
from perfopt.formats.text import summary
from perfopt.generation.interface import Candidate, KeepGoing
from tests.conftest import PREFIX_FAST, PREFIX_SLOW, PREFIX_WRONG, write_prefix_tests


class Rounds:
    """Candidates in rounds, asking ``keep_going`` before every round after the first, as the model does."""

    name = "scripted"

    def __init__(self, *rounds: list[str]) -> None:
        self.rounds = rounds
        self.produced = 0
        self.asked = 0

    def prepare(self) -> None:
        pass

    def check(self, source: str) -> None:
        pass

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        for i, programs in enumerate(self.rounds):
            if i and keep_going is not None:
                self.asked += 1
                if not keep_going():
                    return
            self.produced += 1
            for j, program in enumerate(programs):
                yield Candidate(f"round {i} #{j}", program)


@pytest.fixture
def slow(tmp_path: Path) -> Path:
    write_prefix_tests(tmp_path / "slow.tests", n=2000)
    path = tmp_path / "slow.cpp"
    path.write_text(PREFIX_SLOW)
    return path


def settings(enough: int, timer: str = "instructions") -> Config:
    return Config(timer=timer, enough=enough, cache=False, candidates=8)


def variant(program: str, i: int) -> str:
    return program + f"// variant {i}\n"


def test_sampling_stops_at_the_first_round_that_verifies_enough(slow: Path) -> None:
    generator = Rounds([PREFIX_WRONG], [PREFIX_FAST, variant(PREFIX_SLOW, 1)], [variant(PREFIX_FAST, 2)])
    s = run_suggest(slow, settings(enough=1), generator)
    # Round 1 found nothing faster, so round 2 ran; it did, so round 3 never did.
    assert generator.produced == 2 and generator.asked == 2
    assert s.stopped_early and s.counts.generated == 3 and s.counts.faster == 1
    assert s.best is not None and s.best.candidate.program == PREFIX_FAST
    assert "sampling stopped early (--enough)" in summary(s)
    assert json.loads(JsonFormat().render(s).stdout)["stopped_early"] is True


def test_without_enough_every_round_runs(slow: Path) -> None:
    generator = Rounds([PREFIX_WRONG], [PREFIX_FAST], [variant(PREFIX_FAST, 2)])
    s = run_suggest(slow, settings(enough=0), generator)
    assert generator.produced == 3 and generator.asked == 0
    assert not s.stopped_early and s.counts.faster == 2


def test_enough_is_a_count_of_faster_candidates(slow: Path) -> None:
    generator = Rounds([PREFIX_FAST], [variant(PREFIX_FAST, 1)], [variant(PREFIX_FAST, 2)])
    s = run_suggest(slow, settings(enough=2), generator)
    assert generator.produced == 2 and s.stopped_early and s.counts.faster == 2


def test_wall_timings_run_between_rounds_without_deadlock(slow: Path) -> None:
    # The wall timer waits while the model generates; between rounds it must be let through,
    # or keep_going would wait forever on a timing that waits on it.
    generator = Rounds([PREFIX_FAST], [variant(PREFIX_FAST, 1)])
    s = run_suggest(slow, Config(timer="wall", enough=1, cache=False, repeats=2), generator)
    first = s.outcomes[0].verdict
    assert first is not None and first.timing is not None
    assert s.stopped_early == (first.level.code == "R4")
    assert generator.produced == (1 if s.stopped_early else 2)

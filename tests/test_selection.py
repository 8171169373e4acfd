"""Only R4 is ever suggested, and of R4 candidates the fastest."""

from __future__ import annotations

from perfopt.generation.interface import Candidate
from perfopt.reward.levels import Level
from perfopt.reward.model import Verdict
from perfopt.selection import Outcome, count, select
from perfopt.timing import Timing


def outcome(origin: str, level: Level, speedup: float | None) -> Outcome:
    timing = Timing("instructions", "instructions", 100.0, 100.0 / speedup, speedup, 0.0, 1) if speedup else None
    return Outcome(Candidate(origin, f"// {origin}"), Verdict(level, float(level) / 4, "", timing=timing))


def test_an_r4_candidate_beats_a_faster_r3_and_a_faster_wrong_one() -> None:
    outcomes = [
        outcome("r3", Level.NOT_FASTER, 1.05),
        # A wrong answer carries no timing in real verdicts; even if it did, it must never win.
        outcome("wrong", Level.WRONG_ANSWER, 9.0),
        outcome("r4", Level.FASTER, 1.5),
    ]
    best = select(outcomes)
    assert best is not None and best.candidate.origin == "r4"


def test_the_fastest_r4_wins_and_ties_go_to_the_earliest() -> None:
    outcomes = [outcome("a", Level.FASTER, 1.5), outcome("b", Level.FASTER, 2.5), outcome("c", Level.FASTER, 2.5)]
    best = select(outcomes)
    assert best is not None and best.candidate.origin == "b"


def test_nothing_is_suggested_without_an_r4() -> None:
    assert select([outcome("r3", Level.NOT_FASTER, 1.01), outcome("r2", Level.WRONG_ANSWER, None)]) is None
    assert select([]) is None


def test_counts_follow_the_levels_and_the_skips() -> None:
    skipped = [
        Outcome(Candidate("x", None, "bad"), skipped="unusable"),
        Outcome(Candidate("y", ""), skipped="duplicate"),
    ]
    outcomes = [
        outcome("r0", Level.COMPILE_ERROR, None),
        outcome("r2", Level.WRONG_ANSWER, None),
        outcome("r3", Level.NOT_FASTER, 1.0),
        outcome("r4", Level.FASTER, 2.0),
        *skipped,
    ]
    c = count(outcomes)
    assert (c.generated, c.unusable, c.duplicates, c.verified) == (6, 1, 1, 4)
    assert (c.compiled, c.passed, c.faster) == (3, 2, 1)
    assert c.levels == {"R0": 1, "R2": 1, "R3": 1, "R4": 1}
    assert c.describe() == "6 generated (1 unusable, 1 duplicate); 4 verified: 3 compiled, 2 passed, 1 faster"

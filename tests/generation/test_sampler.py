"""Candidates from a real (tiny, random) model: greedy first, n in all, unusable edits kept and marked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from perfopt.edits import TargetFormat
from perfopt.errors import BadInputError
from perfopt.generation.sampler import ModelGenerator, SamplingSettings
from tests.conftest import PREFIX_SLOW
from tests.generation.tiny import tiny_model

FEW_TOKENS = SamplingSettings(max_new_tokens=12)


def test_greedy_then_samples_and_the_same_seed_gives_the_same_candidates(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m")
    first = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 4))
    assert [c.origin for c in first] == ["greedy", "sample 1", "sample 2", "sample 3"]
    assert all(c.program is not None for c in first)
    again = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 4))
    assert again == first


def test_edit_scripts_that_do_not_apply_are_unusable_not_errors(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", TargetFormat.EDITS)
    out = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 2))
    assert len(out) == 2
    # Random weights write random tokens, never a well-formed hunk that matches the input.
    assert all(c.program is None and "edit script" in c.problem for c in out)


def test_a_file_longer_than_the_context_is_refused_clearly(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", n_positions=32)
    generator = ModelGenerator(str(folder), FEW_TOKENS)
    with pytest.raises(BadInputError, match="tokens long; the model reads at most 32"):
        generator.check(PREFIX_SLOW)
    generator.check("int main() {}\n")


def test_rounds_ask_before_each_and_stop_when_told(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m")
    asked: list[int] = []

    def until(rounds: int) -> Callable[[], bool]:
        def keep_going() -> bool:
            asked.append(1)
            return len(asked) <= rounds

        return keep_going

    all_rounds = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 8, until(99)))
    # After the greedy one, 7 samples in two rounds (4 + 3), each preceded by a question.
    assert [c.origin for c in all_rounds] == ["greedy", *(f"sample {i}" for i in range(1, 8))]
    assert len(asked) == 2
    asked.clear()
    stopped = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 8, until(1)))
    assert [c.origin for c in stopped] == ["greedy", "sample 1", "sample 2", "sample 3", "sample 4"]
    assert stopped == all_rounds[:5]
    asked.clear()
    assert len(list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 8, until(0)))) == 1

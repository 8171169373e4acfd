from __future__ import annotations

import random
from collections import Counter

import pytest

from training.sft import Example, tier_weights
from training.sft_config import TIER_WEIGHTS, SFTConfig


def _data() -> list[Example]:
    return [([1], [2], "construction")] * 90 + [([3], [4], "timed")] * 10 + [([5], [6], "hand-made")]


def test_timed_pairs_are_drawn_more_often_than_their_count() -> None:
    data = _data()
    weights = tier_weights(data, SFTConfig().tier_weights)
    draws = Counter(tier for _, _, tier in random.Random(0).choices(data, weights=weights, k=20_000))
    # 10 timed at weight 8 against 90 construction at weight 1: about 47% of draws, not 10%.
    assert 0.40 < draws["timed"] / 20_000 < 0.55
    assert TIER_WEIGHTS["timed"] > TIER_WEIGHTS["tested"] > TIER_WEIGHTS["compiled"] > TIER_WEIGHTS["construction"]


def test_a_tier_not_named_weighs_one_and_zero_leaves_a_tier_out() -> None:
    weights = tier_weights(_data(), {"construction": 0.0, "timed": 2.0})
    assert set(weights[:90]) == {0.0} and set(weights[90:100]) == {2.0} and weights[100] == 1.0


def test_weights_that_leave_nothing_to_draw_are_an_error() -> None:
    with pytest.raises(SystemExit, match="weight 0"):
        tier_weights([([1], [2], "construction")], {"construction": 0.0})

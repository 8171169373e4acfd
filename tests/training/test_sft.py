from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from tests.training.test_pretrain import fake_corpus
from training.config import Scale
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


def test_tiny_sft_judges_its_checkpoints_on_validation_programs(tmp_path: Path) -> None:
    from training.evaluate_config import EvalConfig
    from training.pretrain import train as pretrain
    from training.pretrain_config import PretrainConfig
    from training.sft import train

    init = pretrain(
        replace(PretrainConfig.for_scale(Scale.TINY), corpus=fake_corpus(tmp_path), out=tmp_path / "pre", steps=5)
    )
    validate = replace(EvalConfig.for_scale(Scale.TINY), max_programs=1, k=2)
    config = replace(SFTConfig.for_scale(Scale.TINY), init=init, out=tmp_path / "sft", steps=10, eval_every=5)
    train(replace(config, validate=validate))
    log = [json.loads(line) for line in (tmp_path / "sft" / "log.jsonl").read_text().splitlines()]
    judged = [r for r in log if "apply" in r]
    assert [r["step"] for r in judged] == [5, 10]
    assert all(set(r) >= {"compile", "pass", "opt@2", "valid_loss"} and r["judged_programs"] == 1 for r in judged)
    report = json.loads((tmp_path / "sft" / "evals" / "step-10.json").read_text())
    assert report["k"] == 2 and len(report["rows"][0]["levels"]) == 2


def test_older_pairs_say_their_tier_by_what_verified_them() -> None:
    from training.data.tier_names import tier

    assert tier("compiled") == "compiled" and tier(None) == "construction"
    assert tier({"tests": "p02574 (4 amplified)", "speedup": 1.4}) == "timed"
    assert tier({"tests": "fixture"}) == "tested"


def test_each_example_is_trained_on_once_at_its_surest_tier_and_never_when_it_is_validation() -> None:
    from training.sft import once

    def row(prompt: str, verified: str) -> dict[str, str]:
        return {"prompt": prompt, "target": "@@1-1\nx", "verified": verified}

    train = [row("a", "compiled"), row("a", "timed"), row("a", "construction"), row("b", "tested"), row("c", "tested")]
    kept = once(train, [row("c", "construction")])
    assert sorted((r["prompt"], r["verified"]) for r in kept) == [("a", "timed"), ("b", "tested")]

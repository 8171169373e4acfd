"""RRHF: the loss itself, and a tiny end-to-end run scored by perfopt's real reward model."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import torch

from perfopt.testsources.interface import TestCase
from perfopt.testsources.pie import write_pie
from tests.conftest import PREFIX_FAST, PREFIX_SLOW
from tests.training.test_pretrain import fake_corpus
from training.config import Scale
from training.pretrain import train as pretrain
from training.pretrain_config import PretrainConfig
from training.rrhf import rank_loss, train
from training.rrhf_config import RRHFConfig


def test_rank_loss_is_zero_when_the_model_already_ranks_by_reward() -> None:
    rewards = torch.tensor([0.0, 0.5, 1.0])
    assert rank_loss(torch.tensor([-3.0, -2.0, -1.0]), rewards).item() == 0.0
    # The worst response scored highest: penalised against both better ones.
    assert rank_loss(torch.tensor([-1.0, -2.0, -3.0]), rewards).item() == 1.0 + 2.0 + 1.0


def test_rank_loss_ignores_ties() -> None:
    assert rank_loss(torch.tensor([-1.0, -5.0]), torch.tensor([0.5, 0.5])).item() == 0.0


def test_tiny_rrhf_samples_scores_and_logs_the_curve(tmp_path: Path) -> None:
    corpus = fake_corpus(tmp_path)
    init = pretrain(replace(PretrainConfig.for_scale(Scale.TINY), corpus=corpus, out=tmp_path / "pre", steps=5))
    tests = tmp_path / "tests.jsonl"
    sample = TestCase("1", b"3\n1 2 3\n", b"1\n3\n6\n")
    write_pie(tests, {"p00001": [sample], "p00002": [sample]})
    pairs = tmp_path / "pairs.jsonl"
    rows = [
        {"problem_id": "p00001", "slow": PREFIX_SLOW, "fast": PREFIX_FAST, "split": "train"},
        {"problem_id": "p00002", "slow": PREFIX_SLOW, "fast": PREFIX_FAST, "split": "valid"},
    ]
    pairs.write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = replace(
        RRHFConfig.for_scale(Scale.TINY), pairs=pairs, tests=tests, init=init, out=tmp_path / "rrhf", prompts_per_step=1
    )
    ckpt = train(config)
    curve = [json.loads(line) for line in (tmp_path / "rrhf" / "curve.jsonl").read_text().splitlines()]
    assert [c["rl_step"] for c in curve] == [1, 2]
    # A tiny model's own samples do not compile; the known reference does and passes.
    for c in curve:
        assert c["train"]["compile"] >= 0.25 and c["train"]["pass"] >= 0.25
        assert set(c["valid"]) == {"compile", "pass", "opt"}
        assert c["loss"] == c["loss"]  # not NaN
        # endl and unsynced streams: the rules' candidates join as expert responses, and pass.
        assert c["experts"]["responses"] == 2 and c["experts"]["pass"] == 1.0
    assert json.loads((ckpt / "state.json").read_text())["step"] == 4


def test_export_copies_weights_and_writes_a_card(tmp_path: Path) -> None:
    from training.export import export

    corpus = fake_corpus(tmp_path)
    runs = tmp_path / "runs"
    ckpt = pretrain(replace(PretrainConfig.for_scale(Scale.TINY), corpus=corpus, out=runs / "pretrain", steps=5))
    target = export(ckpt, "tiny-test", runs, "test machine", into=tmp_path / "models")
    assert (target / "model.safetensors").exists() and (target / "tokenizer.json").exists()
    text = (target / "MODEL_CARD.md").read_text()
    assert "pretrain: 5 steps" in text and "test machine" in text
    assert "sft: no log found" in text
    # A run that stopped before RRHF does not claim it.
    assert "no RRHF yet" in text and "then RRHF" not in text
    import torch
    from safetensors.torch import load_file

    from perfopt.generation.model import load_model

    # Stored at half size, loaded back at full precision with the same values to float16 rounding.
    stored = load_file(target / "model.safetensors")
    trained = load_file(ckpt / "model.safetensors")
    assert {t.dtype for t in stored.values()} == {torch.float16}
    assert (target / "model.safetensors").stat().st_size < 0.6 * (ckpt / "model.safetensors").stat().st_size
    loaded = load_model(str(target))
    assert loaded.model.dtype == torch.float32
    shared = loaded.model.state_dict()["shared.weight"]
    assert torch.allclose(shared, trained["shared.weight"], rtol=1e-3, atol=1e-4)

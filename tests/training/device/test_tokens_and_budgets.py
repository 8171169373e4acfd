"""Pre-tokenized shards, and the time limits that fit training into a lent device's calls."""

from __future__ import annotations

import json
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.training.test_pretrain import fake_corpus
from training import loop
from training.config import Scale
from training.data.tokens import Documents, load_documents, read_shard, write_shard
from training.pretrain import train
from training.pretrain_config import PretrainConfig


def test_shards_round_trip_and_windows_stay_inside_one_document(tmp_path: Path) -> None:
    docs = [[1, 2, 3], list(range(100, 140)), [7] * 9, [65535]]
    (tmp_path / "a").mkdir()
    write_shard(tmp_path / "a" / "s0.tokens.npz.xz", docs[:2])
    (tmp_path / "b").mkdir()
    write_shard(tmp_path / "b" / "s1.tokens.npz.xz", docs[2:])
    lengths, tokens = read_shard(tmp_path / "b" / "s1.tokens.npz.xz")
    assert lengths.tolist() == [9, 1] and tokens.dtype == np.uint16 and tokens.tolist() == [7] * 9 + [65535]
    documents = load_documents(tmp_path)
    assert len(documents) == 4 and documents.total == 53
    assert [documents[i] for i in range(4)] == docs
    long_enough = documents.at_least(8)
    assert [long_enough[i] for i in range(len(long_enough))] == [docs[1], docs[2]]
    rng = random.Random(0)
    for _ in range(200):
        w = long_enough.window(rng, 16)
        # A slice of one document, never straddling two.
        assert (len(w) == 16 and w[0] >= 100 and w == list(range(w[0], w[0] + 16))) or w == [7] * 9


def test_a_token_id_over_16_bits_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="16 bits"):
        write_shard(tmp_path / "s.tokens.npz.xz", [[70000]])
    with pytest.raises(SystemExit, match="no token shards"):
        load_documents(tmp_path)
    with pytest.raises(ValueError, match="lengths add up"):
        Documents(np.array([3]), np.array([1, 2]))


@pytest.fixture
def no_deadline() -> object:
    yield
    loop.set_deadline(None)


def tiny(tmp_path: Path, **changes: object) -> PretrainConfig:
    base = replace(PretrainConfig.for_scale(Scale.TINY), corpus=fake_corpus(tmp_path), out=tmp_path / "pretrain")
    return replace(base, **changes)  # type: ignore[arg-type]


def state(config: PretrainConfig) -> dict[str, float]:
    return dict(json.loads((config.out / "checkpoint" / "state.json").read_text()))


def test_a_deadline_stops_at_a_checkpoint_and_a_rerun_finishes(tmp_path: Path, no_deadline: object) -> None:
    config = tiny(tmp_path, steps=40, checkpoint_every=5)
    loop.set_deadline(time.time() - 1)  # already past: the first checkpoint must stop the run
    with pytest.raises(loop.OutOfTime, match="stopped at step 5 of 40"):
        train(config)
    assert state(config)["step"] == 5
    assert not loop.finished(config.out, config.steps)
    # A record of a step past the checkpoint, as a run killed between checkpoints leaves behind.
    with (config.out / "log.jsonl").open("a") as f:
        f.write(json.dumps({"step": 7, "loss": 99.0, "seconds": 1e6}) + "\n")
    loop.set_deadline(None)
    train(config)
    assert state(config)["step"] == 40
    log = [json.loads(line) for line in (config.out / "log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 40
    # The lost step is forgotten, and steps and seconds go on from the checkpoint's across the two runs.
    assert all(r.get("loss") != 99.0 for r in log)
    assert [r["step"] for r in log] == sorted(r["step"] for r in log)
    assert [r["seconds"] for r in log] == sorted(r["seconds"] for r in log)
    assert log[-1]["seconds"] >= state(config)["seconds"] - 5


def test_a_budget_fixes_the_step_count_from_timed_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_deadline: object
) -> None:
    monkeypatch.setattr(loop, "CALIBRATION_SKIP", 2)
    monkeypatch.setattr(loop, "CALIBRATION_STEPS", 4)
    ticks = iter(range(0, 10_000))
    # A clock that advances one second per reading: each step reads it a fixed number of times.
    monkeypatch.setattr(time, "monotonic", lambda: float(next(ticks)))
    config = tiny(tmp_path, steps=10_000, checkpoint_every=1_000, log_every=1_000, budget_seconds=20.0)
    train(config)
    calibrated = [
        json.loads(line) for line in (config.out / "log.jsonl").read_text().splitlines() if "calibrated_steps" in line
    ]
    assert len(calibrated) == 1
    steps = calibrated[0]["calibrated_steps"]
    assert 6 <= steps < 10_000
    # The budget less the time already spent (loading, the steps so far), at the timed pace.
    assert 6 < steps < int(20 / calibrated[0]["seconds_per_step"])
    # The count is saved, so that a rerun with the same config sees the stage as finished.
    saved = state(config)
    assert saved == {"step": steps, "seconds": saved["seconds"], "steps": steps, "tokens": saved["tokens"]}
    # Tokens seen are counted over the real (unpadded) inputs and targets: at least one per row and step.
    assert saved["tokens"] >= steps * config.batch_size * 2
    assert loop.finished(config.out, config.steps)


def test_a_spent_budget_ends_the_stage_at_its_next_checkpoint(tmp_path: Path, no_deadline: object) -> None:
    config = tiny(tmp_path, steps=10_000, checkpoint_every=3, budget_seconds=0.0)
    train(config)
    assert state(config)["step"] == 3 and state(config)["steps"] == 3

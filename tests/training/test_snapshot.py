"""Snapshots carry a stage across machines: float16 weights, the step and tokens reached, and the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from training import snapshot

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def _checkpoint(run: Path, step: int) -> Any:
    config = transformers.T5Config(
        vocab_size=64, d_model=16, d_ff=32, d_kv=8, num_heads=2, num_layers=1, num_decoder_layers=1
    )
    torch.manual_seed(step)
    model = transformers.T5ForConditionalGeneration(config)
    model.save_pretrained(run / "checkpoint")
    (run / "checkpoint" / "state.json").write_text(json.dumps({"step": step, "seconds": 9.5, "tokens": 1234}))
    # The last record is past the checkpoint (the run went on before it stopped): not carried over.
    (run / "log.jsonl").write_text(
        json.dumps({"step": step, "loss": 3.0}) + "\n" + json.dumps({"step": step + 5}) + "\n"
    )
    return model


def test_save_then_restore_resumes_where_the_run_was(tmp_path: Path) -> None:
    model = _checkpoint(tmp_path / "a", step=40)
    snap = snapshot.save(tmp_path / "a", tmp_path / "snap")
    assert not (snap / "optimizer.pt").exists()
    stored = transformers.T5ForConditionalGeneration.from_pretrained(snap)
    assert next(stored.parameters()).dtype == torch.float16
    snapshot.restore(snap, tmp_path / "b")
    state = json.loads((tmp_path / "b" / "checkpoint" / "state.json").read_text())
    assert state == {"step": 40, "seconds": 9.5, "tokens": 1234}
    assert (tmp_path / "b" / "log.jsonl").read_text() == json.dumps({"step": 40, "loss": 3.0}) + "\n"
    back = transformers.T5ForConditionalGeneration.from_pretrained(tmp_path / "b" / "checkpoint")
    for mine, theirs in zip(model.parameters(), back.parameters(), strict=True):
        assert theirs.dtype == torch.float32
        assert torch.allclose(mine, theirs, rtol=1e-3, atol=1e-3)


def test_restore_never_rewinds_a_run_that_went_further(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "old", step=10)
    snap = snapshot.save(tmp_path / "old", tmp_path / "snap")
    _checkpoint(tmp_path / "run", step=25)
    snapshot.restore(snap, tmp_path / "run")
    assert json.loads((tmp_path / "run" / "checkpoint" / "state.json").read_text())["step"] == 25


def test_saving_nothing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no checkpoint"):
        snapshot.save(tmp_path / "empty", tmp_path / "snap")

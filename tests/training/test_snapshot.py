"""Snapshots carry a stage across machines: float16 weights, the step and tokens reached, and the log,
kept in git's history so that the working tree a device receives stays small."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from training import snapshot

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
safetensors = pytest.importorskip("safetensors")


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
    snap = snapshot.write(tmp_path / "a", tmp_path / "snap")
    assert not (snap / "optimizer.pt").exists()
    # Every tensor on disk, T5's float32-kept `wo` layers included: they are a quarter of a small model.
    with safetensors.safe_open(str(snap / "model.safetensors"), "pt") as stored:
        assert {stored.get_slice(k).get_dtype() for k in stored.keys()} == {"F16"}  # noqa: SIM118 (safe_open is not iterable)
    snapshot.load_into(snap, tmp_path / "b")
    state = json.loads((tmp_path / "b" / "checkpoint" / "state.json").read_text())
    assert state == {"step": 40, "seconds": 9.5, "tokens": 1234}
    assert (tmp_path / "b" / "log.jsonl").read_text() == json.dumps({"step": 40, "loss": 3.0}) + "\n"
    back = transformers.T5ForConditionalGeneration.from_pretrained(tmp_path / "b" / "checkpoint")
    for mine, theirs in zip(model.parameters(), back.parameters(), strict=True):
        assert theirs.dtype == torch.float32
        assert torch.allclose(mine, theirs, rtol=1e-3, atol=1e-3)


def test_restore_never_rewinds_a_run_that_went_further(tmp_path: Path) -> None:
    _checkpoint(tmp_path / "old", step=10)
    snap = snapshot.write(tmp_path / "old", tmp_path / "snap")
    _checkpoint(tmp_path / "run", step=25)
    snapshot.load_into(snap, tmp_path / "run")
    assert json.loads((tmp_path / "run" / "checkpoint" / "state.json").read_text())["step"] == 25


def test_saving_nothing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no checkpoint"):
        snapshot.write(tmp_path / "empty", tmp_path / "snap")
    with pytest.raises(SystemExit, match="no checkpoint"):
        snapshot.save(tmp_path / "empty", "x", tmp_path)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def test_a_saved_snapshot_lives_in_history_and_a_fresh_clone_resumes_from_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    (repo / "README").write_text("x\n")
    (repo / "staged.txt").write_text("work in progress\n")
    _git(repo, "add", "README")
    _git(repo, "commit", "-q", "-m", "start")
    _git(repo, "add", "staged.txt")
    model = _checkpoint(tmp_path / "run", step=30)

    pointer = snapshot.save(tmp_path / "run", "pre", repo)

    # The working tree holds the pointer only; the weights are one commit back.
    assert not (repo / "training/checkpoints/pre").exists()
    assert _git(repo, "ls-files", "training").split() == ["training/checkpoints/pre.json"]
    record = json.loads(pointer.read_text())
    assert record["step"] == 30 and record["tokens"] == 1234
    assert "training/checkpoints/pre/model.safetensors" in _git(repo, "show", "--stat", "--format=", record["commit"])
    # What the developer had staged is neither committed nor unstaged.
    assert _git(repo, "status", "--porcelain").splitlines() == ["A  staged.txt"]

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    snapshot.restore(tmp_path / "resumed", "pre", clone)
    state = json.loads((tmp_path / "resumed" / "checkpoint" / "state.json").read_text())
    assert state["step"] == 30
    back = transformers.T5ForConditionalGeneration.from_pretrained(tmp_path / "resumed" / "checkpoint")
    for mine, theirs in zip(model.parameters(), back.parameters(), strict=True):
        assert torch.allclose(mine, theirs, rtol=1e-3, atol=1e-3)

    # A second save replaces the pointer; the first snapshot stays in history.
    _checkpoint(tmp_path / "run", step=60)
    snapshot.save(tmp_path / "run", "pre", repo)
    assert json.loads(pointer.read_text())["step"] == 60
    assert json.loads(pointer.read_text())["commit"] != record["commit"]


def test_restoring_an_unknown_snapshot_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no such snapshot pointer"):
        snapshot.restore(tmp_path / "run", "missing", tmp_path)

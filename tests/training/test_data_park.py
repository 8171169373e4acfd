"""The data engine's made stages round-trip through git history, in a real repository made here."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from training.data import park


def _repo(path: Path) -> Path:
    path.mkdir()
    for args in (["init", "-q"], ["config", "user.email", "t@example.com"], ["config", "user.name", "t"]):
        subprocess.run(["git", "-C", str(path), *args], check=True)
    (path / "README").write_text("x\n")
    subprocess.run(["git", "-C", str(path), "add", "README"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-q", "-m", "start"], check=True)
    return path


def test_save_parks_the_stages_in_history_and_restore_fills_only_what_is_missing(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    out = tmp_path / "out"
    (out / "synthetic").mkdir(parents=True)
    (out / "synthetic" / "chunk-00000.jsonl.xz").write_bytes(b"pairs")
    (out / "synthetic" / "chunk-00000.stats.json").write_text("{}")
    (out / "library_checker.jsonl").write_text("{}\n")
    (out / "compiled.jsonl").write_text("not kept: the checks have their own place\n")
    pointer = park.save(out, "d", repo)
    assert pointer == repo / "training/data/parked/d.json"
    # The tree keeps only the pointer; the files are one commit back.
    assert not (repo / "training/data/parked/d").exists()
    tracked = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True).stdout.split()
    assert tracked == ["README", "training/data/parked/d.json"]

    fresh = tmp_path / "fresh"
    assert park.restore(fresh, "d", repo) == 3
    assert (fresh / "synthetic" / "chunk-00000.jsonl.xz").read_bytes() == b"pairs"
    assert not (fresh / "compiled.jsonl").exists()
    # Work already there is never overwritten.
    (fresh / "synthetic" / "chunk-00000.jsonl.xz").write_bytes(b"newer")
    assert park.restore(fresh, "d", repo) == 0
    assert (fresh / "synthetic" / "chunk-00000.jsonl.xz").read_bytes() == b"newer"


def test_nothing_to_save_or_restore_is_a_clear_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    with pytest.raises(SystemExit, match="no synthetic chunks"):
        park.save(tmp_path / "empty", "d", repo)
    with pytest.raises(SystemExit, match="no such parked data pointer"):
        park.restore(tmp_path / "out", "missing", repo)

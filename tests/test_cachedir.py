"""The cache folder: chosen by the user only, private, and optional when it cannot be written."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfopt.cachedir import ENV, cache_root, private_folder
from perfopt.errors import ExitCode
from tests.commands.test_verify import assert_one_line_error, perfopt
from tests.conftest import PREFIX_FAST, PREFIX_SLOW, write_prefix_tests
from tests.readonly import read_only


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        yield folder


def test_the_user_chooses_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(ENV, raising=False)
    assert cache_root() == tmp_path / "xdg" / "perfopt"
    monkeypatch.setenv(ENV, str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    assert cache_root(tmp_path / "flag") == tmp_path / "flag"


def test_a_cache_folder_is_private(tmp_path: Path) -> None:
    folder = private_folder("jail", tmp_path / "c")
    assert folder is not None
    assert folder.stat().st_mode & 0o077 == 0


def test_an_unwritable_cache_is_no_cache(read_only_dir: Path) -> None:
    assert private_folder(f"results-{uuid.uuid4().hex}", read_only_dir) is None


@pytest.mark.parametrize("cache_flag", ["--cache", "--no-cache"])
def test_a_read_only_cache_runs_without_a_cache_and_says_so(
    tmp_path: Path, read_only_dir: Path, cache_flag: str
) -> None:
    write_prefix_tests(tmp_path / "slow.tests", n=200)
    (tmp_path / "slow.cpp").write_text(PREFIX_SLOW)
    (tmp_path / "fast.cpp").write_text(PREFIX_FAST)
    env = {k: v for k, v in os.environ.items() if k != ENV}
    env["XDG_CACHE_HOME"] = str(read_only_dir)
    proc = perfopt("verify", "slow.cpp", "fast.cpp", "--timer", "instructions", cache_flag, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("perfopt: warning:")]
    assert warnings and "is not writable" in warnings[0] and "running without a cache" in warnings[0]


def test_too_many_candidates_is_a_config_error_not_an_out_of_memory(tmp_path: Path) -> None:
    (tmp_path / "slow.cpp").write_text(PREFIX_SLOW)
    proc = perfopt("suggest", "slow.cpp", "--candidates", "10000", cwd=tmp_path)
    assert_one_line_error(proc, ExitCode.CONFIG, "candidates must be at most 64")

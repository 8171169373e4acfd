"""Where perfopt keeps its cache, and the one rule for choosing it: the user chooses, a repository never does.

The cache holds the sandbox helper that perfopt executes for every candidate,
so its location is trusted input. It comes from ``--cache-dir``, then
``PERFOPT_CACHE_DIR``, then ``XDG_CACHE_HOME``/``~/.cache``; repository config
(``perfopt.toml``, ``[tool.perfopt]``) cannot set it (see :mod:`perfopt.config`).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from perfopt.notices import warn_once

ENV = "PERFOPT_CACHE_DIR"


def cache_root(override: Path | None = None) -> Path:
    if override is not None:
        return override
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "perfopt"


class UnsafeFolder(Exception):
    """A folder another user could write to: nothing perfopt executes may come from it."""


def _check_private(folder: Path) -> None:
    st = folder.stat(follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise UnsafeFolder(f"{folder} is not a plain folder")
    if st.st_uid != os.geteuid():
        raise UnsafeFolder(f"{folder} belongs to uid {st.st_uid}, not to you")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        # Ours, so tightening it is safe; a group or world write bit would let others plant files.
        folder.chmod(0o700)


def private_folder(name: str, override: Path | None = None) -> Path | None:
    """``<cache>/<name>``, made private to this user; None (with a warning) when it cannot be written.

    Raises :class:`UnsafeFolder` when the folder exists but another user owns it.
    """
    root = cache_root(override)
    folder = root / name
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _check_private(folder)
        # A write probe: a read-only mount lets mkdir(exist_ok) pass, then fails on the first file.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as e:
        # Keyed on the root, so that the jail and the verdicts give one warning between them.
        warn_once(f"cache folder {root} is not writable ({e.strerror or e}); running without a cache")
        return None
    return folder

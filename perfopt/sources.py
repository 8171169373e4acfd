"""Reading the user's C++ files, refusing anything perfopt should not try to compile; writing them back safely."""

from __future__ import annotations

import os
from pathlib import Path

from perfopt.errors import BadInputError, NoTestsError

CPP_SUFFIXES = frozenset({".cpp", ".cc", ".cxx", ".c++", ".cp", ".C", ".CPP", ".ii"})
HEADER_SUFFIXES = frozenset({".h", ".hh", ".hpp", ".hxx", ".h++", ".ipp", ".tpp", ".inl"})
#: Why a header alone cannot be verified, and what to do about it.
HEADER_NEEDS_PROJECT = (
    "a header has no tests of its own: configure project mode (a [project] table with build, test and bench) "
    "and perfopt verifies its rewrites through the project's tests"
)


def read_source(path: Path, max_kb: int = 1024, headers: bool = False) -> str:
    """The file's text; a one-line BadInputError for anything unusable.

    ``headers``: whether a header can be judged here (project mode builds and
    tests the tree it belongs to); if not, a header is a NoTestsError.
    """
    if not path.exists():
        raise BadInputError(f"{path}: no such file")
    if path.is_dir():
        raise BadInputError(f"{path}: is a directory, not a C++ file")
    if path.suffix in HEADER_SUFFIXES and not headers:
        raise NoTestsError(f"{path}: {HEADER_NEEDS_PROJECT}")
    known = CPP_SUFFIXES | HEADER_SUFFIXES
    if path.suffix not in known:
        raise BadInputError(f"{path}: not a C++ source (expected one of {', '.join(sorted(known))})")
    size = path.stat().st_size
    if size > max_kb * 1024:
        raise BadInputError(f"{path}: too large ({size // 1024} KiB; the limit is max_source_kb = {max_kb})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise BadInputError(f"{path}: cannot read: {e.strerror}") from None
    if b"\0" in data:
        raise BadInputError(f"{path}: binary file (contains NUL bytes), not C++ source")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInputError(f"{path}: not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})") from None


def replace_source(path: Path, new_text: str, expected: str) -> Path:
    """Write ``new_text`` over ``path`` atomically, after saving the current text beside it.

    Refuses when the file changed since perfopt read it (``expected``): the user
    edited it while candidates were being verified, and their edit wins. The
    backup is written and flushed before the swap, and the swap is a rename, so
    at every instant one complete version is on disk under ``path``.
    """
    current = path.read_bytes()
    if current != expected.encode("utf-8"):
        raise BadInputError(f"{path}: changed while perfopt was working; not applied (run it again)")
    mode = path.stat().st_mode
    if not mode & 0o222:
        # A rename would replace it all the same; read-only says the user does not want it edited.
        raise BadInputError(f"{path}: read-only file; not applied")
    backup = path.with_name(path.name + ".perfopt-backup")
    try:
        _write_durably(backup, current, mode)
        _write_durably(path, new_text.encode("utf-8"), mode)
    except OSError as e:
        # Its folder is read-only, not ours, or full: the file itself was never touched.
        raise BadInputError(f"{path}: cannot write it: {e.strerror or e}; not applied") from None
    return backup


def _write_durably(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.perfopt-tmp-{os.getpid()}")
    created = False
    try:
        with tmp.open("wb") as f:
            created = True
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.chmod(mode & 0o7777)
        os.replace(tmp, path)
    finally:
        # Only a file this call made: unlinking a missing one in a read-only folder fails, hiding the real error.
        if created:
            tmp.unlink(missing_ok=True)

"""Reading the user's C++ files, refusing anything perfopt should not try to compile."""

from __future__ import annotations

from pathlib import Path

from perfopt.errors import BadInputError

CPP_SUFFIXES = frozenset({".cpp", ".cc", ".cxx", ".c++", ".cp", ".C", ".CPP", ".ii"})


def read_source(path: Path, max_kb: int = 1024) -> str:
    """The file's text; a one-line BadInputError for anything unusable."""
    if not path.exists():
        raise BadInputError(f"{path}: no such file")
    if path.is_dir():
        raise BadInputError(f"{path}: is a directory, not a C++ file")
    if path.suffix not in CPP_SUFFIXES:
        raise BadInputError(f"{path}: not a C++ source (expected one of {', '.join(sorted(CPP_SUFFIXES))})")
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

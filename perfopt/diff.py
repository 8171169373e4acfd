"""Unified diffs that ``git apply`` and ``patch -p1`` accept."""

from __future__ import annotations

import difflib

_ESCAPES = {"\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r", '"': '"', "\\": "\\"}


def _needs_octal(c: str) -> bool:
    # Control characters, and the surrogates that stand for the bytes of a name that is not UTF-8.
    return ord(c) < 0x20 or ord(c) == 0x7F or 0xDC80 <= ord(c) <= 0xDCFF


def _label(prefix: str, path: str) -> str:
    """``a/path`` as git writes it: C-quoted when it holds a quote, a backslash or a control character.

    Unquoted, a newline in a name would end the header line and break the diff.
    A trailing tab marks where a name with spaces ends, for patch(1), as git does.
    """
    name = prefix + path
    if any(c in _ESCAPES or _needs_octal(c) for c in name):
        parts = []
        for c in name:
            if c in _ESCAPES:
                parts.append("\\" + _ESCAPES[c])
            elif _needs_octal(c):
                parts.append(f"\\{(ord(c) - 0xDC00 if ord(c) > 0xFF else ord(c)):03o}")
            else:
                parts.append(c)
        name = '"' + "".join(parts) + '"'
    return name + ("\t" if " " in path else "")


def unified(original: str, new: str, path: str, context: int = 3) -> str:
    """The diff from ``original`` to ``new`` of the file at ``path`` (relative, forward slashes)."""
    a, b = original.splitlines(keepends=True), new.splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, _label("a/", path), _label("b/", path), n=context))
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            # The last line of a file without a final newline: say so, as diff(1) does.
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)

"""Unified diffs that ``git apply`` and ``patch -p1`` accept."""

from __future__ import annotations

import difflib


def unified(original: str, new: str, path: str, context: int = 3) -> str:
    """The diff from ``original`` to ``new`` of the file at ``path`` (relative, forward slashes)."""
    a, b = original.splitlines(keepends=True), new.splitlines(keepends=True)
    lines = list(difflib.unified_diff(a, b, f"a/{path}", f"b/{path}", n=context))
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            # The last line of a file without a final newline: say so, as diff(1) does.
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)

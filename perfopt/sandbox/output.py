"""Quoting a sandboxed program's output in a verdict, which may end up in a report or a PR comment."""

from __future__ import annotations

#: The most of a program's output a verdict quotes: enough to see the mismatch, too
#: little to carry a file's contents out of the sandbox into a report or PR comment.
EXCERPT_CHARS = 24


def excerpt(data: bytes | str, limit: int = EXCERPT_CHARS) -> str:
    """A short, quoted, escaped (ASCII-only, no control characters) excerpt of program output."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    cut = text[:limit]
    return ascii(cut) + ("..." if len(text) > limit else "")

"""Line-anchored edits: the model names lines of its window by number instead of copying them.

The window is rendered with its file line numbers (``12|code``, :mod:`perfopt.windows`), and an edit
script is a list of edits, each a header and the lines that follow it::

    @@12-14        replace lines 12 to 14 with the lines below (none: delete them)
    @@20+          insert the lines below after line 20

Locating and copying an exact multi-line search string is what a small model fails at; naming a line is
easy. Parsing is strict, because a candidate built on a guess is worse than none: a header that is not one
of the two forms, text before the first header, a line number the window does not show, a range that
spans lines the window hides, edits out of order or overlapping, or no edit at all, make the script
unusable, with the reason. The header has no space (``@@12``) so that the number is the same token as
in ``12|code``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from perfopt.edits import EditError

_HEADER = re.compile(r"@@(\d+)(?:-(\d+)|(\+))")


@dataclass(frozen=True)
class LineEdit:
    """Replace lines ``first``..``last`` (1-based, inclusive) with ``new``; ``last == first - 1`` is an
    insertion before line ``first`` (after line ``last``)."""

    first: int
    last: int
    new: tuple[str, ...]

    @property
    def insertion(self) -> bool:
        return self.last < self.first

    def header(self) -> str:
        return f"@@{self.last}+" if self.insertion else f"@@{self.first}-{self.last}"


def write(edits: Sequence[LineEdit]) -> str:
    """The script for ``edits``; EditError when a line of code would read as a header (``@@`` in a raw string)."""
    if any(line.startswith("@@") for e in edits for line in e.new):
        raise EditError("a new line starts with @@ and would read as a header")
    text = "\n".join(line for e in edits for line in (e.header(), *e.new))
    # parse drops one final newline, so a script whose last new line is empty ends with one more.
    return text + "\n" if text.endswith("\n") else text


def parse(script: str, shown: Sequence[int]) -> list[LineEdit]:
    """The edits of ``script``, checked against the window's lines ``shown``; raises EditError."""
    visible = set(shown)
    edits: list[LineEdit] = []
    current: tuple[int, int] | None = None
    body: list[str] = []

    def close() -> None:
        if current is not None:
            edits.append(_checked(current, body, visible, edits[-1] if edits else None))

    # A model may end its output with a newline: that ends the script, it adds no empty line.
    for line in script.removesuffix("\n").split("\n"):
        if line.startswith("@@"):
            close()
            current, body = _header(line), []
        elif current is None:
            if line.strip():
                raise EditError(f"text before the first edit: {line[:40]!r}")
        else:
            body.append(line)
    close()
    if not edits:
        raise EditError("no edit")
    return edits


def _header(line: str) -> tuple[int, int]:
    m = _HEADER.fullmatch(line.rstrip())
    if m is None:
        raise EditError(f"not an edit header: {line[:40]!r}")
    first = int(m.group(1))
    if m.group(3):
        return first + 1, first
    last = int(m.group(2))
    if last < first:
        raise EditError(f"{line.rstrip()}: the range runs backwards")
    return first, last


def _checked(span: tuple[int, int], body: list[str], visible: set[int], previous: LineEdit | None) -> LineEdit:
    first, last = span
    edit = LineEdit(first, last, tuple(body))
    if edit.insertion:
        if last not in visible and first not in visible:
            raise EditError(f"{edit.header()}: line {last} is not in the window")
    else:
        hidden = [n for n in range(first, last + 1) if n not in visible]
        if hidden:
            raise EditError(f"{edit.header()}: line {hidden[0]} is not in the window")
    if previous is not None and (
        edit.first <= previous.last or (edit.insertion and previous.insertion and edit.last == previous.last)
    ):
        raise EditError(f"{edit.header()}: overlaps or precedes {previous.header()}")
    return edit


def apply(source: str, edits: Sequence[LineEdit]) -> str:
    """``source`` with ``edits`` (ascending, disjoint, as :func:`parse` returns them) applied."""
    lines = source.split("\n")
    for e in reversed(edits):
        if e.last > len(lines):
            raise EditError(f"{e.header()}: the file has {len(lines)} lines")
        lines[e.first - 1 : e.last] = e.new
    return "\n".join(lines)


def between(source: str, target: str) -> list[LineEdit]:
    """The edits that turn ``source`` into ``target``, line by line: what a training target says."""
    a, b = source.split("\n"), target.split("\n")
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(LineEdit(i1 + 1, i2, tuple(b[j1:j2])))
    return edits


def dead_end(partial: str, shown: Sequence[int]) -> str | None:
    """Why ``partial``, the start of a script, can no longer become a valid one; None if it still can.

    Only finished lines are judged (the last one may still grow), so a decoder that checks this stops at
    the first bad header instead of writing the rest of its token budget."""
    done = partial.split("\n")[:-1]
    if not any(line.startswith("@@") for line in done):
        stray = next((line for line in done if line.strip()), None)
        return None if stray is None else f"text before the first edit: {stray[:40]!r}"
    try:
        # Every header so far is complete; the body after the last one may still grow.
        parse("\n".join(done), shown)
    except EditError as e:
        return str(e)
    return None

"""The model's output formats: a whole program, or search/replace edits of the input.

A small model spends most of its decoding on copying unchanged lines when it
must write out the whole program; an edit script says only what changes (the
Supersonic paper found diffs far better for small models). An edit script is a
list of hunks::

    <<<
    lines of the input, unique in it
    ===
    lines that replace them
    >>>

Hunks anchor on text, not line numbers, because counting lines is hard for a
model and easy to get wrong; each hunk's search lines are widened with context
until they occur once in the input.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

OPEN, MID, CLOSE = "<<<", "===", ">>>"


class TargetFormat(str, Enum):
    PROGRAM = "program"
    EDITS = "edits"
    #: Line-anchored edits of a numbered window (perfopt.line_edits).
    LINES = "lines"


class EditError(ValueError):
    """An edit script that is malformed or does not apply to its input."""


@dataclass(frozen=True)
class Hunk:
    old: list[str]
    new: list[str]


def _count(lines: list[str], block: list[str]) -> int:
    n = len(block)
    return sum(lines[i : i + n] == block for i in range(len(lines) - n + 1))


def make_edits(source: str, target: str) -> str:
    """The edit script that turns ``source`` into ``target`` (empty when they are equal)."""
    a, b = source.split("\n"), target.split("\n")
    spans: list[list[int]] = []  # [a_lo, a_hi, b_lo, b_hi], widened and merged
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = after = 0
        # Widen with equal context, alternating sides, until the search lines are unique and non-empty.
        while i2 - i1 + before + after == 0 or _count(a, a[i1 - before : i2 + after]) != 1:
            can_before = i1 - before > 0 and (not spans or i1 - before > spans[-1][1])
            can_after = i2 + after < len(a)
            if can_before and (before <= after or not can_after):
                before += 1
            elif can_after:
                after += 1
            elif i1 - before > 0:
                before += 1  # runs into the previous hunk: merged below
            else:
                break
        span = [i1 - before, i2 + after, j1 - before, j2 + after]
        if spans and span[0] <= spans[-1][1]:
            spans[-1][1], spans[-1][3] = span[1], span[3]
        else:
            spans.append(span)
    out: list[str] = []
    for a_lo, a_hi, b_lo, b_hi in spans:
        out += [OPEN, *a[a_lo:a_hi], MID, *b[b_lo:b_hi], CLOSE]
    return "\n".join(out)


def parse_edits(script: str) -> list[Hunk]:
    hunks: list[Hunk] = []
    state, old, new = "outside", [], []  # type: ignore[var-annotated]
    for line in script.split("\n"):
        if state == "outside":
            if line == OPEN:
                state, old, new = "old", [], []
            elif line.strip():
                raise EditError(f"text outside a hunk: {line[:40]!r}")
        elif state == "old":
            if line == MID:
                state = "new"
            else:
                old.append(line)
        elif line == CLOSE:
            if not old:
                raise EditError("a hunk with nothing to search for")
            hunks.append(Hunk(old, new))
            state = "outside"
        else:
            new.append(line)
    if state != "outside":
        raise EditError("the last hunk is not closed")
    return hunks


def find_block(lines: list[str], block: list[str], start: int = 0) -> int | None:
    """Where ``block`` first occurs in ``lines`` at or after ``start``; None if nowhere."""
    n = len(block)
    return next((i for i in range(start, len(lines) - n + 1) if lines[i : i + n] == block), None)


def apply_edits(source: str, script: str) -> str:
    """``source`` with the hunks applied in order; each must be found after the previous one."""
    lines = source.split("\n")
    cursor = 0
    for hunk in parse_edits(script):
        at = find_block(lines, hunk.old, cursor)
        if at is None:
            raise EditError(f"search lines not found: {hunk.old[0][:40]!r}")
        lines[at : at + len(hunk.old)] = hunk.new
        cursor = at + len(hunk.new)
    return "\n".join(lines)


def dead_end(source: str, partial: str) -> str | None:
    """Why ``partial``, the start of an edit script, can no longer become one that applies; None if it still can.

    Only finished lines are judged (the last one may still grow). A script dies
    at text outside a hunk, or at search lines that occur nowhere after the
    previous hunk: no continuation can mend either, so a decoder that checks
    this stops there instead of writing the rest of its token budget.
    """
    lines = source.split("\n")
    done = partial.split("\n")[:-1]
    cursor, state, old, new = 0, "outside", [], []  # type: ignore[var-annotated]
    for line in done:
        if state == "outside":
            if line == OPEN:
                state, old, new = "old", [], []
            elif line.strip():
                return f"text outside a hunk: {line[:40]!r}"
        elif state == "old":
            if line == MID:
                if not old:
                    return "a hunk with nothing to search for"
                state = "new"
                continue
            old.append(line)
            if find_block(lines, old, cursor) is None:
                return f"search lines not found: {old[0][:40]!r}"
        elif line == CLOSE:
            at = find_block(lines, old, cursor)
            assert at is not None  # every search line was found when it was read
            lines[at : at + len(old)] = new
            cursor = at + len(new)
            state = "outside"
        else:
            new.append(line)
    return None

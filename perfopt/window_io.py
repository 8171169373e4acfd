"""What the model reads and writes for one window, in each output format: shared by inference
(:mod:`perfopt.generation.sampler`) and training (``training/data/render.py``, ``training.sft``).

- ``lines``: the window with line numbers in, line-anchored edits out (:mod:`perfopt.line_edits`);
- ``edits``: the window as plain text in, search/replace hunks out (:mod:`perfopt.edits`), whose search
  lines must lie within one visible stretch of the window;
- ``program``: the whole file in, the whole program out; only a whole-file window has this format.

Every output becomes :class:`~perfopt.line_edits.LineEdit` s on the file, so an edit that reaches outside
its window is caught the same way in every format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from perfopt import line_edits
from perfopt.edits import EditError, TargetFormat, find_block, make_edits, parse_edits
from perfopt.edits import dead_end as hunks_dead_end
from perfopt.line_edits import LineEdit
from perfopt.windows import GAP, Counter, NoFunctionBody, NoWindow, Window, render, windows


def numbered(fmt: TargetFormat) -> bool:
    return fmt is TargetFormat.LINES


def windows_for(source: str, fmt: TargetFormat, budget: int, count: Counter) -> list[Window]:
    """The file's windows as this format renders them (raises NoWindow); ``program`` has only the whole file,
    and an empty list when it does not fit."""
    if fmt is not TargetFormat.PROGRAM:
        return windows(source, budget, count, numbered(fmt))
    try:
        found = windows(source, budget, count, numbered(fmt))
    except NoFunctionBody:
        raise
    except NoWindow:
        return []  # too long to read whole: all that matters to a whole-program model
    return [w for w in found if w.label == "whole file"]


def prompt(source: str, window: Window, fmt: TargetFormat) -> str:
    return render(source.split("\n"), window.lines, numbered(fmt))


def _entries(source: str, window: Window) -> list[tuple[int | None, str]]:
    """The window's lines as the unnumbered rendering shows them: (file line, text), a gap as (None, ...)."""
    lines = source.split("\n")
    out: list[tuple[int | None, str]] = []
    for i, n in enumerate(window.lines):
        if i and n != window.lines[i - 1] + 1:
            out.append((None, GAP))
        out.append((n, lines[n - 1]))
    return out


def _hunks_to_edits(source: str, window: Window, script: str) -> list[LineEdit]:
    """Search/replace hunks on the window's text as edits of the file: each search must match, after the
    previous one, within one visible stretch (not across a ``...``)."""
    entries = _entries(source, window)
    texts = [t for _, t in entries]
    edits: list[LineEdit] = []
    cursor = 0
    for hunk in parse_edits(script):
        n = len(hunk.old)
        at = find_block(texts, hunk.old, cursor)
        if at is None:
            raise EditError(f"search lines not found: {hunk.old[0][:40]!r}")
        numbers = [entries[i][0] for i in range(at, at + n)]
        if None in numbers:
            raise EditError("a hunk spans a gap of the window")
        first, last = numbers[0], numbers[-1]
        assert first is not None and last is not None
        edits.append(LineEdit(first, last, tuple(hunk.new)))
        cursor = at + n
    return edits


def program(source: str, window: Window, fmt: TargetFormat, output: str) -> str:
    """The program ``output`` stands for; raises EditError when it is unusable (the message says why)."""
    if fmt is TargetFormat.PROGRAM:
        return output
    if fmt is TargetFormat.LINES:
        return line_edits.apply(source, line_edits.parse(output, window.lines))
    return line_edits.apply(source, _hunks_to_edits(source, window, output))


def judge(source: str, window: Window, fmt: TargetFormat) -> Callable[[str], str | None]:
    """For a decoder: why a partial output can no longer be usable (None while it still can)."""
    if fmt is TargetFormat.LINES:
        return lambda partial: line_edits.dead_end(partial, window.lines)
    if fmt is TargetFormat.EDITS:
        text = render(source.split("\n"), window.lines, numbered=False)
        return lambda partial: hunks_dead_end(text, partial)
    return lambda partial: None


def touched(edit: LineEdit) -> list[int]:
    """The lines an edit needs to see: those it replaces, or the two around an insertion."""
    return list(range(edit.first, edit.last + 1)) if not edit.insertion else [edit.last, edit.first]


def place(slow: str, fast: str, found: Sequence[Window]) -> tuple[list[tuple[Window, list[LineEdit]]], int]:
    """Which window teaches which part of the change ``slow`` -> ``fast``, as the model would see it.

    Each edit goes to the first window whose focus holds a line it touches and which shows all it touches
    (an insertion needs only one of its two neighbours). An edit of context lines alone (an added
    ``#include``) follows another edit into a window that shows it, or else goes to the first that does.
    Returns the placed windows with their edits, and how many edits no window could show."""
    edits = line_edits.between(slow, fast)
    placed: dict[int, list[LineEdit]] = {}
    loose: list[LineEdit] = []
    for edit in edits:
        lines = touched(edit)
        home = next(
            (i for i, w in enumerate(found) if any(w.first <= n <= w.last for n in lines) and _shows(w, edit)),
            None,
        )
        if home is None:
            loose.append(edit)
        else:
            placed.setdefault(home, []).append(edit)
    lost = 0
    for edit in loose:
        # With the rest of the change where it can be; else in any window that shows it (an insertion
        # after ``int main() {``, the head of every window cut from main).
        home = next((i for i in placed if _shows(found[i], edit)), None)
        if home is None:
            home = next((i for i, w in enumerate(found) if _shows(w, edit)), None)
        if home is None:
            lost += 1
        else:
            placed.setdefault(home, []).append(edit)
    return [(found[i], sorted(placed[i], key=lambda e: (e.first, e.last))) for i in sorted(placed)], lost


def _shows(window: Window, edit: LineEdit) -> bool:
    shown = set(window.lines)
    if edit.insertion:
        return edit.last in shown or edit.first in shown
    return all(n in shown for n in range(edit.first, edit.last + 1))


def target(slow: str, window: Window, edits: Sequence[LineEdit], fmt: TargetFormat) -> str:
    """What the model should write for ``window`` of ``slow`` to make ``edits``; raises EditError when this
    format cannot say it (a hunk's unique context would reach across a gap, a line reads as a header)."""
    if fmt is TargetFormat.LINES:
        return line_edits.write(edits)
    after = line_edits.apply(slow, edits)
    if fmt is TargetFormat.PROGRAM:
        return after
    entries = _entries(slow, window)
    before_text = "\n".join(t for _, t in entries)
    texts: list[str] = [t for _, t in entries]
    index = {n: i for i, (n, _) in enumerate(entries) if n is not None}
    for e in sorted(edits, key=lambda e: (e.first, e.last), reverse=True):
        if e.insertion:
            at = index[e.last] + 1 if e.last in index else index[e.first]
            texts[at:at] = e.new
        else:
            texts[index[e.first] : index[e.last] + 1] = e.new
    script = make_edits(before_text, "\n".join(texts))
    if line_edits.apply(slow, _hunks_to_edits(slow, window, script)) != after:
        raise EditError("the hunks cannot say this change within the window")
    return script


@dataclass(frozen=True)
class Prompt:
    """One window of ``source`` as a model of format ``fmt`` reads it, and what its outputs stand for."""

    source: str
    window: Window
    fmt: TargetFormat

    @property
    def text(self) -> str:
        return prompt(self.source, self.window, self.fmt)

    def judge(self) -> Callable[[str], str | None]:
        return judge(self.source, self.window, self.fmt)

    def outcome(self, output: str) -> tuple[str | None, str]:
        """The program an output stands for, or None and why it is unusable."""
        dead = self.judge()(output + "\n")
        if dead is None:
            try:
                return program(self.source, self.window, self.fmt, output), ""
            except EditError as e:
                dead = str(e)
        return None, f"the edit script does not apply: {dead}"

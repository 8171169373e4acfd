"""clang-tidy's exported fixes as perfopt candidates: read the YAML, apply replacements as byte edits.

Separate from :mod:`perfopt.generation.clang_tidy`, which runs clang-tidy: this
half is pure (text in, candidates out) and is tested on fixes files directly.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfopt.generation.interface import Candidate

NAME = "clang-tidy"
#: The longest reason shown beside a speedup.
REASON_CHARS = 120


@dataclass(frozen=True, order=True)
class Replacement:
    """Replace ``length`` bytes at byte ``offset`` of the program with ``text``."""

    offset: int
    length: int
    text: bytes

    @property
    def end(self) -> int:
        return self.offset + self.length


@dataclass(frozen=True)
class Fix:
    """One diagnostic's fix: applied whole or not at all."""

    check: str
    message: str
    replacements: tuple[Replacement, ...]


def _conflict(a: Replacement, b: Replacement) -> bool:
    """Whether two edits overlap, or insert at the same place (whose order would be a guess)."""
    if a == b:
        return False
    return a.offset == b.offset or (a.offset < b.end and b.offset < a.end)


def apply_replacements(program: bytes, replacements: Sequence[Replacement]) -> bytes:
    """``program`` with ``replacements`` applied; ValueError when two conflict or one is out of range."""
    edits = sorted(set(replacements))
    for a, b in itertools.pairwise(edits):
        if _conflict(a, b):
            raise ValueError(f"overlapping edits at bytes {a.offset} and {b.offset}")
    if edits and (edits[0].offset < 0 or edits[-1].end > len(program)):
        raise ValueError("edit outside the program")
    out = program
    for r in reversed(edits):
        out = out[: r.offset] + r.text + out[r.end :]
    return out


def combine(fixes: Sequence[Fix]) -> list[Fix]:
    """The fixes that can be applied together, in order: a fix conflicting with an earlier one is skipped whole.

    Skipping a diagnostic's whole fix rather than one of its edits keeps every
    applied fix complete (half of ``const std::string& s`` is not a fix).
    """
    kept: list[Fix] = []
    taken: list[Replacement] = []
    for fix in fixes:
        own = sorted(set(fix.replacements))
        if any(_conflict(a, b) for a, b in itertools.pairwise(own)):
            continue
        if any(_conflict(a, b) for a in own for b in taken):
            continue
        kept.append(fix)
        taken.extend(own)
    return kept


def one_line(message: str, limit: int = REASON_CHARS) -> str:
    text = " ".join(message.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "..."


def read_fixes(data: Any, program: Path) -> tuple[list[Fix], list[str]]:
    """The ``performance-*`` fixes for ``program`` in an exported fixes file, and the compile errors it reports.

    A diagnostic's own replacements are its fix; without any, the first note
    that has some (what ``--fix-notes`` would apply; several notes are
    alternatives). A fix that touches any other file (a header) is left out.
    """
    fixes: list[Fix] = []
    errors: list[str] = []
    if not isinstance(data, dict):
        return fixes, errors
    target = os.path.realpath(program)
    for diag in data.get("Diagnostics") or []:
        if not isinstance(diag, dict):
            continue
        name = str(diag.get("DiagnosticName", ""))
        main = diag.get("DiagnosticMessage") or {}
        message = str(main.get("Message", "")) if isinstance(main, dict) else ""
        if diag.get("Level") == "Error" or name == "clang-diagnostic-error":
            errors.append(message)
        if not name.startswith("performance-"):
            continue
        candidates = [main, *(diag.get("Notes") or [])]
        raw = next((m.get("Replacements") for m in candidates if isinstance(m, dict) and m.get("Replacements")), None)
        if not raw:
            continue
        try:
            reps = [_replacement(r) for r in raw]
        except (KeyError, TypeError, ValueError):
            continue
        if any(os.path.realpath(path) != target for path, _ in reps):
            continue
        fixes.append(Fix(name, message, tuple(r for _, r in reps)))
    return fixes, errors


def _replacement(raw: dict[str, Any]) -> tuple[str, Replacement]:
    offset, length = int(raw["Offset"]), int(raw["Length"])
    if offset < 0 or length < 0:
        raise ValueError("negative offset")
    text = raw.get("ReplacementText") or ""
    return str(raw["FilePath"]), Replacement(offset, length, str(text).encode("utf-8", "surrogateescape"))


def candidates_from(source: str, fixes: Sequence[Fix], n: int) -> list[Candidate]:
    """One candidate per check (in the order clang-tidy reported them), then all of them together; up to ``n``."""
    program = source.encode("utf-8", "surrogateescape")
    by_check: dict[str, list[Fix]] = {}
    for fix in fixes:
        by_check.setdefault(fix.check, []).append(fix)
    out: list[Candidate] = []
    seen = {program}
    applied: list[Fix] = []

    def add(origin: str, rewrite: str, reason: str, chosen: Sequence[Fix]) -> None:
        if len(out) >= n or not chosen:
            return
        text = apply_replacements(program, [r for f in chosen for r in f.replacements])
        if text in seen:
            return
        seen.add(text)
        out.append(
            Candidate(
                origin=origin,
                program=text.decode("utf-8", "surrogateescape"),
                generator=NAME,
                rewrite=rewrite,
                reason=reason,
            )
        )

    for check, own in by_check.items():
        chosen = combine(own)
        applied.extend(chosen)
        if chosen:
            add(f"{NAME}/{check}", check, one_line(chosen[0].message), chosen)
    everything = combine(applied)
    checks = list(dict.fromkeys(f.check for f in everything))
    if len(checks) > 1:
        add(f"{NAME}/all", "+".join(checks), one_line("clang-tidy fixes: " + ", ".join(checks)), everything)
    return out

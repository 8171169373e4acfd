"""What a rewrite is: a small, documented unit, like a clang-tidy check.

A rewrite reads a parsed file and proposes edits; it never compiles, runs or
times anything (the reward model does that) and never writes a file. Its
class docstring says what it matches, ``why`` why the result is faster, and
``unsafe_when`` when it must not fire; the README's rewrite list is generated
from them (``python -m perfopt.rewrite.catalog``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed


@dataclass(frozen=True)
class Edit:
    """Replace bytes ``start:end`` of the UTF-8 source with ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Match:
    """One place a rewrite applies: its edits, and a one-line reason a user reads beside the speedup."""

    rewrite: str
    edits: tuple[Edit, ...]
    #: e.g. "pass vector<long long> weights by const reference".
    reason: str
    #: 1-based line of the first edit, for reports and profile ordering.
    line: int


class Rewrite(ABC):
    #: "family.rule", e.g. "copies.const_ref_param".
    name: ClassVar[str]
    why: ClassVar[str]
    unsafe_when: ClassVar[str]

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @abstractmethod
    def find(self, parsed: Parsed) -> list[Match]:
        """Every place this rewrite applies, in regions tree-sitter parsed without an error."""

    def match(self, parsed: Parsed, edits: Sequence[Edit], reason: str, at: Node | None = None) -> Match:
        """``at``: the node the report points to (an added #include is not where the change is)."""
        first = at.start_byte if at is not None else min(e.start for e in edits)
        return Match(self.name, tuple(edits), reason, parsed.line_of(first))


class OverlapError(ValueError):
    """Two edits touch the same bytes: they cannot be applied together."""


def _ordered(edits: Sequence[Edit]) -> list[Edit]:
    # The text breaks ties, so that two insertions at one place (two #includes) come out the same every run.
    return sorted(set(edits), key=lambda e: (e.start, e.end, e.text))


def overlap(edits: Sequence[Edit]) -> tuple[Edit, Edit] | None:
    """Two of ``edits`` that touch the same bytes, or None (identical edits, such as one #include, count once)."""
    return next(((a, b) for a, b in pairwise(_ordered(edits)) if b.start < a.end), None)


def apply_edits(source: str, edits: Sequence[Edit]) -> str:
    """``source`` with ``edits`` applied; edits must not overlap."""
    clash = overlap(edits)
    if clash is not None:
        a, b = clash
        raise OverlapError(f"edits at bytes {a.start}-{a.end} and {b.start}-{b.end} overlap")
    data = source.encode("utf-8")
    for e in reversed(_ordered(edits)):
        data = data[: e.start] + e.text.encode("utf-8") + data[e.end :]
    return data.decode("utf-8")

"""Synthetic pairs: every inverse of the rewrite library applied to a corpus file, singly and in combinations.

Each pair is (de-optimized file -> original file), so it teaches the forward rewrite that takes the edit
back. A file gives, per inverse that fires: the pair with all its matches, and up to ``per_match`` pairs
with one match alone (a model must also learn to fix one place among many); then up to ``combinations``
pairs of two or three inverses applied together, as real slow code has several problems at once.
"""

from __future__ import annotations

import difflib
import random
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from perfopt.rewrite import Parsed
from perfopt.rewrite.interface import Edit, Match, apply_edits, overlap
from perfopt.rewrite.inverse import Inverse
from training.data.programs import Program


def lines_changed(before: str, after: str) -> int:
    """Lines a diff touches, counting a replaced block by its longer side."""
    a, b = before.splitlines(), after.splitlines()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in opcodes if tag != "equal")


def compatible(matches: Sequence[Match]) -> list[Edit]:
    """The edits of as many of ``matches`` as go together, in order; a match that clashes is left out whole."""
    edits: list[Edit] = []
    for match in matches:
        if overlap([*edits, *match.edits]) is None:
            edits += match.edits
    return edits


def found(inverses: Sequence[Inverse], parsed: Parsed, errors: Counter[str]) -> dict[str, list[Match]]:
    """Each inverse's matches; one that raises is counted against its name and yields nothing."""
    result: dict[str, list[Match]] = {}
    for inverse in inverses:
        try:
            matches = inverse.find(parsed)
        except (RecursionError, ValueError, IndexError, KeyError, AttributeError, TypeError, UnicodeError):
            errors[inverse.name] += 1
            continue
        if matches:
            result[inverse.name] = matches
    return result


def pairs_of(
    program: Program, by_rule: dict[str, list[Match]], rng: random.Random, per_match: int, most_combined: int
) -> list[dict[str, Any]]:
    """The file's pairs, each slow side distinct and different from the original."""
    fast = program.code
    made: dict[str, str] = {}  # slow side -> rule, so that two ways to the same text count once

    def add(rule: str, edits: Sequence[Edit]) -> None:
        if not edits:
            return
        slow = apply_edits(fast, edits)
        if slow != fast:
            made.setdefault(slow, rule)

    for rule, matches in sorted(by_rule.items()):
        add(rule, compatible(matches))
        if len(matches) > 1:
            for match in rng.sample(matches, min(per_match, len(matches))):
                add(rule, match.edits)
    rules = sorted(by_rule)
    sets = [list(s) for size in (2, 3) for s in combinations(rules, size)]
    for chosen in rng.sample(sets, min(most_combined, len(sets))):
        add("+".join(chosen), compatible([m for rule in chosen for m in by_rule[rule]]))
    return [
        {
            "slow": slow,
            "fast": fast,
            "rule": rule,
            "source": "synthetic",
            "origin": program.origin,
            "kind": program.kind,
            "problem": program.problem,
            "problem_id": program.problem_id,
            "split": program.split,
            "verified": "construction",
            "lines_changed": lines_changed(slow, fast),
        }
        for slow, rule in made.items()
    ]


def family(rule: str) -> str:
    """A combination's family is "combined": its soundness is measured on its own."""
    return "combined" if "+" in rule else rule.split(".", 1)[0]

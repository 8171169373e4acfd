"""The interface every stdin/stdout test source implements.

A test source only says which inputs a program gets and what it must print;
compiling, running and judging are the reward model's job. Project mode, which
runs a repository's own build and test commands, is the other kind of harness
(see :mod:`perfopt.testsources.project`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest test class, despite the name

    name: str
    input: bytes
    expected: bytes
    #: Where the test came from: "original", "amplified", ... (reported, never judged).
    origin: str = "original"


class TestSource(Protocol):
    def describe(self) -> str:
        """One line for reports, e.g. ``tests/ (3 cases)``."""
        ...

    def cases(self) -> Sequence[TestCase]:
        """The cases, in a stable order; raises NoTestsError if there are none."""
        ...


def fingerprint(cases: Sequence[TestCase]) -> str:
    """A hash of the tests' content, for result caching."""
    h = hashlib.sha256()
    for case in cases:
        for part in (case.input, case.expected):
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
    return h.hexdigest()


def dedupe(cases: Sequence[TestCase]) -> list[TestCase]:
    """Drop repeated (input, expected) pairs: PIE lists many samples twice."""
    seen: set[tuple[bytes, bytes]] = set()
    kept = []
    for case in cases:
        key = (case.input, case.expected)
        if key not in seen:
            seen.add(key)
            kept.append(case)
    return kept

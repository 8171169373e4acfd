"""Tests already in memory: for callers that judge against cases they built themselves."""

from __future__ import annotations

from collections.abc import Sequence

from perfopt.testsources.interface import TestCase


class InMemoryTests:
    def __init__(self, cases: Sequence[TestCase], name: str = "in-memory tests") -> None:
        self._cases = list(cases)
        self.name = name

    def describe(self) -> str:
        return f"{self.name} ({len(self._cases)} cases)"

    def cases(self) -> list[TestCase]:
        return list(self._cases)

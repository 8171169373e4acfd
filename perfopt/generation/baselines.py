"""Generators that are not models, for scoring other systems in the same harness as ours.

- ``identity``: the program unchanged (what doing nothing scores: pass 100%, opt 0%);
- ``compiler``: the program with ``#pragma GCC optimize("O3")`` on top, so that g++
  compiles it at -O3 whatever the configured flags (what flags alone give);
- ``CandidatesFile``: precomputed outputs of another system, looked up by the program's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from perfopt.errors import BadInputError
from perfopt.generation.interface import Candidate, KeepGoing

O3_PRAGMA = '#pragma GCC optimize("O3")\n'


@dataclass
class OneRewrite:
    """A baseline proposing one fixed rewrite of its input, whatever n: no model, nothing to load."""

    name: str
    #: The candidate's origin in reports.
    origin: str
    rewrite: Callable[[str], str]

    def prepare(self) -> None:
        pass

    def check(self, source: str) -> None:
        pass

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        yield Candidate(self.origin, self.rewrite(source))


def identity() -> OneRewrite:
    return OneRewrite("identity", "identity", lambda source: source)


def compiler() -> OneRewrite:
    return OneRewrite("compiler (-O3 by pragma)", "-O3", lambda source: O3_PRAGMA + source)


def text_key(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


class CandidatesFile:
    """JSONL lines ``{"src_code": ..., "candidates": [program, ...]}``: another system's outputs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"candidates from {path}"
        self.by_source: dict[str, list[str]] = {}

    def prepare(self) -> None:
        from perfopt.testsources.pie import read_rows

        try:
            for row in read_rows(self.path):
                self.by_source[text_key(row["src_code"])] = list(row["candidates"])
        except (KeyError, TypeError) as e:
            raise BadInputError(f"{self.path}: each line needs src_code and candidates ({e})") from None

    def check(self, source: str) -> None:
        pass

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        for i, program in enumerate(self.by_source.get(text_key(source), [])[:n]):
            yield Candidate(f"candidate {i + 1}", program)

"""Candidates the user wrote: verify a few hand-made variants and keep the fastest correct one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from perfopt.generation.interface import Candidate, KeepGoing
from perfopt.sources import read_source


class FileGenerator:
    name = "--candidate files"

    def __init__(self, paths: Sequence[Path], max_kb: int = 1024) -> None:
        self.paths = list(paths)
        self.max_kb = max_kb

    def prepare(self) -> None:
        # Read them all up front: a missing or binary file is an error before any work starts.
        self.sources = [read_source(p, self.max_kb) for p in self.paths]

    def check(self, source: str) -> None:
        return None

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        # Every file is a candidate the user asked for: n does not cut them.
        for path, program in zip(self.paths, self.sources, strict=True):
            yield Candidate(f"file {path}", program, generator="files")

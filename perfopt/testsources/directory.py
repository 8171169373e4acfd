"""Tests as files: ``input.N.txt``/``output.N.txt`` (the CodeNet/PIE layout) or ``N.in``/``N.out``."""

from __future__ import annotations

import re
from pathlib import Path

from perfopt.errors import NoTestsError
from perfopt.testsources.interface import TestCase

_LAYOUTS = (
    (re.compile(r"^input\.(.+)\.txt$"), "output.{}.txt"),
    (re.compile(r"^(.+)\.in$"), "{}.out"),
)


def _natural_key(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


class DirectoryTests:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return f"{self.folder} ({len(self.cases())} cases)"

    def cases(self) -> list[TestCase]:
        if not self.folder.is_dir():
            raise NoTestsError(f"test folder not found: {self.folder}")
        found: list[TestCase] = []
        for path in sorted(self.folder.iterdir(), key=lambda p: _natural_key(p.name)):
            for pattern, output_name in _LAYOUTS:
                m = pattern.match(path.name)
                if not m:
                    continue
                expected = self.folder / output_name.format(m.group(1))
                if not expected.is_file():
                    # Dropping the input would verify rewrites against fewer tests than the user wrote.
                    raise NoTestsError(f"{path} has no {expected.name}")
                found.append(TestCase(m.group(1), path.read_bytes(), expected.read_bytes()))
                break
        if not found:
            raise NoTestsError(
                f"no tests in {self.folder}: expected input.N.txt with output.N.txt (or N.in with N.out)"
            )
        return found


def find_next_to(source: Path) -> Path | None:
    """The test folder for ``source`` by convention, or None.

    Looked for, in order: ``<stem>.tests/``, ``<stem>_tests/``, ``tests/<stem>/``,
    then ``tests/`` beside the file.
    """
    here = source.parent
    stem = source.stem
    for folder in (here / f"{stem}.tests", here / f"{stem}_tests", here / "tests" / stem, here / "tests"):
        if folder.is_dir() and any(pattern.match(p.name) for p in folder.iterdir() for pattern, _ in _LAYOUTS):
            return folder
    return None

"""Where a program's tests come from. :func:`resolve` picks one from the settings."""

from __future__ import annotations

from pathlib import Path

from perfopt.config import Config
from perfopt.errors import NoTestsError
from perfopt.testsources.directory import DirectoryTests, find_next_to
from perfopt.testsources.interface import TestCase, TestSource
from perfopt.testsources.pie import PieTests, amplified_sibling, guess_problem_id

__all__ = ["DirectoryTests", "PieTests", "TestCase", "TestSource", "resolve"]

_JSONL = (".jsonl", ".jsonl.xz", ".json", ".json.xz")


def resolve(config: Config, target: Path) -> TestSource:
    """The stdin/stdout tests for ``target``: configured, or found beside it by convention."""
    if config.tests is not None:
        if config.tests.is_dir():
            return DirectoryTests(config.tests)
        if any(config.tests.name.endswith(s) for s in _JSONL):
            problem = config.problem_id or guess_problem_id(target)
            if problem is None:
                raise NoTestsError(
                    f"{config.tests} holds tests for many problems; name one with --problem-id "
                    "(or put pNNNNN in the file name)"
                )
            # Amplified tests (perfopt.testgen), when present beside the file, come first.
            return PieTests([amplified_sibling(config.tests), config.tests], problem)
        if not config.tests.exists():
            raise NoTestsError(f"tests not found: {config.tests}")
        raise NoTestsError(f"{config.tests}: expected a test folder or a PIE .jsonl[.xz] file")
    found = find_next_to(target)
    if found is None:
        raise NoTestsError(
            f"no tests for {target}: put input.N.txt/output.N.txt in {target.stem}.tests/ "
            "beside it, pass --tests, or configure project mode"
        )
    return DirectoryTests(found)

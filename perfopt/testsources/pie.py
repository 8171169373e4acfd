"""Tests from a PIE-format JSONL file: one line per problem, ``{problem_id, tests: [{input, output}]}``.

Plain or xz-compressed. A test may carry ``origin`` (for example ``amplified``).
"""

from __future__ import annotations

import json
import lzma
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from perfopt.errors import BadInputError, NoTestsError
from perfopt.testsources.interface import TestCase, dedupe

_PROBLEM_ID = re.compile(r"p\d{5}")
_cache: dict[Path, dict[str, list[dict[str, Any]]]] = {}
_lock = threading.Lock()


def _open(path: Path) -> IO[str]:
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of any JSONL file, plain or xz; a missing file or a bad line is a one-line BadInputError."""
    if not path.is_file():
        raise BadInputError(f"{path}: no such file")
    with _open(path) as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as e:
                    raise BadInputError(f"{path}: line {lineno} is not JSON: {e}") from None


def load_all(path: Path) -> dict[str, list[dict[str, Any]]]:
    """problem_id -> raw tests, read once per process."""
    path = path.resolve()
    with _lock:
        if path in _cache:
            return _cache[path]
    if not path.is_file():
        raise NoTestsError(f"tests file not found: {path}")
    table: dict[str, list[dict[str, Any]]] = {}
    try:
        with _open(path) as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    table.setdefault(str(row["problem_id"]), []).extend(row.get("tests", []))
                except (json.JSONDecodeError, KeyError, TypeError) as e:
                    raise BadInputError(f"{path}: line {lineno} is not a PIE test record: {e}") from None
    except (lzma.LZMAError, UnicodeDecodeError) as e:
        raise BadInputError(f"{path}: cannot read: {e}") from None
    with _lock:
        _cache[path] = table
    return table


def guess_problem_id(source: Path) -> str | None:
    """``p02555`` from names like ``p02555.cpp``, ``p02555_slow.cpp`` or ``p02555/a.cpp``."""
    for part in (source.name, source.parent.name):
        m = _PROBLEM_ID.search(part)
        if m:
            return m.group(0)
    return None


def amplified_sibling(path: Path) -> Path:
    """Where amplified tests for ``path`` live: ``X.jsonl.xz`` -> ``X.amplified.jsonl.xz``."""
    name = path.name
    for suffix in (".jsonl.xz", ".jsonl", ".json.xz", ".json"):
        if name.endswith(suffix):
            return path.with_name(name[: -len(suffix)] + ".amplified" + suffix)
    return path.with_name(name + ".amplified")


def write_pie(
    path: Path, problems: Mapping[str, Sequence[TestCase]], extra: Mapping[str, list[dict[str, Any]]] | None = None
) -> None:
    """Write tests in PIE format; ``extra`` adds fields to each test (e.g. how many oracles agreed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "wt", encoding="utf-8") as f:
        for problem_id in sorted(problems):
            tests = []
            for i, case in enumerate(problems[problem_id]):
                row: dict[str, Any] = {
                    "input": case.input.decode(),
                    "output": case.expected.decode(),
                    "origin": case.origin,
                }
                if extra and problem_id in extra:
                    row.update(extra[problem_id][i])
                tests.append(row)
            f.write(json.dumps({"problem_id": problem_id, "tests": tests}) + "\n")


class PieTests:
    """One problem's tests; with several files, the first that has the problem wins."""

    def __init__(self, path: Path | Sequence[Path], problem_id: str) -> None:
        self.paths = [path] if isinstance(path, Path) else list(path)
        self.problem_id = problem_id

    @property
    def path(self) -> Path:
        """The file the tests actually come from."""
        for p in self.paths:
            if p.is_file() and load_all(p).get(self.problem_id):
                return p
        return self.paths[-1]

    def describe(self) -> str:
        origins = Counter(c.origin for c in self.cases())
        counts = ", ".join(f"{n} {origin}" for origin, n in sorted(origins.items()))
        return f"{self.path.name}:{self.problem_id} ({counts})"

    def cases(self) -> list[TestCase]:
        raw = load_all(self.path).get(self.problem_id)
        if not raw:
            raise NoTestsError(f"no tests for problem {self.problem_id} in {self.path}")
        cases = []
        for i, t in enumerate(raw):
            try:
                cases.append(
                    TestCase(
                        str(i),
                        str(t["input"]).encode(),
                        str(t["output"]).encode(),
                        str(t.get("origin", "original")),
                    )
                )
            except (KeyError, TypeError):
                raise BadInputError(f"{self.path}: test {i} of {self.problem_id} lacks input/output") from None
        return dedupe(cases)

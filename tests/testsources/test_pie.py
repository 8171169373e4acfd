from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest

from perfopt.config import Config
from perfopt.errors import NoTestsError
from perfopt.testsources import PieTests, resolve
from perfopt.testsources.pie import guess_problem_id

SHARED_TESTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "pie" / "public_tests.jsonl.xz"


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if path.suffix == ".xz":
        path.write_bytes(lzma.compress(text.encode()))
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("name", ["t.jsonl", "t.jsonl.xz"])
def test_loads_a_problem_and_drops_repeated_samples(tmp_path: Path, name: str) -> None:
    path = write_jsonl(
        tmp_path / name,
        [
            {"problem_id": "p00001", "tests": [{"input": "1\n", "output": "2\n"}, {"input": "1\n", "output": "2\n"}]},
            {"problem_id": "p00002", "tests": [{"input": "5", "output": "6", "origin": "amplified"}]},
        ],
    )
    assert [c.input for c in PieTests(path, "p00001").cases()] == [b"1\n"]
    assert PieTests(path, "p00002").cases()[0].origin == "amplified"
    with pytest.raises(NoTestsError, match="no tests for problem p09999"):
        PieTests(path, "p09999").cases()


def test_problem_id_from_the_file_name() -> None:
    assert guess_problem_id(Path("src/p02555_slow.cpp")) == "p02555"
    assert guess_problem_id(Path("p00100/main.cpp")) == "p00100"
    assert guess_problem_id(Path("main.cpp")) is None


def test_resolve_needs_a_problem_for_a_shared_file(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [{"problem_id": "p00001", "tests": []}])
    with pytest.raises(NoTestsError, match="--problem-id"):
        resolve(Config(tests=path), tmp_path / "main.cpp")


@pytest.mark.skipif(not SHARED_TESTS.exists(), reason="../shared/data (the PIE tests) is not on this machine")
def test_the_real_pie_tests_file_loads_as_is() -> None:
    source = PieTests(SHARED_TESTS, "p00001")
    cases = source.cases()
    assert cases and cases[0].expected.split()[0] == b"3776"
    from perfopt.testsources.pie import load_all

    assert len(load_all(SHARED_TESTS)) == 3749

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.errors import NoTestsError
from perfopt.testsources.directory import DirectoryTests, find_next_to


def test_codenet_layout_in_natural_order(tmp_path: Path) -> None:
    for i in (10, 2, 1):
        (tmp_path / f"input.{i}.txt").write_text(f"in{i}")
        (tmp_path / f"output.{i}.txt").write_text(f"out{i}")
    cases = DirectoryTests(tmp_path).cases()
    assert [c.name for c in cases] == ["1", "2", "10"]
    assert cases[2].input == b"in10" and cases[2].expected == b"out10"


def test_in_out_layout_and_unpaired_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.in").write_text("1")
    (tmp_path / "a.out").write_text("2")
    (tmp_path / "b.in").write_text("lonely")
    assert [c.name for c in DirectoryTests(tmp_path).cases()] == ["a"]


def test_empty_folder_is_no_tests(tmp_path: Path) -> None:
    with pytest.raises(NoTestsError, match=r"expected input\.N\.txt"):
        DirectoryTests(tmp_path).cases()


@pytest.mark.parametrize("folder", ["prog.tests", "prog_tests", "tests/prog", "tests"])
def test_found_next_to_the_source_by_convention(tmp_path: Path, folder: str) -> None:
    d = tmp_path / folder
    d.mkdir(parents=True)
    (d / "input.1.txt").write_text("x")
    assert find_next_to(tmp_path / "prog.cpp") == d


def test_nothing_found_without_test_files(tmp_path: Path) -> None:
    (tmp_path / "prog.tests").mkdir()
    assert find_next_to(tmp_path / "prog.cpp") is None

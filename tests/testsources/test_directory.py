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


def test_in_out_layout(tmp_path: Path) -> None:
    (tmp_path / "a.in").write_text("1")
    (tmp_path / "a.out").write_text("2")
    (tmp_path / "notes.txt").write_text("not a test")
    cases = DirectoryTests(tmp_path).cases()
    assert [(c.name, c.input, c.expected) for c in cases] == [("a", b"1", b"2")]


@pytest.mark.parametrize(
    ("inputs", "lonely", "missing"),
    [
        (["input.1.txt", "input.2.txt"], "input.2.txt", "output.2.txt"),
        (["a.in", "b.in"], "b.in", "b.out"),
    ],
)
def test_an_input_without_its_output_is_an_error(tmp_path: Path, inputs: list[str], lonely: str, missing: str) -> None:
    # Dropping it silently would verify rewrites against fewer tests than the user wrote.
    for name in inputs:
        (tmp_path / name).write_text("1")
    (tmp_path / "output.1.txt").write_text("2")
    (tmp_path / "a.out").write_text("2")
    with pytest.raises(NoTestsError) as caught:
        DirectoryTests(tmp_path).cases()
    assert str(caught.value) == f"{tmp_path / lonely} has no {missing}"


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

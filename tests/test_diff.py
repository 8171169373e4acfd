"""perfopt's diffs apply with ``git apply`` and ``patch -p1`` whatever the file's name."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from perfopt.diff import unified

NAMES = ["dir x/café ü.cpp", "new\nline.cpp", 'q"uote\\.cpp', "tab\there.cpp", "plain.cpp"]


@pytest.mark.parametrize("tool", [["git", "apply"], ["patch", "-p1", "--quiet"]])
def test_a_suggestion_applies_whatever_the_name(tmp_path: Path, tool: list[str]) -> None:
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} is not installed")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "dir x").mkdir()
    patch = ""
    for name in NAMES:
        (tmp_path / name).write_text("int a;\nint b;\nint c;\n")
        patch += unified("int a;\nint b;\nint c;\n", "int a;\nint B;\nint c;\n", name)
    subprocess.run(tool, cwd=tmp_path, input=patch, text=True, check=True, capture_output=True)
    assert all((tmp_path / name).read_text() == "int a;\nint B;\nint c;\n" for name in NAMES)

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfopt.errors import BadInputError
from perfopt.sources import read_source


def test_reads_utf8_cpp(tmp_path: Path) -> None:
    f = tmp_path / "a.cpp"
    f.write_text("// héllo\nint main(){}\n")
    assert "héllo" in read_source(f)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.cpp", None, "no such file"),
        ("a.py", b"print()", "not a C++ source"),
        ("a.cpp", b"int main(){}\0\0", "binary file"),
        ("a.cpp", b"int main(){} // \xff\xfe", "not UTF-8"),
        ("a.cpp", b"//" + b"x" * 3000, "too large"),
    ],
)
def test_unusable_files_are_refused(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    f = tmp_path / name
    if content is not None:
        f.write_bytes(content)
    with pytest.raises(BadInputError, match=re.escape(message)):
        read_source(f, max_kb=2)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="is a directory"):
        read_source(tmp_path)


def test_replace_keeps_a_backup_and_refuses_a_file_edited_meanwhile(tmp_path: Path) -> None:
    from perfopt.sources import replace_source

    target = tmp_path / "a.cpp"
    target.write_text("old\n")
    backup = replace_source(target, "new\n", "old\n")
    assert target.read_text() == "new\n" and backup.read_text() == "old\n"
    # The user saved an edit while candidates were being verified: their edit wins.
    target.write_text("edited by hand\n")
    with pytest.raises(BadInputError, match="changed while perfopt was working"):
        replace_source(target, "newer\n", "new\n")
    assert target.read_text() == "edited by hand\n" and backup.read_text() == "old\n"

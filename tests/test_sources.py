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


def test_an_unwritable_folder_is_bad_input_and_leaves_no_trace(tmp_path: Path) -> None:
    from perfopt.sources import replace_source
    from tests.readonly import read_only

    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "a.cpp"
    target.write_text("old\n")
    with read_only(folder), pytest.raises(BadInputError) as caught:
        replace_source(target, "new\n", "old\n")
    message = str(caught.value)
    assert message.startswith(f"{target}: cannot write it: ") and message.endswith("; not applied")
    assert "\n" not in message
    assert target.read_text() == "old\n" and [p.name for p in folder.iterdir()] == ["a.cpp"]


def test_a_failed_swap_leaves_the_file_and_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from perfopt.sources import replace_source

    target = tmp_path / "a.cpp"
    target.write_text("old\n")
    real_replace = os.replace

    def full_disk(src: str | Path, dst: str | Path) -> None:
        if Path(dst) == target:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(BadInputError, match=re.escape(f"{target}: cannot write it: No space left on device")):
        replace_source(target, "new\n", "old\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cpp", "a.cpp.perfopt-backup"]


def test_a_read_only_file_is_left_alone(tmp_path: Path) -> None:
    from perfopt.sources import replace_source

    target = tmp_path / "a.cpp"
    target.write_text("old\n")
    target.chmod(0o444)
    with pytest.raises(BadInputError, match=re.escape(f"{target}: read-only file; not applied")):
        replace_source(target, "new\n", "old\n")
    assert target.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["a.cpp"]

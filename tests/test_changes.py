"""Change detection on real git repositories: staged files, their lines, and a PR's range."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt import changes
from perfopt.errors import BadInputError
from tests.gitrepo import git, make_repo


def test_staged_cpp_files_and_their_changed_lines(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    lines = (repo / "slow.cpp").read_text().splitlines(keepends=True)
    lines[5] = "    int n; cin >> n; // staged edit\n"
    (repo / "slow.cpp").write_text("".join(lines))
    (repo / "extra.hpp").write_text("#pragma once\nint f();\n")
    (repo / "README.md").write_text("# changed\n")
    git(repo, "add", "-A")
    # An unstaged edit on top must not count as staged.
    (repo / "slow.cpp").write_text("".join(lines) + "// unstaged\n")
    found = {c.path.name: c for c in changes.staged(repo)}
    assert set(found) == {"slow.cpp", "extra.hpp"}
    assert found["slow.cpp"].lines == [(6, 6)]
    assert found["extra.hpp"].lines == [(1, 2)]
    assert found["slow.cpp"].touches(5, 7) and not found["slow.cpp"].touches(1, 5)
    assert changes.unstaged(repo) == {(repo / "slow.cpp").resolve()}


def test_a_prs_files_come_from_the_merge_base(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "new.cpp").write_text("int main() {}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature")
    # The base branch moving on does not make its changes part of the PR.
    git(repo, "checkout", "-q", "main")
    (repo / "other.cpp").write_text("int main() { return 0; }\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main moves")
    found = changes.between(repo, "main", "feature")
    assert [c.path.name for c in found] == ["new.cpp"]
    assert found[0].lines == [(1, 1)]
    assert changes.between(repo, base, base) == []
    with pytest.raises(BadInputError, match="cannot diff"):
        changes.between(repo, "no-such-ref", "feature")


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="not inside a git repository"):
        changes.staged(tmp_path)


def test_hunk_ranges_of_a_suggestion() -> None:
    diff = "--- a/x.cpp\n+++ b/x.cpp\n@@ -3,2 +3,2 @@\n-a\n-b\n+c\n+d\n@@ -9,0 +10 @@\n+e\n"
    assert changes.hunk_ranges(diff) == [(3, 4), (9, 9)]


#: Names git quotes unless asked with -z: a space, non-ASCII letters, a newline.
SPACED = "dir x/café ü.cpp"
NEWLINE = "new\nline.cpp"
TEN = "".join(f"int v{i} = {i};\n" for i in range(10))


def names(repo: Path, paths: set[Path] | list[changes.ChangedFile]) -> set[str]:
    return {(p if isinstance(p, Path) else p.path).relative_to(repo.resolve()).as_posix() for p in paths}


def odd_names_repo(tmp_path: Path) -> Path:
    """Committed: SPACED, NEWLINE and ``gone ü.cpp``; staged: an edit, a rename with an edit, a deletion, a new file."""
    repo = make_repo(tmp_path / "r")
    (repo / "dir x").mkdir()
    (repo / SPACED).write_text(TEN)
    (repo / NEWLINE).write_text(TEN)
    (repo / "gone ü.cpp").write_text(TEN)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "odd names")
    (repo / SPACED).write_text(TEN.replace("v1 = 1", "v1 = 11"))
    git(repo, "mv", NEWLINE, "moved\ntoo é.cpp")
    (repo / "moved\ntoo é.cpp").write_text(TEN + "int added;\n")
    git(repo, "rm", "-q", "gone ü.cpp")
    (repo / "new é.cpp").write_text("int main() {}\n")
    git(repo, "add", "-A")
    return repo


def test_odd_names_are_staged_with_their_lines(tmp_path: Path) -> None:
    repo = odd_names_repo(tmp_path)
    found = {c.path.relative_to(repo).as_posix(): c.lines for c in changes.staged(repo)}
    assert found == {SPACED: [(2, 2)], "moved\ntoo é.cpp": [(11, 11)], "new é.cpp": [(1, 1)]}
    assert changes.unstaged(repo) == set()


def test_unstaged_work_on_odd_names_renames_and_deletions_is_seen(tmp_path: Path) -> None:
    repo = odd_names_repo(tmp_path)
    before = changes.staged(repo)
    (repo / SPACED).write_text(TEN + "// unstaged\n")
    (repo / "moved\ntoo é.cpp").write_text(TEN + "// the renamed file, edited again\n")
    (repo / "new é.cpp").unlink()  # staged, then deleted in the working tree
    assert names(repo, changes.unstaged(repo)) == {SPACED, "moved\ntoo é.cpp", "new é.cpp"}
    assert changes.staged(repo) == before  # the index is what counts as staged


def test_a_staged_file_renamed_again_in_the_working_tree_keeps_its_name_in_unstaged(tmp_path: Path) -> None:
    repo = odd_names_repo(tmp_path)
    # Renamed in the working tree and announced with add -N: git would pair the two as a rename.
    (repo / SPACED).rename(repo / "dir x" / "elsewhere é.cpp")
    git(repo, "add", "-N", "dir x/elsewhere é.cpp")
    assert SPACED in names(repo, changes.unstaged(repo))


def test_named_files_git_does_not_track(tmp_path: Path) -> None:
    repo = odd_names_repo(tmp_path)
    (repo / "dir x" / "scratch ü.cpp").write_text("int main() {}\n")
    (tmp_path / "outside.cpp").write_text("int main() {}\n")
    (repo / "moved\ntoo é.cpp").unlink()  # still in the index: tracked, and unstaged() has it
    named = [repo / "dir x" / "scratch ü.cpp", tmp_path / "outside.cpp", repo / SPACED, repo / "moved\ntoo é.cpp"]
    assert changes.untracked(repo, named) == {named[0].resolve(), named[1].resolve()}
    assert changes.untracked(repo, []) == set()


def test_a_prs_odd_names(tmp_path: Path) -> None:
    repo = odd_names_repo(tmp_path)
    git(repo, "commit", "-q", "-m", "odd")
    found = {c.path.relative_to(repo).as_posix(): c.lines for c in changes.between(repo, "HEAD~1", "HEAD")}
    assert found == {SPACED: [(2, 2)], "moved\ntoo é.cpp": [(11, 11)], "new é.cpp": [(1, 1)]}


def test_hunk_ranges_whatever_the_name() -> None:
    from perfopt.diff import unified

    for name in (SPACED, NEWLINE, 'q"uote\\.cpp', "@@ -1 +1 @@\n@@ -7 +7 @@.cpp"):
        assert changes.hunk_ranges(unified("a\nb\nc\n", "a\nB\nc\nd\n", name, context=0)) == [(2, 2), (3, 3)]

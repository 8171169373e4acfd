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

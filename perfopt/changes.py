"""Which C++ files (and which of their lines) a commit or a pull request changes, read with git.

The hook looks at what is staged; ``perfopt review`` at a range of commits.
Names are asked for NUL-separated (``-z``): anywhere else git quotes a name
with a space, a non-ASCII letter or a newline, and the quoted name is no file.
Line ranges then come from each file's own ``-U0`` diff, of which only the
``@@`` hunk headers are read, so that no name is ever parsed out of a diff.
They let a suggestion be kept only where it touches lines the author changed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfopt.errors import BadInputError
from perfopt.sources import CPP_SUFFIXES, HEADER_SUFFIXES

#: Headers too: a header's rewrite is verified through the tests of the file it belongs to.
CPP_LIKE = CPP_SUFFIXES | HEADER_SUFFIXES

#: The same output whatever the user's configuration: no colour, external diff or textconv.
_DIFF = ("diff", "--no-color", "--no-ext-diff", "--no-textconv")

#: A hunk header: ``@@ -first[,count] +first[,count] @@``; a missing count is 1.
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class ChangedFile:
    path: Path
    #: 1-based (first, last) line ranges of the new version that the change added or modified.
    lines: list[tuple[int, int]] = field(default_factory=list)

    def touches(self, first: int, last: int) -> bool:
        return any(a <= last and first <= b for a, b in self.lines)


def is_cpp(path: str | Path) -> bool:
    return Path(path).suffix in CPP_LIKE


def _repo(start: Path) -> Any:
    import git

    try:
        return git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise BadInputError(f"{start}: not inside a git repository") from None


def _git(repo: Any, *args: str) -> str:
    # Bytes, decoded as the file system does: a name that is not UTF-8 still names its file.
    out: bytes = repo.git.execute(
        ["git", "-c", "core.quotePath=false", *args], stdout_as_string=False, strip_newline_in_stdout=False
    )
    return os.fsdecode(out)


def _literal(name: str) -> str:
    # A name is a name, never a glob or pathspec magic.
    return f":(literal){name}"


def _hunks(diff_text: str) -> list[tuple[int, int, int, int]]:
    """(old first, old count, new first, new count) of each hunk; other lines cannot start with '@@'."""
    out = []
    # Not splitlines(): it also splits at form feeds and the like, which a C++ line may hold.
    for line in diff_text.split("\n"):
        m = _HUNK.match(line)
        if m:
            a, b, c, d = m.groups()
            out.append((int(a), 1 if b is None else int(b), int(c), 1 if d is None else int(d)))
    return out


def _added_lines(repo: Any, spec: tuple[str, ...], names: list[str]) -> list[tuple[int, int]]:
    # Both names of a rename, so that git pairs them again and shows only what changed.
    text = _git(repo, *_DIFF, *spec, "-U0", "-M", "--", *map(_literal, names))
    lines: list[tuple[int, int]] = []
    for _, _, first, count in _hunks(text):
        if count == 0:
            continue  # lines removed only
        # Without context every line on a hunk's new side is added; touching ranges become one.
        if lines and lines[-1][1] == first - 1:
            lines[-1] = (lines[-1][0], first + count - 1)
        else:
            lines.append((first, first + count - 1))
    return lines


def _changed(repo: Any, root: Path, spec: tuple[str, ...]) -> list[ChangedFile]:
    """The added, modified or renamed C++ files of ``git diff <spec>``, by their new names."""
    fields = _git(repo, *_DIFF, *spec, "-z", "--name-status", "-M", "--diff-filter=AMR").split("\0")
    files = []
    i = 0
    while i + 1 < len(fields):
        # A rename is "R<score>", old name, new name; anything else a status and one name.
        n = 2 if fields[i].startswith(("R", "C")) else 1
        names = fields[i + 1 : i + 1 + n]
        i += 1 + n
        if is_cpp(names[-1]):
            files.append(ChangedFile(root / names[-1], _added_lines(repo, spec, names)))
    return files


def staged(start: Path) -> list[ChangedFile]:
    """The C++ files staged for the next commit, with their staged line ranges."""
    repo = _repo(start)
    return _changed(repo, Path(repo.working_tree_dir or start), ("--cached",))


def unstaged(start: Path) -> set[Path]:
    """Files whose working-tree text differs from what is staged (resolved paths), deleted ones included."""
    repo = _repo(start)
    root = Path(repo.working_tree_dir or start)
    # --no-renames: a staged file moved in the working tree (and added with -N) must be listed under
    # its staged name, which a rename would hide.
    names = _git(repo, *_DIFF, "-z", "--name-only", "--no-renames").split("\0")
    return {(root / n).resolve() for n in names if n}


def untracked(start: Path, paths: list[Path]) -> set[Path]:
    """Those of ``paths`` that git does not track (resolved): all their text is unstaged work."""
    repo = _repo(start)
    root = Path(repo.working_tree_dir or start).resolve()
    inside: dict[str, Path] = {}
    for p in paths:
        resolved = p.resolve()
        if resolved.is_relative_to(root):  # one outside the repository is untracked as it is
            inside[resolved.relative_to(root).as_posix()] = resolved
    out = {p.resolve() for p in paths} - set(inside.values())
    if inside:
        tracked = set(_git(repo, "ls-files", "-z", "--", *map(_literal, inside)).split("\0"))
        out |= {resolved for name, resolved in inside.items() if name not in tracked}
    return out


def between(start: Path, base: str, head: str) -> list[ChangedFile]:
    """The C++ files that ``head`` changes relative to its merge base with ``base`` (what a PR shows)."""
    import git

    repo = _repo(start)
    try:
        return _changed(repo, Path(repo.working_tree_dir or start), (f"{base}...{head}",))
    except git.GitCommandError as e:
        raise BadInputError(f"cannot diff {base}...{head}: {e.stderr.strip() or e}") from None


def hunk_ranges(diff_text: str) -> list[tuple[int, int]]:
    """The (first, last) lines of the original that each hunk of a suggestion's diff rewrites."""
    return [(first, first + max(count, 1) - 1) for first, count, _, _ in _hunks(diff_text)]

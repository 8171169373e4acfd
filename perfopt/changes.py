"""Which C++ files (and which of their lines) a commit or a pull request changes, read with git.

The hook looks at what is staged; ``perfopt review`` at a range of commits.
Line ranges come from the unified diff, parsed with unidiff: they let a
suggestion be kept only where it touches lines the author changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfopt.errors import BadInputError
from perfopt.sources import CPP_SUFFIXES

#: Headers too: a header's rewrite is verified through the tests of the file it belongs to.
CPP_LIKE = CPP_SUFFIXES | {".h", ".hh", ".hpp", ".hxx", ".h++", ".ipp", ".tpp"}


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


def _parse(diff_text: str, root: Path) -> list[ChangedFile]:
    from unidiff.patch import PatchSet

    files = []
    for patched in PatchSet(diff_text):
        if patched.is_removed_file or not is_cpp(patched.path):
            continue
        changed = ChangedFile(root / patched.path)
        for hunk in patched:
            added = [n for line in hunk if line.is_added and (n := line.target_line_no) is not None]
            # Consecutive added lines become one range.
            for no in added:
                if changed.lines and changed.lines[-1][1] == no - 1:
                    changed.lines[-1] = (changed.lines[-1][0], no)
                else:
                    changed.lines.append((no, no))
        files.append(changed)
    return files


def staged(start: Path) -> list[ChangedFile]:
    """The C++ files staged for the next commit, with their staged line ranges."""
    repo = _repo(start)
    root = Path(repo.working_tree_dir or start)
    text = repo.git.diff("--cached", "--no-color", "--no-ext-diff", "-U0", "--diff-filter=AMR")
    return _parse(text + "\n" if text else "", root)


def unstaged(start: Path) -> set[Path]:
    """Files whose working-tree text differs from what is staged (resolved paths)."""
    repo = _repo(start)
    root = Path(repo.working_tree_dir or start)
    names = repo.git.diff("--name-only", "--no-ext-diff").splitlines()
    return {(root / n).resolve() for n in names if n}


def between(start: Path, base: str, head: str) -> list[ChangedFile]:
    """The C++ files that ``head`` changes relative to its merge base with ``base`` (what a PR shows)."""
    import git

    repo = _repo(start)
    root = Path(repo.working_tree_dir or start)
    try:
        text = repo.git.diff(f"{base}...{head}", "--no-color", "--no-ext-diff", "-U0", "--diff-filter=AMR")
    except git.GitCommandError as e:
        raise BadInputError(f"cannot diff {base}...{head}: {e.stderr.strip() or e}") from None
    return _parse(text + "\n" if text else "", root)


def hunk_ranges(diff_text: str) -> list[tuple[int, int]]:
    """The (first, last) lines of the original that each hunk of a suggestion's diff rewrites."""
    from unidiff.patch import PatchSet

    out = []
    for patched in PatchSet(diff_text):
        for hunk in patched:
            first = hunk.source_start
            out.append((first, first + max(hunk.source_length, 1) - 1))
    return out

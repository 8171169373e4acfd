"""``perfopt hook [FILES]``: the pre-commit entry point, over the staged C++ files.

It reports and, by default, changes nothing and never blocks the commit:
``--fail-on-suggestion`` and ``--apply`` are opt-in. Under pre-commit the
unstaged work is stashed by the framework while hooks run; run as a plain git
hook it reads the working tree, and ``--apply`` only ever writes the working
tree (never the index), keeping a backup, and never a file with unstaged work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from perfopt import changes

if TYPE_CHECKING:
    from perfopt.commands.batch import BatchResult
    from perfopt.commands.suggest import Progress
    from perfopt.generation.interface import CandidateGenerator


@dataclass
class HookOutput:
    stdout: str
    stderr: str
    suggestions: int


def staged_targets(files: list[Path]) -> list[changes.ChangedFile]:
    """The staged C++ files, restricted to ``files`` when pre-commit names them."""
    cpp = [f for f in files if changes.is_cpp(f)]
    if files and not cpp:
        return []  # the fast path: a commit without C++ costs no git call at all
    found = changes.staged(Path.cwd())
    if not files:
        return found
    by_path = {c.path.resolve(): c for c in found}
    # A named file that git does not see as staged (pre-commit --files, --all-files): every line counts.
    return [by_path.get(f.resolve(), changes.ChangedFile(f)) for f in cpp]


def render(result: BatchResult, applied: bool) -> HookOutput:
    from perfopt.formats.interface import display_path
    from perfopt.formats.text import TextFormat, result_line

    out, err = [], []
    for entry in result.files:
        name = display_path(entry.path)
        s = entry.suggestion
        if s is not None and s.program is not None:
            rendered = TextFormat().render(s)
            out.append(rendered.stdout)
            err.append(f"perfopt: {name}: {result_line(s)}; {s.counts.describe()}\n")
            if entry.note:
                err.append(f"perfopt: {name}: {entry.note}\n")
        elif entry.note:
            err.append(f"perfopt: {name}: skipped: {entry.note}\n")
        elif s is not None:
            err.append(f"perfopt: {name}: no faster correct rewrite ({s.counts.describe()})\n")
    if result.skipped_for_time:
        names = ", ".join(display_path(p) for p in result.skipped_for_time)
        err.append(f"perfopt: time budget (--max-seconds) spent; not looked at: {names}\n")
    n = len(result.suggestions)
    if n and not applied:
        err.append(f"perfopt: {n} faster rewrite(s) found; nothing was changed (--apply writes them)\n")
    return HookOutput("".join(out), "".join(err), n)


def run_hook(
    files: list[Path],
    config_file: Path | None,
    flags: dict[str, object],
    max_seconds: float | None,
    changed_lines_only: bool,
    apply: bool,
    progress: Progress | None = None,
    generator: CandidateGenerator | None = None,
) -> HookOutput:
    targets = staged_targets(files)
    if not targets:
        return HookOutput("", "", 0)
    # Imported only now: a commit without C++ must stay cheap.
    from perfopt.commands.batch import suggest_many

    # Under pre-commit unstaged work is stashed; as a plain git hook it is not, and must survive --apply.
    # A file named but not tracked (pre-commit --files) is unstaged work from its first line to its last.
    keep: frozenset[Path] = frozenset()
    if apply:
        keep = frozenset(changes.unstaged(Path.cwd()) | changes.untracked(Path.cwd(), [t.path for t in targets]))
    result = suggest_many(
        targets,
        config_file,
        flags,
        max_seconds,
        changed_lines_only,
        apply=apply,
        generator=generator,
        progress=progress,
        keep=keep,
    )
    return render(result, apply)

"""One Markdown report for a whole pull request: every changed file, one comment.

Each hunk of a suggestion that rewrites only lines the PR changed is repeated
as a GitHub ``suggestion`` block with its line range, ready to copy into a
review comment on those lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfopt import __version__
from perfopt.changes import ChangedFile
from perfopt.diff import unified
from perfopt.formats.interface import display_path
from perfopt.formats.markdown import MarkdownFormat
from perfopt.github import MARKER

if TYPE_CHECKING:
    from perfopt.commands.batch import BatchResult
    from perfopt.commands.suggest import Suggestion


def suggestion_blocks(s: Suggestion, changed: ChangedFile) -> list[str]:
    from unidiff.patch import PatchSet

    if s.program is None:
        return []
    path = display_path(s.path)
    blocks: list[str] = []
    for patched in PatchSet(unified(s.original, s.program, path, context=0)):
        for hunk in patched:
            first = hunk.source_start
            last = first + hunk.source_length - 1
            if hunk.source_length == 0 or not all(changed.touches(n, n) for n in range(first, last + 1)):
                continue
            new = "".join(line.value for line in hunk if line.is_added)
            where = f"line {first}" if first == last else f"lines {first}-{last}"
            blocks += [f"`{path}` {where}:", "", "```suggestion", new.rstrip("\n"), "```", ""]
    return blocks


def review_markdown(result: BatchResult, changed: list[ChangedFile], head: str = "") -> str:
    by_path = {c.path.resolve(): c for c in changed}
    n = len(result.suggestions)
    files = len(result.files) + len(result.skipped_for_time)
    title = f"{n} faster rewrite{'s' if n != 1 else ''}" if n else "no faster rewrite"
    lines = [MARKER, f"## perfopt: {title} in {files} changed C++ file{'s' if files != 1 else ''}", ""]
    for entry in result.files:
        name = display_path(entry.path)
        s = entry.suggestion
        if s is not None and s.program is not None:
            lines.append(MarkdownFormat().render(s).stdout)
            blocks = suggestion_blocks(s, by_path.get(entry.path.resolve(), ChangedFile(entry.path)))
            if blocks:
                lines += ["Hunks inside this PR's changes, as suggestions:", "", *blocks]
        elif entry.note:
            lines += [f"- `{name}`: not checked: {entry.note}", ""]
        elif s is not None:
            c = s.counts
            lines += [
                f"- `{name}`: no faster correct rewrite ({c.generated} candidates: "
                f"{c.compiled} compiled, {c.passed} passed, {c.faster} faster)",
                "",
            ]
    if result.skipped_for_time:
        names = ", ".join(f"`{display_path(p)}`" for p in result.skipped_for_time)
        lines += [f"- Time budget spent; not checked: {names}", ""]
    lines.append(
        f"<sub>perfopt {__version__}{f' at {head[:12]}' if head else ''}: every suggestion compiled, "
        "passed the tests in a sandbox and was timed against the original.</sub>"
    )
    return "\n".join(lines) + "\n"

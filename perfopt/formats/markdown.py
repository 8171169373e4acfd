"""A report to paste into a pull request (the GitHub Action posts it as a comment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfopt.diff import unified
from perfopt.formats.interface import Rendered, display_path

if TYPE_CHECKING:
    from perfopt.commands.suggest import Suggestion


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class MarkdownFormat:
    name = "markdown"

    def render(self, suggestion: Suggestion) -> Rendered:
        s = suggestion
        path = display_path(s.path)
        c = s.counts
        lines: list[str] = []
        verdict = s.best.verdict if s.best else None
        if s.program is not None and verdict is not None and verdict.timing is not None:
            passed = sum(t.passed for t in verdict.tests)
            lines += [
                f"### perfopt: `{path}` can run {verdict.timing.speedup:.2f}x faster",
                "",
                f"The rewrite below passes all {passed} tests ({_cell(s.tests)}) in perfopt's sandbox and is "
                f"{verdict.timing.describe()}.",
                *(
                    ["", f"Rewrite: `{s.best.candidate.origin}`: {_cell(s.best.candidate.reason)}."]
                    if s.best is not None and s.best.candidate.reason
                    else []
                ),
                "",
                "```diff",
                unified(s.original, s.program, path).rstrip("\n"),
                "```",
            ]
        else:
            lines += [
                f"### perfopt: no faster correct rewrite of `{path}`",
                "",
                f"None of the candidates both passed every test and ran at least {s.min_speedup:.2f}x faster.",
            ]
        if s.hot_spot is not None:
            lines += ["", f"Hot spot of the original: {s.hot_spot.describe()}."]
        lines += [
            "",
            f"<details><summary>{c.generated} candidates from {_cell(s.generator)}: "
            f"{c.compiled} compiled, {c.passed} passed, {c.faster} faster</summary>",
            "",
            "| candidate | verdict | detail |",
            "|---|---|---|",
        ]
        for o in s.outcomes:
            if o.verdict is None:
                lines.append(f"| {o.candidate.origin} | skipped | {_cell(o.candidate.problem or o.skipped)} |")
            else:
                v = o.verdict
                # brief, not reason: a candidate's output must never reach a PR comment.
                lines.append(f"| {o.candidate.origin} | {v.level.code} {v.level.label} | {_cell(v.brief)} |")
        lines += ["", "</details>", ""]
        return Rendered("\n".join(lines))

"""The default: the unified diff alone on stdout (pipe it to ``git apply``), the summary on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfopt.diff import unified
from perfopt.formats.interface import Rendered, display_path

if TYPE_CHECKING:
    from perfopt.commands.suggest import Suggestion


def result_line(s: Suggestion) -> str:
    if s.best is None or s.best.verdict is None or s.best.verdict.timing is None:
        return (
            f"no faster correct candidate (none passed every test and ran at least {s.min_speedup:.2f}x faster); "
            "the file is unchanged"
        )
    cand = s.best.candidate
    line = f"{s.best.verdict.timing.describe()}, from the {cand.origin} candidate"
    if cand.reason:
        line += f" ({cand.reason})"
    if s.backup is not None:
        line += f"; applied, the original is saved as {s.backup}"
    return line


def summary(s: Suggestion) -> str:
    t = s.seconds
    parts = ", ".join(f"{k} {t[k]:.1f}" for k in ("load", "check", "generate", "verify") if k in t)
    lines = [
        f"perfopt suggest: {display_path(s.path)}",
        f"  generators: {s.generator}",
        f"  tests:      {s.tests}",
        f"  sandbox:    {s.sandbox}",
        f"  candidates: {s.counts.describe()}" + ("; sampling stopped early (--enough)" if s.stopped_early else ""),
        f"  result:     {result_line(s)}",
    ]
    if s.hot_spot is not None:
        lines.insert(-1, f"  hot spot:   {s.hot_spot.describe()}")
    if "total" in t:
        lines.append(f"  time:       {t['total']:.1f} s ({parts}; stages overlap)")
    return "\n".join(lines) + "\n"


class TextFormat:
    name = "text"

    def render(self, suggestion: Suggestion) -> Rendered:
        diff = ""
        if suggestion.program is not None:
            diff = unified(suggestion.original, suggestion.program, display_path(suggestion.path))
        return Rendered(diff, summary(suggestion))

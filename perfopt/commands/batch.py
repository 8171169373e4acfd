"""``suggest`` over several files with one model load and a time budget: what the hook and review share.

A problem with one file (no tests for it, it does not compile) is recorded and
the next file goes on: a hook or a PR review must not stop at the first file
perfopt cannot judge.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from perfopt import config as configuration
from perfopt.changes import ChangedFile, hunk_ranges
from perfopt.commands.suggest import Progress, Suggestion, make_generator, run_suggest
from perfopt.diff import unified
from perfopt.errors import ConfigError, PerfoptError
from perfopt.formats.interface import display_path
from perfopt.generation.interface import CandidateGenerator
from perfopt.sources import HEADER_NEEDS_PROJECT, HEADER_SUFFIXES


@dataclass
class FileResult:
    path: Path
    suggestion: Suggestion | None = None
    #: Why there is no suggestion to show, when that is not simply "nothing faster".
    note: str = ""


@dataclass
class BatchResult:
    files: list[FileResult] = field(default_factory=list)
    #: Files left out because the time budget ran out.
    skipped_for_time: list[Path] = field(default_factory=list)

    @property
    def suggestions(self) -> list[Suggestion]:
        return [f.suggestion for f in self.files if f.suggestion is not None and f.suggestion.program is not None]


def suggest_many(
    changed: list[ChangedFile],
    config_file: Path | None,
    flags: dict[str, object],
    max_seconds: float | None = None,
    changed_lines_only: bool = False,
    apply: bool = False,
    generator: CandidateGenerator | None = None,
    progress: Progress | None = None,
    keep: frozenset[Path] = frozenset(),
) -> BatchResult:
    """``keep``: resolved paths that --apply must not write (they hold unstaged work)."""
    started = time.monotonic()
    result = BatchResult()
    for i, item in enumerate(changed):
        path = item.path
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            result.skipped_for_time = [c.path for c in changed[i:]]
            break
        entry = FileResult(path)
        result.files.append(entry)
        try:
            config = configuration.for_command(config_file, path, flags)
            if path.suffix in HEADER_SUFFIXES and config.project is None:
                entry.note = HEADER_NEEDS_PROJECT
                continue
            # One generator for every file: the model loads once.
            generator = generator or make_generator(config, [], offline=True)
            # --apply waits until the change-lines filter has had its say.
            suggestion = run_suggest(path, config, generator, progress, apply=False)
        except ConfigError:
            raise
        except PerfoptError as e:
            entry.note = str(e).splitlines()[0]
            continue
        entry.suggestion = suggestion
        if suggestion.program is not None and changed_lines_only and item.lines:
            diff = unified(suggestion.original, suggestion.program, display_path(path), context=0)
            if not any(item.touches(a, b) for a, b in hunk_ranges(diff)):
                entry.note = "a faster rewrite exists, but it changes none of the changed lines (--changed-lines-only)"
                suggestion.best = None
                continue
        if apply and suggestion.program is not None and path.resolve() in keep:
            entry.note = "has unstaged changes, so --apply left it alone (stage or stash them first)"
        elif apply and suggestion.program is not None:
            from perfopt.sources import replace_source

            try:
                suggestion.backup = replace_source(path, suggestion.program, suggestion.original)
            except PerfoptError as e:
                entry.note = str(e)
    return result

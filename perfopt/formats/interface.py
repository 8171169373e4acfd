"""The extension point for how a suggestion is shown: text, JSON, Markdown, or your own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from perfopt.commands.suggest import Suggestion


@dataclass(frozen=True)
class Rendered:
    #: What a program reads (the diff, the JSON document, the Markdown).
    stdout: str
    #: What a person reads beside it; empty for formats that are whole on stdout.
    stderr: str = ""


class OutputFormat(Protocol):
    name: str

    def render(self, suggestion: Suggestion) -> Rendered: ...


def display_path(path: Path) -> str:
    """The path as ``git apply`` run from the current folder expects it."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_posix().lstrip("/")

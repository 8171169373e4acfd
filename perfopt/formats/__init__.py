"""Output formats of ``perfopt suggest``; each implements :class:`~perfopt.formats.interface.OutputFormat`."""

from __future__ import annotations

from perfopt.errors import ExitCode, PerfoptError
from perfopt.formats.interface import OutputFormat, Rendered
from perfopt.formats.json_format import JsonFormat
from perfopt.formats.markdown import MarkdownFormat
from perfopt.formats.text import TextFormat

FORMATS: dict[str, type[OutputFormat]] = {"text": TextFormat, "json": JsonFormat, "markdown": MarkdownFormat}


def get_format(name: str) -> OutputFormat:
    if name not in FORMATS:
        raise PerfoptError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}", ExitCode.USAGE)
    return FORMATS[name]()


__all__ = ["FORMATS", "OutputFormat", "Rendered", "get_format"]

"""Errors that reach the user as one line and a documented exit code.

The CLI turns a :class:`PerfoptError` into ``perfopt: error: <message>`` and
exits with its code; anything else is a bug and gets :data:`ExitCode.INTERNAL`.
The table lives here so the README, the CLI and the tests agree on it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: ``suggest --fail-on-suggestion``: a suggestion was made.
    SUGGESTION = 1
    USAGE = 2
    CONFIG = 3
    BAD_INPUT = 4
    NO_TESTS = 5
    NO_COMPILER = 6
    BASELINE_FAILS = 7
    SANDBOX = 8
    #: The model is missing or cannot be loaded (a bad --model, a hub id while offline).
    NO_MODEL = 9
    INTERNAL = 70
    INTERRUPTED = 130


#: ``perfopt verify`` exits 0 for R4 and ``VERIFY_LEVEL_BASE + level`` (10-13) for R0-R3.
VERIFY_LEVEL_BASE = 10


class PerfoptError(Exception):
    """A failure the user can act on; never shown with a traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, exit_code: ExitCode | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class ConfigError(PerfoptError):
    exit_code = ExitCode.CONFIG


class BadInputError(PerfoptError):
    exit_code = ExitCode.BAD_INPUT


class NoTestsError(PerfoptError):
    exit_code = ExitCode.NO_TESTS


class NoCompilerError(PerfoptError):
    exit_code = ExitCode.NO_COMPILER


class BaselineFailsError(PerfoptError):
    exit_code = ExitCode.BASELINE_FAILS


class SandboxError(PerfoptError):
    exit_code = ExitCode.SANDBOX

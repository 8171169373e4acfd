"""The command line's plumbing: failures as one line and an exit code, warnings on stderr."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from perfopt.errors import ExitCode, PerfoptError

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> None:
    typer.echo(f"perfopt: error: {message}", err=True)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """One line and a documented exit code for every failure; a traceback only with PERFOPT_DEBUG=1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PerfoptError as e:
            fail(str(e), int(e.exit_code))
        except KeyboardInterrupt:
            fail("interrupted", int(ExitCode.INTERRUPTED))
        except typer.Exit:
            raise
        except Exception as e:
            if os.environ.get("PERFOPT_DEBUG"):
                raise
            fail(
                f"internal error: {type(e).__name__}: {e} (rerun with PERFOPT_DEBUG=1 and report it)",
                int(ExitCode.INTERNAL),
            )
        return None

    return wrapper  # type: ignore[return-value]


class _Stderr(logging.Handler):
    """Looks up sys.stderr at each message, so that a captured stderr (tests, CliRunner) sees it."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")


def warnings_to_stderr() -> None:
    log = logging.getLogger("perfopt")
    if not any(isinstance(h, _Stderr) for h in log.handlers):
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("perfopt: warning: %(message)s"))
        log.addHandler(handler)
        log.propagate = False

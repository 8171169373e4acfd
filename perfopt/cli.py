"""The ``perfopt`` command line: parse flags, call the core, print, exit.

Nothing here knows how verification works; it only maps flags onto a Config and
errors onto the documented exit codes.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from perfopt import __version__
from perfopt.errors import VERIFY_LEVEL_BASE, ExitCode, PerfoptError

app = typer.Typer(
    help="Make C++ code faster, and prove it with the program's own tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> None:
    typer.echo(f"perfopt: error: {message}", err=True)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """One line and a documented exit code for every failure; a traceback only with PERFOPT_DEBUG=1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PerfoptError as e:
            _fail(str(e), int(e.exit_code))
        except KeyboardInterrupt:
            _fail("interrupted", int(ExitCode.INTERRUPTED))
        except typer.Exit:
            raise
        except Exception as e:
            if os.environ.get("PERFOPT_DEBUG"):
                raise
            _fail(
                f"internal error: {type(e).__name__}: {e} (rerun with PERFOPT_DEBUG=1 and report it)",
                int(ExitCode.INTERNAL),
            )
        return None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"perfopt {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    pass


ConfigOpt = Annotated[Path | None, typer.Option("--config", help="perfopt.toml or pyproject.toml to use.")]
TestsOpt = Annotated[Path | None, typer.Option("--tests", help="Test folder or PIE .jsonl[.xz] file.")]
ProblemOpt = Annotated[str | None, typer.Option("--problem-id", help="Problem in a PIE tests file.")]
TimerOpt = Annotated[str | None, typer.Option("--timer", help="wall or instructions.")]
SpeedupOpt = Annotated[float | None, typer.Option("--min-speedup", help="Smallest speedup that counts (1.10).")]
CompilerOpt = Annotated[str | None, typer.Option("--compiler", help="C++ compiler (g++).")]
FlagsOpt = Annotated[str | None, typer.Option("--flags", help='Compiler flags ("-std=c++17 -O2").')]
TimeOpt = Annotated[float | None, typer.Option("--time-limit", help="CPU seconds per test run.")]
MemOpt = Annotated[int | None, typer.Option("--memory-limit-mb", help="Address-space limit per run.")]
TolOpt = Annotated[float | None, typer.Option("--float-tolerance", help="Accept floats this close.")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", help="Parallel workers (0: all cores).")]
CacheOpt = Annotated[bool | None, typer.Option("--cache/--no-cache", help="Reuse earlier verdicts.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def overrides(**flags: Any) -> dict[str, Any]:
    """The flags the user actually gave, under their config key names."""
    return {k: v for k, v in flags.items() if v is not None}


@app.command()
@handles_errors
def verify(
    original: Annotated[Path, typer.Argument(help="The original C++ file.")],
    candidate: Annotated[Path, typer.Argument(help="The rewrite to check against it.")],
    config_file: ConfigOpt = None,
    tests: TestsOpt = None,
    problem_id: ProblemOpt = None,
    timer: TimerOpt = None,
    min_speedup: SpeedupOpt = None,
    compiler: CompilerOpt = None,
    flags: FlagsOpt = None,
    time_limit: TimeOpt = None,
    memory_limit_mb: MemOpt = None,
    float_tolerance: TolOpt = None,
    jobs: JobsOpt = None,
    cache: CacheOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check that CANDIDATE is correct and faster than ORIGINAL.

    Exits 0 when it is (R4), 10-13 for R0-R3, and 2-8 for errors (see README).
    """
    from perfopt.commands.verify import run_verify

    given = overrides(
        tests=tests,
        problem_id=problem_id,
        timer=timer,
        min_speedup=min_speedup,
        compiler=compiler,
        flags=flags,
        time_limit=time_limit,
        memory_limit_mb=memory_limit_mb,
        float_tolerance=float_tolerance,
        jobs=jobs,
        cache=cache,
    )
    report, level = run_verify(original, candidate, config_file, given, as_json)
    typer.echo(json.dumps(report, indent=2) if isinstance(report, dict) else report)
    if level != 4:
        raise typer.Exit(VERIFY_LEVEL_BASE + level)


def main() -> None:
    # Keep a plain "perfopt" from printing Python's own traceback on a broken pipe.
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(int(ExitCode.OK))

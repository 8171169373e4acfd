"""The ``perfopt`` commands that prepare rather than judge: ``amplify`` and ``calibrate``.

They register on :data:`perfopt.cli.app`; like every command, they map flags
and errors only, and do their work in :mod:`perfopt.commands`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from perfopt.cli import app, overrides
from perfopt.cli_options import (
    CacheDirOpt,
    CacheOpt,
    CompilerOpt,
    ConfigOpt,
    FlagsOpt,
    ProblemOpt,
    TestsOpt,
    TimeOpt,
)
from perfopt.cli_support import handles_errors


@app.command(name="amplify")
@handles_errors
def amplify_command(
    file: Annotated[Path, typer.Argument(help="The C++ file whose tests to amplify.")],
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write (default: FILE.amplified.tests).")] = None,
    config_file: ConfigOpt = None,
    cache_dir: CacheDirOpt = None,
    tests: TestsOpt = None,
    problem_id: ProblemOpt = None,
    compiler: CompilerOpt = None,
    flags: FlagsOpt = None,
    time_limit: TimeOpt = None,
    cache: CacheOpt = None,
) -> None:
    """Write the bigger tests perfopt generates for FILE (the original's output is the answer) as a test folder."""
    from perfopt.commands.amplify import run_amplify

    given = overrides(
        tests=tests,
        problem_id=problem_id,
        compiler=compiler,
        flags=flags,
        time_limit=time_limit,
        cache=cache,
        cache_dir=cache_dir,
    )
    summary, folder = run_amplify(file, config_file, given, out)
    typer.echo(f"tests: {summary}\nwrote: {folder}")


@app.command(name="calibrate")
@handles_errors
def calibrate_command(
    cache_dir: CacheDirOpt = None,
    compiler: Annotated[str, typer.Option("--compiler", help="Builds the probe program.")] = "g++",
    repeats: Annotated[int, typer.Option("--repeats", min=3, max=101, help="Runs per measurement.")] = 7,
) -> None:
    """Measure what an instruction, a system call and a byte moved cost on this machine (the cost timer's weights)."""
    from perfopt.commands.calibrate import run_calibrate, table

    typer.echo(f"measuring {repeats} runs of each probe in the sandbox; keep the machine idle", err=True)
    measured, path, comparison = run_calibrate(cache_dir, compiler, repeats)
    typer.echo(f"{table(measured)}\n{comparison}\nwrote: {path} (the cost timer uses it from now on)")

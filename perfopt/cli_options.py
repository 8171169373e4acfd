"""The options several ``perfopt`` commands share, declared once (typer reads them from the annotations)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="perfopt.toml or pyproject.toml to use.")]
TestsOpt = Annotated[Path | None, typer.Option("--tests", help="Test folder or PIE .jsonl[.xz] file.")]
ProblemOpt = Annotated[str | None, typer.Option("--problem-id", help="Problem in a PIE tests file.")]
TimerOpt = Annotated[
    str | None,
    typer.Option("--timer", help="cost (deterministic: instructions plus weighted system calls), instructions, wall."),
]
SpeedupOpt = Annotated[float | None, typer.Option("--min-speedup", help="Smallest speedup that counts (1.10).")]
CompilerOpt = Annotated[str | None, typer.Option("--compiler", help="C++ compiler (g++).")]
FlagsOpt = Annotated[str | None, typer.Option("--flags", help='Compiler flags ("-std=c++17 -O2").')]
TimeOpt = Annotated[float | None, typer.Option("--time-limit", help="CPU seconds per test run.")]
MemOpt = Annotated[int | None, typer.Option("--memory-limit-mb", help="Address-space limit per run.")]
TolOpt = Annotated[float | None, typer.Option("--float-tolerance", help="Accept floats this close.")]
JobsOpt = Annotated[int | None, typer.Option("--jobs", "-j", help="Parallel workers (0: all cores).")]
CacheOpt = Annotated[bool | None, typer.Option("--cache/--no-cache", help="Reuse earlier verdicts.")]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Cache folder (default: $PERFOPT_CACHE_DIR, else ~/.cache/perfopt)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
AmplifyOpt = Annotated[
    bool | None,
    typer.Option("--amplify/--no-amplify", help="Also test on bigger inputs generated from the tests (on)."),
]


MaxSecondsOpt = Annotated[
    float | None, typer.Option("--max-seconds", help="Stop starting new files after this long; say what was skipped.")
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model folder or hub id (default: the bundled model).")]
CandidatesOpt = Annotated[int | None, typer.Option("--candidates", "-n", help="Rewrites to propose per file (8).")]
GeneratorsOpt = Annotated[
    str | None,
    typer.Option("--generators", help="Comma-separated: rules, clang-tidy, model (default: all that can run here)."),
]

"""The ``perfopt`` command line: parse flags, call the core, print, exit.

Nothing here knows how verification works; it only maps flags onto a Config and
errors onto the documented exit codes.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from perfopt import __version__
from perfopt.cli_options import (
    AmplifyOpt,
    CacheDirOpt,
    CacheOpt,
    CandidatesOpt,
    CompilerOpt,
    ConfigOpt,
    FlagsOpt,
    GeneratorsOpt,
    JobsOpt,
    JsonOpt,
    MaxSecondsOpt,
    MemOpt,
    ModelOpt,
    ProblemOpt,
    SpeedupOpt,
    TestsOpt,
    TimeOpt,
    TimerOpt,
    TolOpt,
)
from perfopt.cli_support import handles_errors, warnings_to_stderr
from perfopt.errors import VERIFY_LEVEL_BASE, ExitCode, PerfoptError

app = typer.Typer(
    help="Make C++ code faster, and prove it with the program's own tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


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
    warnings_to_stderr()


def overrides(**flags: Any) -> dict[str, Any]:
    """The flags the user actually gave, under their config key names."""
    return {k: v for k, v in flags.items() if v is not None}


@app.command()
@handles_errors
def verify(
    original: Annotated[Path, typer.Argument(help="The original C++ file.")],
    candidate: Annotated[Path, typer.Argument(help="The rewrite to check against it.")],
    config_file: ConfigOpt = None,
    cache_dir: CacheDirOpt = None,
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
    amplify: AmplifyOpt = None,
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
        cache_dir=cache_dir,
        amplify=amplify,
    )
    report, level = run_verify(original, candidate, config_file, given, as_json)
    typer.echo(json.dumps(report, indent=2) if isinstance(report, dict) else report)
    if level != 4:
        raise typer.Exit(VERIFY_LEVEL_BASE + level)


@app.command()
@handles_errors
def suggest(
    file: Annotated[Path, typer.Argument(help="The C++ file to make faster.")],
    model: Annotated[
        str | None, typer.Option("--model", help="Model folder or hub id (default: the bundled model).")
    ] = None,
    candidate_files: Annotated[
        list[Path] | None,
        typer.Option("--candidate", help="Verify this rewrite instead of asking the model (repeatable)."),
    ] = None,
    candidates: Annotated[int | None, typer.Option("--candidates", "-n", help="Rewrites to propose (8).")] = None,
    generators: Annotated[
        str | None,
        typer.Option(
            "--generators", help="Comma-separated: rules, clang-tidy, model (default: all that can run here)."
        ),
    ] = None,
    temperature: Annotated[float | None, typer.Option("--temperature", help="Sampling temperature (0.8).")] = None,
    top_p: Annotated[float | None, typer.Option("--top-p", help="Nucleus sampling mass (0.95).")] = None,
    max_new_tokens: Annotated[int | None, typer.Option("--max-new-tokens", help="Longest output (512).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Sampling seed (0).")] = None,
    enough: Annotated[
        int | None,
        typer.Option("--enough", help="Sample in rounds; stop once N faster candidates are verified (0: never)."),
    ] = None,
    allow_download: Annotated[
        bool, typer.Option("--allow-download", help="Let --model HUB_ID download from the Hugging Face hub.")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the verified rewrite into FILE (keeps FILE.perfopt-backup).")
    ] = False,
    output_format: Annotated[str, typer.Option("--format", help="text (a diff), json or markdown.")] = "text",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    fail_on_suggestion: Annotated[
        bool, typer.Option("--fail-on-suggestion", help="Exit 1 when a faster rewrite was found (for hooks, CI).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    config_file: ConfigOpt = None,
    cache_dir: CacheDirOpt = None,
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
    amplify: AmplifyOpt = None,
) -> None:
    """Propose faster rewrites of FILE, verify them with its tests, and print a diff of the fastest correct one.

    Exits 0 whether or not a rewrite was found (1 with --fail-on-suggestion when one was), 2-9 for errors.
    """
    from perfopt.commands.suggest import load_settings, make_generator, run_suggest
    from perfopt.formats import get_format

    renderer = get_format("json" if as_json else output_format)
    given = overrides(
        model=model,
        candidates=candidates,
        generators=generators,
        temperature=temperature,
        top_p=top_p,
        max_new_tokens=max_new_tokens,
        seed=seed,
        enough=enough,
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
        cache_dir=cache_dir,
        amplify=amplify,
    )
    config = load_settings(file, config_file, given)
    generator = make_generator(config, candidate_files or [], offline=not allow_download)
    if quiet or not sys.stderr.isatty():
        result = run_suggest(file, config, generator, apply=apply)
    else:
        from perfopt.progress import TerminalProgress

        with TerminalProgress() as progress:
            result = run_suggest(file, config, generator, progress, apply=apply)
    rendered = renderer.render(result)
    if rendered.stdout:
        typer.echo(rendered.stdout, nl=False)
    if rendered.stderr and not quiet:
        typer.echo(rendered.stderr, nl=False, err=True)
    if fail_on_suggestion and result.program is not None:
        raise typer.Exit(int(ExitCode.SUGGESTION))


@app.command()
@handles_errors
def hook(
    files: Annotated[list[Path] | None, typer.Argument(help="Files (pre-commit passes them); default: staged.")] = None,
    max_seconds: MaxSecondsOpt = None,
    changed_lines_only: Annotated[
        bool, typer.Option("--changed-lines-only", help="Drop rewrites that touch none of the staged lines.")
    ] = False,
    apply: Annotated[bool, typer.Option("--apply", help="Write verified rewrites (working tree only).")] = False,
    fail_on_suggestion: Annotated[
        bool, typer.Option("--fail-on-suggestion", help="Exit 1, blocking the commit, when a rewrite was found.")
    ] = False,
    model: ModelOpt = None,
    candidates: CandidatesOpt = None,
    generators: GeneratorsOpt = None,
    config_file: ConfigOpt = None,
    cache_dir: CacheDirOpt = None,
    timer: TimerOpt = None,
    jobs: JobsOpt = None,
    amplify: AmplifyOpt = None,
) -> None:
    """Suggest faster rewrites of the staged C++ files (the pre-commit hook). Never blocks unless asked."""
    from perfopt.commands.hook import run_hook

    given = overrides(
        model=model,
        candidates=candidates,
        generators=generators,
        timer=timer,
        jobs=jobs,
        cache_dir=cache_dir,
        amplify=amplify,
    )
    out = run_hook(list(files or []), config_file, given, max_seconds, changed_lines_only, apply)
    if out.stdout:
        typer.echo(out.stdout, nl=False)
    if out.stderr:
        typer.echo(out.stderr, nl=False, err=True)
    if fail_on_suggestion and out.suggestions:
        raise typer.Exit(int(ExitCode.SUGGESTION))


@app.command()
@handles_errors
def review(
    base: Annotated[str | None, typer.Option("--base", help="The PR's base commit.")] = None,
    head: Annotated[str, typer.Option("--head", help="The PR's head commit (checked out).")] = "HEAD",
    github: Annotated[
        bool, typer.Option("--github", help="Read the PR from GITHUB_EVENT_PATH and post one comment (the Action).")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", help="Also write the Markdown report here.")] = None,
    max_seconds: MaxSecondsOpt = None,
    fail_on_suggestion: Annotated[
        bool, typer.Option("--fail-on-suggestion", help="Exit 1 when a faster rewrite was found.")
    ] = False,
    model: ModelOpt = None,
    candidates: CandidatesOpt = None,
    generators: GeneratorsOpt = None,
    config_file: ConfigOpt = None,
    cache_dir: CacheDirOpt = None,
    timer: TimerOpt = None,
    jobs: JobsOpt = None,
    amplify: AmplifyOpt = None,
) -> None:
    """Check every C++ file changed between --base and --head; print one Markdown report (or post it)."""
    from perfopt.commands.review import github_review, run_review

    given = overrides(
        model=model,
        candidates=candidates,
        generators=generators,
        timer=timer,
        jobs=jobs,
        cache_dir=cache_dir,
        amplify=amplify,
    )
    if github:
        result = github_review(config_file, given, max_seconds)
        typer.echo(f"perfopt review: {result.posted}", err=True)
    elif base is None:
        raise PerfoptError("--base is required (or --github, which reads it from the event)", ExitCode.USAGE)
    else:
        result = run_review(base, head, config_file, given, max_seconds)
    if output is not None:
        output.write_text(result.markdown, encoding="utf-8")
    typer.echo(result.markdown, nl=False)
    if fail_on_suggestion and result.suggestions:
        raise typer.Exit(int(ExitCode.SUGGESTION))


@app.command()
@handles_errors
def bench(
    data: Annotated[Path, typer.Argument(help="PIE-format JSONL: src_code, problem_id, optional tgt_code and tests.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for rows.jsonl, the summary and the plots.")] = Path(
        "bench-results"
    ),
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="identity or compiler, instead of the model.")
    ] = None,
    candidates_file: Annotated[
        Path | None, typer.Option("--candidates-file", help="Score another system's outputs (src_code, candidates).")
    ] = None,
    candidates: Annotated[int | None, typer.Option("--candidates", "-k", help="Candidates per program (8).")] = None,
    generators: GeneratorsOpt = None,
    workers: Annotated[int, typer.Option("--workers", help="Programs scored at once.")] = 1,
    limit: Annotated[int | None, typer.Option("--limit", help="Only the first N programs.")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start over instead of resuming.")] = False,
    training_log: Annotated[
        Path | None, typer.Option("--training-log", help="An RRHF log.jsonl: also plot rates per RL step.")
    ] = None,
    model: ModelOpt = None,
    config_file: ConfigOpt = None,
    cache_dir: CacheDirOpt = None,
    tests: TestsOpt = None,
    timer: TimerOpt = None,
    min_speedup: SpeedupOpt = None,
    flags: FlagsOpt = None,
    jobs: JobsOpt = None,
    amplify: AmplifyOpt = None,
) -> None:
    """Score the model (or a baseline) on PIE-format programs: %compiled, %passed, %opt, best@1, best@k."""
    from perfopt import config as configuration
    from perfopt.commands.bench import pick_generator, run_bench

    given = overrides(
        model=model,
        generators=generators,
        tests=tests,
        timer=timer,
        min_speedup=min_speedup,
        flags=flags,
        jobs=jobs,
        cache_dir=cache_dir,
        amplify=amplify,
    )
    config = configuration.for_command(config_file, Path.cwd(), given)
    # A baseline proposes one program per input, whatever k says.
    k = 1 if baseline else candidates or config.candidates
    generator = pick_generator(config, baseline, candidates_file)
    result = run_bench(data, out, config, generator, k, workers, limit, fresh, training_log)
    typer.echo(result.table, nl=False)
    typer.echo("wrote: " + ", ".join(str(f) for f in result.files), err=True)


# The maintenance commands register themselves on ``app``.
from perfopt import cli_tools  # noqa: E402, F401


def main() -> None:
    # Keep a plain "perfopt" from printing Python's own traceback on a broken pipe.
    try:
        app()
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(int(ExitCode.OK))

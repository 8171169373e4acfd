"""``perfopt bench DATA.jsonl``: score the model (or a baseline) on PIE-format programs.

Writes into ``--out``: ``rows.jsonl`` (one line per program, appended as each
finishes, so an interrupted run resumes where it stopped), ``summary.json``,
``summary.md`` and the PNG plots.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfopt.benchmark import Bench, load_programs, markdown_table, summarize
from perfopt.config import Config
from perfopt.errors import ExitCode, PerfoptError
from perfopt.generation.interface import CandidateGenerator

BASELINES = ("identity", "compiler")


@dataclass
class BenchOutput:
    summary: dict[str, Any]
    table: str
    files: list[Path]


def pick_generator(config: Config, baseline: str | None, candidates_file: Path | None) -> CandidateGenerator:
    from perfopt.generation.baselines import CandidatesFile, compiler, identity

    if baseline is not None and candidates_file is not None:
        raise PerfoptError("give --baseline or --candidates-file, not both", ExitCode.USAGE)
    if baseline == "identity":
        return identity()
    if baseline == "compiler":
        return compiler()
    if baseline is not None:
        raise PerfoptError(f"unknown baseline {baseline!r}; choose one of {', '.join(BASELINES)}", ExitCode.USAGE)
    if candidates_file is not None:
        return CandidatesFile(candidates_file)
    from perfopt.commands.suggest import make_generator

    return make_generator(config, [])


def _resume(out: Path, identity: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of an earlier run of the same settings; a run with other settings is refused, not mixed in."""
    rows_file, run_file = out / "rows.jsonl", out / "run.json"
    if not rows_file.exists():
        return []
    earlier = json.loads(run_file.read_text()) if run_file.exists() else {}
    if earlier != identity:
        raise PerfoptError(
            f"{out} holds a run with other settings ({earlier}); use another --out or --fresh", ExitCode.USAGE
        )
    return [json.loads(line) for line in rows_file.read_text().splitlines() if line.strip()]


def run_bench(
    data: Path,
    out: Path,
    config: Config,
    generator: CandidateGenerator,
    k: int,
    workers: int = 1,
    limit: int | None = None,
    fresh: bool = False,
    training_log: Path | None = None,
) -> BenchOutput:
    from perfopt import plots

    started = time.monotonic()
    programs = load_programs(data, limit)
    out.mkdir(parents=True, exist_ok=True)
    identity = {"data": str(data), "generator": generator.name, "k": k, "timer": config.timer}
    if fresh:
        (out / "rows.jsonl").unlink(missing_ok=True)
    rows = _resume(out, identity)
    (out / "run.json").write_text(json.dumps(identity) + "\n")
    done = {r["key"] for r in rows}
    todo = [p for p in programs if p.key not in done]
    generator.prepare()
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="perfopt-bench-") as tmp, (out / "rows.jsonl").open("a") as sink:
        bench = Bench(generator, k, config, Path(tmp))

        def one(program: Any) -> None:
            row = bench.score(program)
            with lock:
                rows.append(row)
                sink.write(json.dumps(row) + "\n")
                sink.flush()

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            list(pool.map(one, todo))
    wanted = {p.key for p in programs}
    rows = [r for r in rows if r["key"] in wanted]
    summary = {**summarize(rows, k), "seconds_this_run": round(time.monotonic() - started, 1)}
    label = generator.name
    table = markdown_table(summary, label)
    (out / "summary.json").write_text(json.dumps({**identity, **summary}, indent=1) + "\n")
    (out / "summary.md").write_text(f"# perfopt bench: {data.name}\n\n{table}")
    files = [out / "rows.jsonl", out / "summary.json", out / "summary.md"]
    files.append(plots.speedup_distribution(rows, out / "speedups.png", label))
    versus = plots.model_vs_reference(rows, out / "vs_reference.png", label)
    if versus:
        files.append(versus)
    if training_log is not None:
        curve = plots.rl_curve(training_log, out / "rl_curve.png")
        if curve:
            files.append(curve)
    return BenchOutput(summary, table, files)

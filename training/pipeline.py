"""All of it in one command: pretrain, SFT, evaluate, RRHF, evaluate, export.

    python -m training.pipeline --scale tiny|cpu|gpu [--config pipeline.toml] [--runs DIR]

The data (``training.data.pairs``, ``training.data.corpus_pairs``,
``training.data.valid_set``) is built beforehand: it takes an hour of valgrind
and g++ and does not depend on the scale. ``--scale tiny`` trains on
the handwritten fixture in ``training/fixtures/tiny`` and needs nothing from
../shared. Every stage resumes from its checkpoint, so a stopped pipeline is
rerun with the same command. Stage wall times go to ``RUNS/pipeline.json``
and into the model card; validation metrics after SFT and after RRHF go to
``RUNS/sft/eval.json`` and ``RUNS/rrhf/eval.json``. A TOML config overrides
stage fields in tables: ``[sft]``, ``[rrhf]``, ...

``--stop-after SECONDS`` fits the run into commands of limited length (a lent
device allows 10 minutes a command): each stage checkpoints and the pipeline
exits with status 75 before the time is up, and the same command resumes it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from training import evaluate, export, pretrain, rrhf, sft
from training.config import Scale, apply_toml
from training.distributed import world
from training.loop import OutOfTime, finished, set_deadline, time_left
from training.pipeline_config import PipelineConfig


def run(config: PipelineConfig) -> Path:
    needed = [config.sft.pairs, config.sft.extra_pairs, config.rrhf.tests, config.rrhf.valid, config.evaluate.programs]
    for path in needed:
        if path is not None and not path.exists():
            raise SystemExit(f"{path} does not exist; build the data first (training/README.md)")
    record = config.runs / "pipeline.json"
    times: dict[str, float] = json.loads(record.read_text())["seconds"] if record.exists() else {}

    def timed(name: str, stage: Callable[[], Path], done_before: bool = False) -> Path:
        left = time_left()
        if not done_before and left is not None and left < config.start_reserve_seconds:
            # Too little time for a stage's first checkpoint (or a whole evaluation): the next call starts it.
            raise OutOfTime(f"{name} needs about {config.start_reserve_seconds:.0f} s to start; {left:.0f} s left")
        started = time.monotonic()
        try:
            return stage()
        finally:
            # A stage a previous run finished is only reloaded: keep the time of the run that did it.
            # One stopped part-way (paused, or killed) adds to what earlier runs spent on it.
            if not done_before:
                times[name] = round(times.get(name, 0.0) + time.monotonic() - started, 1)
            if world().main:
                config.runs.mkdir(parents=True, exist_ok=True)
                record.write_text(json.dumps({"seconds": times}, indent=1) + "\n")

    r = config.rrhf
    pretrained = timed(
        "pretrain", lambda: pretrain.train(config.pretrain), finished(config.pretrain.out, config.pretrain.steps)
    )
    tuned = timed(
        "sft", lambda: sft.train(replace(config.sft, init=pretrained)), finished(config.sft.out, config.sft.steps)
    )

    def evaluated(name: str, checkpoint: Path) -> None:
        result = checkpoint.parent / "eval.json"
        if result.exists() and result.stat().st_mtime >= (checkpoint / "state.json").stat().st_mtime:
            return  # a previous (paused) run already measured this very checkpoint
        timed(name, lambda: evaluate.evaluate(replace(config.evaluate, checkpoint=checkpoint, out=None)))

    evaluated("evaluate sft", tuned)
    ranked = timed("rrhf", lambda: rrhf.train(replace(r, init=tuned)), finished(r.out, r.rl_steps * r.updates_per_step))
    evaluated("evaluate rrhf", ranked)
    if not world().main:
        return ranked
    return export.export(ranked, config.name, config.runs, config.hardware or hardware(), into=config.export_into)


def hardware() -> str:
    """What trained the model, for its card."""
    import torch

    cpus = f"{os.cpu_count()} CPU cores"
    if torch.cuda.is_available():
        return f"{torch.cuda.device_count()}x {torch.cuda.get_device_name(0)}, {cpus}; torch {torch.__version__}"
    return f"{cpus}, no GPU; torch {torch.__version__}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=Scale, default=Scale.TINY)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--runs", type=Path, help="put every stage's output under this folder")
    parser.add_argument(
        "--stop-after", type=float, metavar="SECONDS", help="checkpoint and exit 75 before this many seconds pass"
    )
    args = parser.parse_args(argv)
    config = apply_toml(PipelineConfig.for_scale(args.scale), args.config)
    if args.runs is not None:
        config = config.under(args.runs)
    if args.stop_after is not None:
        set_deadline(time.time() + args.stop_after)
    try:
        print(run(config))
    except OutOfTime as e:
        print(f"paused: {e}; run the same command again to resume", file=sys.stderr)
        raise SystemExit(PAUSED) from None


#: Exit status of a run stopped by --stop-after (EX_TEMPFAIL: try again).
PAUSED = 75


if __name__ == "__main__":
    main()

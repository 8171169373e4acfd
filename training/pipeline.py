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
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from training import evaluate, export, pretrain, rrhf, sft
from training.config import Scale, apply_toml
from training.distributed import world
from training.loop import finished
from training.pipeline_config import PipelineConfig


def run(config: PipelineConfig) -> Path:
    needed = [config.sft.pairs, config.sft.extra_pairs, config.rrhf.tests, config.rrhf.valid, config.evaluate.programs]
    for path in needed:
        if path is not None and not path.exists():
            raise SystemExit(f"{path} does not exist; build the data first (training/README.md)")
    record = config.runs / "pipeline.json"
    times: dict[str, float] = json.loads(record.read_text())["seconds"] if record.exists() else {}

    def timed(name: str, stage: Callable[[], Path], done_before: bool = False) -> Path:
        started = time.monotonic()
        out = stage()
        # A stage a previous run finished is only reloaded: keep the time of the run that did it.
        if not done_before:
            times[name] = round(time.monotonic() - started, 1)
        if world().main:
            config.runs.mkdir(parents=True, exist_ok=True)
            record.write_text(json.dumps({"seconds": times}, indent=1) + "\n")
        return out

    r = config.rrhf
    pretrained = timed(
        "pretrain", lambda: pretrain.train(config.pretrain), finished(config.pretrain.out, config.pretrain.steps)
    )
    tuned = timed(
        "sft", lambda: sft.train(replace(config.sft, init=pretrained)), finished(config.sft.out, config.sft.steps)
    )
    timed("evaluate sft", lambda: evaluate.evaluate(replace(config.evaluate, checkpoint=tuned, out=None)))
    ranked = timed("rrhf", lambda: rrhf.train(replace(r, init=tuned)), finished(r.out, r.rl_steps * r.updates_per_step))
    timed("evaluate rrhf", lambda: evaluate.evaluate(replace(config.evaluate, checkpoint=ranked, out=None)))
    if not world().main:
        return ranked
    return export.export(ranked, config.name, config.runs, config.hardware, into=config.export_into)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=Scale, default=Scale.TINY)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--runs", type=Path, help="put every stage's output under this folder")
    args = parser.parse_args(argv)
    config = apply_toml(PipelineConfig.for_scale(args.scale), args.config)
    if args.runs is not None:
        config = config.under(args.runs)
    print(run(config))


if __name__ == "__main__":
    main()

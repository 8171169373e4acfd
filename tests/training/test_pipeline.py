"""The whole pipeline at tiny scale, through its real command line, alone and under torchrun."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perfopt.reward import Level
from training.config import TINY_DATA
from training.evaluate import Judge

ROOT = Path(__file__).resolve().parents[2]


def _log(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_tiny_fixture_pairs_pass_their_tests(tmp_path: Path) -> None:
    """The fixture claims its pairs are verified: check it, both sides, with the reward model."""
    judge = Judge(TINY_DATA / "tests.jsonl", "wall", tmp_path)
    try:
        for line in (TINY_DATA / "pairs.jsonl").read_text().splitlines():
            pair = json.loads(line)
            verdicts = judge.score(pair["problem_id"], pair["slow"], [pair["fast"]], [""])
            assert verdicts is not None, pair["problem_id"]
            assert verdicts[0].level >= Level.NOT_FASTER, (pair["problem_id"], verdicts[0].reason)
    finally:
        judge.close()


def test_pipeline_runs_end_to_end_at_tiny_scale(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    done = subprocess.run(
        [sys.executable, "-m", "training.pipeline", "--scale", "tiny", "--runs", str(runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    model = runs / "models" / "perfopt-tiny"
    assert done.stdout.strip().endswith(str(model))
    assert set(json.loads((runs / "pipeline.json").read_text())["seconds"]) == {
        "pretrain",
        "sft",
        "evaluate sft",
        "rrhf",
        "evaluate rrhf",
    }
    pretrain = _log(runs / "pretrain" / "log.jsonl")
    assert float(pretrain[-1]["loss"]) < float(pretrain[0]["loss"])  # type: ignore[arg-type]
    sft = _log(runs / "sft" / "log.jsonl")
    assert float(sft[-1]["loss"]) < float(sft[0]["loss"])  # type: ignore[arg-type]
    assert len(_log(runs / "rrhf" / "curve.jsonl")) == 2
    for stage in ("sft", "rrhf"):
        report = json.loads((runs / stage / "eval.json").read_text())
        assert report["format"] == "lines" and report["programs"] == 1 and len(report["rows"][0]["levels"]) == 3
    card = (model / "MODEL_CARD.md").read_text()
    assert "| after sft | 1 | lines |" in card and "| after rrhf | 1 | lines |" in card
    assert json.loads((model / "config.json").read_text())["perfopt_target_format"] == "lines"
    # Nothing was written into the package.
    assert not (ROOT / "perfopt" / "models" / "perfopt-tiny").exists()
    # A rerun resumes: finished training stages are reloaded, not redone, and keep their times.
    times = json.loads((runs / "pipeline.json").read_text())["seconds"]
    again = subprocess.run(
        [sys.executable, "-m", "training.pipeline", "--scale", "tiny", "--runs", str(runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(_log(runs / "rrhf" / "curve.jsonl")) == 2
    rerun = json.loads((runs / "pipeline.json").read_text())["seconds"]
    assert {k: rerun[k] for k in ("pretrain", "sft", "rrhf")} == {k: times[k] for k in ("pretrain", "sft", "rrhf")}


def test_torchrun_spreads_training_and_reward_scoring_over_processes(tmp_path: Path) -> None:
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    runs = tmp_path / "runs"
    done = subprocess.run(
        [*torchrun, "-m", "training.pipeline", "--scale", "tiny", "--runs", str(runs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert all(r["processes"] == 2 for r in _log(runs / "pretrain" / "log.jsonl"))
    assert (runs / "models" / "perfopt-tiny" / "model.safetensors").exists()
    # Grading spread over the processes: each grades its share of the programs, rank 0 writes them all.
    config = tmp_path / "eval.toml"
    config.write_text('split = "train"\n')
    out = tmp_path / "train-eval.json"
    checkpoint = runs / "rrhf" / "checkpoint"
    done = subprocess.run(
        [
            *torchrun,
            "-m",
            "training.evaluate",
            "--scale",
            "tiny",
            "--config",
            str(config),
            "--checkpoint",
            str(checkpoint),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert sorted(r["problem_id"] for r in report["rows"]) == ["p90001", "p90002"]


@pytest.mark.parametrize("stage", ["pretrain", "sft", "rrhf", "evaluate", "pipeline"])
def test_every_stage_has_a_command_line(stage: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", f"training.{stage}", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "--scale" in done.stdout

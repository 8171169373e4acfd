"""The bench's metrics, PIE's definitions: anything but R4 counts as a speedup of 1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from perfopt import plots
from perfopt.benchmark import markdown_table, summarize

ROOT = Path(__file__).resolve().parents[1]


def test_summary_follows_pies_definitions() -> None:
    rows: list[dict[str, Any]] = [
        # R4 at 2.0x on the second candidate only; the human did 3.0x.
        {"key": "a", "levels": [3, 4], "best_at_1": 1.0, "best_at_k": 2.0, "reference_speedup": 3.0},
        # Nothing compiled.
        {"key": "b", "levels": [0, 0], "best_at_1": 1.0, "best_at_k": 1.0, "reference_speedup": 1.0},
        {"key": "c", "error": "the original fails its own tests"},
    ]
    s = summarize(rows, 2)
    assert (s["programs"], s["scored"], s["errors"]) == (3, 2, 1)
    assert (s["compiled@k"], s["passed@k"], s["optimized@k"], s["optimized@1"]) == (0.5, 0.5, 0.5, 0.0)
    assert s["candidates_compiled"] == 0.5 and s["candidates_optimized"] == 0.25
    assert (s["best@1"], s["best@k"], s["reference_mean_speedup"]) == (1.0, 1.5, 2.0)
    table = markdown_table(s, "model")
    assert "| model (k=2) | 2 | 0 | n/a | 50.0% | 50.0% | 50.0% | 0.0% | 1.000 | 1.500 | 2.000 (2 programs) |" in table


def test_the_models_apply_rate_counts_only_its_own_candidates() -> None:
    rows: list[dict[str, Any]] = [
        {
            "key": "a",
            "levels": [0, 3, 0],
            "generators": ["model", "rules", "model"],
            "applied": [True, True, False],
            "best_at_1": 1.0,
            "best_at_k": 1.0,
        },
        {"key": "b", "levels": [3], "generators": ["rules"], "applied": [True], "best_at_1": 1.0, "best_at_k": 1.0},
    ]
    s = summarize(rows, 3)
    assert (s["model_candidates"], s["model_applied"]) == (2, 0.5)
    assert summarize(rows[1:], 3)["model_applied"] is None


def test_the_rl_curve_from_the_shipped_training_log(tmp_path: Path) -> None:
    log = ROOT / "training" / "results" / "cpu" / "rrhf" / "log.jsonl"
    out = plots.rl_curve(log, tmp_path / "curve.png")
    assert out is not None and out.read_bytes().startswith(b"\x89PNG")
    empty = tmp_path / "log.jsonl"
    empty.write_text(json.dumps({"step": 1, "loss": 2.0}) + "\n")
    assert plots.rl_curve(empty, tmp_path / "none.png") is None

"""``perfopt bench`` on the shipped 5-program PIE sample: real g++, a tiny model, baselines, resuming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from perfopt.edits import TargetFormat
from perfopt.errors import ExitCode
from tests.commands.test_verify import assert_one_line_error, perfopt
from tests.generation.tiny import tiny_model

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "bench" / "data" / "sample.jsonl.xz"


def rows(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "rows.jsonl").read_text().splitlines()]


def test_the_model_on_the_five_program_sample(tmp_path: Path) -> None:
    # A context far shorter than the programs: every one must still get the model's candidates, by windows.
    model = tiny_model(tmp_path / "model", TargetFormat.LINES, n_positions=128)
    out = tmp_path / "out"
    proc = perfopt(
        "bench", SAMPLE, "--out", out, "--model", model, "--generators", "model", "-k", "2", "--timer", "instructions",
        "--workers", "2", "--training-log", ROOT / "training" / "results" / "cpu" / "rrhf" / "log.jsonl",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(rows(out)) == 5
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scored"] == 5 and summary["k"] == 2
    # Every program got the model's candidates (up to 2; identical programs are kept once).
    assert summary["not_generated"] == 0
    assert all("model" in row["generators"] for row in rows(out))
    # Random weights, but headers constrained to each window's lines: some of their edits apply.
    assert 0.0 < summary["model_applied"] <= 1.0
    assert summary["reference_programs"] == 5 and summary["reference_mean_speedup"] > 1.1
    assert "| system | programs | not generated | model %applied | %compiled@k |" in proc.stdout
    for png in ("speedups.png", "vs_reference.png", "rl_curve.png"):
        assert (out / png).read_bytes().startswith(b"\x89PNG")


def test_baselines_and_other_systems_are_scored_the_same_way(tmp_path: Path) -> None:
    identity = perfopt("bench", SAMPLE, "--out", tmp_path / "id", "--baseline", "identity", "--limit", "3")
    assert identity.returncode == 0, identity.stderr
    s = json.loads((tmp_path / "id" / "summary.json").read_text())
    assert (s["passed@k"], s["optimized@k"], s["best@k"], s["k"]) == (1.0, 0.0, 1.0, 1)
    # Another system's outputs: here, the human versions of the first three programs.
    from perfopt.benchmark import load_programs

    others = tmp_path / "others.jsonl"
    programs = load_programs(SAMPLE, 3)
    others.write_text(
        "".join(json.dumps({"src_code": p.src_code, "candidates": [p.tgt_code]}) + "\n" for p in programs)
    )
    proc = perfopt("bench", SAMPLE, "--out", tmp_path / "o", "--candidates-file", others, "--limit", "3",
                   "--timer", "instructions")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    scored = rows(tmp_path / "o")
    assert all(r["levels"] == [r["reference_level"]] for r in scored)
    assert [r["best_at_k"] for r in scored] == [
        r["reference_speedup"] if r["reference_level"] == 4 else 1.0 for r in scored
    ]


def test_a_run_resumes_and_refuses_to_mix_settings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert perfopt("bench", SAMPLE, "--out", out, "--baseline", "identity", "--limit", "2").returncode == 0
    first = rows(out)
    assert perfopt("bench", SAMPLE, "--out", out, "--baseline", "identity", "--limit", "3").returncode == 0
    assert rows(out)[:2] == first and len(rows(out)) == 3
    mixed = perfopt("bench", SAMPLE, "--out", out, "--baseline", "compiler", "--limit", "3")
    assert_one_line_error(mixed, ExitCode.USAGE, "holds a run with other settings")
    assert perfopt("bench", SAMPLE, "--out", out, "--baseline", "compiler", "--limit", "1", "--fresh").returncode == 0
    assert len(rows(out)) == 1


def test_bad_data_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"code": "int main(){}"}\n')
    assert_one_line_error(perfopt("bench", bad, "--out", tmp_path / "o"), ExitCode.BAD_INPUT, "needs src_code")
    assert_one_line_error(perfopt("bench", tmp_path / "none.jsonl"), ExitCode.BAD_INPUT, "no such file")

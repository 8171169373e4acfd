"""Scoring a candidate generator on PIE-format programs, with the metrics PIE and PerfRL report.

Each program (``src_code``, optional ``tgt_code``, ``problem_id``, tests inline
or from a tests file) gets k candidates, each graded R0-R4 by the reward model.
Per program: whether any candidate compiled, passed, was optimized; best@1 (the
first candidate's speedup) and best@k (the best of k), where anything but R4
counts as 1.0, as in PIE; and, given ``tgt_code``, the human reference's speedup
on the same machine and timer.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from perfopt.config import Config
from perfopt.errors import BadInputError, BaselineFailsError, NoTestsError
from perfopt.generation.interface import CandidateGenerator, UsesProfile
from perfopt.reward import Level, reward_model_for
from perfopt.reward.levels import rates
from perfopt.testsources.pie import read_rows


@dataclass(frozen=True)
class Program:
    key: str
    problem_id: str
    src_code: str
    tgt_code: str | None = None
    tests: tuple[dict[str, Any], ...] | None = None


def load_programs(path: Path, limit: int | None = None) -> list[Program]:
    out: list[Program] = []
    for i, row in enumerate(read_rows(path)):
        if "src_code" not in row or "problem_id" not in row:
            raise BadInputError(f"{path}: line {i + 1} needs src_code and problem_id (PIE format)")
        digest = hashlib.sha256(row["src_code"].encode()).hexdigest()[:12]
        tests = tuple(row["tests"]) if row.get("tests") else None
        out.append(
            Program(f"{row['problem_id']}-{digest}", row["problem_id"], row["src_code"], row.get("tgt_code"), tests)
        )
    return out[:limit]


def _speedup_if_r4(level: Level, speedup: float | None) -> float:
    return speedup if level == Level.FASTER and speedup else 1.0


class Bench:
    """Scores programs one at a time; several may run at once (generation is serialised)."""

    def __init__(self, generator: CandidateGenerator, k: int, config: Config, workdir: Path) -> None:
        self.generator, self.k, self.config, self.workdir = generator, k, config, workdir
        self._generate_lock = threading.Lock()

    def _config_for(self, program: Program) -> Config:
        if program.tests is None:
            return self.config.replace(problem_id=program.problem_id)
        tests = self.workdir / f"{program.key}.tests.jsonl"
        tests.write_text(json.dumps({"problem_id": program.problem_id, "tests": list(program.tests)}) + "\n")
        return self.config.replace(tests=tests, problem_id=program.problem_id)

    def score(self, program: Program) -> dict[str, Any]:
        row: dict[str, Any] = {"key": program.key, "problem_id": program.problem_id}
        target = self.workdir / f"{program.key}.cpp"
        try:
            reward = reward_model_for(self._config_for(program), target)
        except NoTestsError as e:
            return {**row, "error": str(e)}
        try:
            try:
                reward.check_original(program.src_code)
            except (BadInputError, BaselineFailsError) as e:
                return {**row, "error": str(e).splitlines()[0]}
            with self._generate_lock:
                try:
                    self.generator.check(program.src_code)
                    if isinstance(self.generator, UsesProfile):
                        # As perfopt suggest does: the model's windows are tried hottest first.
                        self.generator.use_profile(partial(reward.profile, program.src_code))
                    candidates = list(self.generator.generate(program.src_code, self.k))
                except BadInputError as e:
                    # Too long for the model: it counts, as no improvement (PIE averages over all programs).
                    row["note"] = str(e)
                    candidates = []
            verdicts = reward.grade(program.src_code, [c.program for c in candidates], [c.problem for c in candidates])
            speedups = [_speedup_if_r4(v.level, v.speedup) for v in verdicts]
            row.update(
                candidates=len(verdicts),
                # Which generator made each, and whether its output applied (an unusable one did not).
                generators=[c.generator for c in candidates],
                applied=[c.program is not None for c in candidates],
                levels=[int(v.level) for v in verdicts],
                reasons=[v.reason for v in verdicts],
                speedups=[v.speedup for v in verdicts],
                best_at_1=speedups[0] if speedups else 1.0,
                best_at_k=max(speedups, default=1.0),
            )
            if program.tgt_code is not None:
                ref = reward.verify(program.src_code, program.tgt_code)
                row.update(
                    reference_level=int(ref.level),
                    # The human version's own speedup when it is correct, slower or not; 1.0 when it fails.
                    reference_speedup=ref.speedup if ref.level >= Level.NOT_FASTER and ref.speedup else 1.0,
                )
            return row
        finally:
            reward.close()


def summarize(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    scored = [r for r in rows if "levels" in r]
    n = max(1, len(scored))
    candidates = rates([lvl for r in scored for lvl in r["levels"]])
    refs = [r["reference_speedup"] for r in scored if "reference_speedup" in r]
    model = [
        a for r in scored for g, a in zip(r.get("generators", []), r.get("applied", []), strict=True) if g == "model"
    ]
    return {
        "programs": len(rows),
        "scored": len(scored),
        "errors": len(rows) - len(scored),
        #: Scored as no improvement: the generator could not take them (no window: no function body).
        "not_generated": sum("note" in r for r in scored),
        "k": k,
        "compiled@k": sum(max(r["levels"], default=0) >= Level.RUNTIME_ERROR for r in scored) / n,
        "passed@k": sum(max(r["levels"], default=0) >= Level.NOT_FASTER for r in scored) / n,
        "optimized@k": sum(max(r["levels"], default=0) == Level.FASTER for r in scored) / n,
        "passed@1": sum(bool(r["levels"]) and r["levels"][0] >= Level.NOT_FASTER for r in scored) / n,
        "optimized@1": sum(bool(r["levels"]) and r["levels"][0] == Level.FASTER for r in scored) / n,
        # The model's candidates whose output applied to the program (line numbers in the window, search lines
        # found): the first thing a model must learn; None when the model made none.
        "model_candidates": len(model),
        "model_applied": sum(model) / len(model) if model else None,
        "candidates_compiled": candidates["compile"],
        "candidates_passed": candidates["pass"],
        "candidates_optimized": candidates["opt"],
        "best@1": sum(r["best_at_1"] for r in scored) / n,
        "best@k": sum(r["best_at_k"] for r in scored) / n,
        "reference_programs": len(refs),
        "reference_mean_speedup": sum(refs) / len(refs) if refs else None,
    }


def markdown_table(summary: dict[str, Any], label: str) -> str:
    def pct(key: str) -> str:
        return f"{100 * summary[key]:.1f}%"

    k = summary["k"]
    ref = summary["reference_mean_speedup"]
    reference = f"{ref:.3f} ({summary['reference_programs']} programs)" if ref else "n/a"
    applied = "n/a" if summary.get("model_applied") is None else f"{100 * summary['model_applied']:.1f}%"
    head = (
        "| system | programs | not generated | model %applied | %compiled@k | %passed@k | %opt@k | %opt@1 | best@1 "
        "| best@k (mean speedup) | human reference |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    return head + (
        f"| {label} (k={k}) | {summary['scored']} | {summary['not_generated']} | {applied} "
        f"| {pct('compiled@k')} | {pct('passed@k')} | {pct('optimized@k')} "
        f"| {pct('optimized@1')} | {summary['best@1']:.3f} | {summary['best@k']:.3f} "
        f"| {reference} |\n"
    )

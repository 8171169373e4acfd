"""``perfopt verify ORIGINAL CANDIDATE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfopt import config as configuration
from perfopt.report import verify_json, verify_text
from perfopt.reward import reward_model_for
from perfopt.sources import read_source


def run_verify(
    original: Path,
    candidate: Path,
    config_file: Path | None,
    flags: dict[str, Any],
    as_json: bool,
) -> tuple[dict[str, Any] | str, int]:
    """The report to print and the candidate's level (0-4)."""
    config = configuration.for_command(config_file, original, flags)
    max_kb = config.max_source_kb
    original_src = read_source(original, max_kb)
    candidate_src = read_source(candidate, max_kb)
    model = reward_model_for(config, original)
    try:
        verdict = model.verify(original_src, candidate_src)
        context = {
            "original": str(original),
            "candidate": str(candidate),
            "tests": model.harness.describe(),
            "sandbox": model.isolation,
        }
        report: dict[str, Any] | str
        report = verify_json(verdict, **context) if as_json else verify_text(verdict, **context)
        return report, int(verdict.level)
    finally:
        model.close()

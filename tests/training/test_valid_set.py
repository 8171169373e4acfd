"""The validation programs: one passing solution per held-out problem, in PIE's format."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from tests.training.test_tests_amplify import fake_shared
from training.data.valid_set import ValidSetConfig, run


def test_held_out_problems_get_one_passing_program(tmp_path: Path) -> None:
    shared = fake_shared(tmp_path / "shared")
    out = tmp_path / "valid.jsonl"
    config = ValidSetConfig(shared=shared, amplified=tmp_path / "none", pairs=tmp_path / "none", out=out)
    # Every problem held out.
    rows = run(replace(config, valid_percent=100))
    assert [r["problem_id"] for r in rows] == ["p99001"]
    assert rows[0]["split"] == "valid" and rows[0]["origin"].endswith("abc999_a_1_AC.cpp")  # accepted first
    assert [json.loads(line) for line in out.read_text().splitlines()] == rows
    # None held out.
    assert run(replace(config, valid_percent=0)) == []

"""The committed sample of the data engine's pairs: its shape, its splits, and 20 random pairs compiled anew."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from training.data.jsonl import read_jsonl
from training.data.problems import acl_headers
from training.data.programs import leaks
from training.data.tier_names import TIERS
from training.data.tiers import SyntaxChecker

SAMPLE = Path(__file__).resolve().parents[2] / "training" / "data" / "sample_pairs.jsonl.xz"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_sample_has_the_promised_fields_and_no_leak() -> None:
    rows = list(read_jsonl(SAMPLE))
    assert len(rows) >= 1_000
    for row in rows:
        assert {"slow", "fast", "origin", "source", "verified", "split", "problem"} <= set(row)
        assert row["rule"] or row["source"].startswith("mined")
        assert row["verified"] in TIERS[1:] and row["split"] in ("train", "valid")
        assert row["slow"] != row["fast"]
    assert leaks(rows) == set()


def test_twenty_random_sample_pairs_compile_on_both_sides(tmp_path: Path) -> None:
    rows = list(read_jsonl(SAMPLE))
    if not SHARED.exists():
        # The AtCoder Library some solutions include comes from the corpus.
        rows = [r for r in rows if "atcoder/" not in r["fast"]]
        if not rows:
            pytest.skip("../shared/data is not here, and every sampled pair needs its AtCoder Library headers")
    include = [acl_headers(SHARED, tmp_path / "acl")] if SHARED.exists() else []
    checker = SyntaxChecker(["-std=gnu++20", "-O2"], tmp_path, include)
    # A new draw every run: over many runs, every committed pair gets compiled by somebody.
    drawn = random.Random().sample(rows, min(20, len(rows)))
    for row in drawn:
        for side in ("fast", "slow"):
            assert checker.error(row[side]) is None, (row["origin"], side)
    shutil.rmtree(tmp_path / "pch")

"""Pair building on the tiny fake shared folder: with amplified tests, mining and synthesis find real speedups."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

from perfopt.testgen.amplify import AmplifyConfig
from tests.training.test_tests_amplify import fake_shared
from training.data.pairs import PairsConfig, run, split_of
from training.tests_amplify import TestsAmplifyConfig
from training.tests_amplify import run as amplify


def test_split_is_stable_and_by_problem() -> None:
    assert split_of("p00001", 10) == split_of("p00001", 10)
    splits = [split_of(f"p{i:05d}", 10) for i in range(1000)]
    assert 50 < splits.count("valid") < 150


def test_pairs_from_amplified_tests(tmp_path: Path) -> None:
    shared = fake_shared(tmp_path / "shared")
    amplified = tmp_path / "amplified.jsonl.xz"
    amplify(
        TestsAmplifyConfig(
            shared=shared,
            out=amplified,
            report=tmp_path / "A.md",
            work=tmp_path / "work",
            amplify=AmplifyConfig(scales=(10, 1000, 20_000), tries_per_scale=1, keep=2, jobs=1),
        )
    )
    config = PairsConfig(shared=shared, amplified=amplified, out=tmp_path / "pairs.jsonl.xz", report=tmp_path / "P.md")
    pairs = run(config)
    sources = {p["source"] for p in pairs}
    assert "mined" in sources  # cin/endl vs scanf, measurable only on the amplified inputs
    assert any(s.startswith("synthetic:sync_stdio") for s in sources)
    for p in pairs:
        assert p["verified"]["speedup"] >= 1.10
        assert "amplified" in p["verified"]["tests"]
    # The WA submission never appears: it fails the tests.
    assert all("n > 20" not in p["slow"] + p["fast"] for p in pairs)
    with lzma.open(config.out, "rt") as f:
        stored = [json.loads(line) for line in f]
    assert len(stored) == len(pairs)
    assert "pairs:" in config.report.read_text()

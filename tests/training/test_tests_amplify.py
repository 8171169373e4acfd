"""The amplification stage end to end on a tiny fake shared-data folder, and the mapping on the real one."""

from __future__ import annotations

import csv
import json
import lzma
from pathlib import Path

import pytest

from perfopt.testgen.amplify import AmplifyConfig
from perfopt.testsources.pie import load_all
from tests.testgen.test_amplify import BUGGY, FAST, FAST2, SLOW
from training.data.problems import atcoder_tasks, mine
from training.tests_amplify import TestsAmplifyConfig, resolution, run

REAL_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def fake_shared(root: Path) -> Path:
    (root / "pie").mkdir(parents=True)
    (root / "cpp-corpus").mkdir()
    with (root / "pie" / "problem_list.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "dataset", "time_limit", "memory_limit", "rating", "tags", "complexity"])
        w.writerow(["p99001", "AtCoder Beginner Contest 999 - Running Sums", "AtCoder", 2000, 1048576, "", "", ""])
    (root / "pie" / "atcoder_problems.json").write_text(
        json.dumps([{"id": "abc999_a", "contest_id": "abc999", "problem_index": "A", "name": "Running Sums"}])
    )
    tests = {"problem_id": "p99001", "tests": [{"input": "5\n1 2 3 4 5\n", "output": "1\n3\n6\n10\n15\n"}]}
    (root / "pie" / "public_tests.jsonl.xz").write_bytes(lzma.compress((json.dumps(tests) + "\n").encode()))
    files = [("abc999_a_1_AC.cpp", SLOW), ("abc999_a_2_AC.cpp", FAST), ("abc999_a_3_TLE.cpp", FAST2)]
    files.append(("abc999_a_4_WA.cpp", BUGGY))
    rows = [
        {"repo": "someone/atcoder", "path": f"abc999/{name}", "license": "MIT", "code": code} for name, code in files
    ]
    rows.append({"repo": "atcoder/ac-library", "path": "atcoder/dsu.hpp", "license": "CC0", "code": "// dsu\n"})
    corpus = "".join(json.dumps(r) + "\n" for r in rows)
    (root / "cpp-corpus" / "corpus.jsonl.xz").write_bytes(lzma.compress(corpus.encode()))
    return root


def test_stage_amplifies_and_reports(tmp_path: Path) -> None:
    shared = fake_shared(tmp_path / "shared")
    config = TestsAmplifyConfig(
        shared=shared,
        out=tmp_path / "out" / "amplified.jsonl.xz",
        report=tmp_path / "out" / "AMPLIFIED.md",
        work=tmp_path / "work",
        amplify=AmplifyConfig(scales=(10, 1000), tries_per_scale=2, keep=2, jobs=1),
        resolution_sample=1,
    )
    run(config)
    tests = load_all(config.out)["p99001"]
    origins = [t["origin"] for t in tests]
    assert origins.count("original") == 1 and origins.count("amplified") == 2
    # The WA submission is no oracle: three AC/TLE solutions agreed.
    assert all(t["oracles"] == 3 for t in tests if t["origin"] == "amplified")
    # Resumable: a second run does nothing new.
    lines_before = (config.work / "results.jsonl").read_text()
    run(config)
    assert (config.work / "results.jsonl").read_text() == lines_before
    summary = resolution(config)
    assert summary["problems"] == 1
    assert summary["median_spread_amplified"] > summary["median_spread_original"]
    report = config.report.read_text()
    assert "problems that got amplified tests: 1" in report
    assert "| p99001 | 3 |" in report


@pytest.mark.skipif(not REAL_SHARED.exists(), reason="../shared/data is not on this machine")
def test_real_corpus_maps_to_problems_with_tests() -> None:
    tasks = atcoder_tasks(REAL_SHARED)
    assert len(tasks) > 1200
    mined = mine(REAL_SHARED)
    with_tests = set(load_all(REAL_SHARED / "pie" / "public_tests.jsonl.xz"))
    assert sum(len(v) for k, v in mined.items() if k in with_tests) > 500

"""The build's checking stages: syntax checks and test runs, cached so that a stopped run resumes.

Each checked code is remembered by its hash in an append-only file under ``out``; a pair's tier is settled
from those results in the report stage. The order in which pairs are checked puts a sample of every rule
family first, round-robin, so that even a run cut short by its budget measures every family's soundness.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from perfopt.reward.harness import IOHarness
from perfopt.sandbox import Limits, Sandbox
from perfopt.testsources.pie import PieTests, load_all
from perfopt.timing import CostTimer, weights
from training.data.build_config import BuildConfig
from training.data.jsonl import read_jsonl, write_jsonl
from training.data.problems import acl_headers, oracle_compiler
from training.data.synthetic import family
from training.data.tiers import Judged, SyntaxChecker, code_key, judge


def pair_id(pair: dict[str, Any]) -> str:
    return hashlib.sha256(f"{pair['slow']}\0{pair['fast']}".encode()).hexdigest()[:16]


def judged_key(problem_id: str, code: str) -> str:
    return f"{problem_id}:{code_key(code)}"


def add_seconds(out: Path, stage: str, seconds: float) -> None:
    """Accumulate a stage's seconds over resumed runs: the build time PAIRS.md reports."""
    path = out / "timings.json"
    timings = json.loads(path.read_text()) if path.exists() else {}
    timings[stage] = round(timings.get(stage, 0.0) + seconds, 1)
    path.write_text(json.dumps(timings, indent=1))


class Results:
    """An append-only ``key -> result`` file: what a stopped run checked is not checked again.

    ``kept``, when given, is a committed xz copy that outlives the machine: its results are read first (the
    local file's win), and ``keep`` rewrites it with all of them."""

    def __init__(self, path: Path, kept: Path | None = None) -> None:
        self.path = path
        self.kept = kept
        self.known: dict[str, Any] = {}
        if kept is not None and kept.exists():
            self.known.update((row["key"], row["result"]) for row in read_jsonl(kept))
        if path.exists():
            for line in path.read_text().splitlines():
                if line.strip():
                    row = json.loads(line)
                    self.known[row["key"]] = row["result"]

    def keep(self) -> None:
        if self.kept is not None and self.known:
            write_jsonl(self.kept, [{"key": k, "result": v} for k, v in sorted(self.known.items())])

    def add(self, key: str, result: Any) -> None:
        self.known[key] = result
        with self.path.open("a") as f:
            f.write(json.dumps({"key": key, "result": result}) + "\n")


def stored_results(config: BuildConfig, name: str) -> Results:
    """The ``compiled`` or ``tested`` results of this build, with the committed ones of earlier machines."""
    kept = config.checked / f"{name}.jsonl.xz" if config.checked is not None else None
    return Results(config.out / f"{name}.jsonl", kept)


def soundness_sample(pairs: list[dict[str, Any]], per_family: int, seed: int) -> list[dict[str, Any]]:
    """Up to ``per_family`` synthetic pairs of each family, interleaved across families."""
    by_family: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in sorted((p for p in pairs if p["source"] == "synthetic"), key=lambda p: p["id"]):
        by_family[family(pair["rule"])].append(pair)
    rng = random.Random(seed)
    drawn = [rng.sample(group, min(per_family, len(group))) for _, group in sorted(by_family.items())]
    return list(_interleave(drawn))


def _interleave(groups: list[list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for i in range(max(map(len, groups), default=0)):
        yield from (g[i] for g in groups if i < len(g))


def check_order(pairs: list[dict[str, Any]], config: BuildConfig) -> list[dict[str, Any]]:
    """The soundness sample first, then every other pair in the set's own (random, fixed) order."""
    first = soundness_sample(pairs, config.soundness_per_family, config.seed)
    chosen = {p["id"] for p in first}
    return first + [p for p in pairs if p["id"] not in chosen]


def _within_budget(items: Iterable[Any], seconds: float) -> Iterator[Any]:
    deadline = time.monotonic() + seconds
    for item in items:
        if time.monotonic() > deadline:
            print(f"budget of {seconds:g} s spent: a later run goes on from here", flush=True)
            return
        yield item


def _pairs(config: BuildConfig) -> list[dict[str, Any]]:
    return list(read_jsonl(config.out / "pairs.jsonl.xz"))


def compile_stage(config: BuildConfig) -> None:
    start = time.monotonic()
    results = stored_results(config, "compiled")
    work = config.out / "work"
    include = acl_headers(config.shared, work / "acl") if config.shared.exists() else work
    checker = SyntaxChecker(config.flags, work, [include])
    todo: list[str] = []
    seen: set[str] = set(results.known)
    for pair in check_order(_pairs(config), config):
        for code in (pair["fast"], pair["slow"]):
            if (key := code_key(code)) not in seen:
                seen.add(key)
                todo.append(code)
    print(f"{len(todo)} sources to check, {len(results.known)} checked before", flush=True)

    def one(code: str) -> tuple[str, str | None]:
        return code_key(code), checker.error(code)

    try:
        _run(one, _within_budget(todo, config.compile_budget_s), config.jobs, results.add)
    finally:
        results.keep()  # a stopped run's checks outlive the machine too
        # Counted when stopped as well: PAIRS.md's seconds per check divides by every check this machine made.
        add_seconds(config.out, "compile", time.monotonic() - start)


def _run(
    work: Callable[[Any], tuple[str, Any]], items: Iterable[Any], jobs: int, done: Callable[[str, Any], None]
) -> None:
    count = 0
    items = iter(items)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # Batches taken from the budgeted iterator one at a time: its deadline is checked between them.
        while batch := list(islice(items, 8 * jobs)):
            for key, result in pool.map(work, batch):
                done(key, result)
            count += len(batch)
            print(f"checked {count}", flush=True)


def test_stage(config: BuildConfig) -> None:
    """Judge both sides of every pair whose program maps to a CodeNet problem with tests."""
    start = time.monotonic()
    public = config.shared / "pie" / "public_tests.jsonl.xz"
    if not public.exists():
        print(f"no tests at {public}: nothing to judge", flush=True)
        return
    tests = load_all(public)
    amplified_path = Path("training/data/amplified_tests.jsonl.xz")
    amplified = load_all(amplified_path) if amplified_path.exists() else {}
    results = stored_results(config, "tested")
    todo = [p for p in check_order(_pairs(config), config) if p.get("problem_id") in tests and p["verified"] != "timed"]
    sandbox = Sandbox()
    compiler = oracle_compiler(config.shared, config.flags, sandbox)
    limits = Limits(cpu_seconds=2.0, wall_seconds=8.0)
    timer = CostTimer(sandbox, limits, weights.builtin())
    print(f"{len(todo)} pairs have tests", flush=True)

    def one(pair: dict[str, Any]) -> tuple[str, Any]:
        problem = pair["problem_id"]
        files = [amplified_path, public] if problem in amplified else [public]
        harness = IOHarness(PieTests(files, problem), compiler, sandbox, limits)
        judged: dict[str, Any] = {}
        try:
            for side in ("fast", "slow"):
                key = judged_key(problem, pair[side])
                known = results.known.get(key)
                result = Judged(**known) if known is not None else judge(harness, timer, pair[side])
                judged[key] = vars(result)
                if not result.passed:
                    break  # a failing original says nothing of the rule: its slow side is not run
        finally:
            harness.close()
        return pair["id"], judged

    def done(pid: str, judged: dict[str, Any]) -> None:
        for key, result in judged.items():
            if key not in results.known:
                results.add(key, result)

    fresh = (p for p in todo if any(judged_key(p["problem_id"], p[s]) not in results.known for s in ("fast", "slow")))
    try:
        _run(one, _within_budget(fresh, config.test_budget_s), 1, done)
    finally:
        results.keep()
        add_seconds(config.out, "test", time.monotonic() - start)

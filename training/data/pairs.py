"""Stage: build (slow, fast) training pairs, by mining and by synthesis, judged by the tests.

    python -m training.data.pairs [--config pairs.toml] [--limit N]

For every problem with tests (amplified ones first, when built), each mined
solution is compiled, checked and timed with perfopt's own harness and timer:

- mined: two passing solutions of one problem whose instruction counts differ
  by at least ``min_speedup`` make a pair, slower to faster, as PIE paired
  submissions;
- synthetic: a passing solution de-optimised by a meaning-preserving rule
  (:mod:`training.data.synthesize`) that still passes and is measurably slower
  makes a pair, de-optimised to original.

Every pair records how it was verified; the split is by problem.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perfopt.reward.harness import IOHarness
from perfopt.sandbox import Limits, Sandbox
from perfopt.testsources.pie import PieTests, load_all
from perfopt.timing import CostTimer, Invocation, weights
from training.config import SHARED, apply_toml
from training.data.problems import Solution, mine, oracle_compiler
from training.data.synthesize import deoptimize


@dataclass(frozen=True)
class PairsConfig:
    shared: Path = SHARED
    #: Amplified tests from training.tests_amplify; used first where a problem has them.
    amplified: Path = Path("training/data/amplified_tests.jsonl.xz")
    out: Path = Path("training/data/pairs.jsonl.xz")
    report: Path = Path("training/data/TESTED_PAIRS.md")
    min_speedup: float = 1.10
    max_solutions: int = 4
    #: Mined pairs kept per problem: each slower solution paired with the fastest.
    max_mined_per_problem: int = 4
    valid_percent: int = 10
    limit: int | None = None
    jobs: int = 2
    flags: list[str] = field(default_factory=lambda: ["-std=gnu++20", "-O2"])
    time_limit: float = 2.0


@dataclass
class Timed:
    solution: Solution
    code: str
    instructions: int


def split_of(problem_id: str, valid_percent: int) -> str:
    """Stable, by problem: a problem's programs never sit on both sides."""
    bucket = int(hashlib.sha256(problem_id.encode()).hexdigest(), 16) % 100
    return "valid" if bucket < valid_percent else "train"


class Bench:
    """Compile, check and cost a program with the reward model's own harness and timer."""

    def __init__(self, harness: IOHarness, timer: CostTimer) -> None:
        self.harness, self.timer = harness, timer

    def measure(self, code: str) -> int | None:
        """Instructions on the largest test input, for a program that passes every test; else None.

        Counting every test under valgrind made a full run take hours; the small
        tests are dominated by start-up and add little but cost.
        """
        build = self.harness.build(code)
        try:
            if not build.ok or self.harness.check(build).failed is not None:
                return None
            largest = max(self.harness.invocations(build), key=input_size)
            # Instructions plus weighted system calls: an I/O pair is as visible as a CPU one.
            return round(self.timer.cost(largest))
        finally:
            self.harness.release(build)


def input_size(invocation: Invocation) -> int:
    return invocation.stdin.stat().st_size if invocation.stdin is not None else 0


def problem_pairs(
    problem_id: str, solutions: list[Solution], bench: Bench, config: PairsConfig, tests: str
) -> list[dict[str, Any]]:
    timed: list[Timed] = []
    seen: set[str] = set()
    for s in solutions:
        if s.code in seen or len(timed) >= config.max_solutions:
            continue
        seen.add(s.code)
        count = bench.measure(s.code)
        if count is not None:
            timed.append(Timed(s, s.code, count))
    pairs: list[dict[str, Any]] = []
    split = split_of(problem_id, config.valid_percent)

    def pair(slow: str, fast: str, source: str, a: int, b: int, origin: str) -> dict[str, Any]:
        return {
            "problem_id": problem_id,
            "slow": slow,
            "fast": fast,
            "source": source,
            "split": split,
            "verified": {
                "tests": tests,
                "timer": "cost (instructions plus weighted system calls, built-in weights) on the largest test",
                "slow": a,
                "fast": b,
                "speedup": round(a / b, 4),
            },
            "origin": origin,
        }

    if len(timed) >= 2:
        fastest = min(timed, key=lambda t: t.instructions)
        slower = sorted((t for t in timed if t is not fastest), key=lambda t: -t.instructions)
        for t in slower[: config.max_mined_per_problem]:
            if t.instructions >= config.min_speedup * fastest.instructions:
                origin = f"{t.solution.repo}:{t.solution.path} -> {fastest.solution.repo}:{fastest.solution.path}"
                pairs.append(pair(t.code, fastest.code, "mined", t.instructions, fastest.instructions, origin))
    for t in timed:
        for rule, slow_code in deoptimize(t.code).items():
            count = bench.measure(slow_code)
            if count is not None and count >= config.min_speedup * t.instructions:
                origin = f"{t.solution.repo}:{t.solution.path}"
                pairs.append(pair(slow_code, t.code, f"synthetic:{rule}", count, t.instructions, origin))
    return pairs


def run(config: PairsConfig, assemble_only: bool = False) -> list[dict[str, Any]]:
    public = config.shared / "pie" / "public_tests.jsonl.xz"
    tests = load_all(public)
    amplified = load_all(config.amplified) if config.amplified.exists() else {}
    mined = {p: s for p, s in sorted(mine(config.shared).items()) if p in tests}
    if config.limit is not None:
        mined = dict(list(mined.items())[: config.limit])
    sandbox = Sandbox()
    compiler = oracle_compiler(config.shared, config.flags, sandbox)
    limits = Limits(cpu_seconds=config.time_limit, wall_seconds=config.time_limit * 3 + 2)
    timer = CostTimer(sandbox, limits, weights.builtin())
    lock = threading.Lock()
    # Each problem's pairs are appended as it finishes, so that a rerun resumes where one stopped.
    partial = config.out.with_suffix(".partial.jsonl")
    partial.parent.mkdir(parents=True, exist_ok=True)
    done: dict[str, list[dict[str, Any]]] = {}
    if partial.exists():
        for line in partial.read_text().splitlines():
            row = json.loads(line)
            done[row["problem_id"]] = row["pairs"]
    pairs: list[dict[str, Any]] = [p for found in done.values() for p in found]
    stats: Counter[str] = Counter(problems=len(done), **{"problems with pairs": sum(map(bool, done.values()))})

    def one(item: tuple[str, list[Solution]]) -> None:
        problem_id, solutions = item
        source = PieTests([config.amplified, public] if problem_id in amplified else [public], problem_id)
        harness = IOHarness(source, compiler, sandbox, limits)
        try:
            found = problem_pairs(problem_id, solutions, Bench(harness, timer), config, source.describe())
        finally:
            harness.close()
        with lock:
            with partial.open("a") as f:
                f.write(json.dumps({"problem_id": problem_id, "pairs": found}) + "\n")
            pairs.extend(found)
            stats["problems"] += 1
            stats["problems with pairs"] += bool(found)
            print(f"{problem_id}: {len(found)} pairs", flush=True)

    stats["problems available"] = len(mined)
    if not assemble_only:
        with ThreadPoolExecutor(max_workers=config.jobs) as pool:
            list(pool.map(one, [item for item in mined.items() if item[0] not in done]))
    pairs.sort(key=lambda p: (p["problem_id"], p["source"], p["verified"]["speedup"]))
    config.out.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(config.out, "wt", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p) + "\n")
    write_report(config, pairs, stats)
    if stats["problems"] == len(mined):
        partial.unlink()
    return pairs


def write_report(config: PairsConfig, pairs: list[dict[str, Any]], stats: Counter[str]) -> None:
    by_source = Counter(p["source"].split(":")[0] for p in pairs)
    by_rule = Counter(p["source"] for p in pairs if p["source"].startswith("synthetic"))
    by_split = Counter(p["split"] for p in pairs)
    lines = [
        "# Training pairs",
        "",
        "Made by `python -m training.data.pairs`; every pair passed the problem's tests (amplified ones where built)",
        f"and is at least {config.min_speedup}x slower on the slow side by instruction count (valgrind) on the",
        "problem's largest test input.",
        "",
        f"- problems tried: {stats['problems']} of {stats['problems available']} with tests and mined solutions;"
        f" with at least one pair: {stats['problems with pairs']}",
        f"- pairs: {len(pairs)} ({', '.join(f'{k}: {v}' for k, v in sorted(by_source.items()))})",
        f"- synthetic by rule: {', '.join(f'{k}: {v}' for k, v in sorted(by_rule.items())) or 'none'}",
        f"- split by problem: {', '.join(f'{k}: {v}' for k, v in sorted(by_split.items()))}",
    ]
    config.report.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument(
        "--assemble-only", action="store_true", help="write the pairs found so far (by a stopped run) without running"
    )
    args = parser.parse_args(argv)
    config = apply_toml(PairsConfig(), args.config)
    if args.limit is not None:
        config = replace(config, limit=args.limit)
    run(config, args.assemble_only)


if __name__ == "__main__":
    main()

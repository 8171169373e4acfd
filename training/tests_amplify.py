"""Stage: amplify the shared PIE tests wherever the corpus holds at least two oracles.

    python -m training.tests_amplify [--config amplify.toml] [--limit N] [--problems p1,p2]

Resumable: each finished problem is appended to ``work/results.jsonl``; a rerun
skips those. The result is ``out`` (PIE format, original plus amplified tests,
each tagged with its origin) and ``report`` (a markdown table per problem).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from perfopt.reward.harness import IOHarness
from perfopt.sandbox import Limits, Sandbox
from perfopt.testgen.amplify import AmplifyConfig, amplify_problem
from perfopt.testsources.interface import TestCase
from perfopt.testsources.memory import InMemoryTests
from perfopt.testsources.pie import PieTests, load_all, write_pie
from perfopt.timing import InstructionTimer, Invocation
from training.config import apply_toml
from training.data.problems import Solution, mine, oracle_compiler

ORACLE_VERDICTS = ("AC", "TLE")


@dataclass
class TestsAmplifyConfig:
    __test__ = False  # a config, not a pytest class

    shared: Path = Path("../shared/data")
    out: Path = Path("training/data/amplified_tests.jsonl.xz")
    report: Path = Path("training/data/AMPLIFIED.md")
    work: Path = Path(".cache/tests_amplify")
    max_oracles: int = 4
    limit: int | None = None
    problems: list[str] = field(default_factory=list)
    #: Problems amplified at once (each runs its oracles one after another).
    jobs: int = 2
    flags: list[str] = field(default_factory=lambda: ["-std=gnu++20", "-O2"])
    #: CPU seconds an oracle gets per input: the target is inputs of milliseconds to a second.
    time_limit: float = 1.0
    #: Problems whose instruction-count spread across oracles is measured for the report.
    resolution_sample: int = 25
    amplify: AmplifyConfig = field(
        default_factory=lambda: AmplifyConfig(keep=4, max_input_bytes=128 << 10, tries_per_scale=3, jobs=1)
    )


def oracle_candidates(solutions: list[Solution], most: int) -> list[Solution]:
    """AC first, then TLE (correct but slow); one per distinct source."""
    ranked = sorted((s for s in solutions if s.verdict in ORACLE_VERDICTS), key=lambda s: s.verdict != "AC")
    seen: set[str] = set()
    picked = []
    for s in ranked:
        if s.code not in seen:
            seen.add(s.code)
            picked.append(s)
    return picked[:most]


def spread(timer: InstructionTimer, runs: list[list[Invocation]]) -> float:
    """Largest over smallest instruction count among correct solutions: the speed differences a test set can show."""
    counts = [sum(timer.count(inv) for inv in invocations) for invocations in runs]
    low, high = min(counts, default=0), max(counts, default=0)
    return high / low if low else 1.0


def resolution(config: TestsAmplifyConfig) -> dict[str, Any]:
    """For a sample of amplified problems: the oracles' instruction-count spread on original vs amplified tests."""
    rows = [json.loads(line) for line in (config.work / "results.jsonl").read_text().splitlines() if line]
    rows = [r for r in rows if r["tests"]][: config.resolution_sample]
    tests_file = config.shared / "pie" / "public_tests.jsonl.xz"
    sandbox = Sandbox()
    compiler = oracle_compiler(config.shared, config.flags, sandbox)
    limits = Limits(cpu_seconds=config.time_limit, wall_seconds=config.time_limit * 3 + 2)
    timer = InstructionTimer(sandbox, limits)
    mined = {s.repo + ":" + s.path: s for sols in mine(config.shared).values() for s in sols}
    per_problem = []
    for row in rows:
        cases = [*PieTests(tests_file, row["problem_id"]).cases(), *_amplified_cases(row)]
        harness = IOHarness(InMemoryTests(cases, row["problem_id"]), compiler, sandbox, limits)
        builds = [harness.build(mined[name].code) for name in row["oracle_files"]]
        try:
            built = [b for b in builds if b.ok]
            if len(built) >= 2:
                measured = {}
                for kind in ("original", "amplified"):
                    runs = [
                        [inv for case, inv in zip(cases, harness.invocations(b), strict=True) if case.origin == kind]
                        for b in built
                    ]
                    measured[kind] = spread(timer, runs)
                per_problem.append({"problem_id": row["problem_id"], **measured})
        except Exception as e:  # a broken sample problem must not lose the others' numbers
            print(f"{row['problem_id']}: resolution skipped: {e}", file=sys.stderr)
        finally:
            for b in builds:
                harness.release(b)
            harness.close()
    summary = {
        "problems": len(per_problem),
        "median_spread_original": statistics.median(p["original"] for p in per_problem) if per_problem else None,
        "median_spread_amplified": statistics.median(p["amplified"] for p in per_problem) if per_problem else None,
        "per_problem": per_problem,
    }
    (config.work / "resolution.json").write_text(json.dumps(summary, indent=1))
    return summary


def _amplified_cases(row: dict[str, Any]) -> list[TestCase]:
    return [
        TestCase(f"a{i}", t["input"].encode(), t["output"].encode(), "amplified") for i, t in enumerate(row["tests"])
    ]


def run(config: TestsAmplifyConfig) -> None:
    tests_file = config.shared / "pie" / "public_tests.jsonl.xz"
    if not tests_file.exists():
        raise SystemExit(f"{tests_file} not found: this stage needs the shared data")
    config.work.mkdir(parents=True, exist_ok=True)
    sandbox = Sandbox()
    compiler = oracle_compiler(config.shared, config.flags, sandbox)
    limits = Limits(cpu_seconds=config.time_limit, wall_seconds=config.time_limit * 3 + 2)
    tests = load_all(tests_file)
    mined = mine(config.shared)
    todo = []
    for problem_id, solutions in sorted(mined.items()):
        if problem_id in tests and (not config.problems or problem_id in config.problems):
            oracles = oracle_candidates(solutions, config.max_oracles)
            if len(oracles) >= config.amplify.min_agree:
                todo.append((problem_id, oracles))
    if config.limit is not None:
        todo = todo[: config.limit]
    results_path = config.work / "results.jsonl"
    done = set()
    if results_path.exists():
        done = {json.loads(line)["problem_id"] for line in results_path.read_text().splitlines() if line}
    lock = threading.Lock()
    print(f"{len(todo)} problems with >= 2 oracle candidates; {len(done & {p for p, _ in todo})} already done")

    def one(item: tuple[str, list[Solution]]) -> None:
        problem_id, oracles = item
        if problem_id in done:
            return
        started = time.monotonic()
        cases = PieTests(tests_file, problem_id).cases()
        result = amplify_problem(
            problem_id, cases, [o.code for o in oracles], sandbox, compiler, limits, config.amplify
        )
        row: dict[str, Any] = {
            **result.report(),
            "seconds": round(time.monotonic() - started, 1),
            "oracle_files": [f"{o.repo}:{o.path}" for o in oracles],
            "tests": [
                {"input": c.input.decode(), "output": c.expected.decode(), "origin": c.origin, "oracles": n}
                for c, n in zip(result.kept, result.agreement, strict=True)
            ],
        }
        with lock, results_path.open("a") as f:
            f.write(json.dumps(row) + "\n")
        print(
            f"{problem_id}: {len(result.kept)} kept of {result.generated} ({row['seconds']} s) {result.note}",
            flush=True,
        )

    with ThreadPoolExecutor(max_workers=config.jobs) as pool:
        list(pool.map(one, todo))
    assemble(config, tests_file)


def assemble(config: TestsAmplifyConfig, tests_file: Path) -> None:
    """Write the PIE file and the report from the finished results."""
    rows = [json.loads(line) for line in (config.work / "results.jsonl").read_text().splitlines() if line]
    # Every problem, so that the file can stand in for the public one; amplified tests where made.
    problems: dict[str, list[TestCase]] = {
        p: PieTests(tests_file, p).cases() for p, tests in load_all(tests_file).items() if tests
    }
    extra: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if not row["tests"]:
            continue
        originals = problems[row["problem_id"]]
        problems[row["problem_id"]] = [*originals, *_amplified_cases(row)]
        extra[row["problem_id"]] = [{} for _ in originals] + [{"oracles": t["oracles"]} for t in row["tests"]]
    write_pie(config.out, problems, extra)
    write_report(config, rows)


def write_report(config: TestsAmplifyConfig, rows: list[dict[str, Any]]) -> None:
    amplified = [r for r in rows if r["kept"]]
    runtimes = [r["median_runtime_s"] for r in amplified if r["median_runtime_s"] is not None]
    lines = [
        "# Amplified tests",
        "",
        "Made by `python -m training.tests_amplify` (see its docstring); "
        f"config: `{json.dumps(asdict(config), default=str)}`.",
        "",
        f"- problems with at least two oracle candidates tried: {len(rows)}",
        f"- problems that got amplified tests: {len(amplified)}",
        f"- amplified tests kept: {sum(r['kept'] for r in rows)} of {sum(r['generated'] for r in rows)} generated",
        f"- median runtime of the fastest oracle on a kept test: {statistics.median(runtimes) * 1e3:.1f} ms"
        if runtimes
        else "- no runtimes",
    ]
    res_path = config.work / "resolution.json"
    if res_path.exists():
        res = json.loads(res_path.read_text())
        if res["problems"]:
            lines.append(
                f"- speedup resolution, as the median over {res['problems']} sampled problems of the largest/smallest "
                "instruction count among their correct solutions: "
                f"{res['median_spread_original']:.3f}x on the original tests, "
                f"{res['median_spread_amplified']:.3f}x on the amplified tests"
            )
            wide = {kind: sum(p[kind] >= 1.10 for p in res["per_problem"]) for kind in ("original", "amplified")}
            lines.append(
                f"- sampled problems whose correct solutions differ by at least 1.10x: {wide['original']} of "
                f"{res['problems']} on the original tests, {wide['amplified']} of {res['problems']} on the amplified"
            )
    lines += [
        "",
        "| problem | oracles | generated | kept | rejected | median runtime (ms) | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        rejected = ", ".join(f"{k}: {v}" for k, v in sorted(r["rejected"].items())) or "-"
        ms = f"{r['median_runtime_s'] * 1e3:.1f}" if r["median_runtime_s"] is not None else "-"
        lines.append(
            f"| {r['problem_id']} | {r['oracles']} | {r['generated']} | {r['kept']} | {rejected} | {ms} | {r['note']} |"
        )
    config.report.write_text("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--problems", help="comma-separated problem ids")
    parser.add_argument("--assemble-only", action="store_true", help="rewrite out and report from finished results")
    parser.add_argument("--resolution", action="store_true", help="measure the instruction-count spread, then report")
    args = parser.parse_args(argv)
    config = apply_toml(TestsAmplifyConfig(), args.config)
    if args.limit is not None:
        config = replace(config, limit=args.limit)
    if args.problems:
        config = replace(config, problems=args.problems.split(","))
    if args.resolution:
        resolution(config)
        assemble(config, config.shared / "pie" / "public_tests.jsonl.xz")
    elif args.assemble_only:
        assemble(config, config.shared / "pie" / "public_tests.jsonl.xz")
    else:
        run(config)


if __name__ == "__main__":
    main()

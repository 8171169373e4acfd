"""Amplify one problem's tests: generate bigger inputs, keep those the oracles agree on.

An oracle is a solution that passes the original tests. A generated input is
kept only when at least ``min_agree`` oracles print the same answer (by the
reward model's own judge), without error, inside the limits, and no other
answer has as many votes. The agreed answer becomes the expected output.
"""

from __future__ import annotations

import random
import shutil
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from perfopt.reward.compiler import Compiler
from perfopt.reward.harness import Build, IOHarness
from perfopt.reward.judge import compare
from perfopt.sandbox import Limits, Outcome, RunResult, Sandbox
from perfopt.testgen.structure import Structure, generate, infer
from perfopt.testsources.interface import TestCase
from perfopt.testsources.memory import InMemoryTests

_SLOW = (Outcome.CPU_LIMIT, Outcome.TIMEOUT)


@dataclass(frozen=True)
class AmplifyConfig:
    #: Count multipliers to try, smallest first; climbing stops once inputs get too slow.
    scales: tuple[float, ...] = (10, 100, 1_000, 10_000, 100_000)
    #: Inputs generated per scale.
    tries_per_scale: int = 3
    #: Amplified tests to keep per problem, largest first.
    keep: int = 6
    min_agree: int = 2
    #: Counts never exceed this (typical CodeNet limits are 1e5 to 2e5).
    max_count: int = 200_000
    #: Stop climbing once the fastest oracle needs this long on an input.
    slow_seconds: float = 1.0
    #: Generated inputs larger than this are not kept (repository and RL-speed budget).
    max_input_bytes: int = 4 << 20
    seed: int = 0
    jobs: int = 2
    #: Climb by the oracles' CPU seconds rather than wall seconds (the user side's budget is CPU time).
    cpu_time: bool = False
    #: Inputs on which the fastest oracle takes longer than this are not kept (None: no ceiling); with a
    #: ceiling, runs stopped by a time limit count as too slow rather than as failures (the caller sets
    #: the limits near the ceiling, so that too big an input costs little).
    max_seconds: float | None = None
    #: Sizes by this instead of the oracles' measured seconds: an input's file to its (estimated) seconds.
    #: A deterministic timer passes one, so that the same inputs are kept however loaded the machine is.
    measure: Callable[[Path], float] | None = None


@dataclass
class Amplified:
    problem_id: str
    oracles: int
    generated: int = 0
    kept: list[TestCase] = field(default_factory=list)
    agreement: list[int] = field(default_factory=list)
    runtimes: list[float] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)
    note: str = ""

    def report(self) -> dict[str, object]:
        return {
            "problem_id": self.problem_id,
            "oracles": self.oracles,
            "generated": self.generated,
            "kept": len(self.kept),
            "rejected": dict(self.rejected),
            "median_runtime_s": round(statistics.median(self.runtimes), 6) if self.runtimes else None,
            "note": self.note,
        }


def verdict_of(runs: Sequence[RunResult], min_agree: int, tol: float | None) -> tuple[bytes | None, int, str]:
    """The agreed output, how many oracles gave it, and why not if none."""
    good = [r for r in runs if r.ok]
    if len(good) < min_agree:
        if not good:
            return None, 0, "every oracle failed"
        return None, len(good), "too few oracles ran cleanly"
    groups: list[list[RunResult]] = []
    for r in good:
        for g in groups:
            if compare(r.stdout, g[0].stdout, tol) is None:
                g.append(r)
                break
        else:
            groups.append([r])
    groups.sort(key=len, reverse=True)
    best = groups[0]
    if len(best) < min_agree or (len(groups) > 1 and len(groups[1]) == len(best)):
        return None, len(best), "oracles disagree"
    return best[0].stdout, len(best), ""


def amplify_problem(
    problem_id: str,
    cases: Sequence[TestCase],
    oracle_sources: Sequence[str],
    sandbox: Sandbox,
    compiler: Compiler,
    limits: Limits,
    config: AmplifyConfig = AmplifyConfig(),
    float_tolerance: float | None = None,
) -> Amplified:
    """Generate, judge and keep amplified tests for one problem."""
    # The reward model's own harness decides who is an oracle: compiles and passes the originals.
    harness = IOHarness(InMemoryTests(cases, problem_id), compiler, sandbox, limits, float_tolerance)
    builds: list[Build] = []
    binaries: list[Path] = []
    try:
        for source in oracle_sources:
            build = harness.build(source)
            builds.append(build)
            if build.ok and build.artifact is not None and harness.check(build).failed is None:
                binaries.append(build.artifact)
        result = Amplified(problem_id, oracles=len(binaries))
        if len(binaries) < config.min_agree:
            result.note = f"only {len(binaries)} oracle(s) pass the original tests"
            return result
        structure = infer([c.input.decode("utf-8", "replace") for c in cases])
        if structure is None:
            result.note = "no input structure recognised"
            return result
        climb(result, structure, binaries, sandbox, limits, config, float_tolerance)
        return result
    finally:
        for build in builds:
            harness.release(build)
        harness.close()


def climb(
    result: Amplified,
    structure: Structure,
    binaries: Sequence[Path],
    sandbox: Sandbox,
    limits: Limits,
    config: AmplifyConfig,
    tol: float | None,
) -> None:
    """Generate inputs at growing scales, keep those the oracles agree on (``result.kept``), largest first.

    Training passes independent solutions; the user side passes the original twice.
    """
    rng = random.Random(f"{config.seed}:{result.problem_id}")
    folder = sandbox.make_workdir("perfopt-amplify-")
    seen: set[str] = set()
    candidates: list[tuple[float, TestCase, int]] = []
    try:
        with ThreadPoolExecutor(max_workers=config.jobs) as pool:
            for scale in config.scales:
                slowest_fastest = 0.0
                kept_here = 0
                for attempt in range(config.tries_per_scale):
                    text = generate(structure, scale, rng, config.max_count)
                    if text in seen:
                        continue
                    seen.add(text)
                    result.generated += 1
                    if len(text) > config.max_input_bytes:
                        result.rejected["input too large"] += 1
                        continue
                    stdin = folder / f"{scale:g}-{attempt}.in"
                    stdin.write_text(text)
                    stdin.chmod(0o644)
                    runs = list(pool.map(lambda b, f=stdin: sandbox.run([str(b)], limits, stdin=f), binaries))
                    if config.max_seconds is not None and any(r.outcome in _SLOW for r in runs):
                        # Stopped by a limit set near the time budget: too big, not a failure.
                        result.rejected["too slow"] += 1
                        continue
                    output, agreeing, why = verdict_of(runs, config.min_agree, tol)
                    if output is None:
                        result.rejected[why] += 1
                        continue
                    if config.measure is not None:
                        fastest = config.measure(stdin)
                    else:
                        fastest = min(r.cpu_seconds if config.cpu_time else r.wall_seconds for r in runs if r.ok)
                    slowest_fastest = max(slowest_fastest, fastest)
                    if config.max_seconds is not None and fastest > config.max_seconds:
                        result.rejected["too slow"] += 1
                        continue
                    name = f"amplified-{scale:g}-{attempt}"
                    candidates.append((fastest, TestCase(name, text.encode(), output, "amplified"), agreeing))
                    kept_here += 1
                # Too slow already, or nothing survives at this size: larger inputs only cost time.
                if slowest_fastest >= config.slow_seconds or kept_here == 0:
                    break
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # The largest inputs are the ones that make speed differences measurable.
    candidates.sort(key=lambda c: c[0], reverse=True)
    for runtime, case, agreeing in candidates[: config.keep]:
        result.kept.append(case)
        result.agreement.append(agreeing)
        result.runtimes.append(runtime)

"""Mined pairs from Library Checker: a problem's naive solution -> its correct one, tested on generated inputs.

yosupo06/library-checker-problems keeps, per problem, input generators (``gen/*.cpp``, run upstream as
``./gen <case index>``), the reference solution ``sol/correct.cpp`` and often a slow but sound
``sol/naive.cpp``. A pair is made when both finish on at least two generated inputs with the same output
(trailing blanks aside); it is "timed" when the naive one costs at least 1.10x the correct one on the
largest of them by perfopt's cost timer, else "tested".

Upstream's sizes (N up to 500,000) are far beyond what a naive solution finishes in, and the real params.h
is not in the corpus anyway: the stand-in (:mod:`training.data.library_checker_headers`) sets every size
by one scale, tried from large to small until a scale gives a pair, or a timed one where the naive side gave
up on the larger inputs of a scale (too slow, or it declines them) and so was timed on a small one only.

    python -m training.data.library_checker [--out /tmp/lc-pairs.jsonl] [--work /tmp/lc-work] [--budget-s 1500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import shutil
import threading
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfopt.reward.compiler import Compiler
from perfopt.sandbox import Limits, Outcome, RunResult, Sandbox
from perfopt.timing import CostTimer, Invocation, TimingError, weights
from training.config import SHARED
from training.data.jsonl import write_jsonl
from training.data.library_checker_headers import REPO, Sources, constants, params_h
from training.data.pairs import split_of
from training.data.problems import corpus
from training.data.synthetic import lines_changed

#: Sizes tried, largest first: large enough that naive and correct differ in cost, small enough to finish.
SCALES = (10_000, 1_000, 100, 10)
#: Generators that gave inputs, per problem and scale: two seeds of one already give the two a pair needs.
MAX_GENS = 3
#: Generators tried per problem and scale: many hard-code upstream's sizes, far over 1 MB, and give none.
MAX_GEN_TRIES = 8
MIN_INPUTS = 2
MIN_SPEEDUP = 1.10
FLAGS = ("-std=gnu++20", "-O2")
#: An input over 1 MB is dropped: the build keeps tests small, and a naive solution would not finish it.
GEN_LIMITS = Limits(cpu_seconds=2.0, wall_seconds=6.0, output_bytes=1 << 20)
RUN_LIMITS = Limits(cpu_seconds=2.0, wall_seconds=6.0)
#: The naive side's CPU seconds above which an input is too long to cost under valgrind (some 40x slower).
TIMING_CPU = 0.5
VALID_PERCENT = 10

#: Outcomes a smaller scale may fix, by how far a problem got: a guessed bound made the inputs invalid or too
#: large, or the naive side gives up above a size (some print a placeholder answer, ``if (n > 30)``).
_RETRY = {
    "generators give no input (each fails or writes over 1 MB)": 0,
    "correct fails on every input": 1,
    "naive fails (runtime error)": 2,
    "naive too slow": 3,
    "outputs differ": 4,
}


@dataclass(frozen=True)
class Problem:
    folder: str
    gens: tuple[str, ...]
    #: A problem with its own checker accepts several answers: differing outputs are expected there.
    has_checker: bool

    @property
    def naive(self) -> str:
        return f"{self.folder}/sol/naive.cpp"

    @property
    def correct(self) -> str:
        return f"{self.folder}/sol/correct.cpp"

    @property
    def name(self) -> str:
        return f"library-checker:{self.folder}"


def repository(shared: Path) -> dict[str, str]:
    """The repository's corpus files, path -> code."""
    return {row["path"]: row["code"] for row in corpus(shared) if row["repo"] == REPO}


def find_problems(files: Mapping[str, str]) -> list[Problem]:
    """Every problem folder with both ``sol/naive.cpp`` and ``sol/correct.cpp``, and its generators."""
    suffix = "/sol/naive.cpp"
    folders = sorted(p[: -len(suffix)] for p in files if p.endswith(suffix))
    problems = []
    for folder in folders:
        if f"{folder}/sol/correct.cpp" not in files:
            continue
        gens = [p for p in files if posixpath.dirname(p) == f"{folder}/gen" and p.endswith(".cpp")]
        # Random generators first, their inputs are the varied ones; then small ones, which fit where
        # the rest hard-code upstream's sizes; a fixed example adds little.
        gens.sort(key=lambda p: (_rank(posixpath.basename(p)), p))
        problems.append(Problem(folder, tuple(gens), f"{folder}/checker.cpp" in files))
    return problems


def _rank(name: str) -> int:
    return 0 if "random" in name else 1 if "small" in name else 2


def normalized(output: bytes) -> bytes:
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return b"\n".join(lines)


class Bench:
    """Builds (each distinct source once), runs and costs programs in perfopt's sandbox."""

    def __init__(self) -> None:
        self.sandbox = Sandbox()
        self.compiler = Compiler(self.sandbox, "g++", FLAGS)
        self.timer = CostTimer(self.sandbox, RUN_LIMITS, weights.builtin())
        self._built: dict[str, Path | None] = {}
        self._folders: list[Path] = []
        self._lock = threading.Lock()

    def build(self, code: str) -> Path | None:
        key = hashlib.sha256(code.encode()).hexdigest()
        with self._lock:
            if key in self._built:
                return self._built[key]
        folder = self.sandbox.make_workdir("perfopt-lc-")
        compiled = self.compiler.compile(code, folder)
        with self._lock:
            self._folders.append(folder)
            self._built[key] = compiled.binary if compiled.ok else None
        return self._built[key]

    def run(self, binary: Path, stdin: Path | None = None, args: tuple[str, ...] = ()) -> RunResult:
        return self.sandbox.run([str(binary), *args], GEN_LIMITS if stdin is None else RUN_LIMITS, stdin=stdin)

    def cost(self, binary: Path, stdin: Path) -> float | None:
        try:
            return self.timer.cost(Invocation((str(binary),), stdin=stdin))
        except TimingError:
            return None

    def close(self) -> None:
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass
class _Scale:
    """One problem tried at one scale."""

    problem: Problem
    sources: Sources
    bench: Bench
    folder: Path
    seeds: int
    scale: int
    names: frozenset[str]
    #: Generators (by code) that gave no input at a larger scale: the same code gives none at this one.
    barren: set[str]
    #: Whether the naive side failed or declined inputs the correct side finished (set by try_pair).
    naive_gave_up: bool = False

    def try_pair(self) -> tuple[str, dict[str, Any] | None]:
        extra = {f"{self.problem.folder}/params.h": params_h(self.names, self.scale)}
        slow, _ = self.sources.flatten(self.problem.naive, extra)
        fast, _ = self.sources.flatten(self.problem.correct, extra)
        naive, correct = self.bench.build(slow), self.bench.build(fast)
        if naive is None or correct is None:
            return "solution does not compile", None
        inputs = self.inputs(extra)
        if inputs is None:
            return "generator does not compile", None
        if not inputs:
            return "generators give no input (each fails or writes over 1 MB)", None
        fast_runs = {path: self.bench.run(correct, path) for path in inputs}
        fine = [path for path, run in fast_runs.items() if run.ok]
        if not fine:
            return "correct fails on every input", None
        slow_runs = {path: self.bench.run(naive, path) for path in fine}
        # Some naive solutions print nothing above a size they know is too much for them (``if (N > 500)
        # return 0;``): that is declining the input, not a different answer.
        declined = {p for p in fine if slow_runs[p].ok and not normalized(slow_runs[p].stdout)}
        declined -= {p for p in declined if not normalized(fast_runs[p].stdout)}
        common = [path for path in fine if slow_runs[path].ok and path not in declined]
        self.naive_gave_up = len(common) < len(fine)
        differ = [p for p in common if normalized(slow_runs[p].stdout) != normalized(fast_runs[p].stdout)]
        if differ:
            # A checker of its own, or the same lines in another order: the problem accepts several answers.
            lines = [sorted(normalized(run[p].stdout).splitlines()) for p in differ for run in (slow_runs, fast_runs)]
            several = self.problem.has_checker or lines[0] == lines[1]
            return "outputs differ" + (" (several answers possible)" if several else ""), None
        if len(common) < MIN_INPUTS:
            slow_out = {run.outcome for run in slow_runs.values() if not run.ok}
            if declined or slow_out & {Outcome.CPU_LIMIT, Outcome.TIMEOUT}:
                return "naive too slow", None
            if slow_out:
                return "naive fails (runtime error)", None
            return "correct fails on every input", None
        return "pair", self.pair(slow, fast, naive, correct, common, slow_runs)

    def inputs(self, extra: Mapping[str, str]) -> list[Path] | None:
        """Distinct inputs from up to MAX_GENS generators that compile; None when none does."""
        seen: set[bytes] = set()
        paths: list[Path] = []
        self.folder.mkdir(parents=True, exist_ok=True)
        tried = productive = 0
        compiled = False
        for gen in self.problem.gens:
            if tried == MAX_GEN_TRIES or productive == MAX_GENS:
                break
            code = self.sources.flatten(gen, extra)[0]
            if code in self.barren:
                continue
            tried += 1
            binary = self.bench.build(code)
            if binary is None:
                continue
            compiled = True
            before = len(paths)
            for seed in range(self.seeds):
                run = self.bench.run(binary, args=(str(seed),))
                if not run.ok or not run.stdout.strip() or run.stdout in seen:
                    continue
                seen.add(run.stdout)
                path = self.folder / f"{self.scale}-{Path(gen).stem}-{seed}.in"
                path.write_bytes(run.stdout)
                paths.append(path)
            if len(paths) > before:
                productive += 1
            else:
                self.barren.add(code)
        return paths if compiled or self.barren else None

    def pair(
        self, slow: str, fast: str, naive: Path, correct: Path, common: list[Path], runs: Mapping[Path, RunResult]
    ) -> dict[str, Any]:
        # The largest input the naive side finishes quickly enough to cost under valgrind.
        by_size = sorted(common, key=lambda p: (-p.stat().st_size, p.name))
        timed = next((p for p in by_size if runs[p].cpu_seconds <= TIMING_CPU), by_size[-1])
        slow_cost, fast_cost = self.bench.cost(naive, timed), self.bench.cost(correct, timed)
        pair: dict[str, Any] = {
            "slow": slow,
            "fast": fast,
            "rule": None,
            "source": "mined.library_checker",
            "origin": f"{REPO}:{self.problem.naive} -> {self.problem.correct}",
            "kind": "program",
            "problem": self.problem.name,
            "problem_id": None,
            "split": split_of(self.problem.name, VALID_PERCENT),
            "verified": "tested",
            "lines_changed": lines_changed(slow, fast),
        }
        if slow_cost is not None and fast_cost:
            pair["speedup"] = round(slow_cost / fast_cost, 4)
            if slow_cost >= MIN_SPEEDUP * fast_cost:
                pair["verified"] = "timed"
        return pair


def problem_pair(
    problem: Problem, sources: Sources, bench: Bench, work: Path, seeds: int, deadline: float
) -> tuple[str, dict[str, Any] | None, int | None]:
    """The problem's pair, or why there is none, and the scale last tried: from large to small while one may help."""
    if not problem.gens:
        return "no generators in the corpus", None, None
    names: set[str] = set()
    for path in (problem.naive, problem.correct, *problem.gens):
        names |= constants(sources.flatten(path)[0])
    best = ""
    barren: set[str] = set()
    #: A pair only "tested" where the naive side gave up on the larger inputs: a smaller scale may time it.
    untimed: tuple[dict[str, Any], int] | None = None
    for scale in SCALES:
        if time.monotonic() > deadline:
            break
        folder = work / "inputs" / problem.folder.replace("/", "__")
        trial = _Scale(problem, sources, bench, folder, seeds, scale, frozenset(names), barren)
        outcome, pair = trial.try_pair()
        if pair is not None and (pair["verified"] == "timed" or not trial.naive_gave_up):
            return outcome, pair, scale
        if pair is not None:
            untimed = untimed or (pair, scale)
        elif outcome.startswith("outputs differ") and (untimed or outcome not in _RETRY):
            return outcome, None, scale  # a disagreement on any input discredits agreement on others
        elif outcome not in _RETRY:
            best = outcome
            break
        elif _RETRY[outcome] >= _RETRY.get(best, -1):
            best = outcome
    if untimed is not None:
        return "pair", *untimed
    return best or "budget spent", None, scale


def library_checker_pairs(
    shared: Path, work: Path, seeds: int = 2, jobs: int = 1, budget_s: float = 1800
) -> tuple[list[dict[str, Any]], Counter[str]]:
    """(naive -> correct) pairs of every Library Checker problem that has both, and each problem's outcome."""
    deadline = time.monotonic() + budget_s
    sources = Sources(repository(shared))
    problems = find_problems(sources.files)
    bench = Bench()
    outcomes: dict[str, str] = {}
    details: dict[str, dict[str, Any]] = {}
    pairs: list[dict[str, Any]] = []
    lock = threading.Lock()

    def one(problem: Problem) -> None:
        start = time.monotonic()
        outcome, pair, scale = "budget spent", None, None
        if start < deadline:
            outcome, pair, scale = problem_pair(problem, sources, bench, work, seeds, deadline)
        seconds = round(time.monotonic() - start, 1)
        tier = (pair["verified"], pair.get("speedup")) if pair else None
        with lock:
            outcomes[problem.folder] = outcome
            details[problem.folder] = {"outcome": outcome, "scale": scale, "seconds": seconds, "tier": tier}
            if pair is not None:
                pairs.append(pair)
        print(f"{problem.folder}: {outcome} (scale {scale}, {seconds:g} s{f', {tier}' if tier else ''})", flush=True)

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(one, problems))
    finally:
        bench.close()
    work.mkdir(parents=True, exist_ok=True)
    (work / "outcomes.json").write_text(json.dumps(dict(sorted(details.items())), indent=1) + "\n")
    pairs.sort(key=lambda p: str(p["problem"]))
    return pairs, Counter(outcomes.values())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--work", type=Path, default=Path("/tmp/lc-work"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/lc-pairs.jsonl"))
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--budget-s", type=float, default=1500)
    args = parser.parse_args(argv)
    start = time.monotonic()
    pairs, outcomes = library_checker_pairs(args.shared, args.work, args.seeds, args.jobs, args.budget_s)
    write_jsonl(args.out, pairs)
    tiers = Counter(str(p["verified"]) for p in pairs)
    print(f"{sum(outcomes.values())} problems, {len(pairs)} pairs ({dict(tiers)}) in {time.monotonic() - start:.0f} s")
    for outcome, count in outcomes.most_common():
        print(f"  {count:3d}  {outcome}")


if __name__ == "__main__":
    main()

"""Stage: synthetic pairs from corpus programs that have no tests, verified by compiling.

    python -m training.data.corpus_pairs [--config corpus_pairs.toml] [--programs N]

Only a few hundred corpus files map to a problem with tests
(:mod:`training.data.pairs` judges those). The rest can still teach the
reverse of the meaning-preserving rules in :mod:`training.data.synthesize`:
each applicable rule de-optimises a program, and the pair (variant, original)
is kept when both compile and link. Nothing runs, so nothing is timed: every
pair is tagged ``verified: {"compiles": ..., "tests": null}``, goes to the
train split only, and never to RRHF or evaluation, which need tests. Files
that map to a problem with tests are skipped, so no validation problem leaks
into training through here.
"""

from __future__ import annotations

import argparse
import json
import lzma
import random
import shutil
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from perfopt.reward.compiler import Compiler
from perfopt.sandbox import Sandbox
from training.config import SHARED, apply_toml
from training.data.problems import corpus, mine, oracle_compiler
from training.data.synthesize import deoptimize


@dataclass(frozen=True)
class CorpusPairsConfig:
    shared: Path = SHARED
    out: Path = Path("training/data/corpus_pairs.jsonl.xz")
    #: Programs sampled from the corpus (among those a rule applies to).
    programs: int = 1500
    #: Longest program kept, in characters: SFT drops what does not fit 512 tokens anyway.
    max_chars: int = 2_000
    jobs: int = 2
    flags: list[str] = field(default_factory=lambda: ["-std=gnu++20", "-O0"])
    seed: int = 0


def compiles(compiler: Compiler, sandbox: Sandbox, code: str) -> bool:
    workdir = sandbox.make_workdir("perfopt-corpus-")
    try:
        return compiler.compile(code, workdir).ok
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(config: CorpusPairsConfig) -> list[dict[str, Any]]:
    with_problems = {(s.repo, s.path) for solutions in mine(config.shared).values() for s in solutions}
    candidates = []
    seen: set[str] = set()
    for row in corpus(config.shared):
        if (row["repo"], row["path"]) in with_problems or len(row["code"]) > config.max_chars or row["code"] in seen:
            continue
        seen.add(row["code"])
        variants = deoptimize(row["code"])
        if variants:
            candidates.append((row, variants))
    random.Random(config.seed).shuffle(candidates)
    candidates = candidates[: config.programs]
    sandbox = Sandbox()
    compiler = oracle_compiler(config.shared, config.flags, sandbox)
    stats: Counter[str] = Counter()

    def one(item: tuple[dict[str, str], dict[str, str]]) -> list[dict[str, Any]]:
        row, variants = item
        if not compiles(compiler, sandbox, row["code"]):
            stats["originals that do not compile"] += 1
            return []
        kept = []
        for rule, slow in variants.items():
            if compiles(compiler, sandbox, slow):
                kept.append(
                    {
                        "problem_id": None,
                        "slow": slow,
                        "fast": row["code"],
                        "source": f"synthetic-corpus:{rule}",
                        "split": "train",
                        "verified": {"compiles": f"g++ {' '.join(config.flags)}", "tests": None, "timer": None},
                        "origin": f"{row['repo']}:{row['path']}",
                    }
                )
            else:
                stats["variants that do not compile"] += 1
        return kept

    with ThreadPoolExecutor(max_workers=config.jobs) as pool:
        pairs = [p for found in pool.map(one, candidates) for p in found]
    config.out.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(config.out, "wt", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p) + "\n")
    by_rule = Counter(p["source"] for p in pairs)
    print(f"{len(candidates)} programs, {len(pairs)} pairs: {dict(by_rule)}; {dict(stats)}")
    return pairs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--programs", type=int)
    args = parser.parse_args(argv)
    config = apply_toml(CorpusPairsConfig(), args.config)
    if args.programs is not None:
        config = replace(config, programs=args.programs)
    run(config)


if __name__ == "__main__":
    main()

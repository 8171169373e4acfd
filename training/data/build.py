"""Stage: the data engine. One resumable command makes every training pair from ../shared.

    python -m training.data.build [--config build.toml] [--limit N] [--stage NAME]

Stages, each resuming from what an earlier run left in ``out`` (by default all of them, in order):

1. ``synthetic``: every corpus file is classified (:mod:`training.data.programs`) and every inverse of the
   rewrite library de-optimizes it (:mod:`training.data.synthetic`), in chunks written as they finish;
2. ``library-checker``: (naive -> correct) pairs of Library Checker's problems, judged on inputs from its
   own generators (:mod:`training.data.library_checker`), made once;
3. ``assemble``: caps each rule at ``per_rule`` pairs, folds in the test-verified pairs of
   ``training.data.pairs`` (mined CodeNet pairs among them) and the mined ones of
   :mod:`training.data.mined`, and writes ``pairs.jsonl.xz``;
4. ``compile``: syntax-checks both sides of a sample of every family first (the soundness table), then
   of the rest, within ``compile_budget_s`` a run (:mod:`training.data.tiers`);
5. ``test``: judges the pairs whose program has a CodeNet problem with tests, within ``test_budget_s``;
6. ``report``: settles every pair's tier, drops what a check found broken, and writes ``final.jsonl.xz``,
   the committed sample and PAIRS.md (:mod:`training.data.report`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from itertools import islice
from pathlib import Path
from types import FrameType
from typing import Any

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import Inverse, all_inverses
from training.config import apply_toml
from training.data import checks, mined, report
from training.data.build_config import BuildConfig
from training.data.jsonl import read_jsonl, write_jsonl
from training.data.library_checker import library_checker_pairs
from training.data.problems import corpus
from training.data.programs import Classifier, Program
from training.data.synthetic import found, pairs_of

STAGES = ("synthetic", "library-checker", "assemble", "compile", "test", "report")


class _TooSlow(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _TooSlow


_WORKER: tuple[BuildConfig, Classifier, list[Inverse]] | None = None


def _start_worker(config: BuildConfig) -> None:
    global _WORKER
    chosen = [i for i in all_inverses() if not config.inverses or i.name in config.inverses]
    _WORKER = (config, Classifier(config.shared, config.valid_programs, config.valid_percent), chosen)
    signal.signal(signal.SIGALRM, _alarm)


def _chunk(job: tuple[int, list[dict[str, str]]]) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    """One chunk's pairs and counts, in a worker process."""
    assert _WORKER is not None
    config, classifier, inverses = _WORKER
    index, rows = job
    skipped: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    pairs: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    for row in rows:
        rng = random.Random(f"{config.seed}:{row['repo']}:{row['path']}")
        signal.setitimer(signal.ITIMER_REAL, config.seconds_per_file)
        try:
            parsed = Parsed(row["code"])
            program = classifier.classify(row, parsed)
            if isinstance(program, Program):
                by_rule = found(inverses, parsed, errors)
                made = pairs_of(program, by_rule, rng, config.per_match, config.combinations)
        except _TooSlow:
            skipped[f"took over {config.seconds_per_file:g} s"] += 1
            continue
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if not isinstance(program, Program):
            skipped[program] += 1
            continue
        kinds[program.kind] += 1
        fired.update(by_rule.keys())
        pairs += made
    stats = {"files": len(rows), "skipped": skipped, "errors": errors, "fired": fired, "kinds": kinds}
    return index, pairs, stats


def synthesize(config: BuildConfig) -> None:
    folder = config.out / config.synthetic_dir
    folder.mkdir(parents=True, exist_ok=True)
    rows = corpus(config.shared)
    if config.limit is not None:
        rows = islice(rows, config.limit)

    def jobs() -> Iterator[tuple[int, list[dict[str, str]]]]:
        for index in range(1 << 30):
            chunk = list(islice(rows, config.chunk))
            if not chunk:
                return
            if not (folder / f"chunk-{index:05d}.stats.json").exists():
                yield index, chunk

    last = time.monotonic()
    context = multiprocessing.get_context("fork")
    with context.Pool(config.jobs, initializer=_start_worker, initargs=(config,)) as pool:
        for index, pairs, stats in pool.imap_unordered(_chunk, jobs()):
            write_jsonl(folder / f"chunk-{index:05d}.jsonl.xz", pairs)
            # The counts are written last: they mark the chunk done.
            (folder / f"chunk-{index:05d}.stats.json").write_text(json.dumps(stats))
            print(f"chunk {index}: {stats['files']} files, {len(pairs)} pairs", flush=True)
            # Counted chunk by chunk, so that the time of a run that is stopped counts too.
            now = time.monotonic()
            checks.add_seconds(config.out, "synthetic", now - last)
            last = now


def assemble(config: BuildConfig) -> None:
    """Cap every rule, fold in the test-verified pairs, give each pair an id; the order is random and fixed."""
    start = time.monotonic()
    by_rule: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for path in sorted(config.out.glob("synthetic*/chunk-*.jsonl.xz")):
        for pair in read_jsonl(path):
            # Two passes over one file with overlapping inverses make the same pair twice.
            pair["id"] = checks.pair_id(pair)
            if pair["id"] not in seen and not set(pair["rule"].split("+")) & set(config.drop_rules):
                seen.add(pair["id"])
                by_rule.setdefault(pair["rule"], []).append(pair)
    rng = random.Random(config.seed)
    kept: list[dict[str, Any]] = []
    for rule in sorted(by_rule):
        pairs = by_rule[rule]
        rng.shuffle(pairs)
        kept += pairs[: config.per_rule]
    kept += report.tested_pairs(config) + mined.atcoder_tle_pairs(config)
    if (lc := config.out / "library_checker.jsonl").exists():
        kept += list(read_jsonl(lc))
    rng.shuffle(kept)
    for pair in kept:
        pair["id"] = checks.pair_id(pair)
    write_jsonl(config.out / "pairs.jsonl.xz", kept)
    checks.add_seconds(config.out, "assemble", time.monotonic() - start)
    print(f"assembled {len(kept)} pairs from {sum(map(len, by_rule.values()))} made", flush=True)


def library_checker(config: BuildConfig) -> None:
    """Made once: its tests come from generators, so a rerun would only spend the same half hour again."""
    path = config.out / "library_checker.jsonl"
    if path.exists():
        return
    start = time.monotonic()
    pairs, outcomes = library_checker_pairs(
        config.shared, config.out / "library-checker", budget_s=config.library_checker_budget_s
    )
    write_jsonl(path, pairs)
    (config.out / "library_checker.outcomes.json").write_text(json.dumps(outcomes, indent=1))
    checks.add_seconds(config.out, "library-checker", time.monotonic() - start)


def run(config: BuildConfig, stages: tuple[str, ...] = STAGES) -> None:
    for stage in stages:
        print(f"== {stage}", flush=True)
        if stage == "synthetic":
            synthesize(config)
        elif stage == "library-checker":
            library_checker(config)
        elif stage == "assemble":
            assemble(config)
        elif stage == "compile":
            checks.compile_stage(config)
        elif stage == "test":
            checks.test_stage(config)
        elif stage == "report":
            report.write(config)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--limit", type=int, help="corpus files taken, in corpus order (a trial run)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--stage", choices=STAGES, action="append", help="run only these stages (repeatable)")
    args = parser.parse_args(argv)
    config = apply_toml(BuildConfig(), args.config)
    if args.limit is not None:
        config = replace(config, limit=args.limit)
    if args.out is not None:
        config = replace(config, out=args.out)
    # A background run ignores SIGINT (the shell's rule for ``&``): TERM must stop it cleanly too, so that the
    # checking stages' ``finally`` keeps what they checked (training/data/checked).
    signal.signal(signal.SIGTERM, _stop)
    run(config, tuple(args.stage) if args.stage else STAGES)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    main()

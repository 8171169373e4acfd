"""Stage: the validation programs, one slow program per held-out problem, in PIE's format.

    python -m training.data.valid_set [--config valid_set.toml]

PerfRL and PIE measure a model on source programs of held-out problems:
%opt@k needs a program and its tests, not a pair. For every problem that
:func:`training.data.pairs.split_of` holds out and the corpus has solutions
for, the first mined solution that passes the problem's tests (amplified ones
where built) becomes a row ``{"problem_id", "src_code", "split": "valid",
"verified"}``; ``tgt_code`` is added from the pairs file when a verified faster
version of that very program exists. ``training.evaluate`` and ``perfopt
bench`` read it.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfopt.reward.harness import IOHarness
from perfopt.sandbox import Limits, Sandbox
from perfopt.testsources.pie import PieTests, load_all
from training.config import SHARED, apply_toml
from training.data import read_jsonl
from training.data.pairs import split_of
from training.data.problems import mine, oracle_compiler


@dataclass(frozen=True)
class ValidSetConfig:
    shared: Path = SHARED
    amplified: Path = Path("training/data/amplified_tests.jsonl.xz")
    pairs: Path = Path("training/data/pairs.jsonl.xz")
    out: Path = Path("training/data/valid.jsonl")
    valid_percent: int = 10
    flags: list[str] = field(default_factory=lambda: ["-std=gnu++20", "-O2"])
    time_limit: float = 2.0


def run(config: ValidSetConfig) -> list[dict[str, Any]]:
    public = config.shared / "pie" / "public_tests.jsonl.xz"
    tests = load_all(public)
    amplified = load_all(config.amplified) if config.amplified.exists() else {}
    faster = {p["slow"]: p["fast"] for p in read_jsonl(config.pairs)} if config.pairs.exists() else {}
    held_out = {
        p: s
        for p, s in sorted(mine(config.shared).items())
        if p in tests and split_of(p, config.valid_percent) == "valid"
    }
    sandbox = Sandbox()
    compiler = oracle_compiler(config.shared, config.flags, sandbox)
    limits = Limits(cpu_seconds=config.time_limit, wall_seconds=config.time_limit * 3 + 2)
    rows = []
    for problem_id, solutions in held_out.items():
        source = PieTests([config.amplified, public] if problem_id in amplified else [public], problem_id)
        harness = IOHarness(source, compiler, sandbox, limits)
        try:
            # Accepted submissions first: a TLE one is the likelier to be slow, but also to time out.
            for s in sorted(solutions, key=lambda s: (s.verdict != "AC", s.path)):
                build = harness.build(s.code)
                try:
                    passes = build.ok and harness.check(build).failed is None
                finally:
                    harness.release(build)
                if passes:
                    row: dict[str, Any] = {
                        "problem_id": problem_id,
                        "src_code": s.code,
                        "split": "valid",
                        "verified": {"tests": source.describe()},
                        "origin": f"{s.repo}:{s.path}",
                    }
                    if s.code in faster:
                        row["tgt_code"] = faster[s.code]
                    rows.append(row)
                    break
        finally:
            harness.close()
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"{len(held_out)} held-out problems with solutions; {len(rows)} validation programs -> {config.out}")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args(argv)
    run(apply_toml(ValidSetConfig(), args.config))


if __name__ == "__main__":
    main()

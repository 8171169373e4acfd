"""The build's last stage: settle every pair's tier, drop what a check found broken, write the set and PAIRS.md.

A pair is dropped when its slow side fails a check its fast side passes: that is the rule's fault, and it
counts against the rule in the soundness table. A pair whose original fails a check keeps the tier it had:
the original was broken before any rule touched it (a library file whose headers are not in the corpus, a
wrong submission), which says nothing of the rule, and a whole program that does not compile is dropped.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter, defaultdict
from typing import Any

from training.data.build_config import BuildConfig
from training.data.checks import Results, add_seconds, judged_key, soundness_sample, stored_results
from training.data.jsonl import read_jsonl, write_jsonl
from training.data.pairs_report import markdown
from training.data.programs import held_out_codes, leaks, normalized_hash
from training.data.synthetic import lines_changed
from training.data.tier_names import TIERS, rank
from training.data.tiers import code_key


def tested_pairs(config: BuildConfig) -> list[dict[str, Any]]:
    """``training.data.pairs``'s rows in the build's shape: judged by tests and timed already."""
    if not config.tested_pairs.exists():
        return []
    held_out = held_out_codes(config.valid_programs)
    rows = []
    for row in read_jsonl(config.tested_pairs):
        if {normalized_hash(row["slow"]), normalized_hash(row["fast"])} & held_out:
            continue
        mined = row["source"] == "mined"
        rows.append(
            {
                "slow": row["slow"],
                "fast": row["fast"],
                # The regex rules of training.data.synthesize, named apart from the inverses.
                "rule": None if mined else "synthesize." + row["source"].split(":", 1)[1],
                "source": "mined.codenet" if mined else "synthetic.tested",
                "origin": row["origin"],
                "kind": "program",
                "problem": f"codenet:{row['problem_id']}",
                "problem_id": row["problem_id"],
                "split": row["split"],
                "verified": "timed",
                "lines_changed": lines_changed(row["slow"], row["fast"]),
                "speedup": row["verified"]["speedup"],
            }
        )
    return rows


class Soundness:
    """Per rule: pairs checked with a sound original, and how many of their slow sides broke."""

    def __init__(self) -> None:
        self.checked: Counter[str] = Counter()
        self.broken: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def add(self, rule: str, broken: str | None) -> None:
        self.checked[rule] += 1
        if broken is not None:
            self.broken[rule] += 1
            self.examples.setdefault(rule, broken)


def settle(
    pair: dict[str, Any], compiled: Results, tested: Results, sound: dict[str, Soundness], sampled: bool
) -> str | None:
    """The pair's tier after the checks, or why it is dropped."""
    tier = str(pair["verified"])
    fast, slow = compiled.known.get(code_key(pair["fast"]), False), compiled.known.get(code_key(pair["slow"]), False)
    rule = str(pair["rule"]) if pair["source"] == "synthetic" else None
    if fast is not False and slow is not False:
        if fast is not None:
            if pair["kind"] == "program":
                return "drop: the original does not compile"
        else:
            if rule is not None and sampled:
                sound["compile"].add(rule, slow)
            if slow is not None:
                return "drop: the slow side does not compile"
            tier = TIERS[max(rank(tier), rank("compiled"))]
    if pair.get("problem_id"):
        a = tested.known.get(judged_key(pair["problem_id"], pair["fast"]))
        b = tested.known.get(judged_key(pair["problem_id"], pair["slow"]))
        if a is not None and a["passed"] and b is not None:
            if rule is not None:
                sound["test"].add(rule, None if b["passed"] else b["reason"])
            if not b["passed"]:
                return "drop: the slow side fails a test"
            slower = a["cost"] and b["cost"] and b["cost"] >= 1.10 * a["cost"]
            tier = TIERS[max(rank(tier), rank("timed" if slower else "tested"))]
    if pair["source"].startswith("mined") and rank(tier) < rank("tested"):
        return "drop: a mined pair its tests have not verified"  # nothing else says the two sides agree
    return tier


def write(config: BuildConfig) -> None:
    start = time.monotonic()
    pairs = list(read_jsonl(config.out / "pairs.jsonl.xz"))
    compiled, tested = stored_results(config, "compiled"), stored_results(config, "tested")
    sound = {"compile": Soundness(), "test": Soundness()}
    sampled = {p["id"] for p in soundness_sample(pairs, config.soundness_per_family, config.seed)}
    final: list[dict[str, Any]] = []
    dropped: Counter[str] = Counter()
    for pair in pairs:
        outcome = settle(pair, compiled, tested, sound, pair["id"] in sampled)
        if outcome is None or outcome.startswith("drop"):
            dropped[outcome or "drop"] += 1
            continue
        pair["verified"] = outcome
        final.append(pair)
    assert not leaks(final), "a problem on both sides of the split"
    write_jsonl(config.out / "final.jsonl.xz", final)
    rng = random.Random(config.seed)
    # From the pairs both of whose sides compiled, so that anyone can check a committed pair with g++.
    eligible = [p for p in final if rank(p["verified"]) >= rank("compiled")]
    sample = rng.sample(eligible, min(config.sample_size, len(eligible)))
    write_jsonl(config.sample, [{k: p[k] for k in _SAMPLE_KEYS if k in p} for p in sample])
    stats = _stats(config)
    stats["checks"] = _checks(config, pairs, compiled, stats["seconds"].get("compile", 0.0))
    stats["dropped"] = dropped
    stats["sampled"] = len(sampled)
    add_seconds(config.out, "report", time.monotonic() - start)
    config.report.write_text(markdown(config, final, sound, stats))
    print(f"{len(final)} pairs; {sum(dropped.values())} dropped; sample of {len(sample)} in {config.sample}")


_SAMPLE_KEYS = ("slow", "fast", "origin", "rule", "source", "verified", "split", "problem", "kind", "lines_changed")


def _checks(config: BuildConfig, pairs: list[dict[str, Any]], compiled: Results, seconds: float) -> dict[str, Any]:
    """How far the syntax checks got over the set's distinct sources, and what the rest would cost at the
    rate this machine's compile stage measured (its ``seconds`` over the checks it made itself)."""
    codes = {code_key(c) for p in pairs for c in (p["slow"], p["fast"])}
    local = config.out / "compiled.jsonl"
    made = sum(1 for line in local.read_text().splitlines() if line.strip()) if local.exists() else 0
    return {
        "sources": len(codes),
        "compiled": sum(k in compiled.known for k in codes),
        "seconds_per_source": seconds / made if made else None,
    }


def _stats(config: BuildConfig) -> dict[str, Any]:
    """What the synthetic stage counted over all its chunks: files, skips by reason, inverse errors."""
    totals: dict[str, Any] = defaultdict(Counter)
    files = 0
    for path in sorted(config.out.glob("synthetic*/chunk-*.stats.json")):
        chunk = json.loads(path.read_text())
        totals["fired"].update(chunk["fired"])
        totals["errors"].update(chunk["errors"])
        if path.parent.name == "synthetic":  # a later pass over the same files with new inverses counts no file twice
            files += chunk["files"]
            totals["skipped"].update(chunk["skipped"])
            totals["kinds"].update(chunk["kinds"])
    totals["files"] = files
    timings = config.out / "timings.json"
    totals["seconds"] = json.loads(timings.read_text()) if timings.exists() else {}
    return dict(totals)

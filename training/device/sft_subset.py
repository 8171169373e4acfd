"""The SFT examples a lent device trains on: the data engine's rendered rows, cut to what a call can carry.

    python -m training.device.sft_subset [--source runs/data/rendered-lines.jsonl.xz] [--out FILE] [--mib 6]

``training.data.render`` writes about 117k examples in 13 MB of xz, more than
the room one device call leaves beside the checkout and a corpus part. This
keeps every train and valid row whose pair was checked beyond its
construction (compiled, tested, timed: few, and the ones SFT draws most),
then a seeded random sample of the construction rows (of the valid split at
most ``VALID_CONSTRUCTED``), until the file reaches the byte budget. Copies
of an example are left out. Rows stay in the source's order, so SFT's
validation rows (the first ``valid_limit`` in file order) are the same on
every rerun.
``training.device.pretokenize`` calls it and records the file in its manifest.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from training.data.jsonl import read_jsonl, write_jsonl
from training.data.tier_names import rank, tier
from training.data.tokens import sha256

RENDERED = Path("runs/data/rendered-lines.jsonl.xz")
SFT_FILE = "sft-lines.jsonl.xz"
#: The default budget leaves the first call about 3 MiB under the limit (README.md's carry table), room
#: for the checkout to grow before the plan has to change.
SFT_BYTES = 6 * 2**20
#: What training.sft reads of a row, and the rule for looking into what was drawn. The rest (ids, window
#: names, problem ids) compresses badly and would take bytes from examples.
FIELDS = ("prompt", "target", "split", "verified", "rule")
SPLITS = ("train", "valid")
#: Validation rows of the construction tier kept at most: twice training.sft's default valid_limit.
VALID_CONSTRUCTED = 1024
#: Writes before giving up on landing near the budget: xz's ratio on the chosen rows is only known after.
ATTEMPTS = 4


def subsample(source: Path, out: Path, budget: int = SFT_BYTES, seed: int = 0) -> dict[str, Any]:
    """Write the rows of ``source`` that fit ``budget`` bytes of xz to ``out``; returns the manifest entry."""
    lines: list[dict[str, Any]] = []
    tiers: list[tuple[str, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    duplicates = 0
    for row in read_jsonl(source):
        if row.get("split") not in SPLITS or "prompt" not in row:
            continue
        kept = {k: row[k] for k in FIELDS if k in row}
        split, t = row["split"], tier(row.get("verified"))
        # Several pairs render to the same example (a fifth of them in the data engine's set); SFT trains
        # on each once anyway, so a copy would only take bytes. The surest tier of the copies stands.
        key = (split, row["prompt"], row["target"])
        if key in seen:
            duplicates += 1
            i = seen[key]
            if rank(t) > rank(tiers[i][1]):
                lines[i], tiers[i] = kept, (split, t)
            continue
        seen[key] = len(lines)
        lines.append(kept)
        tiers.append((split, t))
    if not lines:
        raise SystemExit(f"{source}: no rendered train or valid rows (rows with a prompt)")
    rng = random.Random(seed)
    checked = [i for i, (_, t) in enumerate(tiers) if t != "construction"]
    constructed = [i for i, (_, t) in enumerate(tiers) if t == "construction"]
    rng.shuffle(checked)
    rng.shuffle(constructed)
    # SFT scores the first valid_limit (512) validation rows: more than twice that would be bytes not trained on.
    spare = set([i for i in constructed if tiers[i][0] == "valid"][VALID_CONSTRUCTED:])
    priority = checked + [i for i in constructed if i not in spare]
    cumulative = [0]
    for i in priority:
        # The bytes write_jsonl gives the row before compression.
        cumulative.append(cumulative[-1] + len((json.dumps(lines[i]) + "\n").encode()))
    # First guess from the source's own ratio; then the ratio of what was written corrects it.
    ratio = source.stat().st_size / max(1, cumulative[-1])
    take, best = len(priority), 0
    for _ in range(ATTEMPTS):
        # Rows of the priority order whose JSON text fits the budget at that ratio.
        take = bisect.bisect_right(cumulative, budget / ratio) - 1
        size = _write(out, lines, sorted(priority[:take]))
        if size <= budget:
            best = max(best, take)
        if size <= budget and (take == len(priority) or size >= 0.97 * budget):
            break
        ratio = size / max(1, cumulative[take]) * 1.01
    if best == 0:
        raise SystemExit(f"{out}: not even one row fits in {budget:,} bytes")
    if best != take:
        take = best
        _write(out, lines, sorted(priority[:take]))
    chosen = priority[:take]
    counts = Counter(f"{split}/{t}" for split, t in (tiers[i] for i in chosen))
    return {
        "file": out.name,
        "bytes": out.stat().st_size,
        "sha256": sha256(out),
        "rows": take,
        "by_split_and_tier": dict(sorted(counts.items())),
        "source": str(source),
        "source_rows": len(lines) + duplicates,
        "duplicates": duplicates,
        "seed": seed,
    }


def _write(out: Path, rows: list[dict[str, Any]], indexes: list[int]) -> int:
    write_jsonl(out, [rows[i] for i in indexes])
    return out.stat().st_size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=RENDERED)
    parser.add_argument("--out", type=Path, default=Path("runs/device") / SFT_FILE)
    parser.add_argument("--mib", type=float, default=SFT_BYTES / 2**20, help="the file's budget in MiB of xz")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    entry = subsample(args.source, args.out, int(args.mib * 2**20), args.seed)
    print(json.dumps(entry, indent=1))


if __name__ == "__main__":
    main()

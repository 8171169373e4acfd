"""PAIRS.md: what the data engine made, how far each pair is verified, and how sound each rule measured.

Every number in it is computed here from the build's own files; nothing is typed in by hand.
"""

from __future__ import annotations

import json
import random
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from training.data.build_config import BuildConfig
from training.data.synthetic import family
from training.data.tier_names import TIERS

if TYPE_CHECKING:
    from training.data.report import Soundness

#: Above this failure rate a rule must be fixed or dropped (issue 17).
LIMIT = 0.01
_EDIT_BUCKETS = ((1, 1), (2, 3), (4, 10), (11, 30), (31, 10**9))
_CONTEXT = 512


def _bucket_name(lo: int, hi: int) -> str:
    return f"{lo}" if lo == hi else (f"{lo}–{hi}" if hi < 10**9 else f"over {lo - 1}")


def _bucket_names() -> list[str]:
    return [_bucket_name(lo, hi) for lo, hi in _EDIT_BUCKETS]


def _bucket(lines: int) -> str:
    return next((_bucket_name(lo, hi) for lo, hi in _EDIT_BUCKETS if lo <= lines <= hi), "0")


def _families(pairs: list[dict[str, Any]]) -> list[list[str]]:
    """Single-rule pairs by family, combinations apart: how balanced the set is."""
    counts = Counter("combined" if "+" in str(p["rule"]) else family(_row_of(p)) for p in pairs)
    return [[k, _n(v), f"{100 * v / len(pairs):.1f}%"] for k, v in counts.most_common()]


def _dropped(config: BuildConfig) -> str:
    return "; ".join(f"`{rule}` ({why})" for rule, why in config.drop_rules.items())


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _n(x: int) -> str:
    return f"{x:,}"


def _rate(broken: int, checked: int) -> str:
    if not checked:
        return "—"
    flag = " **over 1%**" if broken / checked > LIMIT else ""
    return f"{100 * broken / checked:.2f}%{flag}"


def _row_of(pair: dict[str, Any]) -> str:
    """A single rule by name; combinations together by size, as there are hundreds of them."""
    rule = str(pair["rule"] or pair["source"])
    return f"combinations of {rule.count('+') + 1} rules" if "+" in rule else rule


def soundness_rows(sound: dict[str, Soundness]) -> list[list[str]]:
    c, t = sound["compile"], sound["test"]
    rules = sorted(set(c.checked) | set(t.checked), key=lambda r: ("+" in r, r))
    singles = [r for r in rules if "+" not in r]
    combined = [r for r in rules if "+" in r]
    for counts in (c, t):
        # Combinations in one row; their first failure is kept under the row's name.
        for key in (counts.checked, counts.broken):
            key["combinations"] = sum(key[r] for r in combined)
        example = next((counts.examples[r] for r in combined if r in counts.examples), None)
        if example is not None:
            counts.examples["combinations"] = example
    rows = []
    for rule in [*singles, *(["combinations"] if combined else [])]:
        example = c.examples.get(rule) or t.examples.get(rule) or ""
        rows.append(
            [
                f"`{rule}`",
                _n(c.checked[rule]),
                _n(c.broken[rule]),
                _rate(c.broken[rule], c.checked[rule]),
                _n(t.checked[rule]),
                _n(t.broken[rule]),
                _rate(t.broken[rule], t.checked[rule]),
                example.replace("|", "\\|")[:100],
            ]
        )
    return rows


def _lengths(config: BuildConfig, pairs: list[dict[str, Any]]) -> list[str]:
    tokenizer_path = config.shared / "codet5-tokenizer"
    if not tokenizer_path.exists() or not pairs:
        return ["(no tokenizer at ../shared: lengths not measured)", ""]
    from training.modeling import load_tokenizer

    tokenizer = load_tokenizer(tokenizer_path)
    rng = random.Random(config.seed)
    drawn = rng.sample(pairs, min(2_000, len(pairs)))
    rows = []
    for split in sorted({p["split"] for p in drawn}):
        lengths = sorted(len(tokenizer(p["fast"]).input_ids) for p in drawn if p["split"] == split)
        over = sum(n > _CONTEXT for n in lengths)
        q = statistics.quantiles(lengths, n=10) if len(lengths) > 1 else lengths * 9
        rows.append([split, _n(len(lengths)), _n(int(q[0])), _n(int(statistics.median(lengths))), _n(int(q[-1]))])
        rows[-1].append(f"{_n(over)} ({100 * over / len(lengths):.0f}%)")
    valid = (
        [json.loads(line)["src_code"] for line in config.valid_programs.read_text().splitlines()]
        if (config.valid_programs.exists())
        else []
    )
    long_valid = sum(len(tokenizer(code).input_ids) > _CONTEXT for code in valid)
    return [
        f"The validation programs (`{config.valid_programs}`, what %opt@k is measured on): {_n(len(valid))},"
        f" of which {_n(long_valid)} are longer than {_CONTEXT} tokens.",
        "",
        f"The fast side of {_n(len(drawn))} random pairs, in CodeT5 tokens; programs longer than the model's"
        f" {_CONTEXT}-token context are kept in every split (issue 18 windows them):",
        "",
        *_table(["split", "pairs", "10th pct", "median", "90th pct", f"over {_CONTEXT}"], rows),
    ]


def _checks_line(checks: dict[str, Any] | None) -> str:
    """Why the build takes longer than one session: the syntax checks of every distinct source."""
    if not checks:
        return "- syntax checks: not run"
    sources, done, rate = checks["sources"], checks["compiled"], checks.get("seconds_per_source")
    line = f"- syntax checks: {_n(done)} of {_n(sources)} distinct sources (both sides of every pair) checked"
    if rate and sources > done:
        hours = (sources - done) * rate / 3600
        line += (
            f"; at this machine's {rate:.2f} s a source, the other {_n(sources - done)} would take {hours:.1f} h"
            " of one core (`compile_budget_s` bounds each run; the soundness sample goes first, the rest only"
            " raises pairs from `construction` to `compiled`)"
        )
    return line


def markdown(
    config: BuildConfig, pairs: list[dict[str, Any]], sound: dict[str, Soundness], stats: dict[str, Any]
) -> str:
    tiers = Counter(p["verified"] for p in pairs)
    programs = {p["origin"] for p in pairs}
    seconds = stats.get("seconds", {})
    by_rule: dict[str, Counter[str]] = {}
    for p in pairs:
        by_rule.setdefault(_row_of(p), Counter())[p["verified"]] += 1
    edits = Counter(
        next(
            f"{lo}" if lo == hi else (f"{lo}–{hi}" if hi < 10**9 else f"over {lo - 1}")
            for lo, hi in _EDIT_BUCKETS
            if lo <= p["lines_changed"] <= hi
        )
        for p in pairs
    )
    skipped: Counter[str] = stats.get("skipped", Counter())
    kinds: Counter[str] = stats.get("kinds", Counter())
    lines = [
        "# Training pairs: the data engine",
        "",
        "Made by `python -m training.data.build` (see its docstring for the stages); every number below is",
        "computed by its `report` stage from the build's own files. The full set is not committed (it is far",
        f"over the tracked tree's 64 MiB); `{config.sample}` holds up to {_n(config.sample_size)} random pairs"
        " of it, drawn from those whose two sides compiled.",
        "",
        "## Totals",
        "",
        f"- pairs: **{_n(len(pairs))}** from **{_n(len(programs))}** distinct files",
        f"- corpus files read: {_n(stats.get('files', 0))}; used: {_n(kinds.get('program', 0))} whole programs,"
        f" {_n(kinds.get('library', 0))} library files, of which"
        f" {_n(sum(kinds.values()) - len({p['origin'] for p in pairs if p['source'] == 'synthetic'}))}"
        " got no synthetic pair (no inverse applied, or its pairs were capped or dropped)",
        "- build time on this machine (2 cores), seconds per stage over all resumed runs: "
        + (", ".join(f"{k} {v:,.0f}" for k, v in seconds.items()) or "not recorded")
        + f" (total {sum(seconds.values()) / 3600:.2f} h)",
        _checks_line(stats.get("checks")),
        "",
        *_table(["tier", "pairs"], [[t, _n(tiers[t])] for t in TIERS]),
        *_table(["source", "pairs"], sorted(Counter(p["source"] for p in pairs).items())),
        *_table(["family", "pairs", "share"], _families(pairs)),
        *_table(
            ["split", "pairs", "problems"],
            [
                [s, _n(n), _n(len({p["problem"] for p in pairs if p["split"] == s}))]
                for s, n in sorted(Counter(p["split"] for p in pairs).items())
            ],
        ),
        "No problem has pairs on both sides of the split (checked when the set is written), and no side of",
        "any pair is a validation program of `training/data/valid.jsonl` (those files are skipped).",
        "",
        "## Per rule",
        "",
        f"A combination (`a+b`) is its own rule, capped like the others (at {_n(config.per_rule)} pairs each).",
        "",
        *_table(
            ["rule", "family", "pairs", *TIERS],
            [
                [
                    f"`{rule}`",
                    "combined" if " " in rule else family(rule),
                    _n(sum(c.values())),
                    *(_n(c[t]) for t in TIERS),
                ]
                for rule, c in sorted(by_rule.items())
            ],
        ),
        "## Soundness",
        "",
        *(
            [
                "Left out of the set by `drop_rules`: "
                + "; ".join(f"`{k}` ({v})" for k, v in config.drop_rules.items()),
                "",
            ]
            if config.drop_rules
            else []
        ),
        f"The checks begin with a sample of up to {_n(config.soundness_per_family)} synthetic pairs per family (all"
        f" of a family that has fewer): {_n(stats.get('sampled', 0))} pairs, interleaved across families so that"
        " a run its budget stops still covers every family. A row counts the sampled pairs checked so far"
        f" ({_n(sum(sound['compile'].checked.values()))} syntax-checked, {_n(sum(sound['test'].checked.values()))}"
        " run on tests) whose original passed; a pair breaks when its slow side then fails.",
        "",
        *_table(
            ["rule", "compiled", "broke", "rate", "tested", "broke", "rate", "first failure"],
            soundness_rows(sound),
        ),
        "## Skipped files and dropped pairs",
        "",
        *_table(["reason", "count"], [[k, _n(v)] for k, v in sorted(skipped.items(), key=lambda kv: -kv[1])]),
        *_table(["dropped pair", "count"], sorted(stats.get("dropped", Counter()).items())),
        "Inverses that raised on a file (the file then gets no pair from that inverse): "
        + (", ".join(f"`{k}` {v}" for k, v in sorted(stats.get("errors", Counter()).items())) or "none"),
        "",
        "## Edit sizes",
        "",
        "Lines changed between the two sides (a replaced block counts by its longer side):",
        "",
        *_table(["lines", "pairs"], [[k, _n(edits[k])] for k in _bucket_names() if edits[k]]),
        "## Program lengths",
        "",
        *_lengths(config, pairs),
    ]
    return "\n".join(lines)

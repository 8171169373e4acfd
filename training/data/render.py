"""Pairs as the model sees them: (a window of the slow side, what to write there), by the same code as
inference (:mod:`perfopt.window_io`, :mod:`perfopt.windows`).

    python -m training.data.render --pairs runs/data/final.jsonl.xz --format lines \\
        --out runs/data/rendered-lines.jsonl.xz [--max-len 512] [--limit N]

A pair's change is placed in the window that shows it, with the context rules of inference; a change in
two functions of a long file makes one example per window. A pair is left out, and counted by reason,
when its slow side has no window (no function body), a part of its change lies where no window shows it,
the format cannot say it, or the prompt or target is longer than ``max_len`` tokens. Each example keeps
its pair's ``split``, ``rule``, ``verified`` tier and ``problem_id``.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from perfopt import window_io
from perfopt.edits import EditError, TargetFormat
from perfopt.windows import NoFunctionBody, NoWindow, tokens_per_line
from training.data.jsonl import read_jsonl, write_jsonl

_KEPT = ("split", "rule", "verified", "problem_id", "source", "id")


class TokenCounter:
    """Tokens per rendered line (newline included) and per text, with the model's tokenizer."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def lines(self, lines: list[str]) -> list[int]:
        return tokens_per_line(self.tokenizer, lines)

    def text(self, text: str) -> int:
        return len(self.tokenizer(text).input_ids)


def examples(
    pairs: Iterable[dict[str, Any]], fmt: TargetFormat, count: TokenCounter, max_len: int, skipped: Counter[str]
) -> Iterator[dict[str, Any]]:
    """The examples of ``pairs``, counting in ``skipped`` why a pair gave none."""
    for pair in pairs:
        slow, fast = pair["slow"], pair["fast"]
        try:
            found = window_io.windows_for(slow, fmt, max_len, count.lines)
        except NoFunctionBody:
            skipped["the slow side has no function body"] += 1
            continue
        except NoWindow:
            skipped[f"every statement of the slow side's functions is over {max_len} tokens"] += 1
            continue
        if not found:
            skipped[f"longer than {max_len} tokens, for a whole-program target"] += 1
            continue
        placed, lost = window_io.place(slow, fast, found)
        if lost or not placed:
            skipped["a part of the change lies where no window shows it"] += 1
            continue
        made: list[dict[str, Any]] = []
        for window, edits in placed:
            try:
                target = window_io.target(slow, window, edits, fmt)
            except EditError:
                skipped["the format cannot say the change"] += 1
                made = []
                break
            prompt = window_io.prompt(slow, window, fmt)
            if count.text(prompt) > max_len or count.text(target) > max_len:
                skipped[f"a prompt or target over {max_len} tokens"] += 1
                made = []
                break
            row = {"prompt": prompt, "target": target, "window": window.label}
            row.update({k: pair[k] for k in _KEPT if k in pair})
            made.append(row)
        yield from made


def main(argv: list[str] | None = None) -> None:
    from transformers import AutoTokenizer

    from training.config import SHARED

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=Path("runs/data/final.jsonl.xz"))
    parser.add_argument("--format", choices=[f.value for f in TargetFormat], default=TargetFormat.LINES.value)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tokenizer", type=Path, default=SHARED / "codet5-tokenizer")
    parser.add_argument("--max-len", type=int, default=512)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    count = TokenCounter(AutoTokenizer.from_pretrained(str(args.tokenizer)))
    skipped: Counter[str] = Counter()
    pairs = islice(read_jsonl(args.pairs), args.limit)
    rows = list(examples(pairs, TargetFormat(args.format), count, args.max_len, skipped))
    write_jsonl(args.out, rows)
    print(f"{len(rows)} examples in {args.out}; pairs left out: {dict(skipped) or 'none'}")


if __name__ == "__main__":
    main()

"""Pairs rendered as the model sees them: one example per window that holds a part of the change, and
every pair left out counted by its reason."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

from perfopt.edits import TargetFormat
from perfopt.window_io import Prompt, windows_for
from training.data.render import TokenCounter, examples


class _Words:
    """A stand-in tokenizer: a token per word, plus the two special tokens of a whole text."""

    def __call__(self, text: str | list[str], add_special_tokens: bool = True) -> Any:
        extra = 2 if add_special_tokens else 0
        if isinstance(text, list):
            return SimpleNamespace(input_ids=[[0] * (len(t.split()) + extra) for t in text])
        return SimpleNamespace(input_ids=[0] * (len(text.split()) + extra))


TWO = """#include <cstdio>
long long a(int n) {
    long long s = 0;
    for (int i = 0; i < n; i++) s += i;
    return s;
}
long long b(int n) {
    long long p = 1;
    for (int i = 1; i < n; i++) p = p * 3 % 1000;
    return p;
}
int main() { printf("%lld %lld\\n", a(10), b(10)); }
"""


def test_a_change_in_two_functions_makes_an_example_per_window() -> None:
    fast = TWO.replace("s += i;", "s += (long long)i;").replace("p = p * 3 % 1000;", "p = (p * 3) % 1000;")
    pair = {"slow": TWO, "fast": fast, "split": "train", "rule": "r", "verified": "compiled", "id": "x"}
    skipped: Counter[str] = Counter()
    count = TokenCounter(_Words())
    rows = list(examples([pair], TargetFormat.LINES, count, 40, skipped))
    assert not skipped
    assert [r["window"] for r in rows] == ["function a", "function b"]
    assert all(r["split"] == "train" and r["rule"] == "r" and r["verified"] == "compiled" for r in rows)
    # Each target, applied through its window, makes that part of the change and nothing else.
    found = {w.label: w for w in windows_for(TWO, TargetFormat.LINES, 40, count.lines)}
    first = Prompt(TWO, found["function a"], TargetFormat.LINES).outcome(rows[0]["target"])[0]
    assert first == TWO.replace("s += i;", "s += (long long)i;")
    assert rows[0]["prompt"] == Prompt(TWO, found["function a"], TargetFormat.LINES).text


def test_pairs_that_cannot_be_rendered_are_counted_by_reason() -> None:
    header = "#pragma once\nint f(int);\n"
    long_line = "int main() { " + "x++; " * 60 + "}\n"
    pairs = [
        {"slow": header, "fast": header + "int g(int);\n"},
        {"slow": long_line, "fast": long_line.replace("x++; ", "++x; ", 1)},
    ]
    skipped: Counter[str] = Counter()
    assert list(examples(pairs, TargetFormat.LINES, TokenCounter(_Words()), 40, skipped)) == []
    assert skipped == Counter(
        {"the slow side has no function body": 1, "every statement of the slow side's functions is over 40 tokens": 1}
    )

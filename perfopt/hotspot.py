"""Where the original spends its instructions, said in a line: the report's ``hot spot``.

Useful even when nothing faster is found: it says where to look. The spots are the file's functions and
the outermost loop nests in them, each with its share of the profile (:mod:`perfopt.profile`, exclusive:
instructions on the file's own lines). The hot spot is the hottest function, or its hottest loop nest when
that holds at least half of the function's instructions: ``lines 20–24 (loop in main), 71% of instructions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from perfopt.profile import Profile
from perfopt.rewrite.parse import Parsed
from perfopt.windows import LOOPS, function_name, functions, span


@dataclass(frozen=True)
class Spot:
    first: int
    last: int
    label: str
    share: float

    def describe(self) -> str:
        lines = f"line {self.first}" if self.first == self.last else f"lines {self.first}\u2013{self.last}"
        return f"{lines} ({self.label}), {self.share:.0%} of instructions"

    def to_json(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "label": self.label, "share": round(self.share, 4)}


def _outer_loops(node: Node) -> list[Node]:
    found = []
    stack = list(node.children)
    while stack:
        child = stack.pop()
        if child.type in LOOPS:
            found.append(child)
        elif child.type not in ("lambda_expression",):
            stack.extend(child.children)
    return found


def spots(source: str, profile: Profile) -> list[Spot]:
    """Functions and their outermost loop nests, hottest first; empty without instructions."""
    if profile.total == 0:
        return []
    parsed = Parsed(source)
    out = []
    for function in functions(parsed):
        name = function_name(parsed, function)
        first, last = span(function)
        out.append(Spot(first, last, f"function {name}", profile.cost(first, last) / profile.total))
        for loop in _outer_loops(function):
            a, b = span(loop)
            out.append(Spot(a, b, f"loop in {name}", profile.cost(a, b) / profile.total))
    return sorted(out, key=lambda s: (-s.share, s.first, s.label.startswith("loop")))


def hot_spot(found: list[Spot]) -> Spot | None:
    function = next((s for s in found if s.label.startswith("function")), None)
    if function is None or function.share == 0:
        return None
    inside = [s for s in found if s.label.startswith("loop") and function.first <= s.first <= function.last]
    loop = max(inside, key=lambda s: s.share, default=None)
    return loop if loop is not None and loop.share >= function.share / 2 else function

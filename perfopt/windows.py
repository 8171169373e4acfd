"""Windows: the pieces of a file the model reads, each within its context, never cutting a statement.

A model with a 512-token context cannot read most real files whole, and should not: the time goes to a
few lines. A window is a set of the file's lines, rendered in order (``...`` marks a gap):

- the whole file, when it fits;
- else each function, with the file-level declarations it uses (``#include``/``using`` lines, globals,
  types and macros it names), as many as fit;
- a function too long for one window is cut between its statements into runs that fit, each under the
  function's head (and the head of every loop or block it lies in); a statement too long alone is opened
  up the same way. A run that is one loop statement is a "loop nest".

Windows are ranked by the share of the original's instructions spent in their focus lines (the profile,
:mod:`perfopt.profile`), or kept in file order when there is no profile. Edits name file lines, and an
edit may touch any line its window shows (a context line too: an added ``#include``, a global's type).
The same code renders windows for training pairs (``training/data/render.py``) and at inference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from tree_sitter import Node

from perfopt.profile import Profile
from perfopt.rewrite.parse import Parsed

#: Counts the tokens of each rendered line, newline included (a tokenizer in practice).
Counter = Callable[[list[str]], list[int]]

GAP = "..."
#: Tokens a window costs beyond its lines: the sequence's special tokens.
_OVERHEAD = 2
_FUNCTIONS = ("function_definition",)
#: File-level items that can be context: what a window's code may name.
_DECLARATIONS = (
    "declaration",
    "type_definition",
    "alias_declaration",
    "using_declaration",
    "preproc_def",
    "preproc_function_def",
    "struct_specifier",
    "class_specifier",
    "enum_specifier",
    "union_specifier",
    "template_declaration",
)
#: Where a name in a declaration is the name it declares (besides any declarator).
_NAMING = frozenset(
    [
        "struct_specifier",
        "class_specifier",
        "enum_specifier",
        "enumerator",
        "union_specifier",
        "type_definition",
        "alias_declaration",
    ]
)
LOOPS = ("for_statement", "for_range_loop", "while_statement", "do_statement")
#: Statements whose body can be opened up when the whole statement does not fit.
_BODIES = ("compound_statement", "field_declaration_list", "declaration_list")


def tokens_per_line(tokenizer: Any, lines: list[str]) -> list[int]:
    """A :data:`Counter` from a model's tokenizer: each line's tokens, its newline included."""
    return [len(ids) for ids in tokenizer([line + "\n" for line in lines], add_special_tokens=False).input_ids]


def render_line(number: int, text: str, numbered: bool) -> str:
    """``12|code``: no space after the bar, so that the code's tokens are those of the bare line."""
    return f"{number}|{text}" if numbered else text


def render(lines: Sequence[str], shown: Sequence[int], numbered: bool) -> str:
    """The window's text: its lines in order (1-based numbers), ``...`` between lines that are not adjacent."""
    out: list[str] = []
    previous = None
    for n in shown:
        if previous is not None and n != previous + 1:
            out.append(GAP)
        out.append(render_line(n, lines[n - 1], numbered))
        previous = n
    return "\n".join(out)


@dataclass(frozen=True)
class Window:
    """What the model reads for one proposal: ``lines`` shown (ascending, 1-based); ``first``..``last`` is
    the code the window is for (its focus), the other shown lines are context."""

    lines: tuple[int, ...]
    first: int
    last: int
    label: str

    def share(self, profile: Profile | None) -> float | None:
        """The share of the original's instructions spent on the focus lines."""
        if profile is None or profile.total == 0:
            return None
        return profile.cost(self.first, self.last) / profile.total

    def describe(self) -> str:
        span = f"line {self.first}" if self.first == self.last else f"lines {self.first}\u2013{self.last}"
        return f"{span} ({self.label})"


class NoWindow(ValueError):
    """A file with nothing the model can work on (no function body), or only statements too long alone."""


class NoFunctionBody(NoWindow):
    """A file of declarations alone (a header): nothing runs there for the model to speed up."""


def span(node: Node) -> tuple[int, int]:
    end = node.end_point
    # A node ending at column 0 ends with the previous line's newline.
    last = end.row if end.column == 0 and end.row > node.start_point.row else end.row + 1
    return node.start_point.row + 1, last


def function_name(parsed: Parsed, function: Node) -> str:
    declarator = function.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    name = declarator.child_by_field_name("declarator") if declarator is not None else None
    return parsed.text(name) if name is not None else "function"


class _Planner:
    def __init__(self, source: str, budget: int, count: Counter, numbered: bool) -> None:
        self.parsed = Parsed(source)
        self.lines = source.split("\n")
        self.budget = budget - _OVERHEAD
        rendered = [render_line(i + 1, t, numbered) for i, t in enumerate(self.lines)]
        self.cost = [0, *count(rendered)]
        self.gap = count([GAP])[0]
        # Always-useful lines (#include, using) first, then declarations in file order.
        self.context = sorted(self._context(), key=lambda item: (bool(item[0]), item[1]))
        self.names: list[set[str]] = [set() for _ in range(len(self.lines) + 2)]
        for node in self.parsed.walk():
            if node.type in ("identifier", "type_identifier", "field_identifier", "namespace_identifier"):
                self.names[node.start_point.row + 1].add(self.parsed.text(node))

    def size(self, shown: set[int]) -> int:
        ordered = sorted(shown)
        gaps = sum(1 for a, b in pairwise(ordered) if b != a + 1)
        return sum(self.cost[n] for n in ordered) + gaps * self.gap

    def fits(self, shown: set[int]) -> bool:
        return self.size(shown) <= self.budget

    def _context(self) -> list[tuple[frozenset[str], tuple[int, int]]]:
        """File-level items a window may need, with the names each declares (empty: always useful)."""
        items: list[tuple[frozenset[str], tuple[int, int]]] = []
        stack = list(self.parsed.root.children)
        while stack:
            node = stack.pop(0)
            if node.type in ("namespace_definition", "linkage_specification"):
                body = node.child_by_field_name("body")
                stack[:0] = list(body.children) if body is not None else []
                continue
            if node.type in ("preproc_include", "using_declaration") and not node.has_error:
                items.append((frozenset(), span(node)))
            elif node.type in _DECLARATIONS and not node.has_error and not self._defines_function(node):
                names = frozenset(self._declared(node))
                if names:
                    items.append((names, span(node)))
        return items

    def _defines_function(self, node: Node) -> bool:
        return any(c.type in _FUNCTIONS for c in node.children)

    def _declared(self, node: Node) -> list[str]:
        """Names a file-level item declares: variables, types, macros, prototypes."""
        if node.type in ("preproc_def", "preproc_function_def"):
            name = node.child_by_field_name("name")
            return [self.parsed.text(name)] if name is not None else []
        names = []
        stack = [node]
        while stack:
            child = stack.pop()
            if child.type in ("compound_statement", "parameter_list"):
                continue  # a method's locals and parameters are not names the item declares
            stack.extend(child.children)
            if child.type in ("identifier", "type_identifier") and child.parent is not None:
                role = child.parent.type
                # ``set<string> visited;``: a plain name is the declaration's own declarator.
                plain = role == "declaration" and any(
                    d.id == child.id for d in child.parent.children_by_field_name("declarator")
                )
                if role.endswith("declarator") or role in _NAMING or plain:
                    names.append(self.parsed.text(child))
        return names

    def used(self, first: int, last: int) -> set[str]:
        return set().union(*self.names[first : last + 1])

    def with_context(self, focus: set[int], heads: set[int]) -> tuple[int, ...] | None:
        """The focus and heads, plus what context fits (always-useful lines first, then declarations in
        file order); None when the focus and heads alone do not fit."""
        shown = focus | heads
        if not self.fits(shown):
            return None
        low, high = min(focus), max(focus)
        used = self.used(low, high)
        for names, (a, b) in self.context:
            # Used: named in the focus, or holding it (a method's class).
            if names and not names & used and not a <= low <= high <= b:
                continue
            more = shown | set(range(a, b + 1))
            if self.fits(more):
                shown = more
        return tuple(sorted(shown))


def windows(source: str, budget: int, count: Counter, numbered: bool = True) -> list[Window]:
    """The file's windows in file order; raises NoWindow when there are none, with the reason."""
    planner = _Planner(source, budget, count, numbered)
    everything = set(range(1, len(planner.lines) + 1))
    if planner.fits(everything):
        found = [Window(tuple(sorted(everything)), 1, len(planner.lines), "whole file")]
        if functions(planner.parsed):
            return found
        raise NoFunctionBody("no function body: nothing runs here for the model to speed up")
    defined = functions(planner.parsed)
    if not defined:
        raise NoFunctionBody("no function body: nothing runs here for the model to speed up")
    out: list[Window] = []
    for function in defined:
        out += _function_windows(planner, function)
    if not out:
        raise NoWindow(f"every function has a statement longer than the model's {budget} tokens")
    return sorted(out, key=lambda w: w.first)


def functions(parsed: Parsed) -> list[Node]:
    """Every function definition not inside another one (methods in class bodies included)."""
    found = []
    stack = [parsed.root]
    while stack:
        node = stack.pop()
        if node.type in _FUNCTIONS and node.child_by_field_name("body") is not None:
            found.append(node)
            continue
        stack.extend(node.children)
    return sorted(found, key=lambda n: n.start_byte)


def _function_windows(planner: _Planner, function: Node) -> list[Window]:
    name = function_name(planner.parsed, function)
    # A template's ``template <...>`` line is part of the function (and of its head).
    outer = function
    while outer.parent is not None and outer.parent.type == "template_declaration":
        outer = outer.parent
    first, last = span(outer)
    shown = planner.with_context(set(range(first, last + 1)), set())
    if shown is not None:
        return [Window(shown, first, last, f"function {name}")]
    body = function.child_by_field_name("body")
    if body is None:
        return []
    return _pieces(planner, body, _head(outer, body), name)


def _head(node: Node, body: Node) -> set[int]:
    """The lines of ``node`` before its body, and the body's opening line (``int main() {``)."""
    return set(range(node.start_point.row + 1, body.start_point.row + 2))


def _atoms(body: Node) -> list[tuple[list[Node], int, int]]:
    """The body's statements, those sharing a line merged (a window cuts between lines)."""
    atoms: list[tuple[list[Node], int, int]] = []
    for child in body.named_children:
        a, b = span(child)
        if atoms and a <= atoms[-1][2]:
            nodes, start, end = atoms[-1]
            atoms[-1] = ([*nodes, child], start, max(end, b))
        else:
            atoms.append(([child], a, b))
    return atoms


def _inner_bodies(node: Node) -> list[tuple[Node, Node]]:
    """The blocks a statement too long for one window is opened up at, each with the node its head starts
    at: a loop's body, a block itself, an if's branches (``else`` and ``else if`` ones too)."""
    if node.type in _BODIES:
        return [(node, node)]
    found = []
    for field in ("body", "consequence"):
        child = node.child_by_field_name(field)
        if child is not None and child.type in _BODIES:
            found.append((node, child))
    alternative = node.child_by_field_name("alternative")
    if alternative is not None and alternative.named_children:
        branch = alternative.named_children[-1]
        found += [(alternative if owner == branch else owner, b) for owner, b in _inner_bodies(branch)]
    return found


def _pieces(planner: _Planner, body: Node, heads: set[int], name: str) -> list[Window]:
    """Runs of consecutive statements of ``body`` that fit under ``heads``; a statement too long alone is
    opened up under its own head too."""
    out: list[Window] = []
    run: list[tuple[list[Node], int, int]] = []

    def close() -> None:
        if run:
            first, last = run[0][1], run[-1][2]
            shown = planner.with_context(set(range(first, last + 1)), heads)
            assert shown is not None
            loop = len(run) == 1 and len(run[0][0]) == 1 and run[0][0][0].type in LOOPS
            out.append(Window(shown, first, last, f"loop in {name}" if loop else f"part of {name}"))
            run.clear()

    for atom in _atoms(body):
        nodes, a, b = atom
        start = run[0][1] if run else a
        if planner.fits(set(range(start, b + 1)) | heads):
            run.append(atom)
            continue
        close()
        if planner.fits(set(range(a, b + 1)) | heads):
            run.append(atom)
            continue
        for owner, inner in _inner_bodies(nodes[0]) if len(nodes) == 1 else []:
            deeper = heads | _head(owner, inner)
            # Heads that alone fill the budget leave room for no statement: opening further would only recurse.
            if inner.named_child_count and planner.fits(deeper):
                out += _pieces(planner, inner, deeper, name)
    close()
    return out


def ranked(found: list[Window], profile: Profile | None) -> list[Window]:
    """Hottest first by the profile; file order without one (or on ties)."""
    if profile is None or profile.total == 0 or not found:
        return list(found)
    # Prefix sums: a 20,000-line file has thousands of windows, and summing the profile for each is quadratic.
    top = max(max(profile.lines, default=0), max(w.last for w in found))
    prefix = [0] * (top + 1)
    for line in range(1, top + 1):
        prefix[line] = prefix[line - 1] + profile.lines.get(line, 0)
    return sorted(found, key=lambda w: (-(prefix[w.last] - prefix[w.first - 1]), w.first))

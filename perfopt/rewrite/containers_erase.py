"""containers.erase_remove_if: erase-one-at-a-time loops become one remove_if pass."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    SEQUENCES,
    call_args,
    container_of,
    flat,
    fresh_name,
    if_condition,
    include_edit,
    inside,
    is_literal,
    located,
    outer,
    single_statement,
    unit_step,
    unparen,
)
from perfopt.rewrite.containers_effects import calls_unknown, shared
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed


@dataclass
class _EraseLoop:
    v: Node  # the container
    pred: Node  # the test that selects the elements to erase (negated when ``keep``)
    keep: bool  # the test selects the elements to keep
    #: ``*it`` / ``v[i]`` / ``it->f`` in the test, and what follows the lambda's parameter in their place.
    elements: list[tuple[Node, str]]
    var: str  # the iterator or index


class EraseRemoveIf(Rewrite):
    """A loop that erases matching elements one at a time becomes ``v.erase(std::remove_if(...), v.end())``."""

    name = "containers.erase_remove_if"
    why = "each erase shifts the whole tail of the vector (O(n^2) in all); remove_if compacts it in one pass"
    unsafe_when = (
        "the loop does anything besides the test, the erase and the step, or the test depends on the position "
        "or on the vector itself"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for loop in parsed.walk():
            if loop.type != "for_statement" or not parsed.clean(loop):
                continue
            found = _iterator_loop(parsed, loop) or _index_loop(parsed, loop)
            if found is None:
                continue
            c = container_of(parsed, found.v)
            if c is None or c.kind not in SEQUENCES or (c.args and parsed.text(c.args[0]) == "bool"):
                continue
            name, pred = parsed.text(found.v), found.pred
            regions = [e for e, _ in found.elements]
            if any(not _within(u, regions) for u in parsed.identifiers(pred, name)):
                continue  # the test reads the vector itself, which remove_if reorders as it goes
            if shared(parsed, found.v) and calls_unknown(parsed, pred):
                continue  # a function the test calls may read the vector mid-compaction
            if any(n.type in ("assignment_expression", "update_expression") for n in parsed.walk(pred)):
                continue
            # The test may read the element, not the position.
            if any(not _within(u, regions) for u in parsed.identifiers(pred, found.var)):
                continue
            x = fresh_name(parsed, pred, "x", "elem", "item")
            test = _replaced(parsed, pred, [Edit(e.start_byte, e.end_byte, x + rest) for e, rest in found.elements])
            test = f"!({test})" if found.keep else test
            text = (
                f"{name}.erase(std::remove_if({name}.begin(), {name}.end(), "
                f"[&](const auto& {x}) {{ return {test}; }}), {name}.end());"
            )
            edits = [Edit(loop.start_byte, loop.end_byte, text)]
            include = include_edit(parsed, "algorithm")
            reason = f"erase the matching elements of {name} in one remove_if pass instead of one erase each"
            out.append(located(parsed, self.match(parsed, edits + ([include] if include else []), reason), loop))
        return out


def _iterator_loop(parsed: Parsed, loop: Node) -> _EraseLoop | None:
    """``for (auto it = v.begin(); it != v.end();) if (p) it = v.erase(it); else ++it;``"""
    init, cond = loop.child_by_field_name("initializer"), loop.child_by_field_name("condition")
    start = _single_init(parsed, init)
    if loop.child_by_field_name("update") is not None or start is None or cond is None:
        return None
    it, begin = start
    v = _member_call_object(parsed, begin, "begin")
    if v is None or flat(parsed, cond) != f"{it}!={parsed.text(v)}.end()":
        return None
    erase, step = f"{it}={parsed.text(v)}.erase({it});", (f"++{it};", f"{it}++;")
    branches = _erase_or_step(parsed, loop, erase, step)
    if branches is None:
        return None
    elements = []
    for u in parsed.identifiers(branches[0], it):
        use = outer(u).parent
        field = _arrow_field(parsed, use, u)
        if use is not None and use.type == "pointer_expression" and parsed.text(use.children[0]) == "*":
            elements.append((outer(use), ""))
        elif use is not None and field is not None:
            elements.append((use, f".{field}"))
        else:
            return None  # the iterator itself: its position
    return _EraseLoop(v, branches[0], branches[1], elements, it)


def _index_loop(parsed: Parsed, loop: Node) -> _EraseLoop | None:
    """``for (int i = 0; i < v.size(); i++) if (p) { v.erase(v.begin() + i); i--; }`` (or the if/else form)."""
    init, cond, update = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    start = _single_init(parsed, init)
    if start is None or not is_literal(parsed, start[1], "0") or cond is None:
        return None
    i, cond = start[0], unparen(cond)
    if cond.type != "binary_expression" or parsed.text(cond.children[1]) != "<" or parsed.text(cond.children[0]) != i:
        return None
    size = unparen(cond.children[2])
    if size.type == "cast_expression":
        size = unparen(size.child_by_field_name("value") or size)
    v = _member_call_object(parsed, size, "size")
    if v is None:
        return None
    name = parsed.text(v)
    erase = f"{name}.erase({name}.begin()+{i});"
    if update is not None and unit_step(parsed, update, i) == "++":
        body = single_statement(loop.child_by_field_name("body"))
        if body is None or body.type != "if_statement" or body.child_by_field_name("alternative") is not None:
            return None
        then, pred = body.child_by_field_name("consequence"), if_condition(body)
        stmts = then.named_children if then is not None and then.type == "compound_statement" else []
        if pred is None or len(stmts) != 2 or flat(parsed, stmts[0]) != erase:
            return None
        if flat(parsed, stmts[1]) not in (f"{i}--;", f"--{i};"):
            return None
        found: tuple[Node, bool] | None = (pred, False)
    elif update is None:
        found = _erase_or_step(parsed, loop, erase, (f"{i}++;", f"++{i};"))
    else:
        return None
    if found is None:
        return None
    elements: list[tuple[Node, str]] = []
    for u in parsed.identifiers(found[0], i):
        sub = outer(u).parent
        sub = sub.parent if sub is not None and sub.type == "subscript_argument_list" else None
        if sub is None or sub.type != "subscript_expression" or flat(parsed, sub) != f"{name}[{i}]":
            return None
        elements.append((outer(sub), ""))
    return _EraseLoop(v, found[0], found[1], elements, i)


def _single_init(parsed: Parsed, init: Node | None) -> tuple[str, Node] | None:
    """``("it", v.begin())`` for a loop initializer ``auto it = v.begin()``."""
    if init is None or init.type != "declaration":
        return None
    declarators = init.children_by_field_name("declarator")
    if len(declarators) != 1 or declarators[0].type != "init_declarator":
        return None
    var, value = declarators[0].child_by_field_name("declarator"), declarators[0].child_by_field_name("value")
    if var is None or value is None or var.type != "identifier":
        return None
    return parsed.text(var), value


def _erase_or_step(parsed: Parsed, loop: Node, erase: str, steps: tuple[str, ...]) -> tuple[Node, bool] | None:
    """The test of a loop body ``if (test) <erase> else <step>`` (or the other way round, then keep=True)."""
    body = single_statement(loop.child_by_field_name("body"))
    if body is None or body.type != "if_statement":
        return None
    then, alternative, pred = (
        body.child_by_field_name("consequence"),
        body.child_by_field_name("alternative"),
        if_condition(body),
    )
    if pred is None or then is None or alternative is None or alternative.named_child_count != 1:
        return None
    first, second = flat(parsed, then), flat(parsed, alternative.named_children[0])
    if first == erase and second in steps:
        return pred, False
    if first in steps and second == erase:
        return pred, True
    return None


def _member_call_object(parsed: Parsed, node: Node, method: str) -> Node | None:
    """``v`` when ``node`` is ``v.method()``."""
    node = unparen(node)
    fn = node.child_by_field_name("function") if node.type == "call_expression" else None
    if fn is None or fn.type != "field_expression" or call_args(node):
        return None
    obj, field = fn.child_by_field_name("argument"), fn.child_by_field_name("field")
    if obj is None or obj.type != "identifier" or field is None or parsed.text(field) != method:
        return None
    return obj if parsed.text(fn.children[1]) == "." else None


def _arrow_field(parsed: Parsed, node: Node | None, it: Node) -> str | None:
    """``f`` when ``node`` is ``it->f``."""
    if node is None or node.type != "field_expression" or node.child_by_field_name("argument") != it:
        return None
    field = node.child_by_field_name("field")
    return parsed.text(field) if field is not None and parsed.text(node.children[1]) == "->" else None


def _within(node: Node, regions: list[Node]) -> bool:
    return any(inside(node, r) for r in regions)


def _replaced(parsed: Parsed, node: Node, edits: list[Edit]) -> str:
    """``node``'s text with ``edits`` (inside it) applied."""
    data = parsed.data[node.start_byte : node.end_byte]
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        data = data[: e.start - node.start_byte] + e.text.encode("utf-8") + data[e.end - node.start_byte :]
    return data.decode("utf-8")

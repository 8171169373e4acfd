"""The lookup half of a memoized recursion: ``if (memo[n] != -1) return memo[n];`` and its kin, recognised,
and what its condition says of a cell that still holds an initial value (:mod:`algorithmic_memo` uses both)."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.inverse.algorithmic_tables import Kind, integer, member, unparen
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import call_name, is_std

_COMPARE = ("!=", "==", "<", "<=", ">", ">=")
_MIRROR = {"!=": "!=", "==": "==", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class Lookup:
    """``if (cond) return table<key>;``: which table the condition tests (``op`` on it, with ``literal``)."""

    statement: Node
    table: str
    names: tuple[str, ...]
    tested: str
    op: str  # "truthy", "~", a comparison, or "present" (a map's count/find/contains)
    literal: int | None


def holds(op: str, literal: int | None, kind: Kind, value: int) -> bool | None:
    """Whether the lookup's condition holds for a cell holding ``value``; None if it cannot tell."""
    bits, signed = kind
    if op == "truthy":
        return value != 0
    if op == "~":
        if signed or bits == 1:
            return ~value != 0
        # An unsigned type narrower than int is promoted to int first, whose ~ is never 0.
        return None if bits is None else (bits < 32 or value != (1 << bits) - 1)
    if literal is None or (literal < 0 and not signed):
        return None  # the usual arithmetic conversions would make the literal a large unsigned value
    if op in ("!=", "=="):
        return (value != literal) == (op == "!=")
    if op in ("<", ">="):
        return (value < literal) == (op == "<")
    return (value > literal) == (op == ">")


def _keynames(parsed: Parsed, values: list[Node]) -> tuple[str, ...] | None:
    """The names a key spells: ``n``, or a pair ``{a, b}`` or ``make_pair(a, b)``."""
    value = unparen(values[0]) if len(values) == 1 else None
    if value is None or value.type == "identifier":
        return None if value is None else (parsed.text(value),)
    items = value.named_children if value.type == "initializer_list" else []
    if value.type == "call_expression" and call_name(parsed, value) == "make_pair":
        args = value.child_by_field_name("arguments")
        items = args.named_children if args is not None and is_std(parsed, value.children[0], "make_pair") else []
    return (
        tuple(parsed.text(i) for i in items) if len(items) == 2 and all(i.type == "identifier" for i in items) else None
    )


def key_of(parsed: Parsed, access: Node) -> tuple[str, tuple[str, ...], int] | None:
    """``("dp", ("i", "j"), 2)`` for ``dp[i][j]``; ``("m", ("a", "b"), 1)`` for ``m[{a, b}]`` or ``m.at(...)``."""
    access = unparen(access)
    call = member(parsed, access)
    if call is not None:
        spelled = _keynames(parsed, call[2]) if call[1] == "at" else None
        return (call[0], spelled, 1) if spelled is not None else None
    key: tuple[str, ...] = ()
    levels = 0
    while access.type == "subscript_expression" and (index := access.child_by_field_name("indices")):
        part = _keynames(parsed, index.named_children)
        if part is None:
            return None
        key, levels = part + key, levels + 1
        access = access.child_by_field_name("argument") or access
    return (parsed.text(access), key, levels) if access.type == "identifier" and levels else None


def memo_lookup(parsed: Parsed, statement: Node) -> Lookup | None:
    """``if (memo[n] != -1) return memo[n];``, ``if (seen[n]) return memo[n];``, ``if (m.count(n)) return m[n];``."""
    body, cond = statement.child_by_field_name("consequence"), statement.child_by_field_name("condition")
    parent = statement.parent
    if statement.child_by_field_name("alternative") or body is None or cond is None or parent is None:
        return None
    if body.type == "compound_statement" and body.named_child_count == 1:
        body = body.named_children[0]
    value = cond.child_by_field_name("value")
    if body.type != "return_statement" or body.named_child_count != 1 or cond.named_child_count != 1 or not value:
        return None
    returned = key_of(parsed, body.named_children[0])
    if returned is None or parent.type != "compound_statement":
        return None
    test, op, literal, other = unparen(value), "truthy", None, None
    if test.type == "unary_expression" and parsed.text(test)[:1] == "~" and test.named_child_count == 1:
        test, op = unparen(test.named_children[0]), "~"
    elif test.type == "binary_expression" and (o := test.child_by_field_name("operator")) and o.type in _COMPARE:
        left, other = test.child_by_field_name("left"), test.child_by_field_name("right")
        if left is None or other is None:
            return None
        op = o.type
        if integer(parsed, left) is not None:
            left, other, op = other, left, _MIRROR[op]
        test, literal = unparen(left), integer(parsed, other)
    call = member(parsed, test)
    if call is not None:
        obj, method, args = call
        if method == "find":
            present = op == "!=" and other is not None and member(parsed, unparen(other)) == (obj, "end", [])
        else:
            present = method in ("count", "contains") and (
                op == "truthy" or (op in ("!=", ">") and literal == 0) or (op in ("==", ">=") and literal == 1)
            )
        if not present or _keynames(parsed, args) != returned[1] or returned[2] != 1:
            return None
        return Lookup(statement, returned[0], returned[1], obj, "present", None)
    tested = key_of(parsed, test)
    if tested is None or tested[1:] != returned[1:] or (op in _COMPARE and literal is None):
        return None
    return Lookup(statement, returned[0], returned[1], tested[0], op, literal)

"""Algorithmic de-optimizations: a memoized recursion run without its memo table.

A recursive function that answers from a global table when it can
(``if (memo[n] != -1) return memo[n];``) and fills it on the way out
(``return memo[n] = expr;``) becomes plain recursion: the lookup and the
stores go, and with them the table and its initialisation when nothing else
is left of them.

Why the meaning stays: every cell holds either one of the table's initial
values (its declaration's, or one a ``memset``, ``fill``, ``assign`` or
``resize`` writes) or the value the function returned for the arguments the
cell is keyed by, stored in one step once complete. The lookup is evaluated on
each initial value and must be false for all of them, so a hit returns a
stored result; the key is exactly the parameters, so it is the result for
these arguments; and the function computes from its arguments alone (locals,
constants, itself and <cmath>), or also from globals that nothing writes
between a write and the next call without resetting the table. Then every
call of the memoized version returns what the plain call returns, and its
call tree is the plain call tree with some subtrees cut off: if one
terminates, so does the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.algorithmic_calls import caller, pure, settled
from perfopt.rewrite.inverse.algorithmic_tables import (
    FILE_SCOPES,
    Fill,
    Kind,
    Table,
    calm,
    declared,
    fill,
    int_kind,
    integer,
    member,
    names,
    same_type,
    table,
    unparen,
)
from perfopt.rewrite.inverse.analysis import flat, removal, undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops_memo import MemoizeRecursion
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity_lookup import function_declarators, is_integral_type, user_functions
from perfopt.rewrite.streams import call_name, is_std, macro_words
from perfopt.rewrite.usage import uses_of
from perfopt.rewrite.usage_lookup import declaration, inside, same

_COMPARE = ("!=", "==", "<", "<=", ">", ">=")
_MIRROR = {"!=": "!=", "==": "==", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class _Lookup:
    """``if (cond) return table<key>;``: which table the condition tests (``op`` on it, with ``literal``)."""

    statement: Node
    table: str
    names: tuple[str, ...]
    tested: str
    op: str  # "truthy", "~", a comparison, or "present" (a map's count/find/contains)
    literal: int | None


def _holds(op: str, literal: int | None, kind: Kind, value: int) -> bool | None:
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


def _key(parsed: Parsed, access: Node) -> tuple[str, tuple[str, ...], int] | None:
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


def _lookup(parsed: Parsed, statement: Node) -> _Lookup | None:
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
    returned = _key(parsed, body.named_children[0])
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
        return _Lookup(statement, returned[0], returned[1], obj, "present", None)
    tested = _key(parsed, test)
    if tested is None or tested[1:] != returned[1:] or (op in _COMPARE and literal is None):
        return None
    return _Lookup(statement, returned[0], returned[1], tested[0], op, literal)


@dataclass
class _Function:
    """What the plan of one function gathers: its lookups and stores, and the edits undoing them."""

    node: Node
    name: str
    params: dict[str, Node]
    lookup: _Lookup
    skip: set[tuple[int, int]]
    edits: list[Edit]


def _signature(parsed: Parsed, function: Node, hidden: set[str]) -> tuple[str, dict[str, Node]] | None:
    """Name and by-value integer parameters of a free function that is not main, overloaded or macro-hidden."""
    declarator, result = function.child_by_field_name("declarator"), function.child_by_field_name("type")
    if function.parent is None or function.parent.type not in FILE_SCOPES or result is None:
        return None
    if declarator is None or declarator.type != "function_declarator" or not parsed.clean(function):
        return None
    name_node, params = declarator.child_by_field_name("declarator"), declarator.child_by_field_name("parameters")
    if name_node is None or params is None or name_node.type != "identifier":
        return None
    name = parsed.text(name_node)
    shapes = {flat(parsed.text(d.child_by_field_name("parameters") or d)) for d in function_declarators(parsed, name)}
    if name == "main" or name in hidden or len(shapes) != 1:
        return None
    found: dict[str, Node] = {}
    for p in params.named_children:
        kind, target = p.child_by_field_name("type"), p.child_by_field_name("declarator")
        if p.type != "parameter_declaration" or kind is None or target is None or target.type != "identifier":
            return None
        if not is_integral_type(parsed, parsed.text(kind)) and parsed.text(kind) != "bool":
            return None
        found[parsed.text(target)] = kind
    return (name, found) if found else None


def _keyed(parsed: Parsed, table: Table, names: tuple[str, ...], levels: int, params: dict[str, Node]) -> bool:
    """Whether ``table<names>`` reaches one cell per argument list: each parameter once, nothing else."""
    if sorted(names) != sorted(params) or len(set(names)) != len(names):
        return False
    if table.kind != "map":
        return levels == table.dims == len(names)
    return len(names) == len(table.keys) and all(
        same_type(parsed, k, params[n]) for k, n in zip(table.keys, names, strict=True)
    )


def _access_of(ident: Node) -> Node:
    """``dp[i][j]`` around the ``dp`` of it."""
    node = ident
    while node.parent is not None and node.parent.type == "subscript_expression":
        if node.parent.child_by_field_name("argument") != node:
            break
        node = node.parent
    return node


def _siblings(statement: Node) -> tuple[Node | None, Node | None]:
    """The statements before and after ``statement`` in its block, comments skipped."""
    before, after = statement.prev_named_sibling, statement.next_named_sibling
    while before is not None and before.type == "comment":
        before = before.prev_named_sibling
    while after is not None and after.type == "comment":
        after = after.next_named_sibling
    return before, after


def _setting(parsed: Parsed, statement: Node | None, plan: _Function) -> bool:
    """``seen[n] = true;``: a store to the table the lookup tests, when that is not the returned one."""
    if statement is None or statement.type != "expression_statement" or plan.lookup.tested == plan.lookup.table:
        return False
    expr = statement.named_children[0] if statement.named_child_count == 1 else None
    if expr is None or expr.type != "assignment_expression" or parsed.text(expr.children[1]) != "=":
        return False
    left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
    key = _key(parsed, left) if left is not None else None
    return (
        key is not None
        and key[:2] == (plan.lookup.tested, plan.lookup.names)
        and right is not None
        and (integer(parsed, right) is not None)
    )


def _store(parsed: Parsed, ident: Node, plan: _Function, table: Table) -> bool:
    """Plan the undoing of one store ``table<key> = e`` that ``ident`` begins; False if it is no store."""
    access = _access_of(ident)
    assign = access.parent
    key = _key(parsed, access)
    if assign is None or assign.type != "assignment_expression" or assign.child_by_field_name("left") != access:
        return False
    right, holder = assign.child_by_field_name("right"), assign.parent
    if key is None or key[:2] != (table.name, plan.lookup.names) or parsed.text(assign.children[1]) != "=":
        return False
    if right is None or holder is None or right.type == "initializer_list":
        return False
    calls = any(n.type == "call_expression" for n in parsed.walk(right))
    statement = holder if holder.type in ("return_statement", "expression_statement") else None
    before, after = _siblings(statement) if statement is not None else (None, None)
    if _setting(parsed, before, plan):  # set before e is computed: right only if e calls nothing
        if calls or before is None:
            return False
        plan.edits.append(removal(parsed, before))
        plan.skip.add((before.start_byte, before.end_byte))
    plan.skip.add((access.start_byte, access.end_byte))
    if holder.type == "return_statement":
        plan.edits.append(Edit(assign.start_byte, assign.end_byte, parsed.text(right)))
        return True
    if holder.type != "expression_statement" or holder.parent is None or holder.parent.type != "compound_statement":
        return False
    first = after
    while _setting(parsed, after, plan) and after is not None:
        plan.skip.add((after.start_byte, after.end_byte))
        after = _siblings(after)[1]
    if after is None or after.type != "return_statement" or after.named_child_count != 1:
        return False
    value = after.named_children[0]
    if _key(parsed, value) == (table.name, plan.lookup.names, key[2]):  # T[k] = e; return T[k];
        plan.skip.add((value.start_byte, value.end_byte))
        plan.edits.append(Edit(holder.start_byte, after.end_byte, f"return {parsed.text(right)};"))
        return True
    # r = ...; T[k] = r; return r; stores and returns r converted to the same type (the table's is the result's).
    local = declaration(parsed, right) if right.type == "identifier" else None
    if local is None or not inside(local, plan.node) or parsed.text(value) != parsed.text(right):
        return False
    plan.edits.append(removal(parsed, holder))
    while first is not None and first != after:  # the seen[n] = true; between the store and the return
        plan.edits.append(removal(parsed, first))
        first = _siblings(first)[1]
    return True


def _plan(parsed: Parsed, function: Node, user: frozenset[str], hidden: set[str]) -> _Function | None:
    signature = _signature(parsed, function, hidden)
    body, result = function.child_by_field_name("body"), function.child_by_field_name("type")
    if signature is None or body is None or result is None:
        return None
    found = [x for n in parsed.walk(body) if n.type == "if_statement" and (x := _lookup(parsed, n)) is not None]
    shape = {(x.table, x.tested, x.names, x.op, x.literal) for x in found}
    if len(shape) != 1:
        return None
    lookup = found[0]
    plan = _Function(function, signature[0], signature[1], lookup, set(), [])
    idents = {parsed.text(n): n for n in parsed.walk(lookup.statement) if n.type == "identifier"}
    stored, tested = table(parsed, idents[lookup.table]), table(parsed, idents[lookup.tested])
    if stored is None or tested is None or {stored.name, tested.name} & hidden:
        return None
    tested = stored if tested.name == stored.name else tested
    if any(
        n.type == "identifier"
        and parsed.text(n) in (stored.name, tested.name)
        and not any(same(declaration(parsed, n), t.decl) and parsed.text(n) == t.name for t in (stored, tested))
        for x in found
        for n in parsed.walk(x.statement)
    ):
        return None  # a lookup of a local that shadows the table
    if not same_type(parsed, stored.element, result) or (lookup.op == "present") != (stored.kind == "map"):
        return None
    returned = _key(parsed, next(c for c in parsed.walk(lookup.statement) if c.type == "return_statement").children[1])
    if returned is None or not all(_keyed(parsed, t, returned[1], returned[2], plan.params) for t in (stored, tested)):
        return None
    for x in found:
        plan.skip.add((x.statement.start_byte, x.statement.end_byte))
        plan.edits.append(removal(parsed, x.statement))
    fills: dict[int, Fill] = {}
    for t in [stored] if tested is stored else [stored, tested]:
        for use in uses_of(parsed, t.decl, t.name, parsed.root):
            if any(a <= use.start_byte < b for a, b in plan.skip):
                continue
            if inside(use, function):
                if t is not stored or not _store(parsed, use, plan, stored):
                    return None
            elif (filled := fill(parsed, use, t)) is not None:
                fills[filled.statement.start_byte] = filled
            else:
                return None
    resets = [f.statement for f in fills.values() if f.full and f.table == tested.name]
    where = caller(parsed, function, plan.name)
    reset = where is not None and where.reset_first(resets)  # then no call sees the declaration's values
    if not _misses(parsed, lookup, tested, [f for f in fills.values() if f.table == tested.name], reset):
        return None
    read = pure(parsed, function, plan.name, plan.skip, user)
    if (
        read is None
        or any(name in hidden for _, name in read)
        or not settled(parsed, function, plan.name, read, resets)
    ):
        return None
    if all(calm(parsed, f.statement) for f in fills.values()):
        plan.edits += [removal(parsed, f.statement) for f in fills.values()]
        gone = {stored.name, tested.name}
        for decl in {t.decl.start_byte: t.decl for t in (stored, tested)}.values():
            if {parsed.text(n) for n in names(decl)} <= gone:
                plan.edits.append(removal(parsed, decl))
    return plan


def _misses(parsed: Parsed, lookup: _Lookup, tested: Table, fills: list[Fill], reset: bool) -> bool:
    """Whether the lookup's condition is false on every value a cell holds before a store (the declaration's,
    unless a ``reset`` precedes every call, and every fill's): it answers only from stored results."""
    if lookup.op == "present":
        return True
    kind, values = int_kind(parsed, tested.element), frozenset() if reset else declared(parsed, tested)
    if kind is None or values is None or any(f.values is None for f in fills):
        return False
    values = values.union(*(f.values or () for f in fills))
    return all(_holds(lookup.op, lookup.literal, kind, v) is False for v in values)


def _plans(parsed: Parsed) -> list[tuple[Node, list[Edit], str]]:
    if parsed.root.has_error:
        return []  # the analysis is of the whole program: a region it cannot read may use the table
    user, hidden = user_functions(parsed), macro_words(parsed)
    out = []
    for node in parsed.walk():
        plan = _plan(parsed, node, user, hidden) if node.type == "function_definition" else None
        if plan is not None:
            reason = f"recompute {plan.name} on every call instead of looking it up in {plan.lookup.table}"
            out.append((node, plan.edits, reason))
    return out


class _Unmemoize(Inverse):
    """Shared by the two inverses below, which differ only in whether the forward rule takes the result back."""

    taken_back: ClassVar[bool]
    why = (
        "the memo table computes each argument list once; plain recursion recomputes shared subproblems, "
        "often exponentially many times"
    )
    unsafe_when = (
        "the table is used anywhere but its declaration, memset/fill/assign/resize/clear statements and the "
        "function's lookups and stores; the key is not exactly the parameters; a lookup may hit an initial value; "
        "a value is stored before it is complete (a reference accumulator, a seen flag set before the recursion); "
        "the table's element type is not the return type; the function does I/O, writes a global, calls another "
        "function, or reads a global written after a call without a reset of the table in between"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        forward = MemoizeRecursion()
        out = []
        for function, edits, reason in _plans(parsed):
            found = self.match(parsed, edits, reason, at=function)
            back = undo(parsed, found, forward).touched(function.start_byte, function.end_byte)
            if bool(back) == self.taken_back:
                out.append(found)
        return out


class UnmemoizePureRecursion(_Unmemoize):
    """A memoized recursion that the forward rule memoizes again: its plain form computes from its one or
    two integer arguments alone and calls itself at least twice (``fib``, ``C(n, k)``)."""

    name = "algorithmic.unmemoize_pure_recursion"
    inverts = "loops.memoize_recursion"
    taken_back = True


class UnmemoizeRecursion(_Unmemoize):
    """Any other memoized recursion: ``if (dp[i][j] != -1) return dp[i][j];`` ... ``return dp[i][j] = e;``
    over a global array, vector or map (or ``if (seen[n]) return memo[n];``), whose plain form also reads
    global input or takes three arguments: the forward rule cannot take it back, so the pair teaches the idea."""

    name = "algorithmic.unmemoize_recursion"
    inverts = "algorithmic.memoization"
    taken_back = False


INVERSES: tuple[type[Inverse], ...] = (UnmemoizePureRecursion, UnmemoizeRecursion)

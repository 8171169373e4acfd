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
from perfopt.rewrite.inverse.algorithmic_memo_lookup import Lookup, holds, key_of, memo_lookup
from perfopt.rewrite.inverse.algorithmic_tables import (
    FILE_SCOPES,
    Fill,
    Table,
    calm,
    declared,
    fill,
    int_kind,
    integer,
    names,
    same_type,
    table,
)
from perfopt.rewrite.inverse.analysis import flat, removal, undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops_memo import MemoizeRecursion
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity_lookup import function_declarators, is_integral_type, user_functions
from perfopt.rewrite.streams import macro_words
from perfopt.rewrite.usage import uses_of
from perfopt.rewrite.usage_lookup import declaration, inside, same


@dataclass
class _Function:
    """What the plan of one function gathers: its lookups and stores, and the edits undoing them."""

    node: Node
    name: str
    params: dict[str, Node]
    lookup: Lookup
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
    key = key_of(parsed, left) if left is not None else None
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
    key = key_of(parsed, access)
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
    if key_of(parsed, value) == (table.name, plan.lookup.names, key[2]):  # T[k] = e; return T[k];
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
    found = [x for n in parsed.walk(body) if n.type == "if_statement" and (x := memo_lookup(parsed, n)) is not None]
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
    answer = next(c for c in parsed.walk(lookup.statement) if c.type == "return_statement")
    returned = key_of(parsed, answer.children[1])
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


def _misses(parsed: Parsed, lookup: Lookup, tested: Table, fills: list[Fill], reset: bool) -> bool:
    """Whether the lookup's condition is false on every value a cell holds before a store (the declaration's,
    unless a ``reset`` precedes every call, and every fill's): it answers only from stored results."""
    if lookup.op == "present":
        return True
    kind, values = int_kind(parsed, tested.element), frozenset() if reset else declared(parsed, tested)
    if kind is None or values is None or any(f.values is None for f in fills):
        return False
    values = values.union(*(f.values or () for f in fills))
    return all(holds(lookup.op, lookup.literal, kind, v) is False for v in values)


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

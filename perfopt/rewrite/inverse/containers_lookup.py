"""Containers run backwards for lookups and refills: a map searched again for each use of an element, a
hash map made a tree, and a vector rebuilt where it was refilled in place.

Each is checked against its forward rule on the result, and the forward rule's analysis is half of what
makes the two programs agree: it takes ``m[k]`` back into one reference only where neither m nor k may
change between the lookups and the first one runs unconditionally (so the element binds where the
reference did), and it hashes a map only where nothing depends on the order of its keys. What it cannot
see from the result (a reference that was bound before a statement reading m, a pointer kept into a vector
that assign would have reused) each inverse checks itself.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    MAPS,
    container_of,
    declared_container,
    find_declaration,
    include_edit,
    inside,
    member_call,
    method_of,
    outer,
    std_type,
    subscript_key,
)
from perfopt.rewrite.containers_assign import AssignNotReconstruct
from perfopt.rewrite.containers_effects import is_pure
from perfopt.rewrite.containers_lookup import RepeatedLookup
from perfopt.rewrite.containers_maps import MapToUnordered
from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.analysis import ALIASES, INTO, kept, mentions_views, reach, removal, undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage import uses_of
from perfopt.rewrite.usage_lookup import parsed_operator, same
from perfopt.rewrite.usage_regions import qualifiers

#: Hash containers and the tree containers that replace them.
_ORDERED = {"unordered_map": "map", "unordered_set": "set"}


class RepeatLookup(Inverse):
    """``auto& r = m[k]; r += x; best = max(best, r);`` in a loop becomes ``m[k] += x; best = max(best, m[k]);``
    (also ``const auto& r`` and a spelled ``T& r``), for a std::map or std::unordered_map m."""

    name = "containers.repeat_lookup"
    inverts = "containers.repeated_lookup"
    why = "each m[k] searches the map again (a tree walk or a hash), where the reference found the element once"
    unsafe_when = (
        "m or k may change while r is used (r would keep the old element); the statement right after the "
        "declaration does not use r, or reads m before it (the element would be inserted later than it was); "
        "r is used in a lambda, or where k or m names something else; k has side effects; m is not a map; r "
        "binds a converted temporary (a spelled const T&); or the forward rule would not take back every use"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        found: list[tuple[Match, list[Node]]] = []
        for decl in parsed.walk():
            if decl.type != "declaration" or decl.parent is None or decl.parent.type != "compound_statement":
                continue
            bound = self._bound(parsed, decl)
            if bound is None or not parsed.clean(decl):
                continue
            r, value = bound
            uses = [u for u in uses_of(parsed, decl, parsed.text(r), decl.parent) if u.type == "identifier"]
            following = decl.next_named_sibling
            if len(uses) < 2 or following is None or not inside(min(uses, key=lambda u: u.start_byte), following):
                continue  # the forward rule binds just before the first lookup: m must not be read in between
            edits = [removal(parsed, decl)] + [Edit(u.start_byte, u.end_byte, parsed.text(value)) for u in uses]
            reason = f"look {parsed.text(value)} up again at each of the {len(uses)} uses of {parsed.text(r)}"
            found.append((self.match(parsed, edits, reason, at=decl), uses))
        out = []
        for m, uses in found:
            done = undo(parsed, m, RepeatedLookup())
            wanted = {done.at(u.start_byte) for u in uses}
            # One forward match must replace every lookup put in: a use it leaves would stay a lookup that
            # the forward rule judged unsafe to share (k or m changed before it).
            if any(wanted <= {e.start for e in f.edits if e.end > e.start} for f in done.forward):
                out.append(m)
        return out

    def _bound(self, parsed: Parsed, decl: Node) -> tuple[Node, Node] | None:
        """``(r, m[k])`` for ``auto& r = m[k];`` with m a map and k pure; None for anything else."""
        type_node, declarators = decl.child_by_field_name("type"), decl.children_by_field_name("declarator")
        if type_node is None or len(declarators) != 1 or declarators[0].type != "init_declarator":
            return None
        spelled = type_node.type != "placeholder_type_specifier"
        if qualifiers(parsed, decl) not in ([], ["const"]) or (spelled and qualifiers(parsed, decl)):
            return None  # a spelled const T& binds a converted temporary when T is not the mapped type
        init = declarators[0]
        reference, value = init.child_by_field_name("declarator"), init.child_by_field_name("value")
        if reference is None or value is None or reference.type != "reference_declarator":
            return None
        names = reference.named_children
        if parsed.text(reference).startswith("&&") or len(names) != 1 or names[0].type != "identifier":
            return None
        found = subscript_key(parsed, value) if any(c.type == "=" for c in init.children) else None
        if found is None:
            return None
        m, key = found
        c = container_of(parsed, m)
        if c is None or c.kind not in MAPS or not is_pure(parsed, key):
            return None
        return names[0], value


class MapNotUnordered(Inverse):
    """``unordered_map<int, long long> cnt;`` (or ``unordered_set<string> seen;``, local or global) that is never
    walked in key order becomes ``map<int, long long> cnt;``, adding ``#include <map>`` where needed."""

    name = "containers.map_not_unordered"
    inverts = "containers.map_to_unordered"
    why = "a tree lookup follows about log2(n) pointers and compares keys at each; a hash lookup is O(1) on average"
    unsafe_when = (
        "the container is iterated or its order used (range-for, begin/end, an iterator kept), it is passed or "
        "copied, it uses bucket or hash members, it has a custom hash or equality, the key is not an integer or "
        "std::string (no operator< to order it by), it is declared through an alias, ``at`` is called on it in "
        "a file that catches exceptions (the message names the container), or the forward rule would not take "
        "it back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        catches = any(n.type == "catch_clause" for n in parsed.walk())
        found: list[tuple[Match, Node]] = []
        for decl in parsed.walk():
            if decl.type != "declaration" or decl.parent is None:
                continue
            if decl.parent.type not in ("compound_statement", "translation_unit") or not parsed.clean(decl):
                continue
            declarators = decl.children_by_field_name("declarator")
            if not declarators or any(d.type != "identifier" for d in declarators):
                continue
            c = declared_container(parsed, decl, parsed.text(declarators[0]))
            if c is None or c.kind not in _ORDERED or not inside(c.template_name, decl):
                continue
            if catches and self._calls_at(parsed, decl, declarators):
                continue
            tree = _ORDERED[c.kind]
            edits = [Edit(c.template_name.start_byte, c.template_name.end_byte, tree)]
            include = include_edit(parsed, tree)
            reason = f"keep {', '.join(parsed.text(d) for d in declarators)} in a std::{tree} instead of a hash table"
            found.append((self.match(parsed, edits + ([include] if include else []), reason, at=decl), c.template_name))
        forward = MapToUnordered()
        return [m for m, name in found if undo(parsed, m, forward).touched(name.start_byte, name.end_byte)]

    def _calls_at(self, parsed: Parsed, decl: Node, declarators: list[Node]) -> bool:
        scope = decl.parent or parsed.root
        for d in declarators:
            for u in uses_of(parsed, decl, parsed.text(d), scope):
                method = method_of(parsed, u)
                if method is not None and method[0] == "at":
                    return True
        return False


class ReconstructNotAssign(Inverse):
    """``v.assign(n, x);`` in a loop, on a std::vector or std::string v declared outside it, becomes
    ``v = vector<T>(n, x);`` (the type spelled as v's declaration spells it)."""

    name = "containers.reconstruct_not_assign"
    inverts = "containers.assign_not_reconstruct"
    why = "building a new vector or string allocates a buffer (and frees the old one) on every iteration"
    unsafe_when = (
        "v is not a std::vector (not of bool) or std::string declared by name; assign takes other than a count "
        "and a value; a pointer, reference or iterator into v may be kept or its capacity read (assign reuses "
        "the buffer, a new object does not); v is used in a lambda; the file makes views; or the forward rule "
        "would not take it back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if mentions_views(parsed):
            return []
        found: list[tuple[Match, Node]] = []
        for statement in parsed.walk():
            if statement.type != "expression_statement" or statement.named_child_count != 1:
                continue
            call = statement.named_children[0]
            assigned = member_call(parsed, call, "assign")
            if assigned is None or len(assigned[2]) != 2 or not parsed.clean(statement):
                continue
            v, _, args = assigned
            decl = find_declaration(parsed, v)
            type_node = decl.child_by_field_name("type") if decl is not None else None
            declared = std_type(parsed, type_node) if type_node is not None else None
            home = parsed.function_of(statement)
            if decl is None or type_node is None or declared is None or home is None:
                continue
            if declared[0] not in ("vector", "string") or any(a.type == "initializer_list" for a in args):
                continue
            uses = uses_of(parsed, decl, parsed.text(v), home)
            if any(self._holds_into(parsed, u, home) for u in uses):
                continue
            made = f"{parsed.text(v)} = {parsed.text(type_node)}({', '.join(parsed.text(a) for a in args)})"
            reason = f"build a new {declared[0]} for {parsed.text(v)} instead of refilling it with assign"
            found.append((self.match(parsed, [Edit(call.start_byte, call.end_byte, made)], reason), call))
        forward = AssignNotReconstruct()
        return [m for m, call in found if undo(parsed, m, forward).touched(call.start_byte, call.start_byte)]

    def _holds_into(self, parsed: Parsed, use: Node, home: Node) -> bool:
        """Whether this use of v may keep a pointer, reference or iterator into its buffer (which assign
        keeps valid when the size fits, and a new object frees), or read its capacity."""
        if not same(parsed.function_of(use), home):
            return True  # a lambda may hold v or part of it across the refill
        reached = reach(parsed, use, ("front", "back", "at"))
        if reached.call is not None:
            method = reached.method
            if method in INTO or method in ("capacity", "find", "lower_bound", "upper_bound"):
                return method == "capacity" or kept(parsed, reached.call, locals_die=False)
            return False
        node = reached.node
        parent = outer(node).parent
        if parent is None or (parent.type == "pointer_expression" and parsed_operator(parent) == "&"):
            return True
        if parent.type == "init_declarator" and same(parent.child_by_field_name("value"), outer(node)):
            declarator = parent.child_by_field_name("declarator")
            return declarator is None or declarator.type in ALIASES
        return False


INVERSES: tuple[type[Inverse], ...] = (RepeatLookup, MapNotUnordered, ReconstructNotAssign)

"""Rewrites of the containers family for the associative containers (map, set and their unordered kin)."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    INTEGRAL,
    LOOKUPS,
    MAPS,
    SETS,
    call_args,
    container_of,
    declared_container,
    fresh_name,
    if_condition,
    in_lambda,
    in_loop,
    include_edit,
    located,
    member_call,
    method_of,
    outer,
    same_key,
    scalar_type,
    subscript_key,
    unparen,
    uses_of,
)
from perfopt.rewrite.containers_effects import aliased, calls_unknown, is_pure, is_written, shared
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed


def _binary(parsed: Parsed, node: Node) -> tuple[Node, str, Node] | None:
    node = unparen(node)
    if node.type != "binary_expression":
        return None
    return unparen(node.children[0]), parsed.text(node.children[1]), unparen(node.children[2])


def _number(parsed: Parsed, node: Node, value: str) -> bool:
    return node.type == "number_literal" and parsed.text(node) == value


def _found_test(parsed: Parsed, cond: Node) -> tuple[Node, Node] | None:
    """``(m, k)`` when ``cond`` holds exactly when ``m`` has key ``k``: ``m.count(k)``, ``m.find(k) != m.end()``."""
    call = member_call(parsed, cond, "count", "contains")
    if call is not None and len(call[2]) == 1:
        return call[0], call[2][0]
    parts = _binary(parsed, cond)
    if parts is None:
        return None
    left, op, right = parts
    call = member_call(parsed, left, "count")
    if call is not None and len(call[2]) == 1:
        if (op in ("!=", ">") and _number(parsed, right, "0")) or (op == ">=" and _number(parsed, right, "1")):
            return call[0], call[2][0]
        return None
    return _find_compare(parsed, left, op, right, "!=")


def _missing_test(parsed: Parsed, cond: Node) -> tuple[Node, Node] | None:
    """``(m, k)`` when ``cond`` holds exactly when ``m`` lacks key ``k``."""
    cond = unparen(cond)
    if cond.type == "unary_expression" and parsed.text(cond.children[0]) == "!":
        call = member_call(parsed, cond.children[1], "count", "contains")
        return (call[0], call[2][0]) if call is not None and len(call[2]) == 1 else None
    parts = _binary(parsed, cond)
    if parts is None:
        return None
    left, op, right = parts
    call = member_call(parsed, left, "count")
    if call is not None and len(call[2]) == 1:
        return (call[0], call[2][0]) if op == "==" and _number(parsed, right, "0") else None
    return _find_compare(parsed, left, op, right, "==")


def _find_compare(parsed: Parsed, left: Node, op: str, right: Node, wanted: str) -> tuple[Node, Node] | None:
    if op != wanted:
        return None
    for a, b in ((left, right), (right, left)):
        find, end = member_call(parsed, a, "find"), member_call(parsed, b, "end")
        if find is not None and end is not None and len(find[2]) == 1 and not end[2]:
            return (find[0], find[2][0]) if parsed.text(find[0]) == parsed.text(end[0]) else None
    return None


class FindNotCountThenIndex(Rewrite):
    """``if (m.count(k)) use(m[k]);`` becomes ``if (auto it = m.find(k); it != m.end()) use(it->second);``."""

    name = "containers.find_not_count_then_index"
    why = "count and then m[k] search the map twice for the same key; one find does it once"
    unsafe_when = (
        "m or k may change between the test and the use, k has side effects, m is not a std::map or "
        "unordered_map, or the m[k] lies in a lambda or outside the if's body"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for node in parsed.walk():
            if (
                node.type != "if_statement"
                or not parsed.clean(node)
                or any(c.type == "constexpr" for c in node.children)
            ):
                continue
            cond, body = if_condition(node), node.child_by_field_name("consequence")
            test = _found_test(parsed, cond) if cond is not None else None
            if cond is None or body is None or test is None:
                continue
            m, key = test
            c = container_of(parsed, m)
            if c is None or c.kind not in MAPS or not is_pure(parsed, key):
                continue
            targets = self._targets(parsed, m, key, c.decl, body)
            if not targets:
                continue
            name = parsed.text(m)
            if any(is_written(parsed, x, body) for x in parsed.walk(key) if x.type == "identifier"):
                continue
            if aliased(parsed, m) or (shared(parsed, m) and calls_unknown(parsed, body)):
                continue
            it = fresh_name(parsed, node, "it", "found", "entry")
            lookup = f"auto {it} = {name}.find({parsed.text(key)}); {it} != {name}.end()"
            edits = [Edit(cond.start_byte, cond.end_byte, lookup)]
            edits += [Edit(t.start_byte, t.end_byte, f"{it}->second") for t in targets]
            reason = f"look {parsed.text(key)} up in {name} once with find instead of count and then [] again"
            out.append(self.match(parsed, edits, reason))
        return out

    def _targets(self, parsed: Parsed, m: Node, key: Node, decl: Node, body: Node) -> list[Node] | None:
        """The ``m[k]`` and ``m.at(k)`` in ``body``; None when some other use of m might change it."""
        uses = uses_of(parsed, decl, parsed.text(m), body)
        if uses is None:
            return None
        targets = []
        for u in uses:
            if in_lambda(parsed, u, body):
                return None
            sub = outer(u).parent
            found = subscript_key(parsed, sub) if sub is not None else None
            method = method_of(parsed, u)
            if found is not None and sub is not None and found[0] == u and same_key(parsed, key, found[1]):
                targets.append(sub)
            elif method is not None and method[0] == "at" and len(call_args(method[1])) == 1:
                if same_key(parsed, key, call_args(method[1])[0]):
                    targets.append(method[1])
            elif method is None or method[0] not in LOOKUPS:
                return None  # m[other] may rehash an unordered_map; erase may drop k
        return targets


class InsertWithoutFind(Rewrite):
    """``if (s.find(x) == s.end()) s.insert(x);`` becomes ``s.insert(x);``."""

    name = "containers.insert_without_find"
    why = "insert already looks the key up and does nothing when it is there, so the find searches a second time"
    unsafe_when = "the if does more than the insert or has an else, or s is a multiset/multimap (insert always adds)"

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for node in parsed.walk():
            if node.type != "if_statement" or not parsed.clean(node) or node.child_by_field_name("alternative"):
                continue
            cond, body = if_condition(node), node.child_by_field_name("consequence")
            test = _missing_test(parsed, cond) if cond is not None else None
            while body is not None and body.type == "compound_statement" and body.named_child_count == 1:
                body = body.named_children[0]
            if test is None or body is None or body.type != "expression_statement" or body.named_child_count != 1:
                continue
            s, key = test
            call = member_call(parsed, body.named_children[0], "insert", "emplace")
            if call is None or parsed.text(call[0]) != parsed.text(s) or not is_pure(parsed, key):
                continue
            c = container_of(parsed, s)
            if c is None or c.kind not in MAPS + SETS or not self._inserts_key(parsed, c.kind, call[1], call[2], key):
                continue
            if not all(is_pure(parsed, a) for a in call[2]):
                continue
            out.append(
                self.match(
                    parsed,
                    [Edit(node.start_byte, node.end_byte, parsed.text(body))],
                    f"insert {parsed.text(key)} into {parsed.text(s)} directly: insert skips a key already there",
                )
            )
        return out

    def _inserts_key(self, parsed: Parsed, kind: str, method: str, args: list[Node], key: Node) -> bool:
        if kind in SETS:
            return len(args) == 1 and same_key(parsed, key, args[0])
        if method == "emplace":
            return len(args) == 2 and same_key(parsed, key, args[0])
        if len(args) != 1:
            return False
        pair = unparen(args[0])
        if pair.type == "initializer_list" and pair.named_child_count == 2:
            return same_key(parsed, key, pair.named_children[0])
        if pair.type == "call_expression" and parsed.text(pair.child_by_field_name("function") or pair) in (
            "make_pair",
            "std::make_pair",
        ):
            values = call_args(pair)
            return len(values) == 2 and same_key(parsed, key, values[0])
        return False


class MapToUnordered(Rewrite):
    """``std::map<K, V> m`` (or ``std::set<K>``) never used in key order becomes ``std::unordered_map<K, V>``."""

    name = "containers.map_to_unordered"
    why = "a tree lookup follows about log2(n) pointers; a hash lookup of an integer or string key is O(1) on average"
    unsafe_when = (
        "the order is used anywhere (iteration, begin/end, lower_bound, passing or copying the container, "
        "keeping an iterator), K is not an integer or std::string, or it is cleared in a loop (an unordered "
        "clear() costs its whole bucket count)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for decl in parsed.walk():
            if decl.type != "declaration" or not parsed.clean(decl):
                continue
            if decl.parent is None or decl.parent.type not in ("compound_statement", "translation_unit"):
                continue
            if any(c.type == "storage_class_specifier" and parsed.text(c) == "extern" for c in decl.children):
                continue
            declarators = decl.children_by_field_name("declarator")
            if not declarators or any(d.type != "identifier" for d in declarators):
                continue
            c = declared_container(parsed, decl, parsed.text(declarators[0]))
            if c is None or c.kind not in ("map", "set") or len(c.args) != (2 if c.kind == "map" else 1):
                continue
            key = scalar_type(parsed, c.args[0])
            if key not in INTEGRAL and key != "string":
                continue
            if not all(self._order_free(parsed, decl, parsed.text(d)) for d in declarators):
                continue
            names = ", ".join(parsed.text(d) for d in declarators)
            edits = [Edit(c.template_name.start_byte, c.template_name.end_byte, f"unordered_{c.kind}")]
            include = include_edit(parsed, f"unordered_{c.kind}")
            reason = f"{names} is only looked up, never walked in key order: hash it (std::unordered_{c.kind})"
            out.append(located(parsed, self.match(parsed, edits + ([include] if include else []), reason), decl))
        return out

    def _order_free(self, parsed: Parsed, decl: Node, name: str) -> bool:
        uses = uses_of(parsed, decl, name, decl.parent or parsed.root)
        return bool(uses) and all(self._use_ok(parsed, u) for u in uses or [])

    def _use_ok(self, parsed: Parsed, use: Node) -> bool:
        parent = outer(use).parent
        found = subscript_key(parsed, parent) if parent is not None else None
        if found is not None and found[0] == use:
            return True
        method = method_of(parsed, use)
        if method is None:
            return False
        name, call = method[0], outer(method[1])
        parent = call.parent
        if name == "clear":
            # unordered clear() zeroes every bucket: cleared once per test case it can cost more than it saves.
            return not in_loop(parsed, call)
        if name in ("count", "at", "size", "empty", "contains"):
            return True
        if name in ("insert", "emplace", "erase", "try_emplace"):
            if parent is not None and parent.type == "expression_statement":
                return True
            return name != "erase" and _member(parsed, parent) == ".second"
        if name == "end":
            return _comparison(parsed, parent)
        if name == "find":
            return (
                _comparison(parsed, parent)
                or _member(parsed, parent) in ("->first", "->second")
                or (self._iterator_ok(parsed, parent))
            )
        return False

    def _iterator_ok(self, parsed: Parsed, declarator: Node | None) -> bool:
        """``auto it = m.find(k);`` with ``it`` only compared, or read through ``it->first``/``it->second``."""
        if declarator is None or declarator.type != "init_declarator":
            return False
        decl, var = declarator.parent, declarator.child_by_field_name("declarator")
        if decl is None or var is None or var.type != "identifier" or decl.type != "declaration":
            return False
        if parsed.text(decl.child_by_field_name("type") or decl) != "auto":
            return False
        scope = parsed.enclosing(decl, "compound_statement")
        for u in parsed.identifiers(scope or decl, parsed.text(var)):
            if u == var:
                continue
            parent = outer(u).parent
            if not (_comparison(parsed, parent) or _member(parsed, parent) in ("->first", "->second")):
                return False
        return True


def _comparison(parsed: Parsed, node: Node | None) -> bool:
    return node is not None and node.type == "binary_expression" and parsed.text(node.children[1]) in ("==", "!=")


def _member(parsed: Parsed, node: Node | None) -> str | None:
    """``.second`` / ``->first`` when ``node`` is a member access, else None."""
    if node is None or node.type != "field_expression":
        return None
    field = node.child_by_field_name("field")
    return parsed.text(node.children[1]) + parsed.text(field) if field is not None else None

"""containers.repeated_lookup: the same m[k] looked up again and again becomes one reference."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    LOOKUPS,
    MAPS,
    container_of,
    find_declaration,
    fresh_name,
    in_lambda,
    in_loop,
    inside,
    method_of,
    outer,
    same_key,
    statement_before,
    subscript_key,
    uses_of,
)
from perfopt.rewrite.containers_effects import aliased, calls_unknown, is_pure, is_written, shared
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed

#: Where a subexpression is evaluated only sometimes, or not at all (child field names per parent type).
_CONDITIONAL = {
    "conditional_expression": ("consequence", "alternative"),
    "if_statement": ("consequence", "alternative"),
    "for_statement": ("condition", "update", "body"),
    "while_statement": ("condition", "body"),
    "do_statement": ("condition", "body"),
    "for_range_loop": ("body",),
    "switch_statement": ("body",),
}


def _unconditional(parsed: Parsed, node: Node, statement: Node) -> bool:
    """Whether ``node`` is evaluated whenever ``statement`` runs (not behind && / || / ?: / a branch)."""
    child, parent = node, node.parent
    while parent is not None and child != statement:
        if parent.type in ("lambda_expression", "sizeof_expression", "decltype", "alignof_expression"):
            return False
        logical = parent.type == "binary_expression" and parsed.text(parent.children[1]) in ("&&", "||", "and", "or")
        if logical and parent.child_by_field_name("right") == child:
            return False
        for i, c in enumerate(parent.children):
            if c == child and parent.field_name_for_child(i) in _CONDITIONAL.get(parent.type, ()):
                return False
        child, parent = parent, parent.parent
    return child == statement


class RepeatedLookup(Rewrite):
    """Repeated ``m[k]`` in consecutive statements becomes one ``auto& ref = m[k];`` and uses of ``ref``."""

    name = "containers.repeated_lookup"
    why = "every m[k] searches the map again; a reference to the element found once is stable until it is erased"
    unsafe_when = (
        "the first m[k] is evaluated only sometimes (after && or ||, in a branch), m or k may change between "
        "the uses, or k has side effects"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for block in parsed.walk():
            if block.type != "compound_statement" or not parsed.clean(block) or not in_loop(parsed, block):
                continue
            if block.parent is not None and block.parent.type == "switch_statement":
                continue
            out.extend(self._in_block(parsed, block))
        return out

    def _in_block(self, parsed: Parsed, block: Node) -> list[Match]:
        out: list[Match] = []
        statements, done = block.named_children, set[int]()
        for a, first_statement in enumerate(statements):
            for sub in parsed.walk(first_statement):
                found = subscript_key(parsed, sub)
                if found is None or in_lambda(parsed, sub, first_statement) or (sub.start_byte in done):
                    continue
                m, key = found
                c = container_of(parsed, m)
                if c is None or c.kind not in MAPS or not is_pure(parsed, key) or aliased(parsed, m):
                    continue
                uses = self._run(parsed, c.kind, c.decl, m, key, statements[a:], sub)
                if len(uses) < 2:
                    continue
                done.update(u.start_byte for u in uses)
                function = parsed.function_of(block) or parsed.root
                base = f"{parsed.text(m)}_{parsed.text(key)}" if key.type == "identifier" else f"{parsed.text(m)}_ref"
                ref = fresh_name(parsed, function, base, "ref")
                edits = [statement_before(parsed, first_statement, f"auto& {ref} = {parsed.text(sub)};")]
                edits += [Edit(u.start_byte, u.end_byte, ref) for u in uses]
                reason = f"look {parsed.text(sub)} up once and reuse the reference instead of {len(uses)} lookups"
                out.append(self.match(parsed, edits, reason))
        return out

    def _run(
        self, parsed: Parsed, kind: str, decl: Node, m: Node, key: Node, rest: list[Node], first: Node
    ) -> list[Node]:
        """The uses of ``m[key]`` from ``first`` on, through the consecutive statements where all is safe."""
        if not _unconditional(parsed, first, rest[0]):
            return []
        name, uses = parsed.text(m), []
        key_names = [x for x in parsed.walk(key) if x.type == "identifier"]
        if any(inside(d, rest[0]) for x in key_names if (d := find_declaration(parsed, x)) is not None):
            return []  # int k = f(), c = m[k]: k does not exist yet where the reference would go
        seen_by_calls = shared(parsed, m)
        for statement in rest:
            same, ok, found_uses = [], True, uses_of(parsed, decl, name, statement)
            if found_uses is None:
                break
            for u in found_uses:
                sub = outer(u).parent
                found = subscript_key(parsed, sub) if sub is not None else None
                if found is not None and sub is not None and found[0] == u and same_key(parsed, key, found[1]):
                    if statement == rest[0] and sub.start_byte < first.start_byte:
                        ok = False  # only uses after the first (in evaluation order) may share it
                    elif in_lambda(parsed, sub, statement):
                        ok = False
                    else:
                        same.append(sub)
                    continue
                method = method_of(parsed, u)
                if statement == rest[0]:
                    # m[k] = m.size() reads m before inserting k (the right side goes first): binding k
                    # earlier would change what it reads. Only the same key, then, where k first goes in.
                    ok = False
                elif found is not None and found[0] == u and kind == "map":
                    continue  # another key: std::map references and order survive insertions
                elif method is None or method[0] not in LOOKUPS:
                    ok = False
            if not ok or not same:
                break
            if any(is_written(parsed, k, statement) for k in key_names) or (
                seen_by_calls and calls_unknown(parsed, statement)
            ):
                # Later statements may see another key, but this one's uses up to the write are fine only if
                # the write comes after them: keep it simple and stop before this statement.
                break
            uses.extend(same)
        return uses

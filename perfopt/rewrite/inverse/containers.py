"""Containers run backwards: a vector grown without its reserve, and a set searched before every insert.

Both are checked against their forward rule on the result, and more strictly than learnability needs: a
reserve is dropped only where the forward rule puts the very same statement back (so a count the forward
rule would guard as possibly negative is left alone), and a find is added only where the forward rule
removes exactly it.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers import ReserveBeforePushBack
from perfopt.rewrite.containers_analysis import SETS, container_of, in_lambda, member_call, single_statement, uses_of
from perfopt.rewrite.containers_effects import is_pure
from perfopt.rewrite.containers_maps import InsertWithoutFind
from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.analysis import ALIASES, INTO, flat, kept, mentions_views, removal, undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage import Use, classify
from perfopt.rewrite.usage_lookup import parsed_operator


class DropReserve(Inverse):
    """``v.reserve(n);`` (or ``if (n > 0) v.reserve(n);``) before a loop that push_backs n elements into the
    local vector or string v is removed, its whole line when it stands alone."""

    name = "containers.drop_reserve"
    inverts = "containers.reserve_before_push_back"
    why = "without the reserve, v reallocates and moves its elements about log2(n) times as the loop grows it"
    unsafe_when = (
        "v is not a local vector or string; the count has side effects; a pointer, reference or iterator into v "
        "may be held while it grows (the reserve kept it valid); its capacity is read; or the forward rule would "
        "not put the same statement back before a loop of the same block (a count it would guard as signed)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if mentions_views(parsed):
            return []  # a string_view or span of v stays valid only while the reserve spares v a reallocation
        found: list[tuple[Match, Node, Node]] = []
        for statement in parsed.walk():
            block = statement.parent
            if block is None or block.type != "compound_statement" or not parsed.clean(statement):
                continue
            v = self._reserved(parsed, statement)
            home = parsed.function_of(statement)
            c = container_of(parsed, v) if v is not None else None
            if v is None or home is None or c is None or c.kind not in ("vector", "string") or c.decl.parent != block:
                continue
            uses = uses_of(parsed, c.decl, parsed.text(v), home)
            if uses is None or any(self._holds_into(parsed, u, home) for u in uses):
                continue
            reason = f"drop the reserve of {parsed.text(v)}: the loop below grows it one push_back at a time"
            found.append((self.match(parsed, [removal(parsed, statement)], reason, at=statement), statement, block))
        out = []
        for m, statement, block in found:
            # Put back by the forward rule, the same statement, before a later statement of the same block.
            done = undo(parsed, m, ReserveBeforePushBack())
            later = {done.at(s.start_byte) for s in block.named_children if s.start_byte > statement.end_byte}
            back = [e for f in done.forward for e in f.edits if e.start in later]
            if any(flat(e.text) == flat(parsed.text(statement)) for e in back):
                out.append(m)
        return out

    def _reserved(self, parsed: Parsed, statement: Node) -> Node | None:
        """v, for ``v.reserve(n);`` or ``if (n > 0) v.reserve(n);`` with a pure n; else None."""
        if statement.type == "if_statement":
            condition = statement.child_by_field_name("condition")
            value = condition.child_by_field_name("value") if condition is not None else None
            if statement.child_by_field_name("alternative") or value is None or not is_pure(parsed, value):
                return None
            if condition is not None and condition.child_by_field_name("initializer") is not None:
                return None
            inner = single_statement(statement.child_by_field_name("consequence"))
            return self._reserved(parsed, inner) if inner is not None and inner.type != "if_statement" else None
        if statement.type != "expression_statement" or statement.named_child_count != 1:
            return None
        call = member_call(parsed, statement.named_children[0], "reserve")
        if call is None or len(call[2]) != 1 or not is_pure(parsed, call[2][0]):
            return None
        return call[0]

    def _holds_into(self, parsed: Parsed, use: Node, home: Node) -> bool:
        """Whether this use of v may keep a pointer, reference or iterator into it (which a reallocation the
        reserve prevented would leave dangling), read its capacity, or let a callee do either."""
        bound = parsed.enclosing(use, "init_declarator")
        declarator = bound.child_by_field_name("declarator") if bound is not None else None
        if in_lambda(parsed, use, home) or (declarator is not None and declarator.type in ALIASES):
            return True  # int& r = v[0], const int& m = max(v[0], k), vector<int>* p = &v
        node = use
        while (parent := node.parent) is not None:
            if parent.type == "parenthesized_expression" or (
                parent.type == "subscript_expression" and parent.child_by_field_name("argument") == node
            ):
                node = parent
                continue
            if parent.type != "field_expression" or parent.child_by_field_name("argument") != node:
                break
            call, field = parent.parent, parent.child_by_field_name("field")
            method = parsed.text(field) if field is not None else ""
            if call is None or call.type != "call_expression" or call.child_by_field_name("function") != parent:
                node = parent  # v[i].first: part of an element
            elif method in ("front", "back", "at"):
                node = call
            elif method in INTO or method == "capacity":
                # v.begin(), v.data(): fine when used up within the expression (sort(v.begin(), v.end())).
                return method == "capacity" or kept(parsed, call, locals_die=False)
            else:
                return False  # size(), push_back(x), erase(it): nothing of v is kept
        parent = node.parent
        if parent is None or (parent.type == "pointer_expression" and parsed_operator(parent) == "&"):
            return True
        if parent.type == "for_range_loop" and parent.child_by_field_name("right") == node:
            body = parent.child_by_field_name("body")
            return body is None or bool(parsed.identifiers(body, parsed.text(use)))
        if parent.type == "argument_list" and node == use:
            return classify(parsed, use) not in (Use.READ, Use.MOVE)  # a callee taking v by reference
        return False


class FindThenInsert(Inverse):
    """``s.insert(x);`` on a std::set or std::unordered_set becomes ``if (s.find(x) == s.end()) s.insert(x);``."""

    name = "containers.find_then_insert"
    inverts = "containers.insert_without_find"
    why = "insert already skips a key that is there: the find first searches the set a second time"
    unsafe_when = (
        "the insert's value is used, or it takes a hint, range or braced list; x has side effects; s is not a "
        "local or global std::set/unordered_set with the default order and hash (a multiset always adds); "
        "an else could bind to the new if; or the forward rule would not take it back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        found: list[tuple[Match, Node]] = []
        for statement in parsed.walk():
            if statement.type != "expression_statement" or statement.named_child_count != 1:
                continue
            call = member_call(parsed, statement.named_children[0], "insert")
            if call is None or len(call[2]) != 1 or not parsed.clean(statement) or self._else_binds(statement):
                continue
            s, key = call[0], call[2][0]
            c = container_of(parsed, s)
            if key.type == "initializer_list" or not is_pure(parsed, key) or c is None:
                continue
            if c.kind not in SETS or len(c.args) != 1:
                continue
            name, text = parsed.text(s), parsed.text(key)
            check = f"if ({name}.find({text}) == {name}.end()) {parsed.text(statement)}"
            edit = Edit(statement.start_byte, statement.end_byte, check)
            reason = f"look {text} up in {name} before inserting it"
            found.append((self.match(parsed, [edit], reason, at=statement), statement))
        forward = InsertWithoutFind()
        return [
            m
            for m, statement in found
            if any(
                e.text == parsed.text(statement)
                for e in undo(parsed, m, forward).touched(statement.start_byte, statement.start_byte)
            )
        ]

    def _else_binds(self, statement: Node) -> bool:
        """Whether the statement ends the then-branch of an if with an else (which would bind to the new if)."""
        node = statement
        while (parent := node.parent) is not None and parent.type not in ("compound_statement", "translation_unit"):
            if (
                parent.child_by_field_name("alternative") is not None
                and parent.child_by_field_name("consequence") == node
            ):
                return True
            node = parent
        return False


INVERSES: tuple[type[Inverse], ...] = (DropReserve, FindThenInsert)

"""Copies: handing a string or container over with std::move on its last use instead of copying it."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage import Use, classify, uses_of
from perfopt.rewrite.usage_lookup import declaration, in_nested_lambda, inside, root_identifier, same
from perfopt.rewrite.usage_regions import is_parameter, qualifiers

_LOOPS = ("for_statement", "while_statement", "do_statement", "for_range_loop")
#: Container members that take a value to store: they have an rvalue overload that steals it.
_SINKS = frozenset(["push_back", "emplace_back", "push_front", "emplace_front", "push", "emplace", "insert"])
_CIN = ("cin", "std::cin")


def include(parsed: Parsed, header: str) -> list[Edit]:
    """An edit adding ``#include <header>`` after the last #include, unless it (or bits/stdc++.h) is there.

    Identical for every match in a file, so that apply_edits adds it once.
    """
    includes = [n for n in parsed.root.children if n.type == "preproc_include"]
    paths = {parsed.text(p) for n in includes if (p := n.child_by_field_name("path")) is not None}
    if f"<{header}>" in paths or "<bits/stdc++.h>" in paths:
        return []
    at = includes[-1].end_byte if includes else 0
    return [Edit(at, at, f"#include <{header}>\n")]


def _text(parsed: Parsed, node: Node | None) -> str:
    return parsed.text(node) if node is not None else ""


class MoveLastUse(Rewrite):
    """``v.push_back(s)`` (or ``m[k] = s``, ``x = s``, ``T x = s``) becomes ``v.push_back(std::move(s))``
    on the last use of a local string or container s."""

    name = "copies.move_last_use"
    why = (
        "copying a string or container that is never used again costs an allocation and O(n) work; "
        "moving it steals its buffer in O(1)"
    )
    unsafe_when = (
        "s is used later, even in a later loop iteration (unless each iteration, or the very next statement, "
        "overwrites it with =, clear(), cin >> or getline); s is a reference, const, static, a global, aliased or "
        "captured by a lambda; the function has a goto"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for node in parsed.walk():
            for use, sink in self._candidates(parsed, node):
                if parsed.clean(use) and self._last_use(parsed, use):
                    name = parsed.text(use)
                    edits = [Edit(use.start_byte, use.end_byte, f"std::move({name})"), *include(parsed, "utility")]
                    reason = f"move {name} into {sink} instead of copying it: it is not used again"
                    # The line of the move itself, not of the #include it may add.
                    out.append(Match(self.name, tuple(edits), reason, parsed.line_of(use.start_byte)))
        return out

    def _candidates(self, parsed: Parsed, node: Node) -> list[tuple[Node, str]]:
        """Identifiers copied into somewhere else at ``node``, with that somewhere."""
        if node.type == "call_expression":
            function, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            if function is None or args is None or function.type != "field_expression":
                return []
            field, receiver = function.child_by_field_name("field"), function.child_by_field_name("argument")
            if field is None or receiver is None or parsed.text(field) not in _SINKS:
                return []
            root = root_identifier(receiver)
            decl = declaration(parsed, root) if root is not None else None
            type_node = decl.child_by_field_name("type") if decl is not None else None
            if type_node is None or not type_index(parsed).std_container(type_node):
                return []  # a user type's push_back may take a non-const reference
            return [(a, parsed.text(receiver)) for a in args.named_children if a.type == "identifier"]
        if node.type == "init_declarator" and node.parent is not None and node.parent.type == "declaration":
            value, target = node.child_by_field_name("value"), node.child_by_field_name("declarator")
            if value is not None and target is not None and value.type == "identifier" and target.type == "identifier":
                return [(value, parsed.text(target))]
        if node.type == "assignment_expression" and _text(parsed, node.child_by_field_name("operator")) == "=":
            right, left = node.child_by_field_name("right"), node.child_by_field_name("left")
            if right is not None and left is not None and right.type == "identifier":
                return [(right, parsed.text(left))]
        return []

    def _last_use(self, parsed: Parsed, use: Node) -> bool:
        decl = declaration(parsed, use)
        home = parsed.function_of(use)
        if decl is None or home is None or not inside(decl, home) or in_nested_lambda(parsed, use, home):
            return False
        if any(n.type == "goto_statement" for n in parsed.walk(home)):
            return False
        declarators = decl.children_by_field_name("declarator")
        type_node = decl.child_by_field_name("type")
        if len(declarators) != 1 or type_node is None or qualifiers(parsed, decl):
            return False
        if not type_index(parsed).costly(type_node):
            return False
        declarator = declarators[0]
        if declarator.type in ("init_declarator", "function_declarator"):  # ``T s(args);`` parses as a function
            declarator = declarator.child_by_field_name("declarator") or declarator
        if declarator.type != "identifier":
            return False
        if decl.type == "declaration" and decl.parent is not None and decl.parent.type == "compound_statement":
            scope: Node | None = decl.parent
        elif is_parameter(decl):
            scope = home.child_by_field_name("body")
        else:
            return False
        statement = parsed.enclosing(use, "expression_statement", "declaration")
        if scope is None or statement is None or not same(parsed.function_of(statement), home):
            return False
        uses = uses_of(parsed, decl, parsed.text(use), scope)
        for other in uses:
            if same(other, use):
                continue
            if inside(other, statement) or in_nested_lambda(parsed, other, home):
                return False
            kind = classify(parsed, other, type_node)
            ranged = other.parent is not None and other.parent.type == "for_range_loop"
            if kind in (Use.ALIAS, Use.MOVE) or (kind is Use.BORROW and not ranged):
                return False  # a reference that outlives the move would see the moved-from value
        is_string = type_index(parsed).head(type_node) in ("string", "basic_string", "wstring")
        if _reset_next(parsed, statement, uses, is_string):
            return True
        if any(other.start_byte > use.start_byte for other in uses):
            return False
        loops = []
        current = use.parent
        while current is not None and not same(current, scope):
            if current.type in _LOOPS:
                loops.append(current)
            current = current.parent
        if not loops:
            return True
        return len(loops) == 1 and _overwritten_first(parsed, loops[0], statement, uses, is_string)


def _overwritten_first(parsed: Parsed, loop: Node, statement: Node, uses: list[Node], is_string: bool) -> bool:
    """Whether each iteration of ``loop`` overwrites s before any other use, so no one reads the moved-from value."""
    in_loop = [u for u in uses if inside(u, loop)]
    condition = loop.child_by_field_name("condition")
    if loop.type == "while_statement" and condition is not None:
        in_condition = [u for u in in_loop if inside(u, condition)]
        if in_condition:
            return len(in_condition) == 1 and _overwrite(parsed, in_condition[0], is_string)
    if loop.type not in ("for_statement", "while_statement", "for_range_loop"):
        return False
    body = loop.child_by_field_name("body")
    if body is None or body.type != "compound_statement":
        return False
    first = min(in_loop, key=lambda u: u.start_byte)
    for child in body.named_children:
        if child.start_byte >= statement.start_byte:
            return False
        here = [u for u in in_loop if inside(u, child)]
        if here:
            return (
                child.type == "expression_statement" and same(first, here[0]) and _overwrite(parsed, first, is_string)
            )
    return False


def _reset_next(parsed: Parsed, statement: Node, uses: list[Node], is_string: bool) -> bool:
    """Whether the statement right after ``statement`` overwrites s first thing (``push_back(s); s = "";``)."""
    following = statement.next_named_sibling
    if following is None or following.type != "expression_statement":
        return False
    here = [u for u in uses if inside(u, following)]
    return bool(here) and _overwrite(parsed, min(here, key=lambda u: u.start_byte), is_string)


def _overwrite(parsed: Parsed, use: Node, is_string: bool) -> bool:
    """Whether ``use`` replaces the whole value.

    ``s = e`` (e without s) and ``s.clear()`` do for any type; ``cin >> s`` and ``getline(cin, s)`` for strings.
    """
    parent = use.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression" and same(parent.child_by_field_name("left"), use):
        right = parent.child_by_field_name("right")
        plain = _text(parsed, parent.child_by_field_name("operator")) == "="
        return plain and right is not None and not parsed.identifiers(right, parsed.text(use))
    if parent.type == "field_expression" and parent.parent is not None and parent.parent.type == "call_expression":
        return _text(parsed, parent.child_by_field_name("field")) == "clear"
    if not is_string:
        return False  # operator>> of another type may keep part of the old value
    if parent.type == "binary_expression" and same(parent.child_by_field_name("right"), use):
        current: Node | None = parent
        while current is not None and current.type == "binary_expression":
            if _text(parsed, current.child_by_field_name("operator")) != ">>":
                return False
            current = current.child_by_field_name("left")
        return current is not None and parsed.text(current) in _CIN
    call = parent.parent
    if parent.type == "argument_list" and call is not None and call.type == "call_expression":
        args = parent.named_children
        callee = _text(parsed, call.child_by_field_name("function"))
        getline = callee in ("getline", "std::getline") and len(args) == 2
        return getline and parsed.text(args[0]) in _CIN and same(args[1], use)
    return False

"""Containers: refilling a vector or string declared outside a loop in place, not by building a new one."""

from __future__ import annotations

import re

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    INTEGRAL,
    LOOPS,
    call_args,
    find_declaration,
    inside,
    resolve_alias,
    std_type,
    unparen,
)
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import declarator_of, is_std
from perfopt.rewrite.types import declarator_name

_INTEGER = re.compile(r"(0[xX][0-9a-fA-F']+|[0-9][0-9']*)[uUlLzZ]*")
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"})


def _normal(parsed: Parsed, text: str) -> str:
    """A type's text without whitespace or ``std::``, aliases resolved: ``ll`` and ``long long`` agree."""
    return "".join(resolve_alias(parsed, " ".join(text.split())).split()).replace("std::", "")


def _object_declarator(parsed: Parsed, decl: Node, name: str) -> bool:
    """Whether ``decl`` declares ``name`` as an object or a reference to one (not a pointer or an array)."""
    for d in decl.children_by_field_name("declarator"):
        inner = d.child_by_field_name("declarator") if d.type == "init_declarator" else d
        if inner is None:
            continue
        if inner.type == "function_declarator":  # vector<int> v(n, 0): the vexing parse of an object
            inner = inner.child_by_field_name("declarator")
            if inner is not None and inner.type == "identifier" and parsed.text(inner) == name:
                return True
            continue
        if inner.type == "reference_declarator":
            found = declarator_name(inner)
            if found is not None and found.parent == inner and parsed.text(found) == name:
                return True
        elif inner.type == "identifier" and parsed.text(inner) == name:
            return True
    return False


def _integral(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` certainly has an integer type: the count of ``vector(n, x)``, not an iterator or a vector."""
    node = unparen(node)
    if node.type == "number_literal":
        return _INTEGER.fullmatch(parsed.text(node)) is not None
    if node.type == "identifier":
        found = declarator_of(parsed, node)  # (declaration, declarator): ``int n``, not ``int* p`` or ``int a[9]``
        kind = found[0].child_by_field_name("type") if found is not None else None
        integral = {_normal(parsed, t) for t in INTEGRAL}
        return (
            found is not None
            and kind is not None
            and found[1].type == "identifier"
            and _normal(parsed, parsed.text(kind)) in integral
        )
    if node.type == "binary_expression":
        op, left, right = (
            node.child_by_field_name("operator"),
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        )
        return (
            op is not None
            and parsed.text(op) in _ARITHMETIC
            and left is not None
            and right is not None
            and _integral(parsed, left)
            and _integral(parsed, right)
        )
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        field = fn.child_by_field_name("field") if fn is not None and fn.type == "field_expression" else None
        return field is not None and parsed.text(field) in ("size", "length") and not call_args(node)
    return False


def _constructed(parsed: Parsed, call: Node) -> tuple[str, Node | None] | None:
    """``("vector", T)`` for ``vector<T>(...)`` / ``std::vector<T>(...)``; ``("string", None)`` for ``string(...)``."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if is_std(parsed, fn, "string"):
        return "string", None
    qualified = fn.type == "qualified_identifier"
    if qualified:
        scope, fn = fn.child_by_field_name("scope"), fn.child_by_field_name("name")
        if scope is None or fn is None or parsed.text(scope) != "std":
            return None
    if fn.type != "template_function":
        return None
    name, arguments = fn.child_by_field_name("name"), fn.child_by_field_name("arguments")
    if name is None or arguments is None or not (qualified or is_std(parsed, name, "vector")):
        return None
    if parsed.text(name) != "vector" or arguments.named_child_count != 1:
        return None  # a second argument is an allocator: assign would keep v's
    element = arguments.named_children[0].child_by_field_name("type")
    return ("vector", element) if element is not None else None


def _outside_some_loop(statement: Node, decl: Node) -> bool:
    """Whether a loop (in the same function) repeats ``statement`` but not ``decl``."""
    current = statement.parent
    while current is not None and current.type not in ("function_definition", "lambda_expression"):
        if current.type in LOOPS and not inside(decl, current):
            return True
        current = current.parent
    return False


def _value_type(parsed: Parsed, element: Node) -> str:
    """``T()`` where T is one word or a template-id; ``{}`` (also value-initialised) for ``long long`` and such."""
    if element.type in ("primitive_type", "type_identifier", "template_type", "qualified_identifier"):
        return f"{parsed.text(element)}()"
    return "{}"


class AssignNotReconstruct(Rewrite):
    """``v = vector<T>(n, x);`` in a loop becomes ``v.assign(n, x);`` (also ``vector<T>(n)`` and ``string(n, c)``)."""

    name = "containers.assign_not_reconstruct"
    why = (
        "building a new vector or string allocates and frees a buffer on every iteration; assign refills v in the "
        "capacity it already has"
    )
    unsafe_when = (
        "v is not a std::vector/std::string of exactly the constructed type (another element type, an allocator, "
        "vector<bool>), the count is not certainly an integer (an iterator pair or a copy), or the value mentions v "
        "(assign's value must not refer into v)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        pattern = """
        (expression_statement
            (assignment_expression left: (identifier) @v operator: "=" right: (call_expression) @call) @assign)
        """
        for caps in parsed.captures(pattern):
            v, call, assign = caps["v"][0], caps["call"][0], caps["assign"][0]
            name = parsed.text(v)
            made = _constructed(parsed, call)
            decl = find_declaration(parsed, v)
            kind = decl.child_by_field_name("type") if decl is not None else None
            declared = std_type(parsed, kind) if kind is not None else None
            if made is None or decl is None or declared is None or declared[0] != made[0]:
                continue
            if decl.type not in ("declaration", "parameter_declaration") or not _object_declarator(parsed, decl, name):
                continue
            if not _outside_some_loop(assign, decl):
                continue
            args = call_args(call)
            if any(a.type == "comment" for a in args) or not args or not _integral(parsed, args[0]):
                continue
            if any(parsed.identifiers(a, name) for a in args[1:]):
                continue
            element = made[1]
            if element is not None:
                if len(declared[2]) != 1 or _normal(parsed, parsed.text(element)) != _normal(
                    parsed, parsed.text(declared[2][0])
                ):
                    continue
                if _normal(parsed, parsed.text(element)) == "bool":
                    continue  # vector<bool> is a bitset, left to its own rewrite
                if len(args) not in (1, 2):
                    continue
                values = [parsed.text(a) for a in args] + ([_value_type(parsed, element)] if len(args) == 1 else [])
            else:
                if len(args) != 2:
                    continue
                values = [parsed.text(a) for a in args]
            edit = Edit(assign.start_byte, assign.end_byte, f"{name}.assign({', '.join(values)})")
            out.append(
                self.match(parsed, [edit], f"refill {name} in place with assign instead of building a new {made[0]}")
            )
        return out

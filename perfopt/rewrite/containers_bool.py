"""containers.vector_bool_to_char: vector<bool> (packed bits) becomes vector<char> where no use can tell."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    call_args,
    callee_name,
    container_of,
    declared_container,
    find_declaration,
    flat,
    in_loop,
    method_of,
    object_declarator,
    outer,
    unparen,
    uses_of,
)
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed

_COMPARISONS = ("==", "!=", "<", ">", "<=", ">=", "&&", "||", "and", "or")


class VectorBoolToChar(Rewrite):
    """``vector<bool> v`` indexed in a loop becomes ``vector<char> v``."""

    name = "containers.vector_bool_to_char"
    why = (
        "vector<bool> packs bits, so every v[i] is a shift and a mask through a proxy object; "
        "vector<char> is a plain byte load or store"
    )
    unsafe_when = (
        "a use depends on the element type: flip(), a reference or auto bound to v[i], printing or passing "
        "v or v[i], comparing with another vector<bool>, sizeof, or storing a value that is not 0 or 1; "
        "or v is so large that eight times the memory matters"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for decl in parsed.walk():
            if decl.type != "declaration" or not parsed.clean(decl):
                continue
            if decl.parent is None or decl.parent.type not in ("compound_statement", "translation_unit"):
                continue
            declarators = decl.children_by_field_name("declarator")
            names = [_bool_vector_name(parsed, d) for d in declarators]
            c = declared_container(parsed, decl, parsed.text(names[0])) if names and names[0] is not None else None
            if c is None or c.kind != "vector" or len(c.args) != 1 or parsed.text(c.args[0]) != "bool":
                continue
            if any(n is None for n in names) or c.args[0].type != "primitive_type":
                continue
            all_uses = [uses_of(parsed, decl, parsed.text(n), decl.parent) for n in names if n is not None]
            uses = [u for found in all_uses for u in found or []]
            if any(found is None for found in all_uses) or not all(_bool_use_ok(parsed, u) for u in uses):
                continue
            # Worth it only where elements are accessed in a loop.
            if not any(in_loop(parsed, u) and _element(parsed, u) is not None for u in uses):
                continue
            edit = Edit(c.args[0].start_byte, c.args[0].end_byte, "char")
            listed = ", ".join(parsed.text(n) for n in names if n is not None)
            out.append(self.match(parsed, [edit], f"store {listed} as bytes (vector<char>), not packed bits"))
        return out


def _bool_vector_name(parsed: Parsed, declarator: Node) -> Node | None:
    """The name in ``v``, ``v(n)``, ``v(n, false)``; None for other initializers."""
    if declarator.type == "identifier":
        return declarator
    if declarator.type == "function_declarator":
        params = declarator.child_by_field_name("parameters")
        values = params.named_children if params is not None else []
        if len(values) == 2 and parsed.text(values[1]) not in ("true", "false", "0", "1"):
            return None
        return object_declarator(parsed, declarator) if len(values) in (1, 2) else None
    if declarator.type == "init_declarator":
        value, name = declarator.child_by_field_name("value"), declarator.child_by_field_name("declarator")
        args = value.named_children if value is not None and value.type == "argument_list" else []
        if name is None or name.type != "identifier" or len(args) not in (1, 2):
            return None
        return name if len(args) == 1 or _boolish(parsed, args[1]) else None
    return None


def _element(parsed: Parsed, use: Node) -> Node | None:
    """``v[i]`` (or ``v.back()``/``v.front()``) around the use ``v``."""
    node = outer(use)
    parent = node.parent
    if parent is not None and parent.type == "subscript_expression" and parent.child_by_field_name("argument") == node:
        return parent
    method = method_of(parsed, use)
    return method[1] if method is not None and method[0] in ("back", "front") and not call_args(method[1]) else None


def _bool_use_ok(parsed: Parsed, use: Node) -> bool:
    element = _element(parsed, use)
    if element is not None:
        return _element_ok(parsed, element)
    method = method_of(parsed, use)
    parent = outer(use).parent
    if method is None:
        # for (bool b : v), with a value of a fixed type (auto would become char).
        if parent is None or parent.type != "for_range_loop" or parent.child_by_field_name("right") != outer(use):
            return False
        t, d = parent.child_by_field_name("type"), parent.child_by_field_name("declarator")
        return t is not None and t.type == "primitive_type" and d is not None and d.type == "identifier"
    name, args = method[0], call_args(method[1])
    if name in ("size", "empty", "clear") or (name == "resize" and len(args) == 1):
        return True
    if name in ("assign", "resize") and len(args) == 2:
        return _boolish(parsed, args[1])
    if name in ("push_back", "emplace_back") and len(args) == 1:
        return _boolish(parsed, args[0])
    if name in ("begin", "end") and not args:
        # std::fill(v.begin(), v.end(), false) and std::count(v.begin(), v.end(), true) work on 0/1 bytes alike.
        args_list = outer(method[1]).parent
        algorithm = args_list.parent if args_list is not None and args_list.type == "argument_list" else None
        if algorithm is None or callee_name(parsed, algorithm) not in ("fill", "count"):
            return False
        values, text = call_args(algorithm), parsed.text(use)
        whole = [flat(parsed, v) for v in values[:2]] == [f"{text}.begin()", f"{text}.end()"]
        return len(values) == 3 and whole and _boolish(parsed, values[2])
    return False


def _element_ok(parsed: Parsed, element: Node) -> bool:
    """Whether ``v[i]`` here reads or stores the same 0/1 value whether it is a bool or a char."""
    node = outer(element)
    parent = node.parent
    if parent is None:
        return False
    field = next((parent.field_name_for_child(i) for i, c in enumerate(parent.children) if c == node), None)
    kind = parent.type
    if kind in ("condition_clause", "subscript_argument_list", "expression_statement"):
        return True
    if kind in ("for_statement", "while_statement", "do_statement", "conditional_expression"):
        return field == "condition"
    if kind == "unary_expression":
        return parsed.text(parent.children[0]) in ("!", "-", "+", "~", "not")
    if kind == "binary_expression":
        return parsed.text(parent.children[1]) not in ("<<", ">>")
    if kind == "assignment_expression":
        op = parsed.text(parent.children[1])
        if field == "right":
            return True
        return op in ("=", "|=", "&=", "^=") and _boolish(parsed, parent.child_by_field_name("right"))
    if kind == "init_declarator":
        decl = parent.parent
        t = decl.child_by_field_name("type") if decl is not None and decl.type == "declaration" else None
        name = parent.child_by_field_name("declarator")
        return t is not None and t.type == "primitive_type" and name is not None and name.type == "identifier"
    if kind == "return_statement":
        function = parsed.function_of(parent)
        t = function.child_by_field_name("type") if function is not None else None
        # bool f(int i) { return v[i]; } converts to the declared type; auto would deduce char.
        return (
            function is not None
            and function.type == "function_definition"
            and t is not None
            and (t.type == "primitive_type")
        )
    return False


def _boolish(parsed: Parsed, node: Node | None) -> bool:
    """Whether ``node`` is surely 0 or 1 (so a char stores what a bool would)."""
    if node is None:
        return False
    node = unparen(node)
    if node.type in ("true", "false"):
        return True
    if node.type == "number_literal":
        return parsed.text(node) in ("0", "1")
    if node.type == "unary_expression":
        return parsed.text(node.children[0]) in ("!", "not")
    if node.type == "binary_expression":
        return parsed.text(node.children[1]) in _COMPARISONS
    if node.type == "assignment_expression" and parsed.text(node.children[1]) == "=":
        return _boolish(parsed, node.child_by_field_name("right"))  # a = b = false
    if node.type == "conditional_expression":
        return _boolish(parsed, node.child_by_field_name("consequence")) and _boolish(
            parsed, node.child_by_field_name("alternative")
        )
    if node.type == "identifier":
        decl = find_declaration(parsed, node)
        t = decl.child_by_field_name("type") if decl is not None else None
        return t is not None and parsed.text(t) == "bool" and decl is not None and decl.type != "for_range_loop"
    if node.type == "subscript_expression":
        base = node.child_by_field_name("argument")
        c = container_of(parsed, base) if base is not None and base.type == "identifier" else None
        return c is not None and c.kind == "vector" and len(c.args) == 1 and parsed.text(c.args[0]) in ("bool", "char")
    return False

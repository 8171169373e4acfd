"""Whether a variable keeps its value over a stretch of code, and what type an expression has.

Built on ``usage.classify``: a variable is unchanged while some statements run
when none of its uses there writes it, no lambda writes it, no live alias to
it is made, and (for a global, member or reference parameter, which other code
can reach) no function of the file called there writes it, transitively.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declarator_name
from perfopt.rewrite.usage import Use, classify, reads, uses_of
from perfopt.rewrite.usage_lookup import (
    declaration,
    functions_named,
    in_nested_lambda,
    inside,
    is_declared_name,
    same,
)


def expression_type(parsed: Parsed, expr: Node) -> tuple[Node, int] | None:
    """The declared type of ``v``, ``v[i]``, ``g[u][w]``: a type node and how many C-array dimensions remain.

    None when it cannot tell (a call, a field, an unknown variable).
    """
    if expr.type == "parenthesized_expression" and expr.named_children:
        return expression_type(parsed, expr.named_children[0])
    if expr.type == "identifier":
        decl = declaration(parsed, expr)
        if decl is None or (type_node := decl.child_by_field_name("type")) is None:
            return None
        declarator = next((d for d in decl.children_by_field_name("declarator") if _names(parsed, d, expr)), None)
        dims = 0
        current = declarator
        while current is not None and current.type in (
            "init_declarator",
            "reference_declarator",
            "array_declarator",
            "function_declarator",
        ):
            dims += current.type == "array_declarator"
            current = current.child_by_field_name("declarator") or next(
                (c for c in current.named_children if c.type != "type_qualifier"), None
            )
        if current is None or current.type != "identifier":
            return None
        return type_node, dims
    if expr.type == "subscript_expression" and (base := expr.child_by_field_name("argument")) is not None:
        outer = expression_type(parsed, base)
        if outer is None:
            return None
        if outer[1] > 0:
            return outer[0], outer[1] - 1
        element = type_index(parsed).element(outer[0])
        return (element, 0) if element is not None else None
    return None


def _names(parsed: Parsed, declarator: Node, ident: Node) -> bool:
    if declarator.type == "function_declarator":  # a block-scope ``T name(args);``
        declarator = declarator.child_by_field_name("declarator") or declarator
    name = declarator_name(declarator)
    return name is not None and parsed.text(name) == parsed.text(ident)


def qualifiers(parsed: Parsed, holder: Node) -> list[str]:
    """The qualifiers and storage classes of a declaration: ``const``, ``static``, ``constexpr``..."""
    kinds = ("type_qualifier", "storage_class_specifier")
    return [parsed.text(c) for c in holder.children if c.type in kinds]


def is_parameter(decl: Node) -> bool:
    return decl.type in ("parameter_declaration", "optional_parameter_declaration")


def by_reference(decl: Node) -> bool:
    """Whether a parameter is a reference or pointer (so its object lives outside the function)."""
    declarator = decl.child_by_field_name("declarator")
    return is_parameter(decl) and (
        declarator is None or declarator.type in ("reference_declarator", "pointer_declarator")
    )


def is_local(parsed: Parsed, decl: Node, home: Node) -> bool:
    """Whether ``decl`` is an automatic variable of ``home`` or a by-value parameter: no other code can reach it.

    Not a reference (``auto& row = g[0]``, ``for (auto& row : g)``): writes to what it refers to go elsewhere.
    """
    references = ("reference_declarator", "pointer_declarator")
    declarators = [
        (d.child_by_field_name("declarator") or d) if d.type == "init_declarator" else d
        for d in decl.children_by_field_name("declarator")
    ]
    plain = all(d.type not in references for d in declarators)
    return inside(decl, home) and plain and not by_reference(decl) and "static" not in qualifiers(parsed, decl)


def _definitions(parsed: Parsed, call: Node) -> list[Node]:
    """The function definitions of the file a call may reach (by name: free functions and member functions)."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "field_expression":
        function = function.child_by_field_name("field")
    out = []
    for declarator in functions_named(parsed, parsed.text(function) if function is not None else ""):
        holder = declarator.parent
        while holder is not None and holder.type in ("reference_declarator", "pointer_declarator"):
            holder = holder.parent
        if holder is not None and holder.type == "function_definition":
            out.append(holder)
    return out


def calls_unknown(parsed: Parsed, node: Node) -> bool:
    """Whether code under ``node`` calls a callable object of the file (a lambda or std::function variable)."""
    for call in parsed.walk(node):
        function = call.child_by_field_name("function") if call.type == "call_expression" else None
        if function is not None and function.type == "identifier" and declaration(parsed, function) is not None:
            return True
    return False


def nonlocal_writes(parsed: Parsed, node: Node, home: Node, seen: set[int] | None = None) -> list[Node]:
    """Declarations of variables outside ``home`` (globals, members, ``home``'s reference parameters)
    that code under ``node`` may write, directly or through the functions of the file it calls."""
    seen = set() if seen is None else seen
    out = []
    for n in parsed.walk(node):
        if n.type == "identifier" and not is_declared_name(n):
            decl = declaration(parsed, n)
            type_node = decl.child_by_field_name("type") if decl is not None else None
            if decl is None or type_node is None or (inside(decl, home) and not by_reference(decl)):
                continue
            if not reads(classify(parsed, n, type_node)):
                out.append(decl)
        elif n.type == "call_expression":
            for fn in _definitions(parsed, n):
                body = fn.child_by_field_name("body")
                if body is not None and fn.start_byte not in seen:
                    seen.add(fn.start_byte)
                    out += [d for d in nonlocal_writes(parsed, body, fn, seen) if not inside(d, fn)]
    return out


def _alias_scope(parsed: Parsed, use: Node, home: Node) -> Node:
    """Where an alias made by ``use`` lives: a range-for, a reference's block, or (a pointer) all of ``home``."""
    current = use
    holders = ("parenthesized_expression", "subscript_expression", "field_expression")
    while current.parent is not None and current.parent.type in holders:
        current = current.parent
    parent = current.parent
    if parent is not None and parent.type == "for_range_loop":
        return parent
    if parent is not None and parent.type == "init_declarator":
        block = parsed.enclosing(parent, "compound_statement")
        return block if block is not None else home
    return home


def unchanged_during(parsed: Parsed, decl: Node, name: str, region: list[Node], home: Node) -> bool:
    """Whether the variable declared by ``decl`` keeps its value while the ``region`` nodes of ``home`` run.

    Its own uses there only read it; no lambda writes it; no reference or pointer to it that is alive
    then is made; no function of the file called there writes it; and, for a reference parameter, nothing
    written there may hold the object it refers to.
    """
    type_node = decl.child_by_field_name("type")
    if type_node is None or not region:
        return False
    start, end = region[0].start_byte, region[-1].end_byte
    local = is_local(parsed, decl, home)
    if inside(decl, home) and not local and not by_reference(decl):
        return False  # a local reference or a static: what changes it is not tracked
    for use in uses_of(parsed, decl, name, home if local else parsed.root):
        kind = classify(parsed, use, type_node)
        if reads(kind):
            continue
        if in_nested_lambda(parsed, use, home) or start <= use.start_byte < end:
            return False
        if kind is Use.ALIAS:
            scope = _alias_scope(parsed, use, home)
            if scope.start_byte < end and start < scope.end_byte:
                return False
    if local:
        return True
    if any(calls_unknown(parsed, n) for n in region):
        return False
    written = [d for n in region for d in nonlocal_writes(parsed, n, home)]
    if any(same(d, decl) for d in written):
        return False
    if by_reference(decl):
        index = type_index(parsed)
        head = index.head(type_node)
        return not any(head in index.names(t) for d in written if (t := d.child_by_field_name("type")) is not None)
    return True

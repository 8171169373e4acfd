"""loops.memoize_recursion, and what it needs: telling a pure recursive function from one that only looks pure.

Pure here means the result depends on the arguments alone, so a memo table
keyed by them returns what the call would have: the body may read its
integer parameters, scalar locals, literals and file-level constants, and
call itself and <cmath>; anything else (a global, I/O, a pointer, an array,
a static local, another function) and the function is left alone.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.placement import indent_of
from perfopt.rewrite.purity import callee, is_conversion, is_pure_call
from perfopt.rewrite.purity_lookup import (
    fresh_name,
    function_declarators,
    includes,
    is_integral_type,
    macros,
    types_redefined,
    user_functions,
)
from perfopt.rewrite.types import declaration_of, declared_names

#: <climits> constants: macros, so they have no declaration to look up.
_LIMITS = frozenset("INT_MAX INT_MIN LLONG_MAX LLONG_MIN LONG_MAX LONG_MIN UINT_MAX ULLONG_MAX SHRT_MAX".split())  # noqa: SIM905
_NUMERIC_MACRO = re.compile(r"[\s\dA-Fa-fxXuUlL.+\-*/%()]+")
#: Inside a pure function's body, any of these means it might not be one (or that we cannot tell).
_IMPURE_NODES = frozenset(
    """lambda_expression pointer_expression field_expression subscript_expression new_expression delete_expression
    throw_statement string_literal raw_string_literal concatenated_string this gnu_asm_expression asm_statement
    co_await_expression co_return_statement co_yield_statement template_function qualified_identifier
    static_assert_declaration goto_statement labeled_statement""".split()  # noqa: SIM905
)


def _file_constant(parsed: Parsed, name: str) -> bool:
    """A file-level ``const``/``constexpr`` scalar, or a ``#define`` of a number: reading it is pure."""
    for node in parsed.root.named_children:
        if node.type == "declaration" and any(parsed.text(n) == name for n in declared_names(node)):
            qualifiers = {parsed.text(c) for c in node.children if c.type == "type_qualifier"}
            kind = node.child_by_field_name("type")
            scalar = kind is not None and (
                is_integral_type(parsed, parsed.text(kind)) or parsed.text(kind) in ("double", "float")
            )
            plain = all(d.type in ("init_declarator", "identifier") for d in node.children_by_field_name("declarator"))
            return scalar and plain and bool(qualifiers & {"const", "constexpr"}) and "volatile" not in qualifiers
        if node.type == "preproc_def":
            macro, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if macro is not None and parsed.text(macro) == name:
                return value is not None and _NUMERIC_MACRO.fullmatch(parsed.text(value)) is not None
    return False


def _scalar_declaration(parsed: Parsed, decl: Node) -> bool:
    """A local ``int x = ...;``: no static storage, no reference, pointer or array."""
    if any(c.type == "storage_class_specifier" for c in decl.children):
        return False
    kind = decl.child_by_field_name("type")
    if kind is None:
        return False
    text = parsed.text(kind)
    if not (is_integral_type(parsed, text) or text in ("bool", "float", "double", "long double", "auto")):
        return False
    for declarator in decl.children_by_field_name("declarator"):
        target = declarator.child_by_field_name("declarator") if declarator.type == "init_declarator" else declarator
        if target is None or target.type != "identifier":
            return False
    return True


def pure_recursion(parsed: Parsed, function: Node, user: frozenset[str]) -> int:
    """How many calls to itself a function makes, if its result depends only on its arguments; 0 otherwise.

    Its body may use its parameters, scalar locals, literals, file-level
    constants, calls to itself and to pure <cmath> functions: nothing else.
    """
    declarator = function.child_by_field_name("declarator")
    body = function.child_by_field_name("body")
    if declarator is None or body is None or declarator.type != "function_declarator":
        return 0
    name_node, params = declarator.child_by_field_name("declarator"), declarator.child_by_field_name("parameters")
    if name_node is None or params is None or name_node.type != "identifier":
        return 0
    name = parsed.text(name_node)
    if any(n.type == "declaration" and not _scalar_declaration(parsed, n) for n in parsed.walk(body)):
        return 0
    calls = 0
    for node in parsed.walk(body):
        if node.type in _IMPURE_NODES and not _pure_callee(parsed, node, user):
            return 0
        if node.type == "call_expression":
            target = callee(parsed, node)
            if target == name and node.children[0].type == "identifier":
                # A call in a loop runs many times: as good as two call sites.
                loop = parsed.enclosing(node, "for_statement", "while_statement", "do_statement", "function_definition")
                calls += 2 if loop is not None and loop.type != "function_definition" else 1
            elif not (is_pure_call(parsed, node, user) or is_conversion(parsed, node)):
                return 0
        elif node.type == "identifier" and not _pure_identifier(parsed, node, function, user):
            return 0
    return calls


def _pure_callee(parsed: Parsed, function: Node, user: frozenset[str]) -> bool:
    """``std::max`` or ``static_cast<long long>`` as the function of a pure call or conversion."""
    call = function.parent
    if (
        function.type not in ("qualified_identifier", "template_function")
        or call is None
        or call.type != "call_expression"
    ):
        return False
    return call.child_by_field_name("function") == function and (
        is_pure_call(parsed, call, user) or is_conversion(parsed, call)
    )


def _pure_identifier(parsed: Parsed, ident: Node, function: Node, user: frozenset[str]) -> bool:
    """A call to itself or a pure function, a parameter or local of ``function``, or a file-level constant."""
    text = parsed.text(ident)
    name_node = function.child_by_field_name("declarator")
    name = parsed.text(name_node.child_by_field_name("declarator") or name_node) if name_node is not None else ""
    parent = ident.parent
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == ident:
        return text == name or is_pure_call(parsed, parent, user)
    if parent is not None and parent.type in ("qualified_identifier", "template_function"):
        return True  # judged as a whole by _pure_callee
    if text == name:
        return False  # its address, not a call
    decl = declaration_of(parsed, ident)
    if decl is not None and function.start_byte <= decl.start_byte < function.end_byte:
        return True
    own = parsed.enclosing(ident, "declaration")
    if own is not None and any(n == ident for n in declared_names(own)):
        return True  # the name a (scalar, checked) local declaration introduces
    return (decl is None and text in _LIMITS) or _file_constant(parsed, text)


def include_edit(parsed: Parsed, header: str) -> Edit | None:
    """An insertion of ``#include <header>`` at the end of the file's leading #include block; None if included.

    The place depends only on the file, so every rewrite that needs the same
    header produces the identical edit and apply_edits keeps one. Includes
    under #if or after the first declaration do not count: code may precede them.
    """
    if {header, "bits/stdc++.h"} & includes(parsed):
        return None
    end = 0
    for node in parsed.root.children:
        if node.type == "preproc_include":
            end = node.end_byte
        elif node.type not in ("comment", "preproc_def", "preproc_call", "using_declaration"):
            break
    prefix = "" if end == 0 or parsed.data[end - 1 : end] == b"\n" else "\n"
    return Edit(end, end, f"{prefix}#include <{header}>\n")


def _narrow(parsed: Parsed, text: str) -> bool:
    """An integer type at most 32 bits wide, so that two of them pack into one 64-bit key."""
    words = text.split()
    if words in (["int32_t"], ["uint32_t"], ["int16_t"], ["uint16_t"], ["int8_t"], ["uint8_t"]):
        return True
    return bool(words) and all(w in ("int", "unsigned", "signed", "short", "char") for w in words)


class MemoizeRecursion(Rewrite):
    """A pure recursive ``T f(int n)`` (or ``f(int n, int k)``) becomes the same function with a memo table.

    Pure: the body reads only its integer parameters, scalar locals, literals
    and file-level constants, and calls only itself (at least twice, so the
    naive recursion recomputes) and <cmath>. The body moves, unchanged, into a
    lambda that runs only for arguments not seen before; the signature stays.
    """

    name = "loops.memoize_recursion"
    why = "tree recursion such as naive Fibonacci or Pascal's C(n, k) recomputes the same arguments exponentially often"
    unsafe_when = (
        "the body reads or writes anything but its parameters and locals (globals, I/O, static locals, pointers, "
        "arrays, members), calls another function, is a template, method or constexpr, or a parameter is not an integer"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        user = user_functions(parsed)
        out = []
        for caps in parsed.captures("(function_definition) @f"):
            function = caps["f"][0]
            plan = self._plan(parsed, function, user)
            if plan is not None:
                edits, reason = plan
                out.append(self.match(parsed, edits, reason))
        return out

    def _plan(self, parsed: Parsed, function: Node, user: frozenset[str]) -> tuple[list[Edit], str] | None:
        if function.parent is None or function.parent.type not in ("translation_unit", "declaration_list"):
            return None  # templates, class members
        if function.parent.type == "declaration_list" and (
            function.parent.parent is None or function.parent.parent.type != "namespace_definition"
        ):
            return None
        if any(c.type == "type_qualifier" for c in function.children):
            return None  # constexpr: a static local would not compile
        kind = function.child_by_field_name("type")
        declarator = function.child_by_field_name("declarator")
        body = function.child_by_field_name("body")
        if kind is None or declarator is None or body is None or declarator.type != "function_declarator":
            return None
        result = parsed.text(kind)
        if not (is_integral_type(parsed, result) or result in ("double", "float", "long double", "bool")):
            return None
        params = declarator.child_by_field_name("parameters")
        name_node = declarator.child_by_field_name("declarator")
        if params is None or name_node is None or name_node.type != "identifier":
            return None
        name = parsed.text(name_node)
        if name == "main" or _overloaded(parsed, name):
            return None
        names, types = [], []
        for p in params.named_children:
            ptype, pdecl = p.child_by_field_name("type"), p.child_by_field_name("declarator")
            if p.type != "parameter_declaration" or ptype is None or pdecl is None or pdecl.type != "identifier":
                return None
            if not is_integral_type(parsed, parsed.text(ptype)):
                return None
            names.append(parsed.text(pdecl))
            types.append(parsed.text(ptype))
        if len(names) not in (1, 2) or pure_recursion(parsed, function, user) < 2:
            return None
        memo, key, found, value = (fresh_name(parsed, f"{name}_{w}") for w in ("memo", "key", "found", "value"))
        if len(names) == 1:
            table, header, key_type, key_expr = (
                f"std::unordered_map<{types[0]}, {result}>",
                "unordered_map",
                types[0],
                names[0],
            )
        elif not types_redefined(parsed) and all(_narrow(parsed, t) for t in types):
            table, header, key_type = (
                f"std::unordered_map<unsigned long long, {result}>",
                "unordered_map",
                "unsigned long long",
            )
            key_expr = f"(unsigned long long)(unsigned){names[0]} << 32 | (unsigned){names[1]}"
        else:
            key_type = f"std::pair<{types[0]}, {types[1]}>"
            table, header, key_expr = f"std::map<{key_type}, {result}>", "map", f"{key_type}({names[0]}, {names[1]})"
        first = body.named_children[0] if body.named_children else None
        indent = (indent_of(parsed, first) if first is not None else None) or "    "
        head = (
            f"\n{indent}static {table} {memo};"
            f"\n{indent}const {key_type} {key} = {key_expr};"
            f"\n{indent}auto {found} = {memo}.find({key});"
            f"\n{indent}if ({found} != {memo}.end()) return {found}->second;"
            f"\n{indent}const {result} {value} = [&]() -> {result} {{"
        )
        closing = body.end_byte - 1
        tail = f"}}();\n{indent}{memo}.emplace({key}, {value});\n{indent}return {value};\n"
        # The lambda's closing brace goes on its own line, or on the body's last line when that holds the brace too.
        own_line = indent_of(parsed, body.children[-1]) is not None
        edits = [
            Edit(body.start_byte + 1, body.start_byte + 1, head),
            Edit(closing, closing, (indent if own_line else " ") + tail),
        ]
        include = include_edit(parsed, header)
        if include is not None:
            edits.append(include)
        return edits, f"memoize {name}({', '.join(names)}) so that each argument is computed once"


def _overloaded(parsed: Parsed, name: str) -> bool:
    """Whether several different functions (or a macro) share ``name``: then a call might not be the recursion."""
    signatures = set()
    for node in function_declarators(parsed, name):
        params = node.child_by_field_name("parameters")
        listed = params.named_children if params is not None else []
        signatures.add(tuple(parsed.text(p.child_by_field_name("type") or p) for p in listed))
    return len(signatures) != 1 or name in macros(parsed)

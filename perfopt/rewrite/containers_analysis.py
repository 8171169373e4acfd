"""What the containers rewrites need to know about a variable: its standard container type, where it is
declared and every use of it; plus the small syntax and edit helpers they share.

Conservative by design: what it cannot classify it reports as unknown (None), so a rewrite stays silent.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declaration_of, declarator_name

MAPS = ("map", "unordered_map")
SETS = ("set", "unordered_set")
SEQUENCES = ("vector", "deque", "string", "basic_string")
SIZED = (*SEQUENCES, *MAPS, *SETS, "multimap", "multiset", "unordered_multimap", "unordered_multiset", "list", "array")
LOOPS = ("for_statement", "for_range_loop", "while_statement", "do_statement")

#: Member functions that neither change a container's size nor hand out a way to change it later.
READ_METHODS = frozenset(
    {"size", "length", "empty", "at", "front", "back", "count", "find", "contains", "capacity", "c_str", "data"}
    | {"begin", "end", "cbegin", "cend", "rbegin", "rend", "lower_bound", "upper_bound", "equal_range", "substr"}
)

#: Member functions that hand out an iterator or pointer, through which the container may change later.
ITERATOR_METHODS = frozenset({"begin", "end", "rbegin", "rend", "cbegin", "cend", "data", "c_str"})
ITERATOR_METHODS |= {"lower_bound", "upper_bound", "equal_range"}

#: The standard streams, whose member calls touch no user variable.
STREAMS = frozenset({"cin", "cout", "cerr"})

#: Member functions of the standard containers that never write through their arguments.
VALUE_ARG_METHODS = READ_METHODS | {"push_back", "emplace_back", "insert", "emplace", "erase", "push", "assign"}

#: Free functions that take their arguments by value or const reference and touch no user state.
PURE_FUNCTIONS = frozenset(
    {"min", "max", "abs", "llabs", "fabs", "sqrt", "make_pair", "make_tuple", "pair", "to_string", "gcd", "lcm"}
    | {"static_cast"}
)

INTEGRAL = frozenset(
    {"int", "long", "long long", "short", "char", "signed char", "unsigned char", "unsigned", "unsigned int"}
    | {"unsigned long", "unsigned long long", "unsigned short", "long int", "long long int", "signed", "bool"}
    | {"size_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t"}
)
SCALARS = INTEGRAL | {"double", "float", "long double"}
UNSIGNED = frozenset(t for t in INTEGRAL if t.startswith(("unsigned", "size_t", "uint")))

#: Uses of a map that neither change it nor keep an iterator into it.
LOOKUPS = frozenset({"count", "find", "contains", "size", "empty", "end", "at"})


@dataclass(frozen=True)
class Container:
    """A variable of a standard container type, e.g. ``std::map<int, long long> m``."""

    kind: str  # "vector", "map", "string", ...
    template_name: Node  # the ``map`` in ``std::map<...>``: the node a type-changing rewrite edits
    args: tuple[Node, ...]  # the template arguments' type nodes
    decl: Node


def uses_namespace_std(parsed: Parsed) -> bool:
    for node in parsed.root.named_children:
        directive = node.type == "using_declaration" and "namespace" in [c.type for c in node.children]
        if directive and parsed.text(node.named_children[-1]) == "std":
            return True
    return False


def std_type(parsed: Parsed, node: Node) -> tuple[str, Node, tuple[Node, ...]] | None:
    """``(kind, name node, argument type nodes)`` for ``std::vector<int>`` / ``vector<int>`` / ``string``."""
    qualified = False
    if node.type == "qualified_identifier":
        scope, name = node.child_by_field_name("scope"), node.child_by_field_name("name")
        if scope is None or name is None or parsed.text(scope) != "std":
            return None
        node, qualified = name, True
    if not qualified and not uses_namespace_std(parsed):
        return None
    if node.type == "type_identifier" and parsed.text(node) == "string":
        return "string", node, ()
    if node.type != "template_type":
        return None
    name, arguments = node.child_by_field_name("name"), node.child_by_field_name("arguments")
    if name is None or arguments is None:
        return None
    args = tuple(t for d in arguments.named_children if (t := d.child_by_field_name("type")) is not None)
    if len(args) != len(arguments.named_children):
        return None
    return parsed.text(name), name, args


def object_declarator(parsed: Parsed, declarator: Node) -> Node | None:
    """The name ``v`` of ``vector<int> v(n, 0)``, which tree-sitter reads as a function declarator.

    It is an object when some "parameter" is no type: a literal, or a name the file never declares as a type.
    """
    if declarator.type != "function_declarator":
        return None
    name, params = declarator.child_by_field_name("declarator"), declarator.child_by_field_name("parameters")
    if name is None or name.type != "identifier" or params is None or not params.named_children:
        return None
    types = type_names(parsed)
    for p in params.named_children:
        t = p.child_by_field_name("type")
        bare = p.type == "parameter_declaration" and p.child_by_field_name("declarator") is None
        if bare and t is not None and t.type == "type_identifier" and parsed.text(t) not in types:
            return name
    return None


_TYPE_NAMES: weakref.WeakKeyDictionary[Parsed, frozenset[str]] = weakref.WeakKeyDictionary()


def type_names(parsed: Parsed) -> frozenset[str]:
    """Names the file declares as types (structs, classes, typedefs, aliases, template parameters)."""
    if parsed not in _TYPE_NAMES:
        _TYPE_NAMES[parsed] = frozenset(_type_names(parsed))
    return _TYPE_NAMES[parsed]


def _type_names(parsed: Parsed) -> set[str]:
    out = set()
    for n in parsed.walk():
        if n.type in ("struct_specifier", "class_specifier", "union_specifier", "enum_specifier"):
            name = n.child_by_field_name("name")
            if name is not None:
                out.add(parsed.text(name))
        elif n.type in ("type_definition", "alias_declaration"):
            out.update(parsed.text(c) for c in n.children_by_field_name("declarator") if c.type == "type_identifier")
            name = n.child_by_field_name("name")
            if name is not None:
                out.add(parsed.text(name))
        elif n.type in ("type_parameter_declaration", "optional_type_parameter_declaration"):
            out.update(parsed.text(c) for c in n.named_children if c.type == "type_identifier")
    return out


def find_declaration(parsed: Parsed, ident: Node) -> Node | None:
    """types.declaration_of, plus block and file declarations such as ``vector<int> v(n);``."""
    decl = declaration_of(parsed, ident)
    if decl is not None:
        return decl
    name = parsed.text(ident)
    child, scope = ident, ident.parent
    while scope is not None:
        if scope.type in ("compound_statement", "translation_unit"):
            for d in reversed(scope.named_children):
                if d.type == "declaration" and (scope.type == "translation_unit" or d.start_byte < child.start_byte):
                    for decl_node in d.children_by_field_name("declarator"):
                        n = object_declarator(parsed, decl_node)
                        if n is not None and parsed.text(n) == name:
                            return d
        elif scope.type == "function_definition":
            return None  # parameters were handled by declaration_of
        child, scope = scope, scope.parent
    return None


def declarator_of(parsed: Parsed, decl: Node, name: str) -> Node | None:
    for d in decl.children_by_field_name("declarator"):
        n = declarator_name(d) or object_declarator(parsed, d)
        if n is not None and parsed.text(n) == name:
            return d
    return None


def container_of(parsed: Parsed, ident: Node) -> Container | None:
    """The standard container ``ident`` names (a by-value variable, not a reference or pointer), or None."""
    decl = find_declaration(parsed, ident)
    return declared_container(parsed, decl, parsed.text(ident)) if decl is not None else None


def declared_container(parsed: Parsed, decl: Node, name: str) -> Container | None:
    """The standard container that declaration ``decl`` gives variable ``name``, or None."""
    if decl.type != "declaration":
        return None
    declarator = declarator_of(parsed, decl, name)
    if declarator is None:
        return None
    inner = declarator.child_by_field_name("declarator") if declarator.type == "init_declarator" else declarator
    if inner is None or inner.type not in ("identifier", "function_declarator"):
        return None
    type_node = decl.child_by_field_name("type")
    found = std_type(parsed, type_node) if type_node is not None else None
    if found is None:
        return None
    return Container(found[0], found[1], found[2], decl)


def sized_variable(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` names a standard container with ``size()``, as a variable or a (reference) parameter."""
    decl = find_declaration(parsed, ident)
    if decl is not None and decl.type == "parameter_declaration":
        declarator, type_node = decl.child_by_field_name("declarator"), decl.child_by_field_name("type")
        if declarator is None or type_node is None or declarator.type not in ("identifier", "reference_declarator"):
            return False
        found = std_type(parsed, type_node)
        return found is not None and found[0] in SIZED
    c = container_of(parsed, ident)
    return c is not None and c.kind in SIZED


def resolve_alias(parsed: Parsed, text: str) -> str:
    """``ll`` for a file that says ``typedef long long ll;`` is ``long long``."""
    for node in parsed.root.named_children:
        if node.type == "type_definition":
            t = node.child_by_field_name("type")
            if t is not None and any(parsed.text(d) == text for d in node.children_by_field_name("declarator")):
                return " ".join(parsed.text(t).split())
        elif node.type == "alias_declaration":
            name, t = node.child_by_field_name("name"), node.child_by_field_name("type")
            if name is not None and t is not None and parsed.text(name) == text:
                return " ".join(parsed.text(t).split())
    return text


def scalar_type(parsed: Parsed, node: Node) -> str:
    """A type node's text without ``std::``/``const``, aliases resolved: ``long long``, ``string``."""
    words = [w for w in parsed.text(node).replace("std::", "").split() if w != "const"]
    return resolve_alias(parsed, " ".join(words))


def uses_of(parsed: Parsed, decl: Node, name: str, scope: Node) -> list[Node] | None:
    """Every identifier in ``scope`` that refers to ``decl``; None when one of them lies in an unparsed region."""
    out = []
    for n in parsed.identifiers(scope, name):
        if any(
            n == (declarator_name(d) or object_declarator(parsed, d)) for d in decl.children_by_field_name("declarator")
        ):
            continue  # the declaration itself
        if find_declaration(parsed, n) != decl:
            continue
        if not parsed.clean(n):
            return None
        out.append(n)
    return out


def method_of(parsed: Parsed, ident: Node) -> tuple[str, Node] | None:
    """``("push_back", call)`` when ``ident`` is the object of a member call ``ident.push_back(...)``."""
    field = ident.parent
    if field is None or field.type != "field_expression" or field.child_by_field_name("argument") != ident:
        return None
    op = field.child_by_field_name("operator")
    name = field.child_by_field_name("field")
    call = field.parent
    if op is None or parsed.text(op) != "." or name is None or call is None or call.type != "call_expression":
        return None
    if call.child_by_field_name("function") != field:
        return None
    return parsed.text(name), call


def member_call(parsed: Parsed, node: Node, *methods: str) -> tuple[Node, str, list[Node]] | None:
    """``(m, method, args)`` when ``node`` is ``m.method(args)`` with ``m`` a plain identifier."""
    node = unparen(node)
    fn = node.child_by_field_name("function") if node.type == "call_expression" else None
    if fn is None or fn.type != "field_expression" or parsed.text(fn.children[1]) != ".":
        return None
    obj, field = fn.child_by_field_name("argument"), fn.child_by_field_name("field")
    if obj is None or obj.type != "identifier" or field is None or parsed.text(field) not in methods:
        return None
    return obj, parsed.text(field), call_args(node)


def subscript_key(parsed: Parsed, node: Node) -> tuple[Node, Node] | None:
    """``(m, k)`` for a subscript ``m[k]`` whose object is a plain identifier."""
    if node.type != "subscript_expression":
        return None
    obj, indices = node.child_by_field_name("argument"), node.child_by_field_name("indices")
    if obj is None or obj.type != "identifier" or indices is None or indices.named_child_count != 1:
        return None
    return obj, indices.named_children[0]


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return list(args.named_children) if args is not None else []


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def outer(node: Node) -> Node:
    """``node`` with the parentheses around it."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def same_expr(parsed: Parsed, a: Node, b: Node) -> bool:
    """Token-for-token equality, whitespace aside."""
    return tokens(parsed, a) == tokens(parsed, b)


def same_key(parsed: Parsed, key: Node, other: Node) -> bool:
    """The same text, naming the same variables (no shadowing between the two)."""
    if not same_expr(parsed, key, other):
        return False
    a = [n for n in parsed.walk(key) if n.type == "identifier"]
    b = [n for n in parsed.walk(other) if n.type == "identifier"]
    return all(find_declaration(parsed, x) == find_declaration(parsed, y) for x, y in zip(a, b, strict=True))


def tokens(parsed: Parsed, node: Node) -> list[str]:
    return [parsed.text(n) for n in parsed.walk(node) if n.child_count == 0]


def flat(parsed: Parsed, node: Node) -> str:
    """The node's tokens without whitespace; a block of one statement reads as that statement."""
    node = single_statement(node) or node
    return "".join(tokens(parsed, node))


def callee_name(parsed: Parsed, call: Node) -> str | None:
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    if fn.type == "qualified_identifier" and parsed.text(fn).startswith("std::"):
        fn = fn.child_by_field_name("name") or fn
    if fn.type == "field_expression":
        field = fn.child_by_field_name("field")
        return "." + parsed.text(field) if field is not None else None
    if fn.type == "template_function":
        fn = fn.child_by_field_name("name") or fn
    return parsed.text(fn) if fn.type == "identifier" else None


def is_literal(parsed: Parsed, node: Node | None, *values: str) -> bool:
    return node is not None and unparen(node).type == "number_literal" and parsed.text(unparen(node)) in values


def single_statement(node: Node | None) -> Node | None:
    while node is not None and node.type == "compound_statement":
        if node.named_child_count != 1:
            return None
        node = node.named_children[0]
    return node


def if_condition(if_statement: Node) -> Node | None:
    cond = if_statement.child_by_field_name("condition")
    if cond is None or cond.type != "condition_clause" or cond.child_by_field_name("initializer") is not None:
        return None
    return cond.child_by_field_name("value")


def unit_step(parsed: Parsed, update: Node, var: str) -> str | None:
    """``++`` or ``--`` when ``update`` moves ``var`` by one (``i++``, ``--i``, ``i += 1``)."""
    update = unparen(update)
    if update.type == "update_expression":
        arg, op = update.child_by_field_name("argument"), update.child_by_field_name("operator")
        if arg is not None and op is not None and parsed.text(arg) == var:
            return parsed.text(op)
    if update.type == "assignment_expression" and is_literal(parsed, update.child_by_field_name("right"), "1"):
        left, assign = update.child_by_field_name("left"), parsed.text(update.children[1])
        if left is not None and parsed.text(left) == var and assign in ("+=", "-="):
            return "++" if assign == "+=" else "--"
    return None


def inside(node: Node, region: Node) -> bool:
    return region.start_byte <= node.start_byte and node.end_byte <= region.end_byte


def in_lambda(parsed: Parsed, node: Node, region: Node) -> bool:
    lam = parsed.enclosing(node, "lambda_expression")
    return lam is not None and inside(lam, region)


def in_loop(parsed: Parsed, node: Node) -> bool:
    current = node.parent
    while current is not None and current.type not in ("function_definition", "lambda_expression"):
        if current.type in LOOPS:
            return True
        current = current.parent
    return False


def fresh_name(parsed: Parsed, region: Node, *candidates: str) -> str:
    used = {parsed.text(n) for n in parsed.walk(region) if n.type in ("identifier", "type_identifier")}
    for c in candidates:
        if c not in used:
            return c
    i = 2
    while f"{candidates[0]}{i}" in used:
        i += 1
    return f"{candidates[0]}{i}"


def indent_before(parsed: Parsed, node: Node) -> str | None:
    """The whitespace that opens ``node``'s line, when nothing but whitespace precedes it there."""
    start = parsed.data.rfind(b"\n", 0, node.start_byte) + 1
    prefix = parsed.data[start : node.start_byte].decode("utf-8")
    return prefix if prefix.strip() == "" else None


def statement_before(parsed: Parsed, statement: Node, text: str) -> Edit:
    """Insert ``text`` as a statement of its own just before ``statement``."""
    indent = indent_before(parsed, statement)
    sep = f"\n{indent}" if indent is not None else " "
    return Edit(statement.start_byte, statement.start_byte, text + sep)


def include_edit(parsed: Parsed, header: str) -> Edit | None:
    """An ``#include <header>`` after the file's last include, or None when it (or bits/stdc++.h) is there.

    Identical for every match in a file, so apply_edits keeps one copy."""
    last = None
    for node in parsed.root.named_children:
        if node.type == "preproc_include":
            path = node.child_by_field_name("path")
            if path is not None and parsed.text(path) in (f"<{header}>", "<bits/stdc++.h>"):
                return None
            last = node
    line = f"#include <{header}>"
    if last is None:
        return Edit(0, 0, line + "\n")
    if parsed.text(last).endswith("\n"):
        return Edit(last.end_byte, last.end_byte, line + "\n")
    return Edit(last.end_byte, last.end_byte, "\n" + line)


def located(parsed: Parsed, match: Match, node: Node) -> Match:
    """``match`` reported at ``node``'s line rather than at its first edit (an #include at the top)."""
    return replace(match, line=parsed.line_of(node.start_byte))

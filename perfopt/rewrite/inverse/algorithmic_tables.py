"""What the algorithmic inverses share: integer values and types, and the global tables a program fills.

A memo table or a prefix array
is a file-level (or local) array, vector or map of integers; the inverses
need to know its element type (width and signedness, to evaluate a lookup's
condition on a cell exactly), the values its declaration gives the cells, and
the statements that fill it (``memset``, ``fill``, ``assign``, ``resize``,
``clear``, ``t = vector<...>(...)``) with the values they write.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.inverse.analysis import flat
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import side_effect_free
from perfopt.rewrite.purity_lookup import container_variable, is_integral_type, types_redefined, user_functions
from perfopt.rewrite.streams import call_name, is_std
from perfopt.rewrite.types import declarator_name
from perfopt.rewrite.usage_lookup import declaration, same

#: Widths of the integer types by their words less int/signed/unsigned, and of the fixed-width aliases.
_WIDTHS: dict[str, int] = {"char": 8, "short": 16, "": 32, "long": 64, "long long": 64}
_ALIASES: dict[str, tuple[int, bool]] = {f"{u}int{b}_t": (b, not u) for u in ("", "u") for b in (8, 16, 32, 64)}
#: Calls that only name a range or measure an object: allowed in a fill statement that is deleted.
_QUIET_CALLS = frozenset(["begin", "end", "size"])
FILE_SCOPES = ("translation_unit", "declaration_list")

#: Width in bits (None where ``#define int long long`` may have changed it) and signedness; bool is (1, False).
Kind = tuple[int | None, bool]


@dataclass(frozen=True)
class Table:
    """An array, vector (of vectors) or map: its element (mapped) type, and the subscripts that reach one."""

    name: str
    decl: Node
    declarator: Node
    kind: str  # "array", "vector" or "map"
    element: Node
    dims: int
    keys: tuple[Node, ...] = ()  # a map's key type, or a pair key's two types


@dataclass(frozen=True)
class Fill:
    """A statement that fills a table: the values it writes (None: unknown), and whether it resets every cell."""

    statement: Node
    table: str
    values: frozenset[int] | None
    full: bool


def unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _number(text: str) -> int | None:
    text = text.strip().replace("'", "").rstrip("lL")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("-").strip()
    try:
        return sign * (int(text, 8) if text[:1] == "0" and text.isdigit() else int(text, 0))
    except ValueError:
        return None  # floating, an unsigned suffix, a user-defined literal


def integer(parsed: Parsed, node: Node, depth: int = 0) -> int | None:
    """The value of an integer literal, a negated one, true/false, or a numeric macro or constant's."""
    node = unparen(node)
    if node.type in ("true", "false"):
        return int(node.type == "true")
    if node.type == "unary_expression" and parsed.text(node).startswith("-") and node.named_child_count == 1:
        inner = integer(parsed, node.named_children[0], depth)
        return None if inner is None else -inner
    if node.type == "identifier":
        return constant(parsed, parsed.text(node), depth + 1) if depth < 8 else None
    return _number(parsed.text(node)) if node.type == "number_literal" else None


def constant(parsed: Parsed, name: str, depth: int = 0) -> int | None:
    """``#define INF 0x3f3f3f3f`` or a file-level ``const int INF = 0x3f3f3f3f;``: its value."""
    for node in parsed.root.named_children:
        if node.type == "preproc_def" and (n := node.child_by_field_name("name")) and parsed.text(n) == name:
            value = node.child_by_field_name("value")
            return _number(parsed.text(value)) if value is not None else None
        if node.type == "declaration" and any(parsed.text(n) == name for n in names(node)):
            qualifiers = {parsed.text(c) for c in node.children if c.type == "type_qualifier"}
            declarators = node.children_by_field_name("declarator")
            value = declarators[0].child_by_field_name("value") if len(declarators) == 1 else None
            if value is None or "const" not in qualifiers or "volatile" in qualifiers:
                return None
            return integer(parsed, value, depth) if declarators[0].type == "init_declarator" else None
    return None


def names(decl: Node) -> list[Node]:
    """The names a declaration declares."""
    return [n for d in decl.children_by_field_name("declarator") if (n := declarator_name(d)) is not None]


def int_kind(parsed: Parsed, node: Node) -> Kind | None:
    """Width and signedness of an integer type; None for any other type."""
    words = parsed.text(type_index(parsed).resolve(node)).replace("std::", "").split()
    if len(words) == 1 and (spelled := _defined(parsed, words[0])) is not None:
        words = spelled.split()  # #define ll long long
    if words == ["bool"]:
        return 1, False
    if len(words) == 1 and words[0] in _ALIASES:
        return _ALIASES[words[0]]
    if not is_integral_type(parsed, " ".join(words)):
        return None
    width = _WIDTHS.get(" ".join(w for w in words if w not in ("unsigned", "signed", "int")))
    return (None if types_redefined(parsed) else width), "unsigned" not in words and words != ["char"]


def _defined(parsed: Parsed, name: str) -> str | None:
    """What an object-like macro stands for."""
    for node in parsed.root.named_children:
        if node.type == "preproc_def" and (n := node.child_by_field_name("name")) and parsed.text(n) == name:
            value = node.child_by_field_name("value")
            return parsed.text(value).strip() if value is not None else None
    return None


def converted(kind: Kind, value: int | None) -> int | None:
    """``value`` as an element of ``kind`` holds it, when it fits (a conversion that wraps is not followed)."""
    bits, signed = kind
    if value is None:
        return None
    bits = bits or 32
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    return value if low <= value < high else None


def _byte_fill(kind: Kind, byte: int | None) -> int | None:
    """The value of an element whose every byte ``memset`` set to ``byte``."""
    bits, signed = kind
    if byte is None or byte & 0xFF == 0:
        return None if byte is None else 0
    if bits is None or bits == 1:
        return -1 if byte & 0xFF == 0xFF and signed and bits is None else None
    return int.from_bytes(bytes([byte & 0xFF]) * (bits // 8), "little", signed=signed)


def member(parsed: Parsed, call: Node) -> tuple[str, str, list[Node]] | None:
    """``("m", "count", [k])`` for ``m.count(k)``."""
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if call.type != "call_expression" or fn is None or args is None or fn.type != "field_expression":
        return None
    obj, op, field = (fn.child_by_field_name(f) for f in ("argument", "operator", "field"))
    if obj is None or op is None or field is None or obj.type != "identifier" or parsed.text(op) != ".":
        return None
    return parsed.text(obj), parsed.text(field), args.named_children


def same_type(parsed: Parsed, a: Node, b: Node) -> bool:
    index = type_index(parsed)
    return flat(parsed.text(index.resolve(a))) == flat(parsed.text(index.resolve(b)))


def _template(parsed: Parsed, node: Node, *heads: str) -> list[Node] | None:
    """The type arguments of ``vector<T>`` (one of ``heads``), after typedefs; None for another type."""
    node = type_index(parsed).resolve(node)
    head = node.child_by_field_name("name") if node.type == "template_type" else None
    if head is None or parsed.text(head) not in heads:
        return None
    return type_index(parsed).arguments(node)


def table(parsed: Parsed, ident: Node, file_level: bool = True) -> Table | None:
    """The array (of integers), vector (of vectors) of integers, or map that ``ident`` names, declared at
    file level (or, without ``file_level``, anywhere), neither const, volatile nor extern."""
    decl, name = declaration(parsed, ident), parsed.text(ident)
    if decl is None or decl.type != "declaration" or decl.parent is None:
        return None
    if file_level and decl.parent.type not in FILE_SCOPES:
        return None
    if {parsed.text(c) for c in decl.children if c.type in ("type_qualifier", "storage_class_specifier")} - {"static"}:
        return None
    declarator = next((d for d in decl.children_by_field_name("declarator") if _declares(parsed, d, name)), None)
    kind = decl.child_by_field_name("type")
    if declarator is None or kind is None:
        return None
    # A block-scope ``vector<int> q(n);`` parses as a function declaration: a vector all the same.
    wrapped = declarator.type in ("init_declarator", "function_declarator")
    inner, dims = declarator.child_by_field_name("declarator") if wrapped else declarator, 0
    if declarator.type == "function_declarator" and _template(parsed, kind, "vector") is None:
        return None
    while inner is not None and inner.type == "array_declarator":
        inner, dims = inner.child_by_field_name("declarator"), dims + 1
    if inner is None or inner.type != "identifier":
        return None
    if dims:
        return Table(name, decl, declarator, "array", kind, dims) if int_kind(parsed, kind) else None
    while (args := _template(parsed, kind, "vector")) is not None and len(args) == 1:
        kind, dims = args[0], dims + 1
    if dims:
        return Table(name, decl, declarator, "vector", kind, dims) if int_kind(parsed, kind) else None
    args = _template(parsed, kind, "map", "unordered_map")
    if args is None or len(args) != 2:
        return None
    pair = _template(parsed, args[0], "pair")
    return Table(name, decl, declarator, "map", args[1], 1, tuple(pair) if pair is not None else (args[0],))


def _declares(parsed: Parsed, declarator: Node, name: str) -> bool:
    vexing = declarator.type == "function_declarator"
    found = declarator.child_by_field_name("declarator") if vexing else declarator_name(declarator)
    return found is not None and parsed.text(found) == name


def _vector_call(parsed: Parsed, node: Node) -> Node | None:
    """The arguments of ``vector<T>(...)``."""
    fn = node.child_by_field_name("function") if node.type == "call_expression" else None
    if fn is None or not flat(parsed.text(fn)).startswith(("vector<", "std::vector<")):
        return None
    return node.child_by_field_name("arguments")


def _filled(parsed: Parsed, found: Table, args: list[Node], dims: int) -> frozenset[int] | None:
    """What ``vector<...>(args)`` (or ``assign``/``resize`` with them) holds: ``(n)``, ``(n, v)``, nested."""
    kind = int_kind(parsed, found.element)
    if kind is None or len(args) not in (1, 2) or not side_effect_free(parsed, args[0], user_functions(parsed)):
        return None
    if len(args) == 1:  # n value-initialised elements (zeros, or empty vectors), unless it copies a container
        copies = args[0].type == "identifier" and container_variable(parsed, args[0])
        return None if copies else frozenset([0] if dims == 1 else [])
    if dims == 1:
        value = converted(kind, integer(parsed, args[1]))
        return None if value is None else frozenset([value])
    inner = _vector_call(parsed, unparen(args[1]))
    return None if inner is None else _filled(parsed, found, inner.named_children, dims - 1)


def declared(parsed: Parsed, found: Table) -> frozenset[int] | None:
    """The values the declaration gives the cells (a global without initializer holds zeros)."""
    value = found.declarator.child_by_field_name("value") if found.declarator.type == "init_declarator" else None
    if found.declarator.type == "function_declarator":
        return None  # ``vector<int> v(n);`` read as a function declaration: its arguments are not expressions
    if found.kind == "map" or (value is None and found.kind == "vector"):
        return frozenset()
    kind = int_kind(parsed, found.element)
    if kind is None or value is None:
        return None if kind is None else frozenset([0])
    if found.kind == "vector":
        return _filled(parsed, found, value.named_children, found.dims) if value.type == "argument_list" else None
    if value.type != "initializer_list":
        return None
    leaves = [n for n in parsed.walk(value) if n.parent is not None and n.parent.type == "initializer_list"]
    values = {converted(kind, integer(parsed, n)) for n in leaves if n.is_named and n.type != "initializer_list"}
    return None if None in values else frozenset({0} | {v for v in values if v is not None})


def fill(parsed: Parsed, use: Node, found: Table) -> Fill | None:
    """The statement that fills ``found`` where ``use`` of it stands; None where the use is anything else."""
    statement = parsed.enclosing(use, "expression_statement")
    expr = statement.named_children[0] if statement is not None and statement.named_child_count == 1 else None
    if expr is None or statement is None:
        return None
    kind, name, call = int_kind(parsed, found.element), found.name, member(parsed, expr)
    args_node = expr.child_by_field_name("arguments") if expr.type == "call_expression" else None
    args = args_node.named_children if args_node is not None else []
    if call is not None and call[0] == name and found.kind != "array":
        if call[1] == "clear" and not args:
            return Fill(statement, name, frozenset(), True)
        if call[1] in ("assign", "resize") and found.kind == "vector":
            return Fill(statement, name, _filled(parsed, found, args, found.dims), call[1] == "assign")
        return None
    function = expr.child_by_field_name("function") if expr.type == "call_expression" else None
    called = call_name(parsed, expr) if function is not None else None
    if called == "memset" and "memset" not in user_functions(parsed) and len(args) == 3 and kind is not None:
        whole = flat(parsed.text(args[2])) in (f"sizeof{name}", f"sizeof({name})")
        value = _byte_fill(kind, integer(parsed, args[1]))
        if flat(parsed.text(args[0])) != name or not whole or found.kind != "array":
            return None
        return Fill(statement, name, None if value is None else frozenset([value]), True)
    if function is not None and called in ("fill", "fill_n") and is_std(parsed, function, called):
        if kind is None or len(args) != 3:
            return None
        value = converted(kind, integer(parsed, args[2]))
        return Fill(statement, name, None if value is None else frozenset([value]), False)
    left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
    if expr.type == "assignment_expression" and parsed.text(expr.children[1]) == "=" and found.kind == "vector":
        inner = _vector_call(parsed, right) if right is not None else None
        if left is None or flat(parsed.text(left)) != name or inner is None:
            return None
        return Fill(statement, name, _filled(parsed, found, inner.named_children, found.dims), True)
    return None


def calm(parsed: Parsed, statement: Node) -> bool:
    """Whether deleting a fill statement deletes nothing but the fill: no assignment, ++ or call in it, and
    a block around it (not the lone body of an if or a loop)."""
    expr = statement.named_children[0]
    for node in parsed.walk(expr):
        if node == expr:
            continue
        if node.type in ("assignment_expression", "update_expression"):
            return False
        if node.type == "call_expression" and _vector_call(parsed, node) is None:
            call = member(parsed, node)
            if (call[1] if call is not None else call_name(parsed, node)) not in _QUIET_CALLS:
                return False
    return statement.parent is not None and statement.parent.type == "compound_statement"


def scanned(parsed: Parsed, use: Node) -> bool:
    """``&a[i]`` handed to scanf: a write there, not an alias kept."""
    node = use
    while node.parent is not None and node.parent.type in ("subscript_expression", "parenthesized_expression"):
        node = node.parent
    call = node.parent.parent.parent if node.parent is not None and node.parent.parent is not None else None
    operator = node.parent.children[0] if node.parent is not None else None
    return (
        call is not None
        and operator is not None
        and parsed.text(operator) == "&"
        and call.type == "call_expression"
        and call_name(parsed, call) in ("scanf", "sscanf")
        and "scanf" not in user_functions(parsed)
    )


def passing(parsed: Parsed, use: Node) -> bool:
    """An alias that writes only where it is made: ``&a[i]`` handed to scanf, or ``for (auto& x : a)`` with
    no lambda in the loop (which could keep the reference)."""
    loop = use.parent
    if loop is not None and loop.type == "for_range_loop" and same(loop.child_by_field_name("right"), use):
        return not any(n.type == "lambda_expression" for n in parsed.walk(loop))
    return scanned(parsed, use)

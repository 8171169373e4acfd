"""Effects analysis shared by the loops and math rewrites: what an expression reads, what a loop writes.

Deliberately small and conservative: a use of a variable is a plain read only
in contexts listed here; anything else (a call that might take a reference,
an address taken, a lambda capturing by reference) counts as an escape, after
which the variable may change anywhere, and the rewrites leave it alone.

The lookups it rests on (the per-file index, which declaration a name refers
to, whether a type is integral) are in ``purity_lookup``; where the rewrites
put new code, in ``placement``.
"""

from __future__ import annotations

from enum import Enum

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity_lookup import (
    COPYING_TYPES,
    container_variable,
    find_declaration,
    function_declarators,
    is_integral_type,
    occurrences,
    type_identifiers,
)
from perfopt.rewrite.types import declared_type

#: <cmath>/<cstdlib> functions with no side effect besides errno, which no rewrite here relies on.
PURE_MATH = frozenset(
    """sqrt sqrtf sqrtl cbrt cbrtf cbrtl log logf logl log2 log2f log2l log10 log10f log10l log1p exp expf expl
    exp2 exp2f exp2l expm1 pow powf powl abs fabs fabsf fabsl labs llabs floor floorf floorl ceil ceilf ceill
    round roundf roundl trunc truncf truncl hypot sin cos tan asin acos atan atan2 sinh cosh tanh fmin fmax""".split()  # noqa: SIM905
)
#: Pure too, though they take their arguments by const reference.
PURE_CALLS = PURE_MATH | {"min", "max"}
_SCANF = frozenset({"scanf", "sscanf", "fscanf"})
#: C functions that take every argument by value.
_BY_VALUE = frozenset({"printf", "fprintf", "puts", "putchar", "printf_s"})


class Use(Enum):
    READ = "read"
    #: Changes the variable right there: an assignment, ++, a declaration, ``cin >> x``.
    WRITE = "write"
    #: Its address or a reference may outlive this point: it may change anywhere afterwards.
    ESCAPE = "escape"


def callee(parsed: Parsed, call: Node) -> str | None:
    """``sqrt`` for ``sqrt(x)``, ``std::sqrt(x)`` and ``::sqrt(x)``; None for anything else."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        return parsed.text(function)
    if function.type == "qualified_identifier":
        scope, name = function.child_by_field_name("scope"), function.child_by_field_name("name")
        if name is not None and name.type == "identifier" and (scope is None or parsed.text(scope) == "std"):
            return parsed.text(name)
    return None


def is_pure_call(parsed: Parsed, call: Node, user: frozenset[str], names: frozenset[str] = PURE_CALLS) -> bool:
    name = callee(parsed, call)
    return name is not None and name in names and name not in user


def is_conversion(parsed: Parsed, call: Node) -> bool:
    """``int(x)`` or ``static_cast<double>(x)``: a value conversion, not a call."""
    function = call.child_by_field_name("function")
    if function is None:
        return False
    if function.type in ("primitive_type", "sized_type_specifier"):
        return True
    if function.type == "template_function":
        name = function.child_by_field_name("name")
        return name is not None and parsed.text(name) == "static_cast" and "&" not in parsed.text(function)
    return False


def _indexable(parsed: Parsed, base: Node) -> bool:
    """Whether ``base[i]`` is a plain read: an array, vector, string or deque, never a map (which inserts)."""
    while base.type == "subscript_expression":
        base = base.child_by_field_name("argument") or base.children[0]
    decl = find_declaration(parsed, base) if base.type == "identifier" else None
    kind = decl.child_by_field_name("type") if decl is not None else None
    return kind is not None and "map" not in parsed.text(kind) and container_variable(parsed, base)


def side_effect_free(parsed: Parsed, expr: Node, user: frozenset[str]) -> bool:
    """Whether evaluating ``expr`` changes nothing: variables, elements, literals, arithmetic, pure calls."""
    t = expr.type
    if t in ("identifier", "number_literal", "true", "false", "char_literal", "string_literal", "nullptr"):
        return True
    if t in ("parenthesized_expression", "conditional_expression", "sizeof_expression"):
        return all(side_effect_free(parsed, c, user) for c in expr.named_children if c.type != "type_descriptor")
    if t == "unary_expression":
        op = expr.child_by_field_name("operator")
        arg = expr.child_by_field_name("argument")
        return (
            op is not None
            and arg is not None
            and parsed.text(op) in ("-", "+", "!", "~")
            and side_effect_free(parsed, arg, user)
        )
    if t == "binary_expression":
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        op = expr.child_by_field_name("operator")
        if left is None or right is None or op is None:
            return False
        if parsed.text(op) in ("<<", ">>") and not _numeric_operand(parsed, left):
            return False  # might be a stream
        return side_effect_free(parsed, left, user) and side_effect_free(parsed, right, user)
    if t == "cast_expression":
        value, kind = expr.child_by_field_name("value"), expr.child_by_field_name("type")
        return (
            value is not None
            and kind is not None
            and "&" not in parsed.text(kind)
            and side_effect_free(parsed, value, user)
        )
    if t == "subscript_expression":
        base, indices = expr.child_by_field_name("argument"), expr.child_by_field_name("indices")
        if base is None or indices is None or not _indexable(parsed, base):
            return False
        return side_effect_free(parsed, base, user) and all(
            side_effect_free(parsed, i, user) for i in indices.named_children
        )
    if t == "field_expression":
        arg, op = expr.child_by_field_name("argument"), expr.child_by_field_name("operator")
        return arg is not None and op is not None and parsed.text(op) == "." and side_effect_free(parsed, arg, user)
    if t == "call_expression":
        args = expr.child_by_field_name("arguments")
        if args is None or not (
            is_pure_call(parsed, expr, user) or is_conversion(parsed, expr) or _observer(parsed, expr)
        ):
            return False
        return all(side_effect_free(parsed, a, user) for a in args.named_children)
    return False


def _observer(parsed: Parsed, call: Node) -> bool:
    """``v.size()``, ``s.length()`` or ``v.empty()`` on a standard container: a const member, no effect."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return False
    base, op, field = (function.child_by_field_name(f) for f in ("argument", "operator", "field"))
    if base is None or op is None or field is None or base.type != "identifier" or parsed.text(op) != ".":
        return False
    return parsed.text(field) in ("size", "length", "empty") and container_variable(parsed, base)


def _numeric_operand(parsed: Parsed, node: Node) -> bool:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    if node.type == "number_literal":
        return True
    return node.type == "identifier" and is_integral_type(parsed, declared_type(parsed, node))


def _through(node: Node) -> Node:
    """The outermost expression whose value is ``node`` itself: through parentheses, ?: branches, a comma's right."""
    while (parent := node.parent) is not None:
        if (
            parent.type == "parenthesized_expression"
            or (parent.type == "conditional_expression" and node != parent.child_by_field_name("condition"))
            or (parent.type == "comma_expression" and node == parent.child_by_field_name("right"))
        ):
            pass
        else:
            break
        node = parent
    return node


def use_of(parsed: Parsed, ident: Node, user: frozenset[str]) -> Use:
    """How this occurrence of a variable uses it."""
    kind = _direct_use(parsed, ident, user)
    if kind is not Use.READ:
        # A write inside a lambda happens whenever the lambda runs, not where it is written.
        lambda_ = parsed.enclosing(ident, "lambda_expression")
        if lambda_ is not None and kind is Use.WRITE:
            return Use.ESCAPE
    return kind


def _direct_use(parsed: Parsed, ident: Node, user: frozenset[str]) -> Use:
    node = _through(ident)
    parent = node.parent
    if parent is None:
        return Use.ESCAPE
    t = parent.type
    if t == "assignment_expression":
        return Use.WRITE if node == parent.child_by_field_name("left") else Use.READ
    if t == "update_expression":
        return Use.WRITE
    if t == "pointer_expression":
        op = parent.child_by_field_name("operator")
        if op is not None and parsed.text(op) == "&":
            call = parent.parent.parent if parent.parent is not None else None
            in_scanf = parent.parent is not None and parent.parent.type == "argument_list"
            if in_scanf and call is not None and is_pure_call(parsed, call, user, _SCANF):
                return Use.WRITE
        return Use.ESCAPE
    if t == "binary_expression":
        op = parent.child_by_field_name("operator")
        extraction = op is not None and parsed.text(op) == ">>" and node == parent.child_by_field_name("right")
        return Use.WRITE if extraction else Use.READ
    if t in (
        "unary_expression",
        "condition_clause",
        "return_statement",
        "expression_statement",
        "subscript_argument_list",
        "conditional_expression",
        "comma_expression",
        "for_statement",
        "sizeof_expression",
        "case_statement",
    ):
        return Use.READ
    if t == "cast_expression":
        kind = parent.child_by_field_name("type")
        return Use.ESCAPE if kind is None or "&" in parsed.text(kind) else Use.READ
    if t == "init_declarator":
        if node == parent.child_by_field_name("declarator"):
            return Use.WRITE
        declarator = parent.child_by_field_name("declarator")
        return Use.ESCAPE if declarator is None or declarator.type == "reference_declarator" else Use.READ
    if t in ("declaration", "parameter_declaration", "optional_parameter_declaration"):
        return Use.WRITE
    if t == "argument_list":
        call = parent.parent
        if call is not None and call.type == "call_expression":
            if is_conversion(parsed, call) or is_pure_call(parsed, call, user, PURE_CALLS | _SCANF | _BY_VALUE):
                return Use.READ
            if _value_parameter(parsed, call, parent.named_children.index(node)):
                return Use.READ
        if call is not None and call.type == "init_declarator":
            decl = call.parent
            kind = decl.child_by_field_name("type") if decl is not None else None
            if kind is not None and COPYING_TYPES.search(parsed.text(kind)) and "&" not in parsed.text(kind):
                return Use.READ
        return Use.ESCAPE
    if t == "lambda_capture_specifier":
        before = ident.prev_sibling
        return Use.ESCAPE if before is not None and before.type == "&" else Use.READ
    return Use.ESCAPE


def _value_parameter(parsed: Parsed, call: Node, index: int) -> bool:
    """Whether every declaration in this file of the called function takes argument ``index`` by value."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return False
    seen = False
    for node in function_declarators(parsed, parsed.text(function)):
        params = node.child_by_field_name("parameters")
        listed = [p for p in params.named_children if p.type != "comment"] if params is not None else []
        if index >= len(listed) or listed[index].type not in (
            "parameter_declaration",
            "optional_parameter_declaration",
        ):
            return False
        declarator = listed[index].child_by_field_name("declarator")
        if declarator is not None and declarator.type != "identifier":
            return False  # a reference, pointer or array parameter
        seen = True
    return seen


def uses(parsed: Parsed, name: str, region: Node, user: frozenset[str]) -> list[Use]:
    """How every occurrence of ``name`` in ``region`` uses it."""
    found = [use_of(parsed, n, user) for n in occurrences(parsed, name, region)]
    # `T x(n);` in a function body parses as a function declaration whose "parameter type" is n.
    for node in type_identifiers(parsed, name):
        decl = _vexing(node) if region.start_byte <= node.start_byte < region.end_byte else None
        if decl is not None:
            kind = decl.child_by_field_name("type") if decl is not None else None
            copies = kind is not None and COPYING_TYPES.search(parsed.text(kind)) is not None
            found.append(Use.READ if copies else Use.ESCAPE)
    return found


def _vexing(node: Node) -> Node | None:
    """The local declaration ``T x(args);`` (parsed as a function declaration) that ``node`` is inside, if any."""
    current: Node | None = node
    while current is not None and current.type != "declaration":
        current = current.parent
    if current is None or current.parent is None or current.parent.type != "compound_statement":
        return None
    declarators = current.children_by_field_name("declarator")
    return current if any(d.type == "function_declarator" for d in declarators) else None

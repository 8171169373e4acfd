"""Rewrites of the math family: libm calls that integer or plain floating arithmetic computes exactly."""

from __future__ import annotations

import re

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import Use, callee, side_effect_free, use_of, uses
from perfopt.rewrite.purity_lookup import find_declaration, is_integral_type, types_redefined, user_functions

_THREE = re.compile(r"3(\.0*)?")
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})


def _declared_type_node(parsed: Parsed, ident: Node) -> Node | None:
    decl = find_declaration(parsed, ident)
    if decl is None or decl.type not in ("declaration", "parameter_declaration", "field_declaration"):
        return None
    return decl.child_by_field_name("type")


def _element_type(parsed: Parsed, kind: Node) -> Node | None:
    """``T`` in ``vector<T>`` / ``std::array<T, N>`` / ``deque<T>``."""
    if kind.type == "qualified_identifier":
        name = kind.child_by_field_name("name")
        return _element_type(parsed, name) if name is not None else None
    if kind.type != "template_type":
        return None
    name, args = kind.child_by_field_name("name"), kind.child_by_field_name("arguments")
    if name is None or args is None or parsed.text(name) not in ("vector", "array", "deque"):
        return None
    first = args.named_children[0] if args.named_children else None
    return first.child_by_field_name("type") if first is not None and first.type == "type_descriptor" else None


def _scalar_kind(parsed: Parsed, kind: Node | None) -> str | None:
    """'int', 'float' or 'double' for a type's text; None for anything else (long double included)."""
    if kind is None:
        return None
    text = parsed.text(kind)
    if is_integral_type(parsed, text):
        return "int"
    return text if text in ("float", "double") else None


def _kind_of(parsed: Parsed, expr: Node) -> str | None:
    """The arithmetic kind of a side-effect-free operand: a variable, an element, or arithmetic of those."""
    t = expr.type
    if t == "identifier":
        return _scalar_kind(parsed, _declared_type_node(parsed, expr))
    if t == "subscript_expression":
        depth, base = 0, expr
        while base.type == "subscript_expression":
            inner = base.child_by_field_name("argument")
            if inner is None:
                return None
            depth, base = depth + 1, inner
        if base.type != "identifier":
            return None
        decl = find_declaration(parsed, base)
        kind = _declared_type_node(parsed, base)
        if decl is None or kind is None:
            return None
        if any(d.type == "array_declarator" for d in parsed.walk(decl)):
            return _scalar_kind(parsed, kind)  # a C array's declared type is its element type
        element: Node | None = kind
        for _ in range(depth):
            element = _element_type(parsed, element) if element is not None else None
        return _scalar_kind(parsed, element)
    if t == "parenthesized_expression" and expr.named_child_count == 1:
        return _kind_of(parsed, expr.named_children[0])
    if t == "unary_expression":
        arg = expr.child_by_field_name("argument")
        return _kind_of(parsed, arg) if arg is not None else None
    if t == "binary_expression":
        op, left, right = (expr.child_by_field_name(f) for f in ("operator", "left", "right"))
        if op is None or left is None or right is None or parsed.text(op) not in _ARITHMETIC:
            return None
        kinds = {_kind_of(parsed, left), _kind_of(parsed, right)}
        if None in kinds:
            return None
        return "double" if "double" in kinds else "float" if "float" in kinds else "int"
    if t == "number_literal":
        return "int" if parsed.text(expr).isdigit() else None
    return None


def _atom(parsed: Parsed, expr: Node) -> str:
    text = parsed.text(expr)
    return text if expr.type in ("identifier", "subscript_expression", "parenthesized_expression") else f"({text})"


class PowSmallInteger(Rewrite):
    """``pow(x, 3)`` on an integer or float ``x`` becomes ``((double)x * x * x)``.

    The cube is computed in double, which is what ``pow`` returns for these
    arguments (C++11 promotes an integer or float base to double), so the
    result type is unchanged. ``pow(x, 2)`` is left alone: g++ -O2 already
    compiles it to ``x * x``. A double base is left alone too: ``x * x * x``
    rounds twice and differs from ``pow`` in the last bit for about a quarter
    of doubles, while an integer cube is exact up to 208063 and rounded once
    beyond (x * x is exact below 9.4e7), and a float's square is exact.
    """

    name = "math.pow_small_integer"
    why = "pow(x, 3) is a libm call of some hundred instructions; two multiplications give the same double"
    unsafe_when = (
        "x has side effects or is a double, long double or unknown type (rounding differs), "
        "pow is defined or #defined in the file, or the exponent is not the literal 3"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        user = user_functions(parsed)
        if "pow" in user or types_redefined(parsed):
            return []
        out = []
        for caps in parsed.captures(
            "(call_expression arguments: (argument_list . (_) @base . (number_literal) @exp .)) @call"
        ):
            call, base, exp = caps["call"][0], caps["base"][0], caps["exp"][0]
            if callee(parsed, call) != "pow" or not _THREE.fullmatch(parsed.text(exp)):
                continue
            inside = list(parsed.walk(base))
            if not side_effect_free(parsed, base, user) or any(n.type == "call_expression" for n in inside):
                continue
            if not any(n.type == "identifier" for n in inside):
                continue  # a constant: g++ folds it already
            kind = _kind_of(parsed, base)
            if kind not in ("int", "float"):
                continue
            x = _atom(parsed, base)
            edit = Edit(call.start_byte, call.end_byte, f"((double){x} * {x} * {x})")
            out.append(self.match(parsed, [edit], f"cube {parsed.text(base)} with two multiplications instead of pow"))
        return out


def _sqrt_operand(parsed: Parsed, node: Node) -> tuple[Node, bool] | None:
    """``n`` in ``sqrt(n)``, ``std::sqrt(n)`` or ``(int)sqrt(n)`` (parenthesized or not), and whether it was floored."""
    floored = False
    while True:
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        elif node.type == "cast_expression":
            kind, value = node.child_by_field_name("type"), node.child_by_field_name("value")
            if kind is None or value is None or not is_integral_type(parsed, parsed.text(kind)):
                return None
            # Truncating to an integer type keeps `i <= bound` (i an integer) but not `i < bound`.
            if parsed.text(kind).split()[-1] not in ("int", "long"):
                return None
            floored, node = True, value
        else:
            break
    if node.type != "call_expression" or callee(parsed, node) != "sqrt":
        return None
    args = node.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1 or args.named_children[0].type != "identifier":
        return None
    return args.named_children[0], floored


def _small_signed_int(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` is declared ``int``, ``short``, ``unsigned`` or ``unsigned short``: exact in a double."""
    kind = _declared_type_node(parsed, ident)
    if kind is None:
        return False
    words = [w for w in parsed.text(kind).split() if w != "const"]
    return words in (
        ["int"],
        ["short"],
        ["unsigned"],
        ["unsigned", "int"],
        ["short", "int"],
        ["unsigned", "short"],
        ["signed"],
        ["signed", "int"],
    )


def _literal_value(parsed: Parsed, node: Node | None) -> int | None:
    if node is None or node.type != "number_literal" or not parsed.text(node).isdigit():
        return None
    return int(parsed.text(node))


def _counter(parsed: Parsed, loop: Node) -> str | None:
    """The loop's counter if it is declared in the header as a signed integer from a literal >= 0 and only counts up."""
    init, update = loop.child_by_field_name("initializer"), loop.child_by_field_name("update")
    if init is None or update is None or init.type != "declaration":
        return None
    kind = init.child_by_field_name("type")
    declarators = init.children_by_field_name("declarator")
    if kind is None or len(declarators) != 1 or declarators[0].type != "init_declarator":
        return None
    if parsed.text(kind) not in ("int", "long", "long long", "long int", "long long int", "short"):
        return None
    target, value = declarators[0].child_by_field_name("declarator"), declarators[0].child_by_field_name("value")
    start = _literal_value(parsed, value)
    if target is None or target.type != "identifier" or start is None or start >= 2**31:
        return None
    name = parsed.text(target)
    if update.type == "update_expression":
        op, arg = update.child_by_field_name("operator"), update.child_by_field_name("argument")
        ok = op is not None and parsed.text(op) == "++" and arg is not None and parsed.text(arg) == name
    elif update.type == "assignment_expression":
        op, left = update.child_by_field_name("operator"), update.child_by_field_name("left")
        step = _literal_value(parsed, update.child_by_field_name("right"))
        ok = op is not None and parsed.text(op) == "+=" and left is not None and parsed.text(left) == name
        ok = ok and step is not None and 0 < step < 2**31
    else:
        ok = False
    return name if ok else None


class IntegerSqrtLoopBound(Rewrite):
    """``for (int i = 2; i <= sqrt(n); i++)`` on an ``int n`` becomes ``for (int i = 2; (long long)i * i <= n; i++)``.

    Exact: for a non-negative integer i and an n that a double holds exactly,
    ``i <= sqrt(n)`` holds iff ``i * i <= n`` (sqrt is correctly rounded and
    the gap between sqrt(i*i - 1) and i exceeds half an ulp below 2^26), and a
    negative n makes both false. Unlike hoisting, it stays right when the
    body changes n (trial division that divides n as it goes).
    """

    name = "math.integer_sqrt_loop_bound"
    why = "the condition ran a sqrt and two int/double conversions on every iteration; i * i <= n is one multiplication"
    unsafe_when = (
        "n is wider than int (a long long n is rounded before sqrt), the counter is unsigned, can start negative, "
        "or changes in the body, or the comparison is a strict < against a truncated (int)sqrt(n)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        user = user_functions(parsed)
        if "sqrt" in user or types_redefined(parsed):
            return []
        out = []
        for caps in parsed.captures("(for_statement condition: (binary_expression) @cond) @loop"):
            loop, cond = caps["loop"][0], caps["cond"][0]
            found = self._comparison(parsed, loop, cond, user)
            if found is None:
                continue
            for comparison, text, i, n in found:
                edit = Edit(comparison.start_byte, comparison.end_byte, text)
                out.append(self.match(parsed, [edit], f"compare {i} * {i} with {n} instead of {i} with sqrt({n})"))
        return out

    def _comparison(
        self, parsed: Parsed, loop: Node, cond: Node, user: frozenset[str]
    ) -> list[tuple[Node, str, str, str]] | None:
        i = _counter(parsed, loop)
        body = loop.child_by_field_name("body")
        if i is None or body is None:
            return None
        if any(u is not Use.READ for region in (body, cond) for u in uses(parsed, i, region, user)):
            return None
        found = []
        for node in parsed.walk(cond):
            if node.type != "binary_expression":
                continue
            op, left, right = (node.child_by_field_name(f) for f in ("operator", "left", "right"))
            if op is None or left is None or right is None:
                continue
            symbol = parsed.text(op)
            if symbol in (">", ">="):  # sqrt(n) >= i is i <= sqrt(n)
                left, right, symbol = right, left, {">": "<", ">=": "<="}[symbol]
            if symbol not in ("<", "<=") or left.type != "identifier" or parsed.text(left) != i:
                continue
            operand = _sqrt_operand(parsed, right)
            if operand is None:
                continue
            n, floored = operand
            if (
                (floored and symbol == "<")
                or not _small_signed_int(parsed, n)
                or use_of(parsed, n, user) is not Use.READ
            ):
                continue
            found.append((node, f"(long long){i} * {i} {symbol} {parsed.text(n)}", i, parsed.text(n)))
        return found


REWRITES: list[type[Rewrite]] = [PowSmallInteger, IntegerSqrtLoopBound]

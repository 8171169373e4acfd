"""Math run backwards: a cube through libm's pow, and a loop bound through sqrt, where both are exact.

Both inverses trade integer or exact double arithmetic for a libm call, and
fire only where the call returns exactly the same value:

- ``pow(x, 3)`` of an integer x is exact when the cube fits in a double's 53
  bits (glibc's pow is within one ulp, so an exactly representable result
  comes back exactly); a cube computed in int must also not overflow. The
  forward rule takes back only ``pow(x, 3)`` of an integer or float: the square
  and a double base (``x * x`` -> ``pow(x, 2)``) it leaves to g++, which folds
  ``pow(x, 2)`` itself, so that pair would teach nothing.
- ``i <= sqrt(n)`` equals ``i * i <= n`` for a counter from 0 up and an int n
  (the forward rule's proof); the original product must not overflow, so it is
  taken only where it is computed in 64 bits.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.inverse.analysis import undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops_memo import include_edit
from perfopt.rewrite.math import IntegerSqrtLoopBound, PowSmallInteger
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import Use, uses
from perfopt.rewrite.purity_lookup import find_declaration, is_integral_type, types_redefined, user_functions
from perfopt.rewrite.streams import declarator_of, operator_of, uses_namespace_std

#: Largest |x| whose cube an int holds (1290**3 < 2**31), and whose cube a double holds exactly (< 2**53).
_INT_CUBE = 1290
_EXACT_CUBE = 208063
#: Integer types whose every value has an exact cube in a double (|x| < 2**16).
_NARROW = frozenset(("char", "signed char", "unsigned char", "short", "short int", "unsigned short", "int8_t"))
_NARROW |= frozenset(("unsigned short int", "uint8_t", "int16_t", "uint16_t", "std::int8_t", "std::uint8_t"))
#: Signed 64-bit types: a product of two counters below 2**31 cannot overflow in them.
_WIDE = frozenset(("long long", "long long int", "signed long long", "long", "long int", "int64_t", "std::int64_t"))
#: The counter types and the n types the forward rule accepts (see math.IntegerSqrtLoopBound).
_COUNTERS = frozenset(("int", "long", "long long", "long int", "long long int", "short"))
_SMALL_N = frozenset(
    ("int", "short", "unsigned", "unsigned int", "short int", "unsigned short", "signed", "signed int")
)
_ASSIGNS = frozenset(("=", "+=", "-=", "*=", "/="))


def _taken_back(parsed: Parsed, found: Match, forward: Rewrite, node: Node) -> bool:
    return bool(undo(parsed, found, forward).touched(node.start_byte, node.end_byte))


def _library_only(parsed: Parsed, name: str) -> bool:
    """Whether ``name`` is nowhere the program's own (function, macro, variable): every mention is a call of it."""
    if name in user_functions(parsed) or types_redefined(parsed):
        return False
    for node in parsed.named(name, ("identifier", "field_identifier", "type_identifier")):
        holder = node.parent
        if holder is not None and holder.type == "qualified_identifier":
            holder = holder.parent
        if holder is None or holder.type != "call_expression":
            return False
    return True


def _spelled(parsed: Parsed, name: str) -> str:
    return name if uses_namespace_std(parsed, file_level=True) else f"std::{name}"


def _words(parsed: Parsed, kind: Node | None) -> str:
    return " ".join(w for w in parsed.text(kind).split() if w != "const") if kind is not None else ""


def _alias(parsed: Parsed, name: str) -> str:
    """The type a file-level ``typedef T name;`` or ``using name = T;`` names (``ll`` is ``long long``), else name."""
    for node in parsed.root.named_children:
        target, kind = None, None
        if node.type == "type_definition":
            target, kind = node.child_by_field_name("declarator"), node.child_by_field_name("type")
        elif node.type == "alias_declaration":
            target, kind = node.child_by_field_name("name"), node.child_by_field_name("type")
        if target is not None and kind is not None and parsed.text(target) == name:
            return _words(parsed, kind)
    return name


def _literal(parsed: Parsed, node: Node | None) -> int | None:
    """The value of a plain decimal literal, negated ones too."""
    if node is None:
        return None
    if node.type == "unary_expression" and operator_of(parsed, node) == "-":
        value = _literal(parsed, node.child_by_field_name("argument"))
        return -value if value is not None else None
    text = parsed.text(node)
    digits = text[1:] if text.startswith("-") else text  # tree-sitter reads `-50` as one literal
    return int(text) if node.type == "number_literal" and digits.isdigit() else None


def _counted_range(parsed: Parsed, ident: Node) -> int | None:
    """The largest |value| of ``ident`` where it is the counter of an enclosing ``for (T i = a; i < b; i++)`` (or
    ``<=``, ``i += k``; ``i--`` with ``>``/``>=``) with literal ends, that only its header changes."""
    decl = find_declaration(parsed, ident)
    loop = decl.parent if decl is not None else None
    if decl is None or loop is None or loop.type != "for_statement" or loop.child_by_field_name("initializer") != decl:
        return None
    if _words(parsed, decl.child_by_field_name("type")) not in _COUNTERS:
        return None  # an unsigned counter counting down past 0 wraps around its bound
    declarators = decl.children_by_field_name("declarator")
    condition, update = loop.child_by_field_name("condition"), loop.child_by_field_name("update")
    if len(declarators) != 1 or declarators[0].type != "init_declarator" or condition is None or update is None:
        return None
    start = _literal(parsed, declarators[0].child_by_field_name("value"))
    name = parsed.text(ident)
    left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
    if start is None or condition.type != "binary_expression" or left is None or parsed.text(left) != name:
        return None
    end, op = _literal(parsed, right), operator_of(parsed, condition)
    direction = _step(parsed, update, name)
    if end is None or direction is None or op not in ("<", "<=", ">", ">="):
        return None
    if (op in ("<", "<=")) != (direction > 0):
        return None
    body = loop.child_by_field_name("body")
    user = user_functions(parsed)
    if body is None or any(u is not Use.READ for u in uses(parsed, name, body, user)):
        return None
    # In the body the counter lies between its start and its bound.
    return max(abs(start), abs(end))


def _step(parsed: Parsed, update: Node, name: str) -> int | None:
    """+1 or -1: the direction of ``i++``, ``--i``, ``i += 2``, ``i -= 3``; None for anything else."""
    if update.type == "update_expression":
        arg = update.child_by_field_name("argument")
        if arg is None or parsed.text(arg) != name:
            return None
        return 1 if operator_of(parsed, update) == "++" else -1
    if update.type != "assignment_expression":
        return None
    left, amount = update.child_by_field_name("left"), _literal(parsed, update.child_by_field_name("right"))
    if left is None or parsed.text(left) != name or amount is None or amount <= 0:
        return None
    return {"+=": 1, "-=": -1}.get(operator_of(parsed, update) or "")


def _magnitude(parsed: Parsed, ident: Node) -> int | None:
    """A bound on |value| of the integer variable ``ident``: by its narrow type, or as a counted loop's counter."""
    found = declarator_of(parsed, ident)
    decl = find_declaration(parsed, ident)
    kind = decl.child_by_field_name("type") if decl is not None else None
    if kind is None or not is_integral_type(parsed, parsed.text(kind)):
        return None
    if found is not None and found[1].type == "identifier" and _alias(parsed, _words(parsed, kind)) in _NARROW:
        return 1 << 16
    return _counted_range(parsed, ident)


def _factors(parsed: Parsed, product: Node) -> list[Node]:
    """``[a, b, c]`` for ``a * b * c`` (read left to right, as it associates)."""
    out = []
    node = product
    while node.type == "binary_expression" and operator_of(parsed, node) == "*":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return []
        out.append(right)
        node = left
    return [node, *out[::-1]]


def _in_double(parsed: Parsed, factor: Node) -> Node | None:
    """``x`` for ``(double)x``; None for anything else."""
    kind, value = factor.child_by_field_name("type"), factor.child_by_field_name("value")
    if factor.type != "cast_expression" or kind is None or value is None or _words(parsed, kind) != "double":
        return None
    return value


def _stored_as_double(parsed: Parsed, expr: Node) -> bool:
    """Whether ``expr`` is the whole value stored into a plain ``double`` variable (``double d = e;``, ``d += e``)."""
    parent = expr.parent
    if parent is None:
        return False
    if parent.type == "init_declarator" and parent.child_by_field_name("value") == expr:
        decl, target = parent.parent, parent.child_by_field_name("declarator")
        kind = decl.child_by_field_name("type") if decl is not None else None
        return target is not None and target.type == "identifier" and _words(parsed, kind) == "double"
    if parent.type != "assignment_expression" or parent.child_by_field_name("right") != expr:
        return False
    left = parent.child_by_field_name("left")
    if left is None or left.type != "identifier" or operator_of(parsed, parent) not in _ASSIGNS:
        return False
    found = declarator_of(parsed, left)
    return (
        found is not None
        and found[1].type == "identifier"
        and _words(parsed, found[0].child_by_field_name("type")) == "double"
    )


def _cube_base(parsed: Parsed, product: Node) -> Node | None:
    """``x`` where ``product`` is ``(double)x * x * x`` or ``1.0 * x * x * x`` with an exact cube, or ``x * x * x``
    stored whole into a double without overflowing int."""
    factors = _factors(parsed, product)
    if len(factors) == 4 and parsed.text(factors[0]) in ("1.0", "1."):
        factors, exact = factors[1:], True
    elif len(factors) == 3 and (inner := _in_double(parsed, factors[0])) is not None:
        factors, exact = [inner, *factors[1:]], True
    else:
        exact = False
    if len(factors) != 3 or any(f.type != "identifier" for f in factors):
        return None
    if len({parsed.text(f) for f in factors}) != 1:
        return None
    limit = _magnitude(parsed, factors[0])
    if limit is None:
        return None
    if exact:
        return factors[0] if limit <= _EXACT_CUBE else None
    return factors[0] if limit <= _INT_CUBE and _stored_as_double(parsed, product) else None


class PowNotCube(Inverse):
    """``(double)x * x * x`` (also ``1.0 * x * x * x``) becomes ``pow(x, 3)`` for an integer x whose cube a double
    holds exactly, and ``x * x * x`` stored whole into a double does too where it cannot overflow int.

    x must be a narrow integer (char, short) or the counter of a loop with
    literal bounds (|x| <= 208063; <= 1290 for the int product).
    ``#include <cmath>`` is added when missing.
    """

    name = "math.pow_not_cube"
    inverts = "math.pow_small_integer"
    why = "pow is a libm call of some hundred instructions where two multiplications give the same double"
    unsafe_when = (
        "x is a double or float (pow rounds once, the products twice), its range is not known from its type or a "
        "literal loop bound, the int product could overflow or is not stored whole into a double (pow's result "
        "is a double), or pow is the program's own name or a macro"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if not _library_only(parsed, "pow"):
            return []
        pow_ = _spelled(parsed, "pow")
        include = include_edit(parsed, "cmath")
        forward = PowSmallInteger()
        out = []
        for product in parsed.walk():
            if product.type != "binary_expression" or operator_of(parsed, product) != "*" or not parsed.clean(product):
                continue
            parent = product.parent
            if parent is not None and parent.type == "binary_expression" and operator_of(parsed, parent) == "*":
                continue  # a longer product: only its whole is the cube
            base = _cube_base(parsed, product)
            if base is None:
                continue
            edits = [Edit(product.start_byte, product.end_byte, f"{pow_}({parsed.text(base)}, 3)")]
            edits += [include] if include is not None else []
            match = self.match(parsed, edits, f"cube {parsed.text(base)} with a pow call", at=product)
            if _taken_back(parsed, match, forward, product):
                out.append(match)
        return out


def _counter(parsed: Parsed, loop: Node) -> tuple[str, str] | None:
    """``(i, type)`` when the loop counts ``i`` up from a literal >= 0 (as math.IntegerSqrtLoopBound requires)."""
    init = loop.child_by_field_name("initializer")
    if init is None or init.type != "declaration":
        return None
    kind = _words(parsed, init.child_by_field_name("type"))
    declarators = init.children_by_field_name("declarator")
    if kind not in _COUNTERS or len(declarators) != 1 or declarators[0].type != "init_declarator":
        return None
    target = declarators[0].child_by_field_name("declarator")
    start = _literal(parsed, declarators[0].child_by_field_name("value"))
    update = loop.child_by_field_name("update")
    if target is None or target.type != "identifier" or start is None or not 0 <= start < 2**31 or update is None:
        return None
    name = parsed.text(target)
    if _step(parsed, update, name) != 1:
        return None
    if update.type == "assignment_expression" and (_literal(parsed, update.child_by_field_name("right")) or 0) >= 2**31:
        return None
    return name, kind


def _wide_square(parsed: Parsed, product: Node, i: str, kind: str) -> bool:
    """Whether ``product`` is ``i * i`` computed in 64 bits: ``(long long)i * i``, ``1LL * i * i``, or a 64-bit i."""
    factors = _factors(parsed, product)
    if len(factors) == 3 and parsed.text(factors[0]).lower() in ("1ll", "1l"):
        factors = factors[1:]
    elif len(factors) == 2 and factors[0].type == "cast_expression":
        cast, value = factors[0].child_by_field_name("type"), factors[0].child_by_field_name("value")
        if value is None or _alias(parsed, _words(parsed, cast)) not in _WIDE:
            return False
        factors = [value, factors[1]]
    elif kind not in _WIDE:
        return False  # int * int: overflows for an n near INT_MAX, where sqrt(n) does not
    return len(factors) == 2 and all(f.type == "identifier" and parsed.text(f) == i for f in factors)


def _small_int(parsed: Parsed, ident: Node) -> bool:
    decl = find_declaration(parsed, ident)
    if decl is None or decl.type not in ("declaration", "parameter_declaration", "field_declaration"):
        return False
    return _words(parsed, decl.child_by_field_name("type")) in _SMALL_N


class SqrtLoopBound(Inverse):
    """``for (int i = 2; (long long)i * i <= n; i++)`` becomes ``for (int i = 2; i <= sqrt(n); i++)`` on an int n
    (also ``<``, ``n >= i * i``, ``1LL * i * i``, or ``i * i`` of a long long i). ``#include <cmath>`` is added
    when missing."""

    name = "math.sqrt_loop_bound"
    inverts = "math.integer_sqrt_loop_bound"
    why = "the condition runs a sqrt and two int/double conversions on every iteration instead of one multiplication"
    unsafe_when = (
        "n is wider than int (sqrt would round it) or not a plain variable, the counter may start negative, "
        "counts down or changes in the body, the product is int * int (it overflows for n near INT_MAX, where "
        "sqrt does not), or sqrt is the program's own name or a macro"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if not _library_only(parsed, "sqrt"):
            return []
        sqrt = _spelled(parsed, "sqrt")
        include = include_edit(parsed, "cmath")
        user = user_functions(parsed)
        forward = IntegerSqrtLoopBound()
        out = []
        for loop in parsed.walk():
            condition = loop.child_by_field_name("condition") if loop.type == "for_statement" else None
            counter = _counter(parsed, loop) if condition is not None else None
            body = loop.child_by_field_name("body")
            if condition is None or counter is None or body is None or not parsed.clean(loop):
                continue
            i, kind = counter
            if any(u is not Use.READ for region in (body, condition) for u in uses(parsed, i, region, user)):
                continue
            for comparison in parsed.walk(condition):
                op = operator_of(parsed, comparison) if comparison.type == "binary_expression" else None
                left, right = comparison.child_by_field_name("left"), comparison.child_by_field_name("right")
                if op not in ("<", "<=", ">", ">=") or left is None or right is None:
                    continue
                product, n = (left, right) if op in ("<", "<=") else (right, left)
                if n.type != "identifier" or not _small_int(parsed, n) or not _wide_square(parsed, product, i, kind):
                    continue
                strict = op in ("<", ">")
                text = f"{i} {'<' if strict else '<='} {sqrt}({parsed.text(n)})"
                edits = [Edit(comparison.start_byte, comparison.end_byte, text)]
                edits += [include] if include is not None else []
                reason = f"bound {i} by sqrt({parsed.text(n)}) instead of squaring it"
                match = self.match(parsed, edits, reason, at=comparison)
                if _taken_back(parsed, match, forward, comparison):
                    out.append(match)
        return out


INVERSES: tuple[type[Inverse], ...] = (PowNotCube, SqrtLoopBound)

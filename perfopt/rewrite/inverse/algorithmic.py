"""Algorithmic de-optimizations: a binary search run as a linear scan.

The library has no forward rewrite for these (their ``inverts`` is an
``"algorithmic.<idea>"``): the pair teaches the idea, not a local edit.

A linear scan means the same as the binary search by the standard's own
definition of the result, so long as the scan compares exactly as the search
did: the same ``<`` on the same values, with no side effect that the number of
comparisons could show. Hence the silence around user-defined ``operator<``
and conversions, and around arguments that evaluating more or fewer times, or
in another order, could change.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops_memo import include_edit
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import side_effect_free
from perfopt.rewrite.purity_lookup import container_variable, fresh_name, macros, user_functions
from perfopt.rewrite.streams import call_name, is_std, method_of, only_std, uses_namespace_std
from perfopt.rewrite.types import declaration_of

#: The searches replaced, and the predicate (over element ``{e}`` and value ``{x}``) of the scan that replaces each.
#: lower_bound: the first e with !(e < x); upper_bound: the first e with x < e (the standard's definitions on a
#: partitioned range); binary_search: whether some e is equivalent to x (word for word the standard's Returns).
_SCANS = {
    "lower_bound": ("find_if", "!({e} < {x})"),
    "upper_bound": ("find_if", "{x} < {e}"),
    "binary_search": ("any_of", "!({e} < {x}) && !({x} < {e})"),
}
#: Members that hand out an iterator of a standard container and do nothing else.
_ENDS = frozenset(["begin", "end", "cbegin", "cend", "rbegin", "rend"])
#: Iterator arithmetic that stays side-effect free when its operands are.
_ARITHMETIC = frozenset(["+", "-", "*", "/", "%"])
#: Where a lambda may not appear in C++17 (unevaluated or constant operands), or where [&] may not capture.
_NO_LAMBDA = frozenset(
    {
        "decltype",
        "sizeof_expression",
        "alignof_expression",
        "noexcept",
        "template_argument_list",
        "static_assert_declaration",
        "requires_expression",
        "requires_clause",
        "enumerator",
        "bitfield_clause",
    }
)
#: Operands that need no parentheses beside ``<`` and ``!``: a primary or postfix expression.
_PRIMARY = frozenset(
    {
        "identifier",
        "qualified_identifier",
        "number_literal",
        "char_literal",
        "string_literal",
        "true",
        "false",
        "nullptr",
        "call_expression",
        "subscript_expression",
        "field_expression",
        "parenthesized_expression",
    }
)


def _squash(text: str) -> str:
    return "".join(text.split())


def _user_comparison(parsed: Parsed) -> bool:
    """Whether the file defines a ``<`` (or ``<=>``, which C++20 rewrites ``<`` into) or a conversion operator.

    Such an operator may count its calls or print, and the scan calls it n times where the search called it log n.
    """
    for node in parsed.walk():
        if node.type == "operator_cast":
            return True
        if node.type == "operator_name" and _squash(parsed.text(node)) in ("operator<", "operator<=>", "operator!"):
            return True
    return False


def _is_iterator_end(parsed: Parsed, call: Node) -> bool:
    """``v.begin()`` or ``std::end(v)`` of a standard container or array variable ``v``: no side effect."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    values = args.named_children
    method = method_of(parsed, call)
    if method is not None:
        obj, member = method
        return not values and member in _ENDS and obj.type == "identifier" and container_variable(parsed, obj)
    fn = call.child_by_field_name("function")
    name = call_name(parsed, call)
    return (
        fn is not None
        and name is not None
        and name in _ENDS
        and is_std(parsed, fn, name)
        and len(values) == 1
        and values[0].type == "identifier"
        and container_variable(parsed, values[0])
    )


def _quiet(parsed: Parsed, expr: Node, user: frozenset[str]) -> bool:
    """Whether evaluating ``expr`` changes nothing: purity's side-effect-free expressions, plus container ends."""
    if expr.type == "call_expression" and _is_iterator_end(parsed, expr):
        return True
    if expr.type == "parenthesized_expression":
        return expr.named_child_count == 1 and _quiet(parsed, expr.named_children[0], user)
    if expr.type == "binary_expression":
        left, op, right = (expr.child_by_field_name(f) for f in ("left", "operator", "right"))
        if left is not None and op is not None and right is not None and parsed.text(op) in _ARITHMETIC:
            return _quiet(parsed, left, user) and _quiet(parsed, right, user)
    return side_effect_free(parsed, expr, user)


def _bindings(parsed: Parsed) -> frozenset[str]:
    """Every name a structured binding declares in the file: a C++17 lambda may not capture one (g++ accepts it,
    clang before 16 does not)."""
    return frozenset(
        parsed.text(n)
        for b in parsed.walk()
        if b.type == "structured_binding_declarator"
        for n in b.named_children
        if n.type == "identifier"
    )


def _spells(parsed: Parsed, expr: Node, names: frozenset[str]) -> bool:
    return any(n.type == "identifier" and parsed.text(n) in names for n in parsed.walk(expr))


def _unsteady(parsed: Parsed, expr: Node) -> bool:
    """Whether ``expr`` reads a volatile or atomic variable, which reading again (per element) may find changed."""
    for ident in parsed.walk(expr):
        decl = declaration_of(parsed, ident) if ident.type == "identifier" else None
        if decl is not None and ("volatile" in parsed.text(decl) or "atomic" in parsed.text(decl)):
            return True
    return False


def _in_body(parsed: Parsed, call: Node) -> bool:
    """Whether ``call`` is in the body of a function or lambda (where ``[&]`` may capture) and evaluated there."""
    function = parsed.function_of(call)
    body = function.child_by_field_name("body") if function is not None else None
    if body is None or not (body.start_byte <= call.start_byte and call.end_byte <= body.end_byte):
        return False
    current: Node | None = call.parent
    while current is not None and current != body:
        if current.type in _NO_LAMBDA:
            return False
        function = current.child_by_field_name("function") if current.type == "call_expression" else None
        if function is not None and parsed.text(function) == "typeid":
            return False  # tree-sitter reads typeid(...) as a call; its operand may go unevaluated
        current = current.parent
    return True


def _variable_length(parsed: Parsed, expr: Node) -> bool:
    """Whether ``expr`` names a local array whose size is not a literal: g++ cannot capture a VLA in a lambda."""
    for ident in parsed.walk(expr):
        if ident.type != "identifier":
            continue
        decl = declaration_of(parsed, ident)
        if decl is None or decl.parent is None or decl.parent.type == "translation_unit":
            continue  # a global is not captured
        for node in parsed.walk(decl):
            size = node.child_by_field_name("size") if node.type == "array_declarator" else None
            if size is not None and size.type != "number_literal":
                return True
    return False


class BinaryToLinearSearch(Inverse):
    """``lower_bound(first, last, x)`` becomes ``find_if(first, last, [&](const auto& e) { return !(e < x); })``.

    ``upper_bound`` becomes ``find_if`` with ``x < e``, and ``binary_search``
    becomes ``any_of`` with ``!(e < x) && !(x < e)``: spelled ``std::`` unless
    the search was bare under a file-level ``using namespace std``, with a
    parameter named as no token of the file is, and x parenthesised unless primary.
    By the standard, lower_bound returns the first element of a range
    partitioned by ``e < x`` for which ``e < x`` is false: exactly what
    find_if finds, with the same comparisons. ``#include <algorithm>`` is
    added when missing (libstdc++ declares lower_bound in headers that
    <vector> pulls in, but not find_if).
    """

    name = "algorithmic.binary_to_linear_search"
    inverts = "algorithmic.binary_search"
    why = "a binary search compares log2(n) elements; the linear scan compares every element up to the answer"
    unsafe_when = (
        "the call has a comparator, is a member (set::lower_bound), a template-id or not surely std's; first, last "
        "or x may have a side effect or spells a macro or a structured binding; x reads a volatile or atomic; the "
        "file defines operator<, "
        "operator<=>, operator! or a conversion operator; x names a local array of variable length (a lambda cannot "
        "capture it); or the call is outside a function body or in an "
        "unevaluated or constant operand (decltype, sizeof, a template argument)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if _user_comparison(parsed):
            return []
        user = user_functions(parsed)
        # A macro may hide anything; a structured binding cannot be captured.
        avoid = macros(parsed) | _bindings(parsed)
        out = []
        for call in parsed.walk():
            if call.type != "call_expression" or not parsed.clean(call):
                continue
            plan = self._plan(parsed, call, user, avoid)
            if plan is not None:
                out.append(plan)
        return out

    def _plan(self, parsed: Parsed, call: Node, user: frozenset[str], avoid: frozenset[str]) -> Match | None:
        fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        search = call_name(parsed, call)
        if fn is None or args is None or search not in _SCANS or not is_std(parsed, fn, search):
            return None
        values = args.named_children
        if len(values) != 3 or any(v.type == "comment" for v in values):
            return None  # a fourth argument is a comparator
        if not all(_quiet(parsed, v, user) for v in values) or not _in_body(parsed, call):
            return None
        if any(_spells(parsed, v, avoid) for v in values) or _unsteady(parsed, values[2]):
            return None
        if _variable_length(parsed, values[2]):
            return None
        first, last, x = values
        scan, predicate = _SCANS[search]
        if scan in avoid:
            return None
        # Bare only where it surely names std's, and where the search was bare too.
        bare = fn.type == "identifier" and uses_namespace_std(parsed, file_level=True) and only_std(parsed, scan)
        e = fresh_name(parsed, "e")
        value = parsed.text(x) if x.type in _PRIMARY else f"({parsed.text(x)})"
        body = predicate.format(e=e, x=value)
        text = (
            f"{'' if bare else 'std::'}{scan}({parsed.text(first)}, {parsed.text(last)}, "
            f"[&](const auto& {e}) {{ return {body}; }})"
        )
        edits = [Edit(call.start_byte, call.end_byte, text)]
        include = include_edit(parsed, "algorithm")
        if include is not None:
            edits.append(include)
        reason = f"look for {parsed.text(x)} by a linear {scan} instead of {search}"
        return self.match(parsed, edits, reason, at=call)


INVERSES: tuple[type[Inverse], ...] = (BinaryToLinearSearch,)

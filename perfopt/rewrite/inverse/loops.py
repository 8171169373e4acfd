"""Loops run backwards: a bound hoisted before a loop, computed again on every test of its condition.

Both inverses undo the exact shape their forward rule writes, ``const auto
sqrt_n = sqrt(n);`` or ``const size_t s_len = strlen(s);`` just before a
``for`` or ``while`` whose condition alone reads the variable. Putting the call
back keeps every value the condition sees, because nothing the call reads
changes between the declaration and any test: the declarations between them
only compute, and the loop (header and body) only reads. Each is then checked
the other way round: the forward rule must hoist the call again from the
result, which also re-runs its own analysis of the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.cstrings import string_unchanged
from perfopt.rewrite.interface import Edit, Match, Rewrite, apply_edits
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops import HoistInvariantCall
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import PURE_MATH, Use, is_pure_call, uses
from perfopt.rewrite.purity_lookup import is_local, user_functions
from perfopt.rewrite.streams import call_name, macro_words
from perfopt.rewrite.strings import StrlenHoist
from perfopt.rewrite.types import declaration_of

_LOOPS = ("for_statement", "while_statement")
_NAME_KINDS = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")
#: Inside the call's arguments any arithmetic is fine; around the call, only what the forward rule hoists with it.
_INNER = frozenset(["+", "-", "*", "/", "%"])
_OUTER = frozenset(["+", "-", "*"])
_SIZE = ("size_t", "std::size_t")


def _squash(text: str) -> str:
    return "".join(text.split())


def _strlen_arg(parsed: Parsed, value: Node, user: frozenset[str]) -> Node | None:
    """``s`` when ``value`` is the C library's ``strlen(s)`` of a plain name."""
    args = value.child_by_field_name("arguments") if value.type == "call_expression" else None
    if args is None or call_name(parsed, value) != "strlen" or "strlen" in user:
        return None
    values = args.named_children
    return values[0] if len(values) == 1 and values[0].type == "identifier" else None


def _formula(parsed: Parsed, node: Node, user: frozenset[str], inside: bool = False) -> bool:
    """Whether ``node`` is the forward rule's kind of bound: names and numbers, arithmetic, casts, <cmath> calls."""
    t = node.type
    if t in ("identifier", "number_literal"):
        return True
    if t == "parenthesized_expression":
        return node.named_child_count == 1 and _formula(parsed, node.named_children[0], user, inside)
    if t == "unary_expression":
        op, arg = node.child_by_field_name("operator"), node.child_by_field_name("argument")
        return (
            op is not None and arg is not None and parsed.text(op) in ("-", "+") and _formula(parsed, arg, user, inside)
        )
    if t == "cast_expression":
        kind, value = node.child_by_field_name("type"), node.child_by_field_name("value")
        return (
            kind is not None
            and value is not None
            and "&" not in parsed.text(kind)
            and _formula(parsed, value, user, inside)
        )
    if t == "binary_expression":
        left, op, right = (node.child_by_field_name(f) for f in ("left", "operator", "right"))
        allowed = _INNER if inside else _OUTER
        return (
            left is not None
            and op is not None
            and right is not None
            and parsed.text(op) in allowed
            and _formula(parsed, left, user, inside)
            and _formula(parsed, right, user, inside)
        )
    if t == "call_expression":
        args = node.child_by_field_name("arguments")
        return (
            args is not None
            and is_pure_call(parsed, node, user, PURE_MATH)
            and all(_formula(parsed, a, user, True) for a in args.named_children)
        )
    return False


def _variables(parsed: Parsed, value: Node) -> list[Node]:
    """The identifiers in ``value`` that name variables, not the functions it calls."""
    found = []
    for ident in parsed.walk(value):
        parent = ident.parent
        if ident.type != "identifier" or parent is None:
            continue
        if parent.type == "qualified_identifier" or parent.child_by_field_name("function") == ident:
            continue
        found.append(ident)
    return found


def _unchanged(parsed: Parsed, value: Node, loop: Node, user: frozenset[str]) -> bool:
    """Whether every variable ``value`` reads is a plain local that the loop only reads and nothing aliases."""
    # The whole top-level function: a lambda around the loop may see a local that its enclosing function aliases.
    scope = parsed.top_level(loop)
    for ident in _variables(parsed, value):
        decl = declaration_of(parsed, ident)
        if decl is None or not is_local(parsed, ident) or decl.start_byte >= loop.start_byte:
            return False
        name = parsed.text(ident)
        # A declaration in the loop's header (`for (int n = 0; ...)`) counts as a write: it would shadow n.
        if any(u is not Use.READ for u in uses(parsed, name, loop, user)):
            return False
        if any(u is Use.ESCAPE for u in uses(parsed, name, scope, user)):
            return False
    return True


def _removal(parsed: Parsed, statement: Node) -> Edit:
    """Delete ``statement``: its whole line when nothing else is on it, else the statement and the blanks after it."""
    data = parsed.data
    start = data.rfind(b"\n", 0, statement.start_byte) + 1
    end = data.find(b"\n", statement.end_byte)
    if end != -1 and not data[start : statement.start_byte].strip() and not data[statement.end_byte : end].strip():
        return Edit(start, end + 1, "")
    stop = statement.end_byte
    while stop < len(data) and data[stop : stop + 1] in (b" ", b"\t"):
        stop += 1
    return Edit(statement.start_byte, stop, "")


@dataclass(frozen=True)
class _Bound:
    """A hoisted bound just before a loop: ``const <kind> name = value;`` whose name only the loop's condition reads."""

    decl: Node
    kind: str
    value: Node
    reads: list[Node]


#: Whether a bound before a loop is one this inverse puts back: its kind, and that nothing it reads changes.
_Accepts = Callable[[Parsed, _Bound, Node, frozenset[str]], bool]


def _bound(parsed: Parsed, decl: Node, loop: Node, words: set[str]) -> _Bound | None:
    if decl.type != "declaration" or not parsed.clean(decl):
        return None
    declarators = decl.children_by_field_name("declarator")
    kind = decl.child_by_field_name("type")
    qualifiers = [parsed.text(c) for c in decl.children if c.type in ("type_qualifier", "storage_class_specifier")]
    if len(declarators) != 1 or kind is None or qualifiers != ["const"]:
        return None
    if any(c.type in ("attribute_declaration", "attribute_specifier") for c in decl.children):
        return None
    declarator = declarators[0]
    target, value = declarator.child_by_field_name("declarator"), declarator.child_by_field_name("value")
    if declarator.type != "init_declarator" or target is None or value is None or target.type != "identifier":
        return None  # `const auto x{...}` or `(...)` initialisation: not the forward rule's shape
    name = parsed.text(target)
    condition = loop.child_by_field_name("condition")
    if condition is None or name in words:
        return None
    mentions = [n for n in parsed.named(name, _NAME_KINDS) if n != target]
    inside = [n for n in mentions if condition.start_byte <= n.start_byte and n.end_byte <= condition.end_byte]
    if not mentions or len(inside) != len(mentions):
        return None  # read elsewhere, or another declaration spells it: removing it would change that
    if any(n.type != "identifier" or n.parent is None or n.parent.type != "binary_expression" for n in mentions):
        return None  # an operand of a comparison or of arithmetic: a value, never a reference or an address
    return _Bound(decl, _squash(parsed.text(kind)), value, mentions)


def _bounds(parsed: Parsed, loop: Node, user: frozenset[str]) -> list[_Bound]:
    """The run of hoisted bounds directly before ``loop`` (the forward rule may write several on one line).

    Each value in the run only reads (a <cmath> formula or a strlen), so none
    of them changes what another one reads on its way into the condition.
    """
    block = loop.parent
    if block is None or block.type != "compound_statement" or loop.type not in _LOOPS or not parsed.clean(loop):
        return []
    words = macro_words(parsed)
    found = []
    current = loop.prev_named_sibling
    while current is not None:
        if current.type != "comment":
            bound = _bound(parsed, current, loop, words)
            if bound is None or not (
                _formula(parsed, bound.value, user) or _strlen_arg(parsed, bound.value, user) is not None
            ):
                break
            found.append(bound)
        current = current.prev_named_sibling
    return found


def _put_back(parsed: Parsed, bound: _Bound) -> tuple[list[Edit], int, int]:
    """Edits that drop the declaration and write its value where the condition read it, with the byte range the
    value's (first) copy takes in the result."""
    text = parsed.text(bound.value)
    bare = bound.value.type in ("call_expression", "parenthesized_expression")
    wrapped = text if bare else f"({text})"
    edits = [_removal(parsed, bound.decl)] + [Edit(n.start_byte, n.end_byte, wrapped) for n in bound.reads]
    first = bound.reads[0]
    shift = sum(len(e.text.encode()) - (e.end - e.start) for e in edits if e.end <= first.start_byte)
    start = first.start_byte + shift + (0 if bare else 1)
    return edits, start, start + len(text.encode())


def _hoisted_again(forward: Rewrite, result: str, start: int, end: int) -> bool:
    """Whether ``forward`` on ``result`` replaces (a part of the condition holding) bytes ``start:end`` again."""
    for match in forward.find(Parsed(result)):
        if any(e.start <= start and end <= e.end and e.start < e.end for e in match.edits):
            return True
    return False


def _recompute(rule: Inverse, forward: Rewrite, parsed: Parsed, accepts: _Accepts) -> list[Match]:
    out = []
    user = user_functions(parsed)
    for loop in parsed.walk():
        if loop.type not in _LOOPS:
            continue
        for bound in _bounds(parsed, loop, user):
            if not accepts(parsed, bound, loop, user):
                continue
            edits, start, end = _put_back(parsed, bound)
            if not _hoisted_again(forward, apply_edits(parsed.source, edits), start, end):
                continue
            reason = f"compute {parsed.text(bound.value)} on every test of the loop condition, not once before it"
            out.append(rule.match(parsed, edits, reason, at=bound.decl))
    return out


def _math_bound(parsed: Parsed, bound: _Bound, loop: Node, user: frozenset[str]) -> bool:
    # `auto` deduces the value's own type (a prvalue's, here), so the condition makes the same comparison.
    return (
        bound.kind == "auto"
        and _formula(parsed, bound.value, user)
        and any(n.type == "call_expression" for n in parsed.walk(bound.value))
        and _unchanged(parsed, bound.value, loop, user)
    )


def _strlen_bound(parsed: Parsed, bound: _Bound, loop: Node, user: frozenset[str]) -> bool:
    # Another type would compare differently: with `const int n = strlen(s)`, `i < n` is signed, `i < strlen(s)` not.
    s = _strlen_arg(parsed, bound.value, user)
    return bound.kind in _SIZE and s is not None and string_unchanged(parsed, loop, s)


class RecomputeInvariant(Inverse):
    """``const auto sqrt_n = sqrt(n); for (...; i <= sqrt_n; ...)`` becomes ``for (...; i <= sqrt(n); ...)``.

    For a ``const auto`` bound built from <cmath> calls on local variables
    (``(int)sqrt(n) + 1`` too) just before a for or while loop whose condition
    is the only reader; the declaration goes and its value, parenthesised when
    it is not a call, takes the name's place.
    """

    name = "loops.recompute_invariant"
    inverts = "loops.hoist_invariant_call"
    why = "the condition is tested on every iteration, and g++ cannot hoist a libm call that may set errno"
    unsafe_when = (
        "the variable is not const auto, is read anywhere but the loop condition or spelled in a macro; a variable "
        "the value reads is not a plain local, is declared, written or passed by reference in the loop, or escapes "
        "anywhere in the function; or the forward rule would not hoist the call back out of the result"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        return _recompute(self, HoistInvariantCall(), parsed, _math_bound)


class RecomputeStrlen(Inverse):
    """``const size_t s_len = strlen(s); for (...; i < s_len; ...)`` becomes ``for (...; i < strlen(s); ...)``."""

    name = "loops.recompute_strlen"
    inverts = "strings.strlen_hoist"
    why = "strlen walks the whole string on every test of the loop condition, making the loop quadratic"
    unsafe_when = (
        "the variable is not a const size_t, is read anywhere but the loop condition or spelled in a macro; the "
        "loop may change the string or the pointer; or the forward rule would not hoist strlen back out of the result"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        return _recompute(self, StrlenHoist(), parsed, _strlen_bound)


INVERSES: tuple[type[Inverse], ...] = (RecomputeInvariant, RecomputeStrlen)

"""What the inverses share: applying a match and running its forward rule on the result (``undo``),
whether an iterator or pointer into a container may be kept beyond its expression (``kept``), which a
reallocation or a copy's end would leave dangling, what a use of a variable denotes (``reach``), a
statement's clean removal (``removal``), and which
added flushes the forward rule takes back (``flushes_taken_back``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match, Rewrite, apply_edits, overlap
from perfopt.rewrite.io import NoFlushInLoop
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage_lookup import parsed_operator, same
from perfopt.rewrite.usage_regions import qualifiers


@dataclass(frozen=True)
class Undo:
    """An inverse's match applied, and the forward rule's matches on the result."""

    edits: tuple[Edit, ...]
    forward: tuple[Match, ...]

    def at(self, byte: int) -> int:
        """Where byte ``byte`` of the original (one no edit spans) lies in the result."""
        return byte + sum(len(e.text.encode("utf-8")) - (e.end - e.start) for e in self.edits if e.end <= byte)

    def touched(self, start: int, end: int) -> list[Edit]:
        """The forward rule's edits that begin within bytes ``start..end`` of the original, once moved."""
        low, high = self.at(start), self.at(end)
        return [e for m in self.forward for e in m.edits if low <= e.start <= high]


def undo(parsed: Parsed, found: Match, forward: Rewrite) -> Undo:
    """Apply ``found`` alone and run ``forward`` on the result: each match must be taken back on its own,
    so that a pair made of any one of them teaches the forward rule (the tests apply them all together too)."""
    if overlap(found.edits) is not None:
        return Undo(found.edits, ())
    return Undo(found.edits, tuple(forward.find(Parsed(apply_edits(parsed.source, found.edits)))))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Members that hand out an iterator or pointer into their object.
INTO = _words("begin end rbegin rend cbegin cend crbegin crend data c_str")
#: Names through which a non-owning view of a string or container can be made implicitly: in a file that
#: mentions one, a view may dangle once its object is a copy that died, or a vector that reallocated.
_VIEW_NAMES = _words("string_view wstring_view span reference_wrapper cref addressof views ranges")
_NAME_KINDS = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")
#: Functions returning an iterator into the range passed to them: their result is followed further.
_ITERATOR_CALLS = _words(
    """find find_if find_if_not lower_bound upper_bound max_element min_element next prev adjacent_find
    partition_point unique remove remove_if"""
)
#: Functions that use what iterators or pointers show and keep none of them.
_VALUE_CALLS = _words(
    """accumulate count count_if binary_search distance equal all_of any_of none_of is_sorted inner_product copy
    lexicographical_compare includes is_permutation sort stable_sort partial_sort nth_element reverse fill iota
    shuffle next_permutation prev_permutation erase printf fprintf puts fputs strlen strcmp strncmp atoi atoll atof"""
)
#: Members of another container that copy the elements of a range handed to them.
_RANGE_COPIES = _words("insert assign append")
#: Declarators that keep a way into what initialises them.
ALIASES = ("reference_declarator", "pointer_declarator")


def mentions_views(parsed: Parsed) -> bool:
    """Whether the file may make a view of a string or container (std::string_view, std::ref, ...)."""
    if any(parsed.named(n, _NAME_KINDS) for n in _VIEW_NAMES):
        return True
    return any(n.parent is not None and n.parent.type == "call_expression" for n in parsed.named("ref"))


def callee(parsed: Parsed, call: Node) -> str:
    """``f`` for ``f(x)``, ``std::f<T>(x)`` and ``obj.f(x)``."""
    function = call.child_by_field_name("function")
    while function is not None and function.type in ("qualified_identifier", "template_function", "field_expression"):
        function = function.child_by_field_name("field" if function.type == "field_expression" else "name")
    return parsed.text(function) if function is not None else ""


def _addressed(parsed: Parsed, expr: Node) -> bool:
    """Whether the object ``expr`` denotes (or a member or element of it) has its address taken."""
    current = expr
    while current.parent is not None and current.parent.type in ("parenthesized_expression", "field_expression"):
        current = current.parent
    parent = current.parent
    return parent is not None and parent.type == "pointer_expression" and parsed_operator(parent) == "&"


def kept(parsed: Parsed, expr: Node, locals_die: bool = True, depth: int = 0) -> bool:
    """Whether ``expr``, an iterator or pointer into a container, may be kept beyond the expression that
    makes it: returned, assigned, handed to a call that may store it, or held by a variable (only by a
    static, when ``locals_die``: the inverse then makes a copy that lives as long as the function's locals)."""
    parent = expr.parent
    if parent is None or depth > 8:
        return True
    kind = parent.type
    if kind == "parenthesized_expression":
        return kept(parsed, parent, locals_die, depth + 1)
    if kind == "binary_expression":
        right = parent.child_by_field_name("right")
        distance = right is not None and right.type == "call_expression" and callee(parsed, right) in INTO
        if parsed_operator(parent) == "+" or (parsed_operator(parent) == "-" and not distance):
            return kept(parsed, parent, locals_die, depth + 1)  # it + k is an iterator; it - v.begin() a number
        return False
    if kind in ("pointer_expression", "field_expression", "subscript_expression"):
        # *it, it->second, p[i]: an element, kept only if its address is taken again.
        return parsed_operator(parent) == "&" or _addressed(parsed, parent)
    if kind == "argument_list":
        call = parent.parent
        if call is not None and call.type == "init_declarator" and call.parent is not None:
            # vector<int> w(v.begin(), v.end()): the new container copies the elements.
            decl, made = call.parent, call.parent.child_by_field_name("type")
            return made is None or not type_index(parsed).std_container(made) or "static" in qualifiers(parsed, decl)
        if call is None or call.type != "call_expression":
            return True
        name = callee(parsed, call)
        if name in _ITERATOR_CALLS:
            return kept(parsed, call, locals_die, depth + 1)
        # w.insert(w.end(), v.begin(), v.end()), w.assign(first, last): copies of the elements.
        return name not in _VALUE_CALLS and not (name in _RANGE_COPIES and len(parent.named_children) >= 2)
    if kind == "init_declarator":
        holder = parent.parent
        return holder is None or not locals_die or "static" in qualifiers(parsed, holder)
    return kind not in ("condition_clause", "expression_statement", "unary_expression", "for_statement")


@dataclass(frozen=True)
class Reached:
    """Where the walk up from a use of a variable stopped: ``node``, the outermost expression that still
    denotes the variable or part of it; or ``call``, a call of ``method`` on that, which decides by itself."""

    node: Node
    call: Node | None = None
    method: str = ""


def reach(parsed: Parsed, use: Node, parts: frozenset[str] | tuple[str, ...]) -> Reached:
    """Walk up from ``use`` through parentheses, subscripts, member access (``p.first``) and the ``parts``
    methods, which return a reference into the object (``front``, ``back``, ``at``). Whether the use lets the
    storage be reached later is then a question about ``node``'s parent, or about the stopping call."""
    node = use
    while (parent := node.parent) is not None:
        if parent.type == "parenthesized_expression" or (
            parent.type == "subscript_expression" and same(parent.child_by_field_name("argument"), node)
        ):
            node = parent
            continue
        if parent.type != "field_expression" or not same(parent.child_by_field_name("argument"), node):
            break
        call, field = parent.parent, parent.child_by_field_name("field")
        method = parsed.text(field) if field is not None else ""
        if call is None or call.type != "call_expression" or not same(call.child_by_field_name("function"), parent):
            node = parent  # v[i].first: part of an element
        elif method in parts:
            node = call
        else:
            return Reached(node, call, method)
    return Reached(node)


def flat(text: str) -> str:
    return "".join(text.split())


def removal(parsed: Parsed, statement: Node) -> Edit:
    """Delete ``statement``: its whole line when nothing else is on it, else with the blanks that set it apart."""
    data, first, last = parsed.data, statement.start_byte, statement.end_byte
    start = data.rfind(b"\n", 0, first) + 1
    end = data.find(b"\n", last)
    end = len(data) if end == -1 else end
    if not data[last:end].strip():
        if not data[start:first].strip() and end < len(data):
            return Edit(start, end + 1, "")
        while first > start and data[first - 1 : first] in (b" ", b"\t"):
            first -= 1  # the last statement on its line: the blanks before it go
    else:
        while last < end and data[last : last + 1] in (b" ", b"\t"):
            last += 1
    return Edit(first, last, "")


def flushes_taken_back(parsed: Parsed, found: list[Match]) -> list[Match]:
    """Of matches that each insert one flush, those whose flush the forward rule removes again (its
    conditions are the whole file's, so one run on all of them together answers for each)."""
    if not found:
        return []
    # Each match is one insertion; in order of place, each moves the later ones by its length.
    ordered = sorted(found, key=lambda m: m.edits[0].start)
    result = apply_edits(parsed.source, [m.edits[0] for m in ordered])
    forward = [e.start for m in NoFlushInLoop().find(Parsed(result)) for e in m.edits]
    kept, shift = [], 0
    for match in ordered:
        edit = match.edits[0]
        start = edit.start + shift
        end = start + len(edit.text.encode("utf-8"))
        if any(start <= f <= end for f in forward):
            kept.append(match)
        shift += len(edit.text.encode("utf-8"))
    return kept

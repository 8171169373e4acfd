"""More strings run backwards: a chain of appends rebuilt through temporaries, a piece compared through a copy,
and a starts-with test that searches the whole string.

Each touches only a ``std::string`` variable whose declaration is in sight,
and checks its result the other way round: the forward rule must match it
again, which also re-runs that rule's own analysis (the pieces it accepts,
the aliases it refuses).
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.cstrings import char_buffer
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.inverse.analysis import undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import side_effect_free
from perfopt.rewrite.purity_lookup import user_functions
from perfopt.rewrite.streams import (
    call_name,
    is_std,
    is_std_string,
    macro_words,
    method_of,
    operator_of,
    uses_namespace_std,
)
from perfopt.rewrite.streams import user_functions as defined_functions
from perfopt.rewrite.strings import StartsWithRfind, SubstrCompare
from perfopt.rewrite.strings_chain import AppendChain


def _taken_back(parsed: Parsed, found: Match, forward: Rewrite, node: Node) -> bool:
    """Whether ``forward``, run on the file with ``found`` applied, edits the place ``node`` was."""
    return bool(undo(parsed, found, forward).touched(node.start_byte, node.end_byte))


def _string_valued(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` is a ``std::string`` for sure: a variable, ``t.substr(...)`` of one, or ``to_string(x)``."""
    if node.type == "identifier":
        return is_std_string(parsed, node)
    if node.type != "call_expression":
        return False
    method = method_of(parsed, node)
    if method is not None:
        return method[1] == "substr" and is_std_string(parsed, method[0])
    return call_name(parsed, node) == "to_string" and "to_string" not in defined_functions(parsed)


def _appended(parsed: Parsed, statement: Node) -> tuple[Node, list[Node]] | None:
    """``(s, [a, b])`` for ``s += a + b;`` (one piece without a ``+``), when the pieces join as strings.

    ``s += a + b`` adds ``a + b`` first: ``s + a + b`` means the same only when
    that sum is a string, that is, when ``a`` or ``b`` is one (two chars would
    add up as ints, a char array and an int as a pointer).
    """
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return None
    assign = statement.named_children[0]
    if assign.type != "assignment_expression" or operator_of(parsed, assign) != "+=":
        return None
    s, value = assign.child_by_field_name("left"), assign.child_by_field_name("right")
    if s is None or value is None or s.type != "identifier" or not is_std_string(parsed, s):
        return None
    pieces = []
    node = value
    while node.type == "binary_expression" and operator_of(parsed, node) == "+":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return None
        pieces.append(right)
        node = left
    pieces = [node, *pieces[::-1]]
    if len(pieces) > 1 and not (_string_valued(parsed, pieces[0]) or _string_valued(parsed, pieces[1])):
        return None
    return s, pieces


class ConcatChain(Inverse):
    """``s += a; s += b;`` (neighbouring statements on one ``std::string`` s), or ``s += a + b;``, becomes
    ``s = s + a + b;``."""

    name = "strings.concat_chain"
    inverts = "strings.append_chain"
    why = "s + a copies all of s into a temporary, and + b copies that again, before the result replaces s"
    unsafe_when = (
        "s is not a plain std::string variable, the appends are not neighbours in one block, a piece mentions s or "
        "may alias it (a reference or pointer), a piece is not a string, char or literal, or a + inside one append "
        "would not join strings (two chars add up as ints)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        forward = AppendChain()
        for block in parsed.walk():
            if block.type != "compound_statement" or not parsed.clean(block):
                continue
            runs: list[tuple[str, list[Node], list[Node]]] = []  # s, its statements, their pieces
            previous: Node | None = None
            for statement in block.named_children:
                found = _appended(parsed, statement)
                if found is None:
                    previous = None
                    continue
                s, pieces = found
                name = parsed.text(s)
                if previous is not None and runs and runs[-1][0] == name:
                    runs[-1][1].append(statement)
                    runs[-1][2].extend(pieces)
                else:
                    runs.append((name, [statement], list(pieces)))
                previous = statement
            for name, statements, pieces in runs:
                if len(pieces) < 2:
                    continue  # one piece: strings.append_not_concat's pair, not this rule's
                first, last = statements[0], statements[-1]
                text = f"{name} = {name} + " + " + ".join(parsed.text(p) for p in pieces) + ";"
                match = self.match(
                    parsed,
                    [Edit(first.start_byte, last.end_byte, text)],
                    f"rebuild {name} through temporaries for {len(pieces)} appended pieces",
                )
                if _taken_back(parsed, match, forward, first):
                    out.append(match)
        return out


def _zero(parsed: Parsed, node: Node) -> bool:
    return node.type == "number_literal" and parsed.text(node) == "0"


def _compared(parsed: Parsed, comparison: Node) -> tuple[Node, Node] | None:
    """``(call, other)`` for ``call == other`` or ``other == call`` (also ``!=``) with a method call on either side."""
    left, right = comparison.child_by_field_name("left"), comparison.child_by_field_name("right")
    if left is None or right is None or operator_of(parsed, comparison) not in ("==", "!="):
        return None
    if left.type == "call_expression" and method_of(parsed, left) is not None:
        return left, right
    if right.type == "call_expression" and method_of(parsed, right) is not None:
        return right, left
    return None


def _comparand(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` is a narrow string compare() and == both take as is: a literal, a std::string, a char array."""
    if node.type in ("string_literal", "raw_string_literal", "concatenated_string"):
        return True  # a wide one would not have compiled with compare() either
    return node.type == "identifier" and (is_std_string(parsed, node) or char_buffer(parsed, node))


def _reads_only(parsed: Parsed, node: Node, user: frozenset[str]) -> bool:
    """Whether ``node`` changes nothing when evaluated (so the order of the arguments does not matter); a
    ``strlen(p)`` (the C library's) counts, as in ``s.compare(0, strlen(p), p)``."""
    if node.type == "call_expression" and call_name(parsed, node) == "strlen" and "strlen" not in user:
        args = node.child_by_field_name("arguments")
        return args is not None and all(side_effect_free(parsed, a, user) for a in args.named_children)
    if node.type == "binary_expression" and operator_of(parsed, node) in ("+", "-", "*", "/", "%"):
        return all(_reads_only(parsed, c, user) for c in node.named_children)
    return side_effect_free(parsed, node, user)


def _catches(parsed: Parsed) -> bool:
    # compare and substr throw out_of_range with different messages: a program that catches one may print it.
    return any(n.type == "try_statement" for n in parsed.walk())


class SubstrNotCompare(Inverse):
    """``s.compare(pos, n, x) == 0`` becomes ``s.substr(pos, n) == x`` (also ``!=`` and ``0 == ...``);
    ``s.compare(pos, n, t, pos2, n2) == 0`` becomes ``s.substr(pos, n) == t.substr(pos2, n2)``."""

    name = "strings.substr_not_compare"
    inverts = "strings.substr_compare"
    why = "substr copies the piece into a new string (allocating past 15 characters) only to compare it"
    unsafe_when = (
        "s (or t) is not a plain std::string variable, x is not a narrow literal, a std::string or a char array, "
        "an argument may have side effects, the comparison is not with a literal 0, or the file catches exceptions "
        "(compare and substr throw out_of_range with different messages)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if _catches(parsed):
            return []
        user = user_functions(parsed)
        forward = SubstrCompare()
        out = []
        for comparison in parsed.walk():
            found = _compared(parsed, comparison) if comparison.type == "binary_expression" else None
            if found is None or not _zero(parsed, found[1]) or not parsed.clean(comparison):
                continue
            call = found[0]
            method, args = method_of(parsed, call), call.child_by_field_name("arguments")
            if method is None or args is None or method[1] != "compare" or not is_std_string(parsed, method[0]):
                continue
            values = args.named_children
            if any(v.type == "comment" or not _reads_only(parsed, v, user) for v in values):
                continue
            text = [parsed.text(v) for v in values]
            s = parsed.text(method[0])
            if len(values) == 3 and _comparand(parsed, values[2]):
                other = text[2]
            elif len(values) == 5 and values[2].type == "identifier" and is_std_string(parsed, values[2]):
                other = f"{text[2]}.substr({text[3]}, {text[4]})"
            else:
                continue
            replaced = f"{s}.substr({text[0]}, {text[1]}) {operator_of(parsed, comparison)} {other}"
            match = self.match(
                parsed,
                [Edit(comparison.start_byte, comparison.end_byte, replaced)],
                f"copy a piece of {s} with substr to compare it",
            )
            if _taken_back(parsed, match, forward, comparison):
                out.append(match)
        return out


def _standard_string(parsed: Parsed) -> bool:
    """Whether every ``string`` of the file means ``std::string`` (only_std reads ``string::`` as a mention)."""
    if "string" in macro_words(parsed):
        return False
    for node in parsed.named("string", ("identifier", "type_identifier", "namespace_identifier")):
        parent = node.parent
        scoped = parent is not None and parent.type == "qualified_identifier"
        if not (scoped and node.type == "namespace_identifier") and not (
            is_std(parsed, node, "string") or (scoped and parent is not None and is_std(parsed, parent, "string"))
        ):
            return False
    return True


def _npos(parsed: Parsed, node: Node) -> bool:
    """``std::string::npos``, ``string::npos`` (the standard string) or ``s.npos`` of a std::string s."""
    if node.type == "field_expression":
        base, field = node.child_by_field_name("argument"), node.child_by_field_name("field")
        return (
            base is not None
            and field is not None
            and parsed.text(field) == "npos"
            and operator_of(parsed, node) == "."
            and is_std_string(parsed, base)
        )
    if node.type != "qualified_identifier":
        return False
    spelled = "".join(parsed.text(node).split())
    if spelled == "string::npos":
        return uses_namespace_std(parsed) and _standard_string(parsed)
    return spelled in ("std::string::npos", "::std::string::npos")


def _front_search(parsed: Parsed, call: Node) -> tuple[Node, Node, Node] | None:
    """``(s, x, zero)`` for ``s.rfind(x, 0)`` on a std::string s."""
    method, args = method_of(parsed, call), call.child_by_field_name("arguments")
    if method is None or args is None or method[1] != "rfind" or not is_std_string(parsed, method[0]):
        return None
    values = args.named_children
    if len(values) != 2 or values[0].type == "comment" or not _zero(parsed, values[1]):
        return None
    return method[0], values[0], values[1]


class FindNotRfind(Inverse):
    """``s.rfind(x, 0) == 0`` becomes ``s.find(x) == 0`` (also ``!=``, ``0 == ...`` and ``!s.rfind(x, 0)``);
    ``s.rfind(x, 0) != string::npos`` becomes ``s.find(x) == 0`` (and ``== npos`` becomes ``!= 0``)."""

    name = "strings.find_not_rfind"
    inverts = "strings.starts_with_rfind"
    why = "find searches all of s when x is not at its front, where rfind(x, 0) only tries position 0"
    unsafe_when = (
        "s is not a plain std::string variable, rfind's start is not the literal 0, or the result is used other "
        "than compared with 0 or npos (find and rfind return different positions)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        forward = StartsWithRfind()
        out = []
        for call in parsed.walk():
            found = _front_search(parsed, call) if call.type == "call_expression" else None
            parent = call.parent
            if found is None or parent is None or not parsed.clean(call):
                continue
            s, x, zero = found
            fn = call.child_by_field_name("function")
            field = fn.child_by_field_name("field") if fn is not None else None
            if field is None:
                continue
            searched = [Edit(field.start_byte, field.end_byte, "find"), Edit(x.end_byte, zero.end_byte, "")]
            edits: list[Edit] | None = None
            if parent.type == "unary_expression" and operator_of(parsed, parent) == "!":
                edits = searched
            elif parent.type == "binary_expression" and (pair := _compared(parsed, parent)) is not None:
                other = pair[1]
                if pair[0] == call and _zero(parsed, other):
                    edits = searched
                elif pair[0] == call and _npos(parsed, other):
                    # rfind(x, 0) is 0 or npos: "is not npos" is "is 0", and "is npos" is "is not 0".
                    op = "==" if operator_of(parsed, parent) == "!=" else "!="
                    text = f"{parsed.text(s)}.find({parsed.text(x)}) {op} 0"
                    edits = [Edit(parent.start_byte, parent.end_byte, text)]
            if edits is None:
                continue
            match = self.match(parsed, edits, f"test whether {parsed.text(s)} starts with {parsed.text(x)} by find")
            if _taken_back(parsed, match, forward, call):
                out.append(match)
        return out


INVERSES: tuple[type[Inverse], ...] = (ConcatChain, SubstrNotCompare, FindNotRfind)

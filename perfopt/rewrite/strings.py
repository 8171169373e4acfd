"""Strings: building and comparing them without temporary copies."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.cstrings import char_buffer, string_unchanged
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import (
    call_name,
    declarator_of,
    is_std,
    is_std_string,
    method_of,
    user_functions,
)
from perfopt.rewrite.strings_chain import AppendChain
from perfopt.rewrite.types import declared_type


class AppendNotConcat(Rewrite):
    """``s = s + x`` on a ``std::string`` becomes ``s += x``."""

    name = "strings.append_not_concat"
    why = "s + x builds a whole new string and copies s into it on every call; += appends in place (amortised O(|x|))"
    unsafe_when = "s is not a std::string (an operator+ of another type may differ from +=)"

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        pattern = """
        (assignment_expression
            left: (identifier) @lhs
            operator: "="
            right: (binary_expression left: (identifier) @first operator: "+" right: (_) @rest)) @assign
        """
        for caps in parsed.captures(pattern):
            lhs, first, rest, assign = caps["lhs"][0], caps["first"][0], caps["rest"][0], caps["assign"][0]
            name = parsed.text(lhs)
            if parsed.text(first) != name:
                continue
            if "string" not in (declared_type(parsed, lhs) or ""):
                continue
            edit = Edit(assign.start_byte, assign.end_byte, f"{name} += {parsed.text(rest)}")
            out.append(self.match(parsed, [edit], f"append to {name} in place instead of rebuilding it"))
        return out


_LOOPS = ("for_statement", "while_statement")


def _side_effects(parsed: Parsed, node: Node) -> bool:
    return any(n.type in ("assignment_expression", "update_expression") for n in parsed.walk(node))


def _operator(parsed: Parsed, node: Node) -> str:
    op = node.child_by_field_name("operator")
    return parsed.text(op) if op is not None else ""


def _fresh_name(parsed: Parsed, base: str, taken: set[str]) -> str:
    existing = {
        parsed.text(n) for n in parsed.walk() if n.type in ("identifier", "field_identifier", "type_identifier")
    }
    name, k = base, 2
    while name in existing or name in taken:
        name, k = f"{base}{k}", k + 1
    taken.add(name)
    return name


def _statement_indent(parsed: Parsed, node: Node) -> str:
    """What goes between an inserted statement and ``node``: a newline and its indentation, or a space."""
    line_start = parsed.data.rfind(b"\n", 0, node.start_byte) + 1
    indent = parsed.data[line_start : node.start_byte].decode("utf-8")
    return f"\n{indent}" if not indent.strip() else " "


def _strlen_of(parsed: Parsed, node: Node, own: dict[str, Node]) -> Node | None:
    """``s`` when ``node`` is ``strlen(s)`` (the C library's) of a plain name."""
    args = node.child_by_field_name("arguments") if node.type == "call_expression" else None
    if args is None or call_name(parsed, node) != "strlen" or "strlen" in own:
        return None
    values = args.named_children
    return values[0] if len(values) == 1 and values[0].type == "identifier" else None


def _always_evaluated(node: Node, condition: Node) -> bool:
    """Whether every test of ``condition`` evaluates ``node`` (it is not behind ``&&``, ``||`` or ``?:``).

    Hoisted, strlen(s) runs before the loop even when the loop would not have run it (``p && strlen(p)``).
    """
    current = node
    while current != condition and current.parent is not None:
        parent = current.parent
        if parent.type == "binary_expression" and parent.child_by_field_name("left") != current:
            op = parent.child_by_field_name("operator")
            if op is not None and op.type in ("&&", "||", "and", "or"):
                return False
        if parent.type == "conditional_expression" and parent.child_by_field_name("condition") != current:
            return False
        current = parent
    return True


class StrlenHoist(Rewrite):
    """``for (...; i < strlen(s); ...)`` becomes ``const size_t s_len = strlen(s); for (...; i < s_len; ...)``."""

    name = "strings.strlen_hoist"
    why = "strlen walks the whole string on every test of the loop condition, making the loop quadratic"
    unsafe_when = (
        "the loop may change the string: a write to s[...], s passed to anything but a read-only function, a write "
        "through a pointer or reference, or (for a string other code reaches) any other call; or strlen sits behind "
        "&&, || or ?: and might never have run"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out: list[Match] = []
        taken: set[str] = set()
        claimed: set[int] = set()  # strlen calls an outer loop's match already replaces
        own = user_functions(parsed)
        for loop in parsed.walk():
            if loop.type not in _LOOPS or not parsed.clean(loop):
                continue
            block = loop.parent
            if block is None or block.type != "compound_statement":
                continue  # A declaration before it needs a block around it.
            if block.parent is not None and block.parent.type == "switch_statement":
                continue  # A later case label would jump past its initialisation.
            condition = loop.child_by_field_name("condition")
            if condition is None:
                continue
            calls: dict[str, list[Node]] = {}
            strings: dict[str, Node] = {}
            for n in parsed.walk(condition):
                arg = _strlen_of(parsed, n, own)
                if arg is not None and _always_evaluated(n, condition) and n.start_byte not in claimed:
                    calls.setdefault(parsed.text(arg), []).append(n)
                    strings[parsed.text(arg)] = arg
            hoisted = [(s, found) for s, found in calls.items() if string_unchanged(parsed, loop, strings[s])]
            for s, found in hoisted:
                # The string stays as it is, so strlen(s) anywhere in the loop is the same length.
                origin = declarator_of(parsed, strings[s])
                for n in parsed.walk(loop):
                    arg = _strlen_of(parsed, n, own)
                    same = arg is not None and parsed.text(arg) == s and declarator_of(parsed, arg) == origin
                    if same and n not in found and n.start_byte not in claimed:
                        found.append(n)
                claimed.update(n.start_byte for n in found)
            if not hoisted:
                continue
            edits, declared = [], []
            for s, found in hoisted:
                var = _fresh_name(parsed, f"{s}_len", taken)
                fn = found[0].child_by_field_name("function")
                assert fn is not None
                declared.append(f"const size_t {var} = {parsed.text(fn)}({s});")
                edits += [Edit(c.start_byte, c.end_byte, var) for c in found]
            separator = _statement_indent(parsed, loop)
            edits.append(Edit(loop.start_byte, loop.start_byte, separator.join(declared) + separator))
            names = " and ".join(f"strlen({s})" for s, _ in hoisted)
            out.append(self.match(parsed, edits, f"compute {names} once before the loop, not on every iteration"))
        return out


def _substr(parsed: Parsed, node: Node) -> tuple[str, list[str]] | None:
    """``("s", ["a", "b"])`` for ``s.substr(a, b)`` on a std::string s; args without side effects."""
    if node.type != "call_expression":
        return None
    method = method_of(parsed, node)
    args = node.child_by_field_name("arguments")
    if method is None or method[1] != "substr" or args is None or not is_std_string(parsed, method[0]):
        return None
    values = args.named_children
    if not 1 <= len(values) <= 2 or any(_side_effects(parsed, v) or v.type == "comment" for v in values):
        return None
    texts = [parsed.text(v) for v in values]
    if len(texts) == 1:
        texts.append("std::string::npos")
    return parsed.text(method[0]), texts


def _comparand(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` is a string compare() takes as is: a literal, a std::string, or a char array/pointer."""
    if node.type in ("string_literal", "raw_string_literal", "concatenated_string"):
        return True
    if node.type != "identifier":
        return False
    return is_std_string(parsed, node) or char_buffer(parsed, node)


class SubstrCompare(Rewrite):
    """``s.substr(a, b) == t`` becomes ``s.compare(a, b, t) == 0`` (and ``!=``; ``t`` may be another substr)."""

    name = "strings.substr_compare"
    why = "substr copies the piece into a new string (allocating past 15 chars) to compare it; compare reads in place"
    unsafe_when = "s is not a std::string, or an argument has side effects whose order could change"

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for caps in parsed.captures('(binary_expression left: (_) @l operator: ["==" "!="] @op right: (_) @r) @cmp'):
            left, right, op, cmp = caps["l"][0], caps["r"][0], caps["op"][0], caps["cmp"][0]
            mine, other = _substr(parsed, left), right
            if mine is None:
                mine, other = _substr(parsed, right), left
            if mine is None:
                continue
            theirs = _substr(parsed, other)
            if theirs is not None:
                rest = f"{theirs[0]}, {', '.join(theirs[1])}"
            elif _comparand(parsed, other) and not _side_effects(parsed, other):
                rest = parsed.text(other)
            else:
                continue
            s, args = mine
            text = f"{s}.compare({', '.join(args)}, {rest}) {parsed.text(op)} 0"
            out.append(
                self.match(
                    parsed, [Edit(cmp.start_byte, cmp.end_byte, text)], f"compare {s} in place, not a substr copy"
                )
            )
        return out


def _one_char(parsed: Parsed, node: Node) -> Node | None:
    """``c`` in ``string(1, c)`` / ``std::string(1, c)`` (not the brace form, a two-char initializer list)."""
    if node.type != "call_expression":
        return None
    fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
    if fn is None or args is None or not is_std(parsed, fn, "string"):
        return None
    values = args.named_children
    if len(values) != 2 or values[0].type != "number_literal" or parsed.text(values[0]) != "1":
        return None
    # A literal 0 would also convert to const char*: `s += 0` is ambiguous.
    return None if values[1].type in ("number_literal", "comment") else values[1]


class CharNotString(Rewrite):
    """``s += string(1, c)`` becomes ``s += c`` (also ``s = s + string(1, c)``; in ``append`` it becomes ``1, c``)."""

    name = "strings.char_not_string"
    why = "string(1, c) builds and destroys a temporary string to append one character; += c appends it directly"
    unsafe_when = "s is not a std::string, or the constructor is the brace form string{1, c} (two characters)"

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for n in parsed.walk():
            c = _one_char(parsed, n)
            parent = n.parent
            if c is None or parent is None or not parsed.clean(n):
                continue
            char = parsed.text(c)
            edit = None
            if parent.type == "assignment_expression" and parent.child_by_field_name("right") == n:
                lhs = parent.child_by_field_name("left")
                if lhs is not None and is_std_string(parsed, lhs) and _operator(parsed, parent) == "+=":
                    edit = Edit(n.start_byte, n.end_byte, char)
            elif parent.type == "binary_expression" and parent.child_by_field_name("right") == n:
                assign, first = parent.parent, parent.child_by_field_name("left")
                if (
                    assign is not None
                    and assign.type == "assignment_expression"
                    and _operator(parsed, assign) == "="
                    and _operator(parsed, parent) == "+"
                    and assign.child_by_field_name("right") == parent
                    and first is not None
                    and (lhs := assign.child_by_field_name("left")) is not None
                    and is_std_string(parsed, lhs)
                    and parsed.text(first) == parsed.text(lhs)
                ):
                    edit = Edit(assign.start_byte, assign.end_byte, f"{parsed.text(lhs)} += {char}")
            elif parent.type == "argument_list" and len(parent.named_children) == 1 and parent.parent is not None:
                method = method_of(parsed, parent.parent)
                if method is not None and method[1] == "append" and is_std_string(parsed, method[0]):
                    edit = Edit(n.start_byte, n.end_byte, f"1, {char}")
            if edit is not None:
                out.append(
                    self.match(parsed, [edit], f"append the character {char} directly, not as a temporary string")
                )
        return out


class StartsWithRfind(Rewrite):
    """``s.find(x) == 0`` becomes ``s.rfind(x, 0) == 0`` (a starts-with test; also ``!=`` and ``!s.find(x)``)."""

    name = "strings.starts_with_rfind"
    why = "find searches the whole string when x is not at the front; rfind(x, 0) only tries position 0"
    unsafe_when = "s is not a std::string, or find has a start position (a second argument)"

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for caps in parsed.captures(
            """[(binary_expression left: (call_expression) @call operator: ["==" "!="] right: (number_literal) @zero)
                (binary_expression left: (number_literal) @zero operator: ["==" "!="] right: (call_expression) @call)
                (unary_expression operator: "!" argument: (call_expression) @call)]"""
        ):
            call = caps["call"][0]
            if "zero" in caps and parsed.text(caps["zero"][0]) != "0":
                continue
            method = method_of(parsed, call)
            args = call.child_by_field_name("arguments")
            fn = call.child_by_field_name("function")
            if method is None or method[1] != "find" or args is None or fn is None:
                continue
            if len(args.named_children) != 1 or not is_std_string(parsed, method[0]):
                continue
            field = fn.child_by_field_name("field")
            assert field is not None
            x = args.named_children[0]
            edits = [Edit(field.start_byte, field.end_byte, "rfind"), Edit(x.end_byte, x.end_byte, ", 0")]
            s = parsed.text(method[0])
            out.append(
                self.match(parsed, edits, f"test whether {s} starts with {parsed.text(x)} without searching all of {s}")
            )
        return out


REWRITES: list[type[Rewrite]] = [
    AppendNotConcat,
    StrlenHoist,
    SubstrCompare,
    CharNotString,
    StartsWithRfind,
    AppendChain,
]

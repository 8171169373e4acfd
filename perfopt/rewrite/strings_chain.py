"""Strings: a chain ``s = s + a + b`` appended piece by piece, without the temporary copies of s."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_effects import is_pure
from perfopt.rewrite.cstrings import char_buffer
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import call_name, declarator_of, is_std_string, method_of, user_functions

_LITERALS = ("string_literal", "raw_string_literal", "concatenated_string", "char_literal")


def _own_object(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` is an object of its own (not a reference or pointer, which may alias s or point into it)."""
    found = declarator_of(parsed, ident)
    return found is not None and found[1].type in ("identifier", "array_declarator")


def _named_char(parsed: Parsed, ident: Node) -> bool:
    found = declarator_of(parsed, ident)
    kind = found[0].child_by_field_name("type") if found is not None else None
    return found is not None and kind is not None and parsed.text(kind) == "char" and found[1].type == "identifier"


def _piece(parsed: Parsed, node: Node) -> list[Node] | None:
    """The string variables a piece reads (none for a literal or a to_string); None when it is no string piece.

    Pieces are what ``std::string`` appends the same way with ``+`` and ``+=``: literals, chars, strings, char
    arrays, ``t[i]`` and ``t.substr(...)`` of a string t, ``to_string(x)``; an int or a pointer is not.
    """
    if node.type in _LITERALS:
        return []
    if node.type == "identifier":
        if is_std_string(parsed, node):
            return [node]
        return [] if _named_char(parsed, node) or (char_buffer(parsed, node) and _own_object(parsed, node)) else None
    if node.type == "subscript_expression":
        base = node.child_by_field_name("argument")
        if base is not None and base.type == "identifier" and is_std_string(parsed, base) and is_pure(parsed, node):
            return [base]
    if node.type == "call_expression":
        args = node.child_by_field_name("arguments")
        if args is None or not all(is_pure(parsed, a) for a in args.named_children):
            return None
        if call_name(parsed, node) == "to_string" and "to_string" not in user_functions(parsed):
            return []
        method = method_of(parsed, node)
        if method is not None and method[1] == "substr" and method[0].type == "identifier":
            return [method[0]] if is_std_string(parsed, method[0]) else None
    return None


def _chain(parsed: Parsed, right: Node, name: str) -> list[Node] | None:
    """``[a, b, c]`` for ``s + a + b + c`` (two pieces at least: one is strings.append_not_concat's)."""
    pieces = []
    node = right
    while node.type == "binary_expression":
        op, left, piece = (node.child_by_field_name(f) for f in ("operator", "left", "right"))
        if op is None or parsed.text(op) != "+" or left is None or piece is None:
            return None
        pieces.append(piece)
        node = left
    if node.type != "identifier" or parsed.text(node) != name or len(pieces) < 2:
        return None
    return pieces[::-1]


class AppendChain(Rewrite):
    """``s = s + a + b + c;`` on a ``std::string`` becomes ``s += a; s += b; s += c;``."""

    name = "strings.append_chain"
    why = "s + a copies all of s into a temporary before appending, on every call; += appends each piece in place"
    unsafe_when = (
        "s is not a std::string, a piece mentions s or may alias it (a reference or pointer: appending first would "
        "change what it reads), or a piece is not a string, char or literal (an int or a user type's +)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        pattern = """
        (expression_statement
            (assignment_expression left: (identifier) @s operator: "=" right: (binary_expression) @right) @assign
        ) @statement
        """
        for caps in parsed.captures(pattern):
            s, right, assign, statement = (caps[k][0] for k in ("s", "right", "assign", "statement"))
            name = parsed.text(s)
            pieces = _chain(parsed, right, name) if is_std_string(parsed, s) else None
            if pieces is None or any(parsed.identifiers(p, name) for p in pieces):
                continue
            reads = [_piece(parsed, p) for p in pieces]
            if any(r is None for r in reads):
                continue
            # A reference s and a string t may be one object; two objects of their own never are.
            if any(r for r in reads) and not all(
                _own_object(parsed, v) for v in [s, *(v for r in reads for v in r or [])]
            ):
                continue
            texts = [parsed.text(p) for p in pieces]
            if statement.parent is not None and statement.parent.type == "compound_statement":
                text = "; ".join(f"{name} += {t}" for t in texts)
            else:  # the body of an unbraced if or loop: stay one statement
                text = f"{name} += {texts[0]}"
                for t in texts[1:]:
                    text = f"({text}) += {t}"
            edit = Edit(assign.start_byte, assign.end_byte, text)
            out.append(
                self.match(parsed, [edit], f"append {len(pieces)} pieces to {name} in place, not through temporaries")
            )
        return out

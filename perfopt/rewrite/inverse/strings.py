"""Strings run backwards: a whole new string per append, and a temporary string per character.

Both inverses touch only ``s += x;`` statements on a ``std::string`` variable,
and only for an ``x`` whose type is known to be a string or a plain ``char``:
for those, ``s + x`` and ``string(1, x)`` mean exactly what ``+=`` did. An
``int`` (``s += 65``) or a wide literal would pick another overload, or none.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import (
    call_name,
    declarator_of,
    is_std_string,
    method_of,
    only_std,
    user_functions,
    uses_namespace_std,
)

_APPEND = '(expression_statement (assignment_expression left: (identifier) @s operator: "+=" right: (_) @x) @append)'


def _is_char(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` is a ``char`` for sure: ``'a'``, ``'\\n'``, a plain ``char`` variable, or ``t[i]`` of a string.

    Not ``'ab'`` (an int), ``L'a'`` (a wchar_t), nor ``unsigned char`` (``s + c`` would not compile).
    """
    if node.type == "char_literal":
        parts = node.children
        if len(parts) != 3 or parts[0].type != "'" or parsed.text(parts[0]) != "'":
            return False
        middle = parts[1]
        return middle.type == "escape_sequence" or (
            middle.type == "character" and middle.end_byte - middle.start_byte == 1
        )
    if node.type == "subscript_expression":
        string = node.child_by_field_name("argument")
        return string is not None and is_std_string(parsed, string)
    if node.type != "identifier":
        return False
    found = declarator_of(parsed, node)
    if found is None:
        return False
    decl, declarator = found
    kind = decl.child_by_field_name("type")
    return (
        kind is not None
        and kind.type == "primitive_type"
        and parsed.text(kind) == "char"
        and declarator.type in ("identifier", "reference_declarator")
    )


def _is_string(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` is a narrow string for sure: ``"abc"``, a std::string, ``t.substr(...)``, ``to_string(n)``."""
    if node.type == "string_literal":
        return bool(node.children) and node.children[0].type == '"'  # not L"..", u8"..", ...
    if node.type == "raw_string_literal":
        return bool(node.children) and node.children[0].type == 'R"'
    if node.type == "identifier":
        return is_std_string(parsed, node)
    if node.type != "call_expression":
        return False
    method = method_of(parsed, node)
    if method is not None:
        return method[1] == "substr" and is_std_string(parsed, method[0])
    return call_name(parsed, node) == "to_string" and "to_string" not in user_functions(parsed)


class ConcatNotAppend(Inverse):
    """``s += x;`` on a ``std::string`` s becomes ``s = s + x;`` (x a string, a string literal or a char)."""

    name = "strings.concat_not_append"
    inverts = "strings.append_not_concat"
    why = "s + x builds a whole new string and copies all of s into it, where += appends x in place"
    unsafe_when = (
        "s is not a plain std::string variable (an array, a pointer, a member, another type), x is not known to be "
        "a narrow string or a char (an int would convert differently), or += is not a statement of its own"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for caps in parsed.captures(_APPEND):
            s, x, append = caps["s"][0], caps["x"][0], caps["append"][0]
            if not is_std_string(parsed, s) or not (_is_string(parsed, x) or _is_char(parsed, x)):
                continue
            name = parsed.text(s)
            edit = Edit(append.start_byte, append.end_byte, f"{name} = {name} + {parsed.text(x)}")
            out.append(self.match(parsed, [edit], f"rebuild {name} as {name} + {parsed.text(x)} instead of appending"))
        return out


class StringNotChar(Inverse):
    """``s += c;`` with a char c on a ``std::string`` s becomes ``s += string(1, c);`` (``std::string`` without
    ``using namespace std``)."""

    name = "strings.string_not_char"
    inverts = "strings.char_not_string"
    why = "string(1, c) constructs and destroys a temporary string only to append its one character"
    unsafe_when = (
        "s is not a plain std::string variable, c is not known to be a char (an int, 'ab', L'a'), the program "
        "has a string of its own (a macro or a declaration), or += is not a statement of its own"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if not only_std(parsed, "string"):
            return []
        string = "string" if uses_namespace_std(parsed, file_level=True) else "std::string"
        out = []
        for caps in parsed.captures(_APPEND):
            s, c = caps["s"][0], caps["x"][0]
            if not is_std_string(parsed, s) or not _is_char(parsed, c):
                continue
            edit = Edit(c.start_byte, c.end_byte, f"{string}(1, {parsed.text(c)})")
            reason = f"append {parsed.text(c)} to {parsed.text(s)} through a temporary one-character string"
            out.append(self.match(parsed, [edit], reason))
        return out


INVERSES: tuple[type[Inverse], ...] = (ConcatNotAppend, StringNotChar)

"""Console input run backwards: ``scanf`` of plain numbers and words becomes a synchronised ``cin``.

``scanf("%d%lld", &n, &a[i]);`` and ``cin >> n >> a[i];`` read the same
values from the same input whenever that input is valid: both skip leading
whitespace, parse a decimal number (or a word for ``%s``) and stop at the
first character that cannot continue it, leaving it unread. With the default
``sync_with_stdio(true)`` cin reads through stdin's own buffer, so the
program's other scanf and getchar calls still see the input in order.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops_memo import include_edit
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import (
    c_stdio_calls,
    call_name,
    only_std,
    operator_of,
    user_functions,
    uses_namespace_std,
    words,
)
from perfopt.rewrite.usage_regions import expression_type

#: The type each conversion stores into, in every spelling of it (after typedefs and ``using`` aliases).
_NUMBERS: dict[str, frozenset[str]] = {
    "d": frozenset(("int", "signed", "signed int")),
    "ld": frozenset(("long", "long int", "signed long", "signed long int")),
    "lld": frozenset(("long long", "long long int", "signed long long", "signed long long int")),
    "u": frozenset(("unsigned", "unsigned int")),
    "lu": frozenset(("unsigned long", "unsigned long int")),
    "llu": frozenset(("unsigned long long", "unsigned long long int")),
    "lf": frozenset(("double",)),
}
#: The whole format: conversions, each after optional whitespace; whitespace at the end would eat the newline.
_FORMAT = re.compile(r"(?:\s*%(?:lld|llu|ld|lu|lf|d|u|s))+")
_CONVERSION = re.compile(r"%(lld|llu|ld|lu|lf|d|u|s)")
_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r", "\\v": "\v", "\\f": "\f"}
#: Words that change how cin parses or where it reads, or move stdin where cin's sticky eofbit would not follow.
_STREAM_SETUP = words(
    "sync_with_stdio tie rdbuf exceptions imbue locale hex oct setbase basefield noskipws skipws setf unsetf "
    "flags pubsetbuf setlocale clearerr rewind fseek ungetc"
)
_RENAMED = words("scanf cin std int long short signed unsigned double char")
#: Index expressions that surely do nothing but compute a value.
_PLAIN_OPERATORS = words("+ - * / % << >> & | ^")


def _macros(parsed: Parsed) -> dict[str, str]:
    """Each #define name to its value's text (empty for a function-like or valueless one)."""
    out: dict[str, str] = {}
    for n in parsed.walk():
        if n.type in ("preproc_def", "preproc_function_def") and (name := n.child_by_field_name("name")) is not None:
            value = n.child_by_field_name("value") if n.type == "preproc_def" else None
            out[parsed.text(name)] = parsed.text(value).strip() if value is not None else ""
    return out


def _format(parsed: Parsed, literal: Node) -> list[str] | None:
    """The conversions of a format of whitespace and supported conversions only (``["d", "lld"]``), else None."""
    if literal.type != "string_literal" or not literal.children or literal.children[0].type != '"':
        return None
    text = ""
    for part in literal.children[1:-1]:
        if part.type == "string_content":
            text += parsed.text(part)
        elif part.type == "escape_sequence" and parsed.text(part) in _ESCAPES:
            text += _ESCAPES[parsed.text(part)]
        else:
            return None
    if not _FORMAT.fullmatch(text):
        return None
    return _CONVERSION.findall(text)


def _plain(parsed: Parsed, node: Node, macros: dict[str, str], names: set[str]) -> bool:
    """Whether an index expression only reads variables (collected in ``names``) and constants."""
    if node.type == "number_literal":
        return True
    if node.type == "identifier":
        names.add(parsed.text(node))
        return parsed.text(node) not in macros and parsed.text(node) not in user_functions(parsed)
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return _plain(parsed, node.named_children[0], macros, names)
    if node.type == "binary_expression" and operator_of(parsed, node) in _PLAIN_OPERATORS:
        return all(_plain(parsed, c, macros, names) for c in node.named_children)
    if node.type == "unary_expression" and operator_of(parsed, node) in ("-", "+"):
        return all(_plain(parsed, c, macros, names) for c in node.named_children)
    return False


def _target(parsed: Parsed, node: Node, macros: dict[str, str], indices: set[str]) -> tuple[Node, str] | None:
    """``(base, text)`` for a variable ``x``, ``a[i]`` or ``g[i][j]`` with plain indices; None for anything else."""
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    current = node
    while current.type == "subscript_expression":
        base = current.child_by_field_name("argument")
        index = current.child_by_field_name("indices") or current.child_by_field_name("index")
        if base is None or index is None:
            return None
        parts = index.named_children if index.type == "subscript_argument_list" else [index]
        if len(parts) != 1 or not _plain(parsed, parts[0], macros, indices):
            return None
        current = base
    if current.type != "identifier" or parsed.text(current) in macros:
        return None
    return current, parsed.text(node)


def _type_words(parsed: Parsed, type_node: Node, macros: dict[str, str]) -> str:
    """A type's spelling with single spaces, through typedefs, ``using`` aliases and ``#define ll long long``."""
    resolved = type_index(parsed).resolve(type_node)
    text = " ".join(parsed.text(resolved).split())
    return " ".join(macros.get(text, text).split())


def _is_reference(parsed: Parsed, base: Node) -> bool:
    """Whether ``base`` may be declared as a reference (another name for a variable the call also reads)."""
    found = expression_type(parsed, base)
    if found is None:
        return True
    holder = found[0].parent
    return holder is None or any(n.type == "reference_declarator" for n in parsed.walk(holder))


def _fits(parsed: Parsed, conversion: str, arg: Node, macros: dict[str, str], indices: set[str]) -> Node | None:
    """The base variable when ``arg`` is where ``%conversion`` may store, of exactly its type; else None."""
    if conversion == "s":
        found = _target(parsed, arg, macros, indices)
        if found is None:
            return None
        kind = expression_type(parsed, _unparen(arg))
        # A bare name must be an array of this function or file, not a parameter (a pointer: C++20 has no >>).
        if kind is None or kind[1] != 1 or _type_words(parsed, kind[0], macros) != "char":
            return None
        holder = kind[0].parent
        if holder is None or (_unparen(arg).type == "identifier" and holder.type != "declaration"):
            return None
        return found[0]
    if arg.type != "pointer_expression" or operator_of(parsed, arg) != "&":
        return None
    operand = arg.child_by_field_name("argument")
    found = _target(parsed, operand, macros, indices) if operand is not None else None
    if operand is None or found is None:
        return None
    kind = expression_type(parsed, _unparen(operand))
    if kind is None or kind[1] != 0 or _type_words(parsed, kind[0], macros) not in _NUMBERS[conversion]:
        return None
    return found[0]


def _unparen(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _operand_text(parsed: Parsed, arg: Node) -> str:
    if arg.type == "pointer_expression" and (operand := arg.child_by_field_name("argument")) is not None:
        arg = operand
    return parsed.text(_unparen(arg))


class CinNotScanf(Inverse):
    """``scanf("%d %lld", &n, &a[i]);`` becomes ``cin >> n >> a[i];`` (cin synchronised with stdio, the default).

    Only a whole statement whose value is unused, a format of whitespace and
    ``%d %ld %lld %u %lu %llu %lf %s`` (nothing at its end), and arguments
    ``&x``, ``&a[i]`` (or a char array for ``%s``) whose declared type is
    exactly the conversion's.
    """

    name = "io.cin_not_scanf"
    inverts = "algorithmic.c_stdio_input"
    why = (
        "cin synchronised with stdio reads through stdio a character at a time and parses through locale facets "
        "and a sentry per value: several times slower than scanf on large inputs"
    )
    unsafe_when = (
        "the input is malformed or ends early (scanf leaves the variable as it was, cin sets it to 0 or to the "
        "limit on overflow and then fails every later read; a number too big for its type is undefined for "
        "scanf), %lf meets inf, nan or a hex float (strtod takes them, cin does not), or %s meets a word longer "
        "than the array (C++20 cin stops short); so the inverse stays silent where the call's value is used, "
        "when sync_with_stdio, tie, rdbuf, exceptions, imbue, hex, noskipws or the like appear anywhere, when "
        "the format holds literal text, %c, %[, %i, %f, widths, *, %n or ends in whitespace, when an argument's "
        "declared type is not exactly the conversion's, has side effects or calls, is a macro, or is indexed "
        "by a variable the same call reads (cin reads it first, scanf takes the address first), when the "
        "file defines its own cin or scanf, or #defines a type word (#define int long long), calls setlocale "
        "(scanf's decimal point), clearerr, rewind, fseek or ungetc, or reopens stdin twice; a reference that "
        "aliases an index of another argument of the same call is not followed"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        macros = _macros(parsed)
        if set(macros) & _RENAMED or "scanf" in user_functions(parsed) or not only_std(parsed, "cin"):
            return []
        kinds = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")
        if any(parsed.named(w, kinds) for w in _STREAM_SETUP) or any(
            w in _STREAM_SETUP for v in macros.values() for w in re.findall(r"[A-Za-z_]\w*", v)
        ):
            return []
        reopened = [c for c in c_stdio_calls(parsed, frozenset(("freopen",))) if "stdin" in parsed.text(c)]
        if len(reopened) > 1:
            return []  # a second input file: scanf reads on after the first one's end, a cin at eof would not
        cin = "cin" if uses_namespace_std(parsed, file_level=True) else "std::cin"
        include = include_edit(parsed, "iostream")
        out: list[Match] = []
        for name in parsed.named("scanf"):
            call = name.parent
            if call is not None and call.type == "qualified_identifier":
                call = call.parent
            statement = call.parent if call is not None else None
            if (
                call is None
                or call.type != "call_expression"
                or call_name(parsed, call) != "scanf"
                or statement is None
            ):
                continue
            if statement.type != "expression_statement" or statement.named_children != [call]:
                continue
            if parsed.function_of(statement) is None or not parsed.clean(statement):
                continue
            text = self._cin(parsed, call, macros)
            if text is None:
                continue
            edits = [Edit(call.start_byte, call.end_byte, f"{cin} >> {text}")]
            if include is not None:
                edits.append(include)
            out.append(self.match(parsed, edits, "read with a synchronised cin instead of scanf", at=statement))
        return out

    def _cin(self, parsed: Parsed, call: Node, macros: dict[str, str]) -> str | None:
        """``a >> b[i]`` for the call's arguments, or None when the call is not one this inverse takes."""
        args = call.child_by_field_name("arguments")
        if args is None or not args.named_children or any(c.type == "comment" for c in args.named_children):
            return None
        fmt, *targets = args.named_children
        conversions = _format(parsed, fmt)
        if conversions is None or len(conversions) != len(targets):
            return None
        indices: set[str] = set()
        bases: list[Node] = []
        for conversion, arg in zip(conversions, targets, strict=True):
            base = _fits(parsed, conversion, arg, macros, indices)
            if base is None:
                return None
            bases.append(base)
        # cin stores each value before it evaluates the next operand; scanf took every address first.
        names = {parsed.text(b) for b in bases}
        if names & indices:
            return None
        if indices and len(targets) > 1 and any(_is_reference(parsed, b) for b in bases):
            return None
        return " >> ".join(_operand_text(parsed, a) for a in targets)


INVERSES: tuple[type[Inverse], ...] = (CinNotScanf,)

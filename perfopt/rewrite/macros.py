"""Loop macros (``rep(i, n)``), made parseable without moving a byte.

Contest programs define counting loops as macros: ``#define rep(i, n) for
(int i = 0; i < (n); i++)``. tree-sitter does not expand macros, so ``rep(i,
n) { ... }`` parses as a call missing its semicolon, an ERROR that puts the
whole function off limits; on the validation split that silenced the rules
on most of the programs that use such a macro.

Each use of such a macro is rewritten, for the parser only, into a ``for``
header of the same length that keeps every argument at its byte offset:
``rep(i, n)`` becomes ``for(i;;n)``, ``REP(i,a,b)`` becomes ``for(i;a;b)``.
The names in the arguments stay where they were, so the analyses still see
every use of ``n`` or ``v.size()`` there, and the body still sits in a loop.
What the header means is not what the macro means, so the masked header
itself is off limits (``Parsed.clean``): rewrites may work inside the body,
never on the header. Text always comes from the real source.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node, Parser

#: Brackets that nest inside macro arguments; a comma inside them does not split arguments.
_OPEN, _CLOSE = b"([{", b")]}"


@dataclass(frozen=True)
class Mask:
    """Bytes ``start``..``end`` of the source read as ``text`` by the parser."""

    start: int
    end: int
    text: bytes


def loop_macros(root: Node, data: bytes, parser: Parser) -> set[str]:
    """Names of function-like macros whose body is a classic counting ``for`` header over their first parameter."""
    names = set()
    for node in root.children:
        if node.type != "preproc_function_def":
            continue
        name, params, value = (node.child_by_field_name(f) for f in ("name", "parameters", "value"))
        if name is None or params is None or value is None:
            continue
        first = next((p for p in params.named_children if p.type == "identifier"), None)
        if first is not None and _counts_over(
            data[value.start_byte : value.end_byte], data[first.start_byte : first.end_byte], parser
        ):
            names.add(data[name.start_byte : name.end_byte].decode())
    return names


def _counts_over(body: bytes, var: bytes, parser: Parser) -> bool:
    """Whether ``body`` is ``for (T var = ...; ...; ...)`` and nothing after it (so a range-for, whose
    loop variable may be a reference into a container, never qualifies)."""
    tree = parser.parse(b"void f() { " + body + b" ; }")
    fn_body = tree.root_node.children[0].child_by_field_name("body") if tree.root_node.children else None
    if tree.root_node.has_error or fn_body is None or len(fn_body.named_children) != 1:
        return False
    loop = fn_body.named_children[0]
    init = loop.child_by_field_name("initializer")
    if loop.type != "for_statement" or init is None or init.type != "declaration":
        return False
    declared = [d.child_by_field_name("declarator") for d in init.named_children if d.type == "init_declarator"]
    return len(declared) == 1 and declared[0] is not None and declared[0].text == var


def masks(root: Node, data: bytes, parser: Parser) -> list[Mask]:
    """A same-length ``for`` header for every use of a loop macro outside the preprocessor lines."""
    names = loop_macros(root, data, parser)
    if not names:
        return []
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type.startswith("preproc_") and node.type not in ("preproc_if", "preproc_ifdef", "preproc_else"):
            continue
        if node.type == "identifier" and data[node.start_byte : node.end_byte].decode() in names:
            mask = _mask(data, node.start_byte, node.end_byte)
            if mask is not None:
                found.append(mask)
            continue
        stack.extend(node.children)
    found.sort(key=lambda m: m.start)
    # Nested uses (rep(i, n) rep(j, m)) do not overlap; a use inside another's arguments would: keep the outer.
    kept: list[Mask] = []
    for m in found:
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    return kept


def _mask(data: bytes, start: int, name_end: int) -> Mask | None:
    name_len = name_end - start
    at = name_end
    if name_len < 3 or at >= len(data) or data[at : at + 1] != b"(":
        return None
    commas, close = _arguments(data, at)
    if close is None:
        return None
    header = bytearray(b"for" + b" " * (name_len - 3) + data[at : close + 1])
    offset = start
    if len(commas) == 2:
        for c in commas:
            header[c - offset] = ord(";")
        return Mask(start, close + 1, bytes(header))
    if len(commas) == 1:
        c = commas[0]
        # Two semicolons from one comma: it takes the next byte too when that is a space (``rep(i, n)``),
        # else the byte after the parenthesis when that is one (``rep(i,n) {``).
        if data[c + 1 : c + 2] in (b" ", b"\t"):
            header[c - offset : c - offset + 2] = b";;"
            return Mask(start, close + 1, bytes(header))
        if data[close + 1 : close + 2] in (b" ", b"\t"):
            header[c - offset] = ord(";")
            header[close - offset :] = b";)"
            return Mask(start, close + 2, bytes(header))
    return None


def _arguments(data: bytes, open_paren: int) -> tuple[list[int], int | None]:
    """Offsets of the top-level commas of the argument list opening at ``open_paren``, and its ``)``."""
    depth, i = 0, open_paren
    commas: list[int] = []
    while i < len(data):
        b = data[i]
        if b in b"\"'":
            i = _after_literal(data, i)
            continue
        if b == ord("\n") and (i == 0 or data[i - 1] != ord("\\")):
            return commas, None  # a macro use spanning lines is left alone
        if b in _OPEN:
            depth += 1
        elif b in _CLOSE:
            depth -= 1
            if depth == 0:
                return commas, i
        elif b == ord(",") and depth == 1:
            commas.append(i)
        i += 1
    return commas, None


def _after_literal(data: bytes, i: int) -> int:
    quote, i = data[i], i + 1
    while i < len(data) and data[i] != quote:
        i += 2 if data[i] == ord("\\") else 1
    return i + 1


def apply(data: bytes, found: list[Mask]) -> bytes:
    out, last = bytearray(), 0
    for m in found:
        out += data[last : m.start] + m.text
        last = m.end
    return bytes(out + data[last:])

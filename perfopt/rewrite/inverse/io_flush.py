"""Console output run backwards: a flush of cout after every line a loop prints.

A flush only changes when bytes leave the process, never which bytes, so the
inverse stays silent wherever that timing could show: C stdio writing beside
iostreams, a child process on the same console, an exit that skips the
buffers, and an interactive program (a prompt, or a judge waiting for a query),
whose flushes the forward rule keeps anyway.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.analysis import flushes_taken_back
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.placement import indent_of
from perfopt.rewrite.streams import (
    C_OTHER,
    C_WRITES,
    HARD_EXITS,
    c_stdio_calls,
    in_loop,
    interactive,
    is_std,
    macro_words,
    only_std,
    operator_of,
    stream_root,
    uses_namespace_std,
)

#: Manipulators that flush already (or change how cout flushes): a line holding one is left as it is.
_FLUSHING = ("endl", "flush", "ends", "unitbuf", "nounitbuf")
#: Names whose presence hands the console to C stdio or another process, or ends the program unflushed.
_STDIO = C_WRITES | C_OTHER | HARD_EXITS | frozenset(("stdout",))
_NAME_KINDS = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")


def _timing_shows(parsed: Parsed) -> bool:
    """Whether when cout's buffer empties could change what the console shows, or whom it waits for."""
    if c_stdio_calls(parsed, _STDIO) or macro_words(parsed) & _STDIO:
        return True
    if any(parsed.named(name, _NAME_KINDS) for name in ("stdout", "rdbuf", "unitbuf")):
        return True
    return interactive(parsed)


def _operands(parsed: Parsed, chain: Node) -> list[Node]:
    """The right operands of a ``cout << a << b`` chain, left to right."""
    out = []
    node = chain
    while node.type == "binary_expression" and operator_of(parsed, node) == "<<":
        right, left = node.child_by_field_name("right"), node.child_by_field_name("left")
        if right is None or left is None:
            return []
        out.append(right)
        node = left
    return out[::-1]


def _ends_line(parsed: Parsed, operand: Node) -> bool:
    """Whether ``operand`` is ``'\\n'``, ``"\\n"`` or a narrow string literal ending in a newline."""
    parts = operand.children
    if operand.type == "char_literal":
        return parsed.text(operand) == "'\\n'"
    if operand.type != "string_literal" or len(parts) < 3 or parts[0].type != '"':
        return False  # L"..", u8"..": other character types
    return parts[-2].type == "escape_sequence" and parsed.text(parts[-2]) == "\\n"


def _printed_line(parsed: Parsed, statement: Node) -> Node | None:
    """The chain of ``cout << ... << '\\n';`` when ``statement`` is one that prints a whole line and flushes nothing."""
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return None
    chain = statement.named_children[0]
    if chain.type != "binary_expression" or operator_of(parsed, chain) != "<<":
        return None
    if not is_std(parsed, stream_root(parsed, chain, "<<"), "cout"):
        return None
    operands = _operands(parsed, chain)
    if not operands or not _ends_line(parsed, operands[-1]):
        return None
    if any(is_std(parsed, n, name) for n in parsed.walk(chain) for name in _FLUSHING):
        return None
    return chain


def _last_in_loop_body(statement: Node) -> bool:
    """Whether ``statement`` is the last statement of a braced loop body (a flush of its own fits after it)."""
    block = statement.parent
    if block is None or block.type != "compound_statement" or block.parent is None:
        return False
    if block.parent.type not in ("for_statement", "for_range_loop", "while_statement", "do_statement"):
        return False
    rest = [s for s in block.named_children if s.end_byte > statement.end_byte and s.type != "comment"]
    return not rest


class FlushInLoop(Inverse):
    """A ``cout << ... << '\\n';`` in a loop gets a flush: ``<< flush`` at its end, or ``cout.flush();`` after it
    when it is the last statement of the loop's body (``std::flush`` without ``using namespace std``)."""

    name = "io.flush_in_loop"
    inverts = "io.no_flush_in_loop"
    why = "every flush is a write system call: one per printed line instead of one per filled buffer"
    unsafe_when = (
        "the program writes with C stdio or names stdout, starts a child process, exits without flushing, redirects "
        "cout's buffer, is interactive (writes then reads the console), flush is its own name or in a macro, or the "
        "line already flushes (endl); a crash after the loop would show more of the output than before"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if not only_std(parsed, "flush") or _timing_shows(parsed):
            return []
        flush = "flush" if uses_namespace_std(parsed, file_level=True) else "std::flush"
        out: list[Match] = []
        for statement in parsed.walk():
            chain = _printed_line(parsed, statement) if statement.type == "expression_statement" else None
            if chain is None or not parsed.clean(statement) or not in_loop(parsed, statement):
                continue
            stream = parsed.text(stream_root(parsed, chain, "<<"))
            indent = indent_of(parsed, statement)
            if _last_in_loop_body(statement) and indent is not None:
                edit = Edit(statement.end_byte, statement.end_byte, f"\n{indent}{stream}.flush();")
                reason = f"flush {stream} after every line the loop prints"
            else:
                edit = Edit(chain.end_byte, chain.end_byte, f" << {flush}")
                reason = f"end every line the loop prints with << {flush}"
            out.append(self.match(parsed, [edit], reason, at=statement))
        return flushes_taken_back(parsed, out)


INVERSES: tuple[type[Inverse], ...] = (FlushInLoop,)

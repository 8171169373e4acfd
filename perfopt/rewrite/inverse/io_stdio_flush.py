"""C stdio output run backwards: ``fflush(stdout);`` after what a loop prints with printf.

A flush only changes when bytes leave the process, never which bytes, so the
inverse stays silent wherever that timing could show: iostreams or stderr
writing beside stdio, raw ``write`` calls, stdout rebuffered or redirected,
a child process on the same console, an exit that skips the buffers, and an
interactive program (a prompt, or a judge waiting for a query), whose flushes
the forward rule keeps anyway.
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
    HARD_EXITS,
    c_stdio_calls,
    call_name,
    in_loop,
    interactive,
    macro_words,
    user_functions,
)

#: Calls that print to stdout whatever their arguments.
_TO_STDOUT = frozenset(("printf", "vprintf", "puts", "putchar", "putchar_unlocked"))
#: Calls that print to the FILE* they are given, and which argument that is (index, -1 for the last).
_TO_FILE = {"fprintf": 0, "vfprintf": 0, "fputs": -1, "fputc": -1, "putc": -1, "putc_unlocked": -1, "fwrite": -1}
#: Names whose presence puts other output beside stdio's buffer, changes that buffer, hands the console to
#: another process, or ends the program without flushing it (``assert`` aborts).
_TIMING = (
    C_OTHER
    | HARD_EXITS
    | frozenset(("write", "writev", "pwrite", "dup", "dup2", "assert", "signal", "sigaction", "alarm"))
    | frozenset(("cout", "cerr", "clog", "wcout", "wcerr", "wclog", "stderr", "ostream", "wprintf", "fwide"))
)
_NAME_KINDS = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")
_LOOPS = ("for_statement", "for_range_loop", "while_statement", "do_statement")


def _timing_shows(parsed: Parsed) -> bool:
    """Whether when stdout's buffer empties could change what the console shows, or whom it waits for."""
    if macro_words(parsed) & (_TIMING | {"fflush", "stdout"}):
        return True
    if c_stdio_calls(parsed, _TIMING) or any(parsed.named(name, _NAME_KINDS) for name in _TIMING):
        return True
    # fflush and stdout must be the C library's: no function, variable or macro of the program's own.
    own = user_functions(parsed)
    if "fflush" in own or "stdout" in own:
        return True
    return interactive(parsed)


def _prints_stdout(parsed: Parsed, statement: Node) -> bool:
    """Whether ``statement`` is only a call that writes to stdout (``printf(..);``, ``fputs(s, stdout);``)."""
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return False
    call = statement.named_children[0]
    if call.type != "call_expression":
        return False
    name = call_name(parsed, call)
    if name in _TO_STDOUT:
        return True
    if name not in _TO_FILE:
        return False
    args = call.child_by_field_name("arguments")
    nodes = [n for n in args.named_children if n.type != "comment"] if args is not None else []
    if not nodes:
        return False
    stream = nodes[_TO_FILE[name]]
    return stream.type == "identifier" and parsed.text(stream) == "stdout"


def _flush_after(parsed: Parsed, statement: Node) -> Edit:
    """An insertion of ``fflush(stdout);`` after ``statement``: on a line of its own where the statement ends its
    line (after a ``//`` comment there), else just after it on the same line."""
    line_end = parsed.data.find(b"\n", statement.end_byte)
    line_end = len(parsed.data) if line_end < 0 else line_end
    rest = parsed.data[statement.end_byte : line_end].decode("utf-8", "replace").strip()
    indent = indent_of(parsed, statement)
    if indent is not None and rest == "":
        return Edit(statement.end_byte, statement.end_byte, f"\n{indent}fflush(stdout);")
    if indent is not None and rest.startswith("//") and not rest.endswith("\\") and line_end < len(parsed.data):
        end = line_end - 1 if parsed.data[line_end - 1 : line_end] == b"\r" else line_end
        return Edit(end, end, f"\n{indent}fflush(stdout);")
    return Edit(statement.end_byte, statement.end_byte, " fflush(stdout);")


class FflushInLoop(Inverse):
    """The last statement of a braced loop body that prints to stdout with C stdio (``printf``, ``puts``,
    ``putchar``, ``fputs(.., stdout)``, ...) gets ``fflush(stdout);`` after it, in a program whose output is all
    C stdio."""

    name = "io.fflush_in_loop"
    inverts = "io.no_flush_in_loop"
    why = "every fflush is a write system call: one per loop iteration instead of one per filled buffer"
    unsafe_when = (
        "the program writes with iostreams or to stderr, writes raw (write), rebuffers or redirects stdout "
        "(setvbuf, setbuf, freopen), already calls fflush, starts a child process, can exit without flushing "
        "(abort, _exit, quick_exit, assert, signals), is interactive (writes then reads the console), or names "
        "fflush/stdout itself; a crash after the loop would show more of the output than before"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if _timing_shows(parsed):
            return []
        out: list[Match] = []
        for block in parsed.walk():
            if block.type != "compound_statement" or block.parent is None or block.parent.type not in _LOOPS:
                continue
            printing = [s for s in block.named_children if _prints_stdout(parsed, s)]
            if not printing:
                continue
            statement = printing[-1]
            if not parsed.clean(statement) or not in_loop(parsed, statement):
                continue
            edit = _flush_after(parsed, statement)
            out.append(self.match(parsed, [edit], "flush stdout after what every loop iteration prints", at=statement))
        return flushes_taken_back(parsed, out)


INVERSES: tuple[type[Inverse], ...] = (FflushInLoop,)

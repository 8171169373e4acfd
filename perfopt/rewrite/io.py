"""Console I/O: iostreams without the C stdio lock-step, and without a flush per line."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import (
    C_OTHER,
    C_READS,
    C_WRITES,
    HARD_EXITS,
    c_stdio_calls,
    call_name,
    console_reads,
    console_writes,
    in_loop,
    interactive,
    is_std,
    macro_words,
    method_of,
    stream_root,
    uses_namespace_std,
)
from perfopt.rewrite.types import declared_type

#: Names whose presence means the program already tunes (or relies on) the stream set-up; ``tie`` only as a
#: method, since ``std::tie(a, b)`` is everywhere.
_SETUP = frozenset(("sync_with_stdio", "rdbuf", "pubsetbuf", "unitbuf", "nounitbuf"))
#: Streams besides cout whose endl is worth dropping: buffered, and read by no one until the program ends.
_BUFFERED_STREAMS = ("ofstream", "ostringstream", "stringstream")
#: What could read back a file the program writes while it is still open.
_FILE_READERS = frozenset(("ifstream", "fstream", "fopen", "freopen", "system", "popen"))


def main_body(parsed: Parsed) -> Node | None:
    """The body of the file-level ``int main(...)``, when it is a plain block."""
    for node in parsed.root.named_children:
        if node.type != "function_definition":
            continue
        decl = node.child_by_field_name("declarator")
        name = decl.child_by_field_name("declarator") if decl is not None else None
        body = node.child_by_field_name("body")
        if name is not None and parsed.text(name) == "main" and body is not None and body.type == "compound_statement":
            return body
    return None


def _mentions(
    parsed: Parsed, names: frozenset[str], kinds: tuple[str, ...] = ("identifier", "type_identifier")
) -> bool:
    """Whether any name (of the node ``kinds``) or macro word of the file is one of ``names``."""
    return any(n.type in kinds and parsed.text(n) in names for n in parsed.walk()) or bool(macro_words(parsed) & names)


def _stdio_mixed(parsed: Parsed) -> bool:
    """Whether the program uses C stdio on the console (or hands the console to someone else)."""
    names = C_READS | C_WRITES | C_OTHER
    if c_stdio_calls(parsed, names) or _mentions(parsed, frozenset(("stdin", "stdout"))):
        return True
    return bool(macro_words(parsed) & names)


def runs_repeatedly(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` may run many times: in a loop, or in a function other than main."""
    if in_loop(parsed, node):
        return True
    function = parsed.function_of(node)
    return function is not None and function.child_by_field_name("body") != main_body(parsed)


def _statement_edit(parsed: Parsed, statement: Node) -> Edit:
    """Delete ``statement``, and its line when it stands alone there."""
    start, end = statement.start_byte, statement.end_byte
    line_start = parsed.data.rfind(b"\n", 0, start) + 1
    line_end = parsed.data.find(b"\n", end)
    line_end = len(parsed.data) if line_end < 0 else line_end
    if not parsed.data[line_start:start].strip() and not parsed.data[end:line_end].strip():
        return Edit(line_start, min(line_end + 1, len(parsed.data)), "")
    while end < len(parsed.data) and parsed.data[end : end + 1] in (b" ", b"\t"):
        end += 1
    return Edit(start, end, "")


class SyncWithStdio(Rewrite):
    """``int main() { ...`` becomes ``int main() { std::ios::sync_with_stdio(false); std::cin.tie(nullptr); ...``."""

    name = "io.sync_with_stdio"
    why = (
        "iostreams synchronised with C stdio go through stdio a character at a time, and a tied cin flushes cout "
        "before every read; unsynchronised, untied streams buffer on their own"
    )
    unsafe_when = (
        "the program also uses C stdio (printf, scanf, getchar, ...) or hands the console to a child process, "
        "already sets either option, or has no main; an interactive program keeps its tie"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        body = main_body(parsed)
        if body is None or not parsed.clean(body) or not body.named_children:
            return []
        if _mentions(parsed, _SETUP) or _mentions(parsed, frozenset(("tie",)), ("field_identifier",)):
            return []
        if _stdio_mixed(parsed):
            return []
        io = console_reads(parsed, parsed.root) + console_writes(parsed, parsed.root)
        if not any(runs_repeatedly(parsed, n) for n in io):
            return []  # A few reads and writes: nothing to gain.
        std = "" if uses_namespace_std(parsed, file_level=True) else "std::"
        calls = [f"{std}ios::sync_with_stdio(false);"]
        # Untied, a prompt or a judge's query would sit in cout's buffer while cin waits for the answer.
        talks = interactive(parsed)
        if not talks:
            calls.append(f"{std}cin.tie(nullptr);")
        first = body.named_children[0]
        line_start = parsed.data.rfind(b"\n", 0, first.start_byte) + 1
        indent = parsed.data[line_start : first.start_byte].decode("utf-8")
        separator = f"\n{indent}" if not indent.strip() else " "
        edit = Edit(first.start_byte, first.start_byte, separator.join(calls) + separator)
        reason = "unsync iostreams from C stdio" + ("" if talks else " and untie cin from cout")
        return [self.match(parsed, [edit], reason)]


def _exits_unflushed(parsed: Parsed) -> bool:
    """Whether the program can end without flushing stream buffers (``_exit``, ``abort``, ...)."""
    return bool(c_stdio_calls(parsed, HARD_EXITS))


def _console_flushes_safely(parsed: Parsed) -> bool:
    """Whether output left in cout's buffer reaches the console anyway, in order, and before anyone waits for it."""
    if interactive(parsed) or _exits_unflushed(parsed):
        return False
    if c_stdio_calls(parsed, frozenset(("system", "popen", "fork"))):
        return False
    # Unsynchronised cout mixed with printf relies on each flush for its ordering.
    return not (_mentions(parsed, frozenset(("sync_with_stdio",))) and c_stdio_calls(parsed, C_WRITES))


class EndlToNewline(Rewrite):
    """``cout << x << endl`` becomes ``cout << x << '\\n'``."""

    name = "io.endl_to_newline"
    why = "endl flushes the stream, a write system call per line; '\\n' lets the buffer fill and write in blocks"
    unsafe_when = (
        "the program writes then reads the console (a prompt or an interactive judge), the stream is cerr/clog "
        "or of unknown type, endl is the program's own name, or the program exits without flushing"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out: list[Match] = []
        console_ok: bool | None = None
        repeated = False
        if _exits_unflushed(parsed):
            return []
        for caps in parsed.captures('(binary_expression operator: "<<" right: (_) @endl) @shift'):
            endl, shift = caps["endl"][0], caps["shift"][0]
            if not is_std(parsed, endl, "endl"):
                continue
            root = stream_root(parsed, shift, "<<")
            if is_std(parsed, root, "cout"):
                if console_ok is None:
                    console_ok = _console_flushes_safely(parsed)
                if not console_ok:
                    continue
                stream = "cout"
            elif (
                root.type == "identifier"
                and (declared_type(parsed, root) or "").endswith(_BUFFERED_STREAMS)
                and not _mentions(parsed, _FILE_READERS)
            ):
                stream = parsed.text(root)
            else:
                continue
            edit = Edit(endl.start_byte, endl.end_byte, "'\\n'")
            out.append(self.match(parsed, [edit], f"end lines on {stream} with '\\n', not a flushing endl"))
            repeated = repeated or runs_repeatedly(parsed, endl)
        # One flush at the end of a run costs nothing worth a candidate.
        return out if repeated else []


def _is_flush(parsed: Parsed, expr: Node) -> bool:
    """Whether ``expr`` is only a flush of stdout: ``cout << flush``, ``cout.flush()``, ``fflush(stdout)``."""
    if expr.type == "binary_expression":
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        return (
            _shift(parsed, expr)
            and left is not None
            and right is not None
            and is_std(parsed, left, "cout")
            and is_std(parsed, right, "flush")
        )
    if expr.type != "call_expression":
        return False
    args = expr.child_by_field_name("arguments")
    arg_nodes = args.named_children if args is not None else []
    method = method_of(parsed, expr)
    if method is not None:
        return method[1] == "flush" and not arg_nodes and is_std(parsed, method[0], "cout")
    return (
        call_name(parsed, expr) == "fflush"
        and len(arg_nodes) == 1
        and arg_nodes[0].type == "identifier"
        and parsed.text(arg_nodes[0]) == "stdout"
    )


def _shift(parsed: Parsed, node: Node) -> bool:
    op = node.child_by_field_name("operator")
    return op is not None and parsed.text(op) == "<<"


class NoFlushInLoop(Rewrite):
    """``cout.flush();``, ``cout << flush;`` or ``fflush(stdout);`` in a loop is removed (also ``<< flush``)."""

    name = "io.no_flush_in_loop"
    why = "each flush is a write system call; without it the buffer is written in large blocks (and at exit)"
    unsafe_when = (
        "the program writes then reads the console (a prompt or an interactive judge), mixes C stdio and iostream "
        "output, exits without flushing, or the flush is the body of an if/loop without braces"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        found: list[tuple[Edit, str]] = []
        for caps in parsed.captures("(compound_statement (expression_statement (_) @expr) @stmt)"):
            stmt, expr = caps["stmt"][0], caps["expr"][0]
            if stmt.named_child_count == 1 and _is_flush(parsed, expr) and in_loop(parsed, stmt):
                found.append((_statement_edit(parsed, stmt), parsed.text(expr)))
        for caps in parsed.captures('(binary_expression left: (binary_expression) @left operator: "<<" right: (_) @f)'):
            left, flush = caps["left"][0], caps["f"][0]
            chained = _shift(parsed, left) and is_std(parsed, stream_root(parsed, left, "<<"), "cout")
            if chained and is_std(parsed, flush, "flush") and in_loop(parsed, flush):
                found.append((Edit(left.end_byte, flush.end_byte, ""), f"<< {parsed.text(flush)}"))
        if not found or not _console_flushes_safely(parsed):
            return []
        # With both kinds of output, which buffer empties when decides the order of the lines.
        c_output = c_stdio_calls(parsed, C_WRITES)
        cout_output = [w for w in console_writes(parsed, parsed.root) if w.type != "call_expression"]
        if c_output and cout_output:
            return []
        return [
            self.match(parsed, [edit], f"drop {flush} inside the loop: let the buffer fill") for edit, flush in found
        ]


REWRITES: list[type[Rewrite]] = [SyncWithStdio, EndlToNewline, NoFlushInLoop]

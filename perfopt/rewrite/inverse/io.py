"""Console I/O run backwards: a flush per line, and iostreams back in lock-step with C stdio.

Both inverses only change when bytes leave the process, never which bytes:
they stay silent wherever that timing shows in the output (C stdio mixed with
iostreams, a child process writing to the same console, an exit that skips the
buffers), and wherever the forward rule would not take the change back.
"""

from __future__ import annotations

from collections.abc import Sequence

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match, apply_edits
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.io import SyncWithStdio, main_body, runs_repeatedly
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.streams import (
    C_OTHER,
    C_READS,
    C_WRITES,
    HARD_EXITS,
    c_stdio_calls,
    interactive,
    is_std,
    macro_words,
    method_of,
    only_std,
    stream_root,
    uses_namespace_std,
)

_NAME_KINDS = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")


def _mentioned(parsed: Parsed, names: frozenset[str]) -> bool:
    return any(parsed.named(n, _NAME_KINDS) for n in names) or bool(macro_words(parsed) & names)


def _flush_timing_shows(parsed: Parsed) -> bool:
    """Whether an extra flush of cout could change the output, or keep the forward rule from removing it."""
    if c_stdio_calls(parsed, HARD_EXITS | frozenset(("system", "popen", "fork"))):
        return True  # buffered output lost at a hard exit, or a child's output interleaved by flush time
    if _mentioned(parsed, frozenset(("sync_with_stdio",))) and c_stdio_calls(parsed, C_WRITES):
        return True  # unsynchronised cout beside printf: the flushes decide the order of the lines
    # An interactive program needs its flushes already; the forward rule leaves its endl alone.
    return interactive(parsed)


def _as_endl(parsed: Parsed, literal: Node, endl: str) -> str | None:
    """What ``'\\n'``, ``"\\n"`` or ``"abc\\n"`` becomes: ``endl`` or ``"abc" << endl``; None for anything else."""
    parts = literal.children
    if len(parts) < 3 or parts[-2].type != "escape_sequence" or parsed.text(parts[-2]) != "\\n":
        return None
    if literal.type == "char_literal":
        return endl if parsed.text(literal) == "'\\n'" else None
    # Only a plain narrow literal: L"..." or u8"..." are other types, and cout may not print them as text.
    if parts[0].type != '"':
        return None
    if len(parts) == 3:
        return endl
    head = parsed.data[literal.start_byte : parts[-2].start_byte].decode("utf-8")
    return f'{head}" << {endl}'


class NewlineToEndl(Inverse):
    """``cout << x << '\\n'`` becomes ``cout << x << endl`` (also ``"\\n"``; ``"abc\\n"`` becomes ``"abc" << endl``)."""

    name = "io.newline_to_endl"
    inverts = "io.endl_to_newline"
    why = "endl flushes cout: a write system call per line instead of one per filled buffer"
    unsafe_when = (
        "the stream is not std::cout, endl is the program's own name or appears in a macro, the program exits "
        "without flushing, starts a child process, mixes printf with unsynchronised cout, or is interactive; "
        "or no newline is in a loop or a function other than main (the forward rule skips a lone flush)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if not only_std(parsed, "endl") or _flush_timing_shows(parsed):
            return []
        endl = "endl" if uses_namespace_std(parsed, file_level=True) else "std::endl"
        out: list[Match] = []
        repeated = False
        pattern = '(binary_expression operator: "<<" right: [(char_literal) (string_literal)] @nl) @shift'
        for caps in parsed.captures(pattern):
            literal, shift = caps["nl"][0], caps["shift"][0]
            if not is_std(parsed, stream_root(parsed, shift, "<<"), "cout"):
                continue
            text = _as_endl(parsed, literal, endl)
            if text is None:
                continue
            edit = Edit(literal.start_byte, literal.end_byte, text)
            out.append(self.match(parsed, [edit], f"end the line on cout with a flushing {endl}"))
            repeated = repeated or runs_repeatedly(parsed, literal)
        return out if repeated else []


#: Streams whose ``tie(nullptr)`` the inverse removes: cin's undoes the forward rule, cout's was a no-op anyway.
_TIED = ("cin", "cout")
_NULLS = frozenset(("0", "nullptr", "NULL"))
_SYNC_NAMES = frozenset(f"{std}{ios}::sync_with_stdio" for std in ("std::", "::std::") for ios in ("ios", "ios_base"))


def _sync_off(parsed: Parsed, call: Node) -> bool:
    """``ios::sync_with_stdio(false)`` in any spelling (``std::ios_base::``, ``cin.``), with ``false`` or ``0``."""
    fn, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if fn is None or args is None or [parsed.text(a) for a in args.named_children] not in (["false"], ["0"]):
        return False
    method = method_of(parsed, call)
    if method is not None:
        return method[1] == "sync_with_stdio" and any(is_std(parsed, method[0], s) for s in _TIED)
    if fn.type != "qualified_identifier":
        return False
    # std::ios::x nests as std::(ios::x): the whole name, spaces and all, is simpler to read as text.
    spelled = "".join(parsed.text(fn).split())
    if spelled in _SYNC_NAMES:
        return True
    return spelled.startswith("ios") and f"std::{spelled}" in _SYNC_NAMES and uses_namespace_std(parsed)


def _untie(parsed: Parsed, call: Node) -> bool:
    """``cin.tie(nullptr)`` (or ``0``/``NULL``; also ``cout.tie(...)``) on the standard streams."""
    method = method_of(parsed, call)
    args = call.child_by_field_name("arguments")
    if method is None or method[1] != "tie" or args is None or len(args.named_children) != 1:
        return False
    return parsed.text(args.named_children[0]) in _NULLS and any(is_std(parsed, method[0], s) for s in _TIED)


def _setup_only(parsed: Parsed, statement: Node) -> bool:
    """Whether ``statement`` does nothing but unsync and untie (``a, b;`` counts too)."""
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return False
    expr, calls = statement.named_children[0], []
    while expr.type == "comma_expression":
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if left is None or right is None:
            return False
        calls.append(left)
        expr = right
    calls.append(expr)
    return all(c.type == "call_expression" and (_sync_off(parsed, c) or _untie(parsed, c)) for c in calls)


def _deletions(parsed: Parsed, statements: Sequence[Node]) -> list[Edit]:
    """Delete ``statements``: neighbours together, with their lines when nothing else (but a comment) is there."""
    runs: list[list[Node]] = []
    for s in statements:
        if runs and runs[-1][-1].next_named_sibling == s:
            runs[-1].append(s)
        else:
            runs.append([s])
    data, edits = parsed.data, []
    for run in runs:
        start, end = run[0].start_byte, run[-1].end_byte
        after = run[-1].next_named_sibling
        # A trailing "// fast io" would be left explaining nothing (and telling the model what was there).
        row = run[-1].end_point[0]
        if after is not None and after.type == "comment" and after.start_point[0] == row == after.end_point[0]:
            end = after.end_byte
        line_start = data.rfind(b"\n", 0, start) + 1
        line_end = data.find(b"\n", end)
        line_end = len(data) if line_end < 0 else line_end
        if not data[line_start:start].strip() and not data[end:line_end].strip():
            edits.append(Edit(line_start, min(line_end + 1, len(data)), ""))
            continue
        while end < len(data) and data[end : end + 1] in (b" ", b"\t"):
            end += 1
        edits.append(Edit(start, end, ""))
    return edits


def _quiet(parsed: Parsed, statement: Node) -> bool:
    """Whether ``statement`` surely does no I/O: a comment, or a declaration of plain numbers that calls nothing.

    A class type is not plain: its constructor might read or write.
    """
    if statement.type == "comment":
        return True
    kind = statement.child_by_field_name("type") if statement.type == "declaration" else None
    if kind is None or kind.type not in ("primitive_type", "sized_type_specifier"):
        return False
    return not any(n.type in ("call_expression", "binary_expression") for n in parsed.walk(statement))


class DropSyncWithStdio(Inverse):
    """``ios::sync_with_stdio(false);`` and ``cin.tie(nullptr);`` at the top of main are removed (any spelling)."""

    name = "io.drop_sync_with_stdio"
    inverts = "io.sync_with_stdio"
    why = (
        "synchronised with C stdio, cout and cin go through stdio a character at a time, and a tied cin flushes "
        "cout before every read"
    )
    unsafe_when = (
        "the program uses C stdio (printf, scanf, getchar, ...) or stdin/stdout, hands the console to a child, "
        "exits without flushing, sets these options in a macro, another function or a nested block, reads or "
        "writes before them, ties a stream to another, or the forward rule would not add them back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        body = main_body(parsed)
        if body is None or not parsed.clean(body):
            return []
        # Unsynchronised, cout's and stdout's buffers empty at different times: with both in use, the order of
        # the lines (or what a hard exit loses) depends on the setting.
        stdio = C_READS | C_WRITES | C_OTHER | HARD_EXITS
        if c_stdio_calls(parsed, stdio) or macro_words(parsed) & stdio:
            return []
        if _mentioned(parsed, frozenset(("stdin", "stdout"))):
            return []
        # The forward rule sees only the names, not methods: cout.rdbuf() reaches the buffer the setting swaps.
        if _mentioned(parsed, frozenset(("rdbuf", "pubsetbuf", "unitbuf", "nounitbuf"))):
            return []
        setup = [s for s in body.named_children if _setup_only(parsed, s)]
        if not setup:
            return []
        # Switched off after the first I/O, libstdc++ keeps what stdio already buffered apart from what follows.
        before = [s for s in body.named_children if s.end_byte <= setup[-1].start_byte and s not in setup]
        if not all(_quiet(parsed, s) for s in before):
            return []
        edits = _deletions(parsed, setup)
        # Whatever is left (a macro, a tie elsewhere, rdbuf, too little I/O) keeps the forward rule silent.
        if not SyncWithStdio().find(Parsed(apply_edits(parsed.source, edits))):
            return []
        reason = "keep iostreams synchronised with C stdio and cin tied to cout"
        return [self.match(parsed, edits, reason, at=setup[0])]


INVERSES: tuple[type[Inverse], ...] = (NewlineToEndl, DropSyncWithStdio)

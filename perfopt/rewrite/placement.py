"""Where new code goes: the indent of a statement's line, and a declaration placed just before a statement.

The loops rewrites hoist a value into a variable declared before the loop;
this module says how to put that declaration there (on its own line in a
block, or in braces wrapped around an unbraced body). It is separate from the
analyses (``purity``, ``purity_lookup``) because it writes edits, not answers.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit
from perfopt.rewrite.parse import Parsed


def indent_of(parsed: Parsed, node: Node) -> str | None:
    """The whitespace before ``node`` on its line, or None when code precedes it there."""
    start = parsed.data.rfind(b"\n", 0, node.start_byte) + 1
    before = parsed.data[start : node.start_byte].decode("utf-8")
    return before if before.strip() == "" else None


def insert_before_statement(parsed: Parsed, statement: Node, text: str) -> list[Edit] | None:
    """Edits that run ``text`` (a declaration) just before ``statement`` in the same scope; None where impossible.

    In a block it goes on its own line; where the statement is the unbraced
    body of an if/for/while (or follows a case label) the two are wrapped in braces.
    """
    parent = statement.parent
    if parent is None:
        return None
    if parent.type == "compound_statement":
        indent = indent_of(parsed, statement)
        sep = f"\n{indent}" if indent is not None else " "
        return [Edit(statement.start_byte, statement.start_byte, f"{text}{sep}")]
    if parent.type in (
        "for_statement",
        "while_statement",
        "if_statement",
        "else_clause",
        "do_statement",
        "case_statement",
        "for_range_loop",
    ):
        return [
            Edit(statement.start_byte, statement.start_byte, "{ " + text + " "),
            Edit(statement.end_byte, statement.end_byte, " }"),
        ]
    return None

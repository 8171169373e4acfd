"""tree-sitter's C++ grammar, and the few node helpers every rewrite needs.

Structure comes from the parse tree, never from regular expressions. A region
that tree-sitter could parse only with an ERROR (or MISSING) node is off limits:
:meth:`Parsed.clean` says whether a node's top-level declaration parsed cleanly,
so a file that parses only in part still gets rewrites in its clean parts.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from functools import cache, cached_property

import tree_sitter_cpp
from tree_sitter import Language, Node, Parser, Query, QueryCursor

_NAMED = ("identifier", "field_identifier", "type_identifier", "namespace_identifier")


@cache
def language() -> Language:
    return Language(tree_sitter_cpp.language())


@cache
def _query(pattern: str) -> Query:
    return Query(language(), pattern)


class Parsed:
    """A source, its bytes and its parse tree."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.data = source.encode("utf-8")
        self.tree = Parser(language()).parse(self.data)
        self.root = self.tree.root_node
        self._line_starts = [0] + [i + 1 for i, b in enumerate(self.data) if b == 0x0A]

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8")

    def line_of(self, byte: int) -> int:
        return bisect.bisect_right(self._line_starts, byte)

    def top_level(self, node: Node) -> Node:
        """The declaration or function at file (or namespace) level that holds ``node``."""
        current = node
        while current.parent is not None and current.parent.type not in ("translation_unit", "declaration_list"):
            current = current.parent
        return current

    def clean(self, node: Node) -> bool:
        """Whether ``node`` lies in a top-level item that parsed without ERROR or MISSING nodes."""
        return not self.top_level(node).has_error

    def captures(self, pattern: str, node: Node | None = None) -> list[dict[str, list[Node]]]:
        """Each match of a tree-sitter query, as a dict of capture name to nodes; only in clean regions."""
        found = QueryCursor(_query(pattern)).matches(node or self.root)
        out = []
        for _, caps in found:
            nodes = [n for ns in caps.values() for n in ns]
            if nodes and all(self.clean(n) for n in nodes):
                out.append(caps)
        return out

    def walk(self, node: Node | None = None) -> Iterator[Node]:
        """Every node beneath ``node`` (the whole tree by default), in document order."""
        stack = [node or self.root]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    def enclosing(self, node: Node, *types: str) -> Node | None:
        current = node.parent
        while current is not None and current.type not in types:
            current = current.parent
        return current

    def function_of(self, node: Node) -> Node | None:
        return self.enclosing(node, "function_definition", "lambda_expression")

    @cached_property
    def _names(self) -> dict[str, list[Node]]:
        # One walk per file: rewrites ask about names thousands of times on a long file.
        index: dict[str, list[Node]] = {}
        for n in self.walk():
            if n.type in _NAMED:
                index.setdefault(self.text(n), []).append(n)
        return index

    def named(self, name: str, types: tuple[str, ...] = ("identifier", "field_identifier")) -> list[Node]:
        """Every identifier spelled ``name`` in the file, in document order."""
        return [n for n in self._names.get(name, []) if n.type in types]

    def identifiers(self, node: Node, name: str) -> list[Node]:
        """Every use of the identifier ``name`` beneath ``node``."""
        return [
            n
            for n in self._names.get(name, [])
            if n.type == "identifier" and node.start_byte <= n.start_byte and n.end_byte <= node.end_byte
        ]

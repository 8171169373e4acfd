"""tree-sitter's C++ grammar, and the few node helpers every rewrite needs.

Structure comes from the parse tree, never from regular expressions. A region
that tree-sitter could parse only with an ERROR (or MISSING) node is off limits:
:meth:`Parsed.clean` says whether a node's top-level declaration parsed cleanly,
so a file that parses only in part still gets rewrites in its clean parts.
Uses of loop macros (``rep(i, n)``) are parsed as ``for`` headers of the same
length (``perfopt.rewrite.macros``); those headers are off limits too.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from functools import cache, cached_property

import tree_sitter_cpp
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from perfopt.rewrite import macros

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
        parser = Parser(language())
        tree = parser.parse(self.data)
        #: Loop-macro uses the parser read as ``for`` headers: sorted, disjoint, each as long as the text.
        self.masks = macros.masks(tree.root_node, self.data, parser)
        if self.masks:
            tree = parser.parse(macros.apply(self.data, self.masks))
        self._mask_ends = [m.end for m in self.masks]
        self.tree = tree
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
        """Whether ``node`` lies in a top-level item that parsed without ERROR or MISSING nodes, and is
        neither a masked loop-macro header, nor inside one, nor the loop it heads."""
        if self.top_level(node).has_error:
            return False
        i = bisect.bisect_right(self._mask_ends, node.start_byte)
        while i < len(self.masks) and self.masks[i].start < node.end_byte:
            mask = self.masks[i]
            if not (node.start_byte <= mask.start and mask.end <= node.end_byte):
                return False  # part of the header: its text is the macro's arguments, not a for header
            if node.type == "for_statement" and node.start_byte == mask.start:
                return False  # the loop itself: its header means what the macro means, not what was parsed
            i += 1
        return True

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

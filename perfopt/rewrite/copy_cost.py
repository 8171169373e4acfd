"""What copying a type costs: a ``std::vector<std::string>`` (a heap copy) or an ``int`` (nothing).

Follows the file's typedefs, ``using`` aliases and structs, so that ``vl``
(``typedef vector<long long> vl;``) or a struct holding a string counts as
costly, and a struct of two ints does not. Unknown types count as cheap, so
a rewrite that needs "costly" stays silent on them.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Standard types whose copy allocates or copies a whole structure.
_CONTAINERS = _words(
    """vector deque list forward_list map multimap set multiset unordered_map unordered_set
    unordered_multimap unordered_multiset basic_string priority_queue queue stack valarray"""
)
_STRINGS = frozenset(["string", "wstring", "u16string", "u32string"])
_WRAPPERS = frozenset(["pair", "tuple", "optional"])
#: Elements per std::array or C array member from which a copy is worth avoiding.
_BIG_ARRAY = 16


class TypeIndex:
    """The file's typedefs, ``using`` aliases and structs, to judge what copying a type costs."""

    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.aliases: dict[str, Node] = {}
        self.structs: dict[str, Node] = {}
        for node in parsed.walk():
            if node.type == "type_definition":
                target = node.child_by_field_name("type")
                for d in node.children_by_field_name("declarator"):
                    if d.type == "type_identifier" and target is not None:
                        self.aliases[parsed.text(d)] = target
            elif node.type == "alias_declaration":
                name, target = node.child_by_field_name("name"), node.child_by_field_name("type")
                if name is not None and target is not None:
                    self.aliases[parsed.text(name)] = target
            elif node.type in ("struct_specifier", "class_specifier"):
                name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
                if name is not None and body is not None:
                    self.structs[parsed.text(name)] = body

    def resolve(self, node: Node, depth: int = 0) -> Node:
        """The type behind typedefs, aliases, ``std::`` and type descriptors."""
        while depth < 8:
            depth += 1
            if node.type == "type_descriptor" and (inner := node.child_by_field_name("type")) is not None:
                node = inner
            elif node.type == "qualified_identifier" and _std_scope(self.parsed, node):
                node = node.child_by_field_name("name") or node
            elif node.type == "type_identifier" and self.parsed.text(node) in self.aliases:
                node = self.aliases[self.parsed.text(node)]
            else:
                break
        return node

    def arguments(self, node: Node) -> list[Node]:
        args = node.child_by_field_name("arguments")
        return [a for a in args.named_children if a.type == "type_descriptor"] if args is not None else []

    def std_container(self, node: Node) -> bool:
        node = self.resolve(node)
        name = node.child_by_field_name("name") if node.type == "template_type" else node
        return name is not None and self.parsed.text(name) in _CONTAINERS | _STRINGS

    def costly(self, node: Node, depth: int = 0) -> bool:
        """Whether copying a value of type ``node`` allocates or copies much memory."""
        if depth > 6:
            return False
        node = self.resolve(node)
        text = self.parsed.text(node)
        if node.type == "type_identifier":
            if text in _STRINGS:
                return True
            body = self.structs.get(text)
            return body is not None and self._struct_costly(body, depth)
        if node.type != "template_type":
            return False
        name_node = node.child_by_field_name("name")
        name = self.parsed.text(name_node) if name_node is not None else ""
        args = self.arguments(node)
        if name in _CONTAINERS:
            return True
        if name in _WRAPPERS:
            return any(self.costly(a, depth + 1) for a in args)
        if name == "array" and len(args) == 1:
            size = node.child_by_field_name("arguments")
            last = size.named_children[-1] if size is not None and size.named_children else None
            big = last is not None and last.type == "number_literal" and _number(self.parsed.text(last)) >= _BIG_ARRAY
            return big or self.costly(args[0], depth + 1)
        return False

    def _struct_costly(self, body: Node, depth: int) -> bool:
        for field in body.named_children:
            if field.type != "field_declaration" or any(c.type == "storage_class_specifier" for c in field.children):
                continue
            declarators = field.children_by_field_name("declarator")
            if any(d.type == "function_declarator" for d in declarators):
                continue
            type_node = field.child_by_field_name("type")
            if type_node is not None and self.costly(type_node, depth + 1):
                return True
            for d in declarators:
                size = d.child_by_field_name("size") if d.type == "array_declarator" else None
                if size is not None and size.type == "number_literal" and _number(self.parsed.text(size)) >= _BIG_ARRAY:
                    return True
        return False

    def element_costly(self, node: Node) -> bool | None:
        """Whether copying one element of a container of type ``node`` is costly; None when not a known container."""
        node = self.resolve(node)
        if node.type == "type_identifier" and self.parsed.text(node) in _STRINGS:
            return False
        if node.type != "template_type":
            return None
        name_node = node.child_by_field_name("name")
        name = self.parsed.text(name_node) if name_node is not None else ""
        args = self.arguments(node)
        if name in ("map", "multimap", "unordered_map", "unordered_multimap") and len(args) >= 2:
            return self.costly(args[0]) or self.costly(args[1])
        if name in _CONTAINERS | {"array"} and args:
            return self.costly(args[0])
        return None

    def element(self, node: Node) -> Node | None:
        """The element type of a sequence container (what ``v[i]`` is), or None."""
        node = self.resolve(node)
        name_node = node.child_by_field_name("name") if node.type == "template_type" else None
        args = self.arguments(node)
        if name_node is None or not args:
            return None
        name = self.parsed.text(name_node)
        if name in ("vector", "deque", "array", "valarray"):
            return args[0]
        if name in ("map", "unordered_map") and len(args) >= 2:
            return args[1]
        return None

    def iterated(self, node: Node) -> Node | None:
        """The element type a range-for over a sequence or set of type ``node`` visits, or None (maps too)."""
        node = self.resolve(node)
        name_node = node.child_by_field_name("name") if node.type == "template_type" else None
        args = self.arguments(node)
        sequences = ("vector", "deque", "list", "forward_list", "array", "valarray")
        sets = ("set", "multiset", "unordered_set", "unordered_multiset")
        if name_node is None or not args or self.parsed.text(name_node) not in sequences + sets:
            return None
        return args[0]

    def same(self, a: Node, b: Node) -> bool:
        """Whether two type nodes spell the same type, up to ``std::``, spaces and a top-level alias."""
        return _normal(self.parsed.text(self.resolve(a))) == _normal(self.parsed.text(self.resolve(b)))

    def head(self, node: Node) -> str:
        """``vector`` for ``std::vector<int>`` (through aliases), ``string`` for ``string``."""
        node = self.resolve(node)
        name = node.child_by_field_name("name") if node.type == "template_type" else node
        return self.parsed.text(name) if name is not None else ""

    def names(self, node: Node, depth: int = 0) -> set[str]:
        """Every type name a type mentions, through aliases and struct members: what its objects may hold."""
        found: set[str] = set()
        if depth > 6:
            return found
        stack = [node]
        while stack:
            n = stack.pop()
            stack.extend(n.children)
            if n.type != "type_identifier":
                continue
            text = self.parsed.text(n)
            found.add(text)
            if text in self.aliases:
                found |= self.names(self.aliases[text], depth + 1)
            elif text in self.structs:
                for field in self.structs[text].named_children:
                    if field.type == "field_declaration" and (t := field.child_by_field_name("type")) is not None:
                        found |= self.names(t, depth + 1)
        if found & {"map", "multimap", "unordered_map", "unordered_multimap"}:
            found.add("pair")  # their elements are pairs
        return found


_INDEXES: WeakKeyDictionary[Parsed, TypeIndex] = WeakKeyDictionary()


def type_index(parsed: Parsed) -> TypeIndex:
    """The file's TypeIndex, built once per parse."""
    if parsed not in _INDEXES:
        _INDEXES[parsed] = TypeIndex(parsed)
    return _INDEXES[parsed]


def _std_scope(parsed: Parsed, node: Node) -> bool:
    scope = node.child_by_field_name("scope")
    return scope is not None and parsed.text(scope) == "std"


def _normal(text: str) -> str:
    return "".join(text.replace("std::", "").split())


def _number(text: str) -> int:
    try:
        return int(text.rstrip("uUlL"), 0)
    except ValueError:
        return 0

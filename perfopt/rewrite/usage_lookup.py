"""Which declaration a name refers to, and which function a call may reach: the lookups behind ``usage``.

``usage.classify`` says what a use does to a variable; before it can be asked,
the copies rewrites need to know which uses are uses of *that* variable. This
module answers the lookup questions: whether two nodes are the same, whether
an identifier is the name a declarator introduces, the declaration an
identifier refers to (seeing the block-scope ``vector<int> a(n);`` that
tree-sitter parses as a function declaration), the variable an expression such
as ``g[u].adj`` belongs to, whether a use sits in a nested lambda, and every
declaration of a function by name. It is separate because none of it asks
whether a use reads or writes.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declaration_of

#: Expressions whose value is their operand's: classified (and looked through) like it.
TRANSPARENT = ("parenthesized_expression",)


def same(a: Node | None, b: Node | None) -> bool:
    """Whether two nodes are the same node of the tree."""
    return a is not None and b is not None and (a.start_byte, a.end_byte, a.type) == (b.start_byte, b.end_byte, b.type)


def inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def is_declared_name(node: Node) -> bool:
    """Whether ``node`` is the name a declarator introduces, rather than a use."""
    current = node
    while current.parent is not None and current.parent.type in (
        "init_declarator",
        "reference_declarator",
        "pointer_declarator",
        "array_declarator",
        "structured_binding_declarator",
    ):
        if current.parent.type == "init_declarator" and not same(
            current.parent.child_by_field_name("declarator"), current
        ):
            return False
        if current.parent.type == "array_declarator" and not same(
            current.parent.child_by_field_name("declarator"), current
        ):
            return False
        current = current.parent
    parent = current.parent
    return parent is not None and (
        same(parent.child_by_field_name("declarator"), current) or current.type == "structured_binding_declarator"
    )


def _vexing(parsed: Parsed, node: Node, name: str) -> bool:
    """Whether ``node`` is ``vector<int> name(n);`` in a block, which tree-sitter parses as a function declaration."""
    if node.type != "declaration":
        return False
    declarators = node.children_by_field_name("declarator")
    inner = declarators[0].child_by_field_name("declarator") if len(declarators) == 1 else None
    return declarators[0].type == "function_declarator" and inner is not None and parsed.text(inner) == name


def declaration(parsed: Parsed, ident: Node) -> Node | None:
    """``types.declaration_of``, but also seeing block-scope ``T name(args);`` (see ``_vexing``)."""
    found = declaration_of(parsed, ident)
    name = parsed.text(ident)
    child, scope = ident, ident.parent
    while scope is not None:
        if scope.type == "compound_statement":
            vexing = [c for c in scope.named_children if c.start_byte < child.start_byte and _vexing(parsed, c, name)]
            if vexing:
                nearest = vexing[-1]
                if found is not None and inside(found, scope) and found.start_byte > nearest.start_byte:
                    return found
                return nearest
        if found is not None and inside(found, scope):
            return found
        child, scope = scope, scope.parent
    return found


def in_nested_lambda(parsed: Parsed, node: Node, home: Node | None) -> bool:
    """Whether ``node`` sits in a lambda inside ``home`` (so it may run later, or through a capture)."""
    function = parsed.function_of(node)
    while function is not None and not same(function, home):
        if function.type == "lambda_expression":
            return True
        function = parsed.function_of(function)
    return False


def root_identifier(expr: Node) -> Node | None:
    """``g`` in ``g[u]``, ``g[u][v]``, ``g.adj``, ``(g)``: the variable whose storage the expression is part of."""
    current: Node | None = expr
    while current is not None and current.type != "identifier":
        if current.type in ("subscript_expression", "field_expression"):
            if current.type == "field_expression" and parsed_operator(current) == "->":
                return None
            current = current.child_by_field_name("argument")
        elif current.type in TRANSPARENT:
            current = current.named_children[0] if current.named_children else None
        else:
            return None
    return current


def parsed_operator(node: Node) -> str:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else ""


_FUNCTIONS: WeakKeyDictionary[Parsed, dict[str, list[Node]]] = WeakKeyDictionary()


def functions_named(parsed: Parsed, name: str) -> list[Node]:
    """Every function_declarator (definition or prototype) in the file whose name is ``name``."""
    if parsed not in _FUNCTIONS:
        table: dict[str, list[Node]] = {}
        for node in parsed.walk():
            inner = node.child_by_field_name("declarator") if node.type == "function_declarator" else None
            if inner is not None and inner.type in ("identifier", "field_identifier"):
                table.setdefault(parsed.text(inner), []).append(node)
        _FUNCTIONS[parsed] = table
    return _FUNCTIONS[parsed].get(name, [])

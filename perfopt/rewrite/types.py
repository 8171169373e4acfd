"""Which declaration an identifier refers to, and its type's text: enough scope analysis for safe rewrites.

Not a compiler: it follows block scopes, parameters, for-loop headers and
file-level declarations, which is what the rewrites need to tell a
``std::string`` from an ``int``. When in doubt it answers None, and a rewrite
then leaves the code alone.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed

_DECLARATIONS = (
    "declaration",
    "parameter_declaration",
    "optional_parameter_declaration",
    "field_declaration",
    "for_range_loop",
)
_WRAPPERS = (
    "init_declarator",
    "reference_declarator",
    "pointer_declarator",
    "array_declarator",
    "parenthesized_declarator",
)


def declarator_name(declarator: Node) -> Node | None:
    """The identifier a declarator introduces (``x`` in ``*x``, ``&x``, ``x[3]``, ``x = 1``)."""
    current: Node | None = declarator
    while current is not None and current.type in _WRAPPERS:
        inner = current.child_by_field_name("declarator")
        if inner is None:  # reference_declarator has no field name for its child
            inner = next((c for c in current.named_children if c.type != "type_qualifier"), None)
        current = inner
    return current if current is not None and current.type in ("identifier", "field_identifier") else None


def declared_names(decl: Node) -> list[Node]:
    return [n for d in decl.children_by_field_name("declarator") if (n := declarator_name(d)) is not None]


def _declares(parsed: Parsed, decl: Node, name: str) -> bool:
    return any(parsed.text(n) == name for n in declared_names(decl))


def declaration_of(parsed: Parsed, ident: Node) -> Node | None:
    """The nearest visible declaration of ``ident``'s name, or None."""
    name = parsed.text(ident)
    child, scope = ident, ident.parent
    while scope is not None:
        candidates: list[Node] = []
        if scope.type in ("compound_statement", "translation_unit", "declaration_list", "field_declaration_list"):
            # Only declarations before the use (file-level and class members: all of them).
            before = scope.type in ("compound_statement",)
            candidates = [c for c in scope.named_children if c.type in _DECLARATIONS]
            if before:
                candidates = [c for c in candidates if c.start_byte < child.start_byte]
            candidates.reverse()
        elif scope.type in ("for_statement",):
            init = scope.child_by_field_name("initializer")
            candidates = [init] if init is not None and init.type == "declaration" else []
        elif scope.type == "for_range_loop":
            candidates = [scope]
        elif scope.type == "function_definition":
            params = _parameters(scope)
            candidates = [p for p in params.named_children if p.type in _DECLARATIONS] if params else []
        for decl in candidates:
            if _declares(parsed, decl, name):
                return decl
        child, scope = scope, scope.parent
    return None


def _parameters(function: Node) -> Node | None:
    declarator = function.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    return declarator.child_by_field_name("parameters") if declarator is not None else None


def declared_type(parsed: Parsed, ident: Node) -> str | None:
    """The type text of ``ident``'s declaration (``std::vector<int>``), without its declarator; None if unknown."""
    decl = declaration_of(parsed, ident)
    if decl is None:
        return None
    node = decl.child_by_field_name("type")
    return parsed.text(node) if node is not None else None

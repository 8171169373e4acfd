"""The per-file index and declaration lookups behind ``purity``: one walk of a file, and what it declares.

``purity`` asks what an expression does; this module answers, for it and for
the loops and math rewrites, where things are and what they are: every
occurrence of a name (from one cached walk of the file), the functions,
macros and includes the file declares, which declaration an identifier refers
to (``vector<int> a(n);`` included), whether a type is integral (through
typedefs) or a container, whether a variable is a plain local, and a name no
token of the file spells yet. It is separate because these are lookups, with
no notion of a side effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tree_sitter import Node

from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declaration_of, declarator_name

#: Standard types whose constructors copy their arguments (``vector<int> a(n)`` reads n).
COPYING_TYPES = re.compile(
    r"\b(vector|string|deque|set|map|unordered_map|unordered_set|multiset|multimap|bitset|array|list)\b"
)
_INTEGRAL_WORDS = frozenset({"int", "long", "short", "unsigned", "signed", "char"})
_INTEGRAL_ALIASES = frozenset("size_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t".split())  # noqa: SIM905


@dataclass(frozen=True)
class _Index:
    """One walk of a file, so that the per-loop questions do not each walk it again."""

    words: frozenset[str]
    identifiers: dict[str, list[Node]]
    type_identifiers: dict[str, list[Node]]
    functions: dict[str, list[Node]]  # function_declarator nodes by name
    macros: frozenset[str]
    includes: frozenset[str]  # "vector", "bits/stdc++.h"
    user: frozenset[str]


@lru_cache(maxsize=8)
def _index(parsed: Parsed) -> _Index:
    words: set[str] = set()
    identifiers: dict[str, list[Node]] = {}
    type_identifiers: dict[str, list[Node]] = {}
    functions: dict[str, list[Node]] = {}
    defined: set[str] = set()
    includes: set[str] = set()
    for node in parsed.walk():
        if node.child_count == 0 or node.type.endswith("identifier"):
            words.add(parsed.text(node))
        if node.type == "identifier":
            identifiers.setdefault(parsed.text(node), []).append(node)
        elif node.type == "type_identifier":
            type_identifiers.setdefault(parsed.text(node), []).append(node)
        elif node.type == "function_declarator":
            target = node.child_by_field_name("declarator")
            if target is not None and target.type == "qualified_identifier":
                target = target.child_by_field_name("name")
            if target is not None:
                functions.setdefault(parsed.text(target), []).append(node)
        elif node.type in ("preproc_def", "preproc_function_def"):
            name = node.child_by_field_name("name")
            if name is not None:
                defined.add(parsed.text(name))
        elif node.type == "preproc_include":
            path = node.child_by_field_name("path")
            if path is not None:
                includes.add(parsed.text(path).strip('<>"'))
    return _Index(
        frozenset(words),
        identifiers,
        type_identifiers,
        functions,
        frozenset(defined),
        frozenset(includes),
        frozenset(functions) | frozenset(defined),
    )


def macros(parsed: Parsed) -> frozenset[str]:
    return _index(parsed).macros


def includes(parsed: Parsed) -> frozenset[str]:
    """What the file #includes, anywhere: ``vector``, ``bits/stdc++.h``."""
    return _index(parsed).includes


def occurrences(parsed: Parsed, name: str, region: Node) -> list[Node]:
    """Every identifier ``name`` in ``region``, like Parsed.identifiers but from the file's index."""
    return [n for n in _index(parsed).identifiers.get(name, []) if region.start_byte <= n.start_byte < region.end_byte]


def type_identifiers(parsed: Parsed, name: str) -> list[Node]:
    """Every type_identifier ``name`` in the file, from the file's index."""
    return _index(parsed).type_identifiers.get(name, [])


def function_declarators(parsed: Parsed, name: str) -> list[Node]:
    """Every declaration or definition of a function ``name`` in the file."""
    return _index(parsed).functions.get(name, [])


def user_functions(parsed: Parsed) -> frozenset[str]:
    """Names this file declares as functions or macros: a standard name among them is not the standard one."""
    return _index(parsed).user


def types_redefined(parsed: Parsed) -> bool:
    """``#define int long long`` and the like: built-in type names no longer mean what they say."""
    return bool(_index(parsed).macros & (_INTEGRAL_WORDS | {"float", "double", "bool"}))


def fresh_name(parsed: Parsed, base: str, taken: set[str] | None = None) -> str:
    """``base``, or ``base_2``, ``base_3``...: the first that no token in the file spells (so nothing is shadowed)."""
    words = _index(parsed).words | (taken or set())
    candidate, i = base, 1
    while candidate in words:
        i += 1
        candidate = f"{base}_{i}"
    return candidate


def is_integral_type(parsed: Parsed, text: str | None, depth: int = 0) -> bool:
    """Whether a declared type's text names a built-in integer type (through a file-level typedef too)."""
    if text is None:
        return False
    words = [w for w in text.replace("std::", "").split() if w not in ("const", "static", "register")]
    if not words:
        return False
    if all(w in _INTEGRAL_WORDS for w in words):
        return True
    if len(words) == 1 and words[0] in _INTEGRAL_ALIASES:
        return True
    if len(words) == 1:
        target = _alias_of(parsed, words[0])
        return target is not None and depth < 8 and is_integral_type(parsed, target, depth + 1)
    return False


def _alias_of(parsed: Parsed, name: str) -> str | None:
    """The type text a file-level ``typedef T name;`` or ``using name = T;`` names."""
    for node in parsed.root.named_children:
        if node.type == "type_definition":
            declarator, kind = node.child_by_field_name("declarator"), node.child_by_field_name("type")
            if declarator is not None and kind is not None and parsed.text(declarator) == name:
                return parsed.text(kind)
        elif node.type == "alias_declaration":
            alias, kind = node.child_by_field_name("name"), node.child_by_field_name("type")
            if alias is not None and kind is not None and parsed.text(alias) == name:
                return parsed.text(kind)
    return None


def find_declaration(parsed: Parsed, ident: Node) -> Node | None:
    """declaration_of, plus local ``vector<int> a(n);`` declarations, which tree-sitter reads as functions."""
    found = declaration_of(parsed, ident)
    if found is not None:
        return found
    name, child, scope = parsed.text(ident), ident, ident.parent
    while scope is not None:
        if scope.type == "compound_statement":
            for decl in reversed(
                [c for c in scope.named_children if c.type == "declaration" and c.start_byte < child.start_byte]
            ):
                for d in decl.children_by_field_name("declarator"):
                    target = d.child_by_field_name("declarator") if d.type == "function_declarator" else None
                    if target is not None and target.type == "identifier" and parsed.text(target) == name:
                        return decl
        child, scope = scope, scope.parent
    return None


def container_variable(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` is a variable of a standard container type or a C array: iterating it has no side effect."""
    decl = find_declaration(parsed, ident)
    kind = decl.child_by_field_name("type") if decl is not None else None
    if decl is None or kind is None:
        return False
    if COPYING_TYPES.search(parsed.text(kind)) is not None:
        return True
    name = parsed.text(ident)
    mine = [
        d for d in decl.children_by_field_name("declarator") if (n := declarator_name(d)) and parsed.text(n) == name
    ]
    return any(n.type == "array_declarator" for d in mine for n in parsed.walk(d))


def is_local(parsed: Parsed, ident: Node) -> bool:
    """Whether ``ident`` names a non-static, non-reference local variable or value parameter of its function."""
    decl = declaration_of(parsed, ident)
    if decl is None or decl.type not in ("declaration", "parameter_declaration", "optional_parameter_declaration"):
        return False
    if parsed.enclosing(decl, "function_definition", "lambda_expression") is None:
        return False
    if any(
        c.type in ("storage_class_specifier", "type_qualifier")
        and parsed.text(c) in ("static", "extern", "volatile", "thread_local")
        for c in decl.children
    ):
        return False
    name = parsed.text(ident)
    for declarator in decl.children_by_field_name("declarator"):
        target = declarator.child_by_field_name("declarator") if declarator.type == "init_declarator" else declarator
        if target is not None and target.type == "identifier" and parsed.text(target) == name:
            return True
    return False

"""Side effects, for the containers rewrites: whether an expression is pure, and whether a variable may
change in a region (written, read into, aliased, or reached by a call).

Conservative by design: anything it cannot classify counts as a write (or as impure).
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    ITERATOR_METHODS,
    PURE_FUNCTIONS,
    READ_METHODS,
    SCALARS,
    STREAMS,
    VALUE_ARG_METHODS,
    callee_name,
    container_of,
    find_declaration,
    outer,
    scalar_type,
    sized_variable,
    unparen,
)
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declarator_name


def is_pure(parsed: Parsed, node: Node) -> bool:
    """Whether evaluating ``node`` twice, or once fewer, can change nothing (no writes, no insertions)."""
    for n in parsed.walk(node):
        if n.type in ("assignment_expression", "update_expression", "lambda_expression", "new_expression"):
            return False
        if n.type in ("delete_expression", "comma_expression", "throw_expression", "co_await_expression"):
            return False
        if n.type == "call_expression":
            name = callee_name(parsed, n)
            if name is None or not (name in PURE_FUNCTIONS or name in {".size", ".length", ".empty"}):
                return False
        if n.type == "subscript_expression":
            base = unparen(n.child_by_field_name("argument") or n)
            if base.type != "identifier":
                if base.type != "subscript_expression":
                    return False
                continue
            # m[k] inserts into a map; a class type may have any operator[]; a C array of scalars is plain.
            c = container_of(parsed, base)
            if c is not None and c.kind not in ("vector", "string", "deque", "array"):
                return False
            if c is None and scalar_type(parsed, _type_node(parsed, base) or base) not in SCALARS:
                return False
    return True


def _type_node(parsed: Parsed, ident: Node) -> Node | None:
    decl = find_declaration(parsed, ident)
    return decl.child_by_field_name("type") if decl is not None else None


def is_global(parsed: Parsed, ident: Node) -> bool:
    decl = find_declaration(parsed, ident)
    return decl is None or decl.parent is None or decl.parent.type in ("translation_unit", "declaration_list")


def calls_unknown(parsed: Parsed, region: Node) -> bool:
    """Whether ``region`` calls something that may touch variables it is not handed: a user function,
    a lambda, a method of a user type."""
    for n in parsed.walk(region):
        if n.type != "call_expression":
            continue
        name = callee_name(parsed, n)
        if name is not None and name.startswith("."):
            fn = n.child_by_field_name("function")
            obj = fn.child_by_field_name("argument") if fn is not None else None
            known = obj is not None and obj.type == "identifier"
            if not (known and obj is not None and (parsed.text(obj) in STREAMS or sized_variable(parsed, obj))):
                return True
        elif name is None or name not in PURE_FUNCTIONS | {"printf", "puts"}:
            return True
    return False


def is_written(parsed: Parsed, variable: Node, region: Node) -> bool:
    """Whether the variable that identifier ``variable`` names may change in ``region``: assigned, incremented,
    read into, aliased, or handed to something that might write it (a call, or any user function when the
    variable is global or captured by a lambda)."""
    name = parsed.text(variable)
    for ident in parsed.identifiers(region, name):
        node = _accessed(parsed, outer(ident))
        if node is None:
            return True
        if _writes(parsed, node):
            return True
    decl = find_declaration(parsed, variable)
    if decl is not None and decl.type == "for_range_loop":
        # for (auto& x : a): x changes when a's elements do.
        right = decl.child_by_field_name("right")
        declarator = decl.child_by_field_name("declarator")
        by_reference = right is not None and declarator is not None and declarator.type == "reference_declarator"
        if by_reference and any(is_written(parsed, r, region) for r in parsed.walk(right) if r.type == "identifier"):
            return True
    elif decl is not None and decl.type == "parameter_declaration" and _declares_reference(decl):
        # A reference parameter may name a global the region writes.
        return calls_unknown(parsed, region) or _writes_global(parsed, region)
    elif aliased(parsed, variable):
        return True
    shared = is_global(parsed, variable) or _captured(parsed, name, region)
    return shared and calls_unknown(parsed, region)


def _accessed(parsed: Parsed, node: Node) -> Node | None:
    """The largest expression that designates (part of) the variable at ``node``: ``v[i].first``, ``v.at(i)``,
    ``*p``; None when a member call there may write it (or hands out an iterator that could)."""
    while (parent := node.parent) is not None:
        if parent.type == "pointer_expression" and parsed.text(parent.children[0]) == "*":
            node = outer(parent)
        elif parent.type not in ("subscript_expression", "field_expression"):
            return node
        elif parent.child_by_field_name("argument") != node:
            return node  # an index: only read
        elif (
            parent.type == "field_expression" and (call := parent.parent) is not None and call.type == "call_expression"
        ):
            field = parent.child_by_field_name("field")
            method = parsed.text(field) if field is not None else ""
            if method not in READ_METHODS or method in ITERATOR_METHODS:
                return None
            node = outer(call)  # at/front/back return a reference that may be assigned
        else:
            node = outer(parent)
    return node


def _writes(parsed: Parsed, node: Node) -> bool:
    """Whether the context of expression ``node`` may change it."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "assignment_expression" and parent.child_by_field_name("left") == node:
        return True
    if parent.type == "update_expression":
        return True
    if parent.type == "pointer_expression" and parsed.text(parent.children[0]) == "&":
        return True
    if parent.type == "binary_expression" and parsed.text(parent.children[1]) == ">>":
        return parent.child_by_field_name("right") == node  # cin >> x
    if parent.type == "argument_list" and parent.parent is not None and parent.parent.type == "call_expression":
        callee = callee_name(parsed, parent.parent)
        if callee is not None and (callee in PURE_FUNCTIONS or callee[1:] in VALUE_ARG_METHODS):
            return False
        return callee is None or not _by_value(parsed, callee, parent.named_children.index(node))
    if parent.type == "init_declarator" and parent.child_by_field_name("value") == node:
        return (parent.child_by_field_name("declarator") or parent).type == "reference_declarator"
    if parent.type == "for_range_loop" and parent.child_by_field_name("right") == node:
        return (parent.child_by_field_name("declarator") or parent).type == "reference_declarator"
    return False


def _by_value(parsed: Parsed, function: str, index: int) -> bool:
    """Whether every function of the file named ``function`` takes its parameter ``index`` by value."""
    found = False
    for item in parsed.root.named_children:
        if item.type == "template_declaration":
            item = next((c for c in item.named_children if c.type in ("function_definition", "declaration")), item)
        declarator = (
            item.child_by_field_name("declarator") if item.type in ("function_definition", "declaration") else None
        )
        while declarator is not None and declarator.type in ("reference_declarator", "pointer_declarator"):
            declarator = next((c for c in declarator.named_children if c.type.endswith("declarator")), None)
        if declarator is None or declarator.type != "function_declarator":
            continue
        name, params = declarator.child_by_field_name("declarator"), declarator.child_by_field_name("parameters")
        if name is None or params is None or parsed.text(name) != function:
            continue
        plist = params.named_children
        if index >= len(plist) or plist[index].type not in ("parameter_declaration", "optional_parameter_declaration"):
            return False
        param = plist[index]
        inner = param.child_by_field_name("declarator")
        const = any(c.type == "type_qualifier" and parsed.text(c) == "const" for c in param.children)
        by_value = inner is None or inner.type in ("identifier", "init_declarator")
        if not by_value and not (const and inner is not None and inner.type == "reference_declarator"):
            return False  # a pointer or a non-const reference: the callee may write through it
        found = True
    return found


def _declares_reference(decl: Node) -> bool:
    declarator = decl.child_by_field_name("declarator")
    return declarator is not None and declarator.type == "reference_declarator"


def _writes_global(parsed: Parsed, region: Node) -> bool:
    for n in parsed.walk(region):
        target = None
        if n.type == "assignment_expression":
            target = n.child_by_field_name("left")
        elif n.type == "update_expression":
            target = n.child_by_field_name("argument")
        while target is not None and target.type in ("subscript_expression", "field_expression"):
            target = unparen(target.child_by_field_name("argument") or target)
        target = unparen(target) if target is not None else None
        if target is not None and (target.type != "identifier" or is_global(parsed, target)):
            return True
    return False


def aliased(parsed: Parsed, variable: Node) -> bool:
    """Whether the variable may be reached under another name: it is a reference itself, or somewhere
    its address is taken or a reference is bound to it. Unknown variables count as aliased."""
    decl = find_declaration(parsed, variable)
    if decl is None:
        return True
    name = parsed.text(variable)
    for d in decl.children_by_field_name("declarator"):
        inner = d.child_by_field_name("declarator") if d.type == "init_declarator" else d
        named = declarator_name(inner) if inner is not None else None
        indirect = inner is not None and inner.type in ("reference_declarator", "pointer_declarator")
        if indirect and named is not None and parsed.text(named) == name:
            return True
    scope = parsed.function_of(decl) or parsed.root
    for ident in parsed.identifiers(scope, name):
        node = outer(ident)
        parent = node.parent
        if parent is None:
            continue
        taken = parent.type == "pointer_expression" and parsed.text(parent.children[0]) == "&"
        bound = parent.type == "init_declarator" and parent.child_by_field_name("value") == node
        bound = bound and (parent.child_by_field_name("declarator") or parent).type == "reference_declarator"
        if (taken or bound) and find_declaration(parsed, ident) == decl:
            return True
    return False


def shared(parsed: Parsed, variable: Node) -> bool:
    """Whether code elsewhere may see the variable: it is global, aliased, or captured by a lambda."""
    decl = find_declaration(parsed, variable)
    if decl is None or is_global(parsed, variable) or aliased(parsed, variable):
        return True
    return _captured(parsed, parsed.text(variable), decl)


def _captured(parsed: Parsed, name: str, region: Node) -> bool:
    """Whether a lambda in ``region``'s function may write ``name`` (so calling it may change the variable)."""
    function = parsed.function_of(region) or parsed.root
    for lam in parsed.walk(function):
        if lam.type == "lambda_expression":
            for ident in parsed.identifiers(lam, name):
                node = _accessed(parsed, outer(ident))
                if node is None or _writes(parsed, node):
                    return True
    return False

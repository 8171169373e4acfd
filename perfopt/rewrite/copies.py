"""Copies: passing, iterating and binding large objects by const reference instead of copying them."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.copies_moves import MoveLastUse
from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage import Use, binding_uses, classify, reads, uses_of
from perfopt.rewrite.usage_lookup import (
    declaration,
    functions_named,
    in_nested_lambda,
    inside,
    root_identifier,
    same,
)
from perfopt.rewrite.usage_regions import expression_type, is_local, nonlocal_writes, qualifiers, unchanged_during


def const_ref(parsed: Parsed, holder: Node, type_node: Node) -> list[Edit]:
    """``T x`` becomes ``const T& x`` (an existing ``const`` is kept: ``T const x`` becomes ``T const& x``)."""
    # The & goes after an east const: "T& const x" would be a const reference, which does not compile.
    trailing = [c for c in holder.children if c.type == "type_qualifier" and c.start_byte >= type_node.end_byte]
    end = max((c.end_byte for c in trailing), default=type_node.end_byte)
    edits = [Edit(end, end, "&")]
    if "const" not in qualifiers(parsed, holder):
        edits.append(Edit(type_node.start_byte, type_node.start_byte, "const "))
    return edits


def _read_only(parsed: Parsed, uses: list[Node], var_type: Node | None, home: Node | None) -> bool:
    """Only read, and not from a lambda (which may run later, or outlive a reference)."""
    return all(reads(classify(parsed, u, var_type)) and not in_nested_lambda(parsed, u, home) for u in uses)


def _normal(text: str) -> str:
    return "".join(text.replace("std::", "").split())


def _function_declarator(fn: Node) -> Node | None:
    current = fn.child_by_field_name("declarator")
    while current is not None and current.type not in ("function_declarator", "abstract_function_declarator"):
        wrappers = ("function_declarator", "reference_declarator", "pointer_declarator")
        current = current.child_by_field_name("declarator") or next(
            (c for c in current.named_children if c.type in wrappers), None
        )
    return current


def _template_parameters(parsed: Parsed, fn: Node) -> set[str]:
    names: set[str] = set()
    current: Node | None = fn
    while current is not None:
        if current.type == "template_declaration" and (params := current.child_by_field_name("parameters")):
            names |= {parsed.text(n) for n in parsed.walk(params) if n.type == "type_identifier"}
        current = current.parent
    return names


def _parameters(params: Node) -> list[Node]:
    return [p for p in params.named_children if p.type != "comment"]


class ConstRefParam(Rewrite):
    """``void f(vector<int> v)`` becomes ``void f(const vector<int>& v)`` where f only reads v."""

    name = "copies.const_ref_param"
    why = (
        "a by-value parameter of a container, string or struct holding them copies the whole object "
        "(a heap allocation and O(n) work) on every call; a const reference copies nothing"
    )
    unsafe_when = (
        "the parameter is modified, moved, returned, captured or its address taken; f is main, virtual, an override, "
        "an operator, overloaded, a coroutine or used as a pointer; the type is cheap or a deduced template type; or f "
        "(or a function it calls) writes a non-local object that may hold the caller's argument"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for fn in parsed.walk():
            if fn.type not in ("function_definition", "lambda_expression") or not parsed.clean(fn):
                continue
            body = fn.child_by_field_name("body")
            declarator = _function_declarator(fn)
            params = declarator.child_by_field_name("parameters") if declarator is not None else None
            if body is None or params is None or declarator is None or not self._function_ok(parsed, fn, declarator):
                continue
            prototypes = self._prototypes(parsed, fn, declarator)
            if prototypes is None:
                continue
            index = type_index(parsed)
            # Type names of what f writes outside itself: through its reference parameters, and globals or members.
            through_params: set[str] = set()
            elsewhere: set[str] = set()
            for decl in nonlocal_writes(parsed, body, fn):
                if (t := decl.child_by_field_name("type")) is not None:
                    (through_params if inside(decl, fn) else elsewhere).update(index.names(t))
            for i, param in enumerate(_parameters(params)):
                found = self._param(parsed, fn, body, param, _template_parameters(parsed, fn), through_params)
                if found is None:
                    continue
                # A write to a global that may hold the caller's argument could change it under the reference
                # (f(g[0]) while f pushes to g), unless every caller passes a temporary or a local of its own.
                if index.head(found[0]) in elsewhere and not _fresh_arguments(parsed, fn, declarator, i):
                    continue
                type_node, ident = found
                edits = const_ref(parsed, param, type_node)
                for proto in prototypes:
                    other_type = proto[i].child_by_field_name("type")
                    if other_type is None or _normal(parsed.text(other_type)) != _normal(parsed.text(type_node)):
                        break
                    edits += const_ref(parsed, proto[i], other_type)
                else:
                    reason = f"pass {parsed.text(type_node)} {parsed.text(ident)} by const reference"
                    out.append(self.match(parsed, edits, reason))
        return out

    def _param(
        self, parsed: Parsed, fn: Node, body: Node, param: Node, templates: set[str], written: set[str]
    ) -> tuple[Node, Node] | None:
        if param.type not in ("parameter_declaration", "optional_parameter_declaration"):
            return None
        type_node, ident = param.child_by_field_name("type"), param.child_by_field_name("declarator")
        if type_node is None or ident is None or ident.type != "identifier":
            return None
        if any(q != "const" for q in qualifiers(parsed, param)) or parsed.text(type_node) in templates:
            return None
        index = type_index(parsed)
        # f(a, a) with f(vector<int>& out, vector<int> in) pushing to out would change in under the reference.
        if not index.costly(type_node) or index.head(type_node) in written:
            return None
        uses = uses_of(parsed, param, parsed.text(ident), body)
        return (type_node, ident) if _read_only(parsed, uses, type_node, fn) else None

    def _function_ok(self, parsed: Parsed, fn: Node, declarator: Node) -> bool:
        coroutine = ("co_return_statement", "co_await_expression", "co_yield_statement")
        if any(n.type in coroutine for n in parsed.walk(fn)):
            return False
        if fn.type == "lambda_expression":
            return True
        name_node = declarator.child_by_field_name("declarator")
        if name_node is None or name_node.type not in ("identifier", "field_identifier"):
            return False  # operators, A::f defined out of class, destructors
        name = parsed.text(name_node)
        if name == "main" or any(c.type == "virtual" for c in fn.children):
            return False
        if any(c.type == "virtual_specifier" for c in declarator.children):
            return False
        cls = parsed.enclosing(fn, "field_declaration_list")
        holder = cls.parent if cls is not None else None
        if holder is not None and any(c.type == "base_class_clause" for c in holder.children):
            return False  # it may override a virtual of the base without saying so
        for other in functions_named(parsed, name):
            top = other.parent
            if top is not None and any(c.type == "virtual" for c in top.children):
                return False
        named = parsed.named(name)
        return not any(self._as_value(n) for n in named)

    def _as_value(self, node: Node) -> bool:
        """Whether the function's name is used other than called, declared or passed to an algorithm."""
        while node.parent is not None and node.parent.type == "qualified_identifier":
            node = node.parent  # util::f(...)
        parent = node.parent
        if parent is None:
            return True
        if parent.type == "function_declarator" and same(parent.child_by_field_name("declarator"), node):
            return False
        if parent.type == "call_expression" and same(parent.child_by_field_name("function"), node):
            return False
        if parent.type == "field_expression":
            call = parent.parent
            return call is None or call.type != "call_expression"
        # sort(v.begin(), v.end(), cmp): a template deduces the new type; a function pointer would not.
        call = parent.parent
        return not (parent.type == "argument_list" and call is not None and call.type == "call_expression")

    def _prototypes(self, parsed: Parsed, fn: Node, declarator: Node) -> list[list[Node]] | None:
        """The parameter lists of the function's other declarations (to change with it); None if it is overloaded."""
        if fn.type == "lambda_expression":
            return []
        name_node = declarator.child_by_field_name("declarator")
        params = declarator.child_by_field_name("parameters")
        if name_node is None or params is None:
            return None
        out = []
        for other in functions_named(parsed, parsed.text(name_node)):
            if same(other, declarator):
                continue
            holder = parsed.enclosing(other, "function_definition", "declaration", "field_declaration")
            if holder is None or holder.type == "function_definition" or not parsed.clean(holder):
                return None
            other_params = other.child_by_field_name("parameters")
            plist = _parameters(other_params) if other_params is not None else []
            if len(plist) != len(_parameters(params)):
                return None
            out.append(plist)
        return out


#: Arguments that are temporaries: nothing but the call can reach them.
_TEMPORARIES = ("string_literal", "raw_string_literal", "concatenated_string", "binary_expression", "initializer_list")


def _fresh_arguments(parsed: Parsed, fn: Node, declarator: Node, index: int) -> bool:
    """Whether every call of the function passes, as argument ``index``, a temporary or an unaliased local."""
    name_node = declarator.child_by_field_name("declarator")
    if fn.type == "lambda_expression" or name_node is None:
        return False
    name = parsed.text(name_node)
    for n in parsed.walk():
        if n.type not in ("identifier", "field_identifier") or parsed.text(n) != name:
            continue
        node = n
        while node.parent is not None and node.parent.type == "qualified_identifier":
            node = node.parent
        if n.type == "field_identifier" and node.parent is not None and node.parent.type == "field_expression":
            node = node.parent  # obj.f(...)
        call = node.parent
        if call is not None and call.type == "function_declarator":
            continue
        if call is None or call.type != "call_expression" or not same(call.child_by_field_name("function"), node):
            return False  # passed as a comparator: its callers are unknown
        args = call.child_by_field_name("arguments")
        plist = _parameters(args) if args is not None else []
        if index >= len(plist):
            return False
        arg = plist[index]
        while arg.type == "parenthesized_expression" and arg.named_children:
            arg = arg.named_children[0]
        if arg.type in _TEMPORARIES:
            continue
        root = root_identifier(arg) if arg.type in ("identifier", "subscript_expression", "field_expression") else None
        decl = declaration(parsed, root) if root is not None else None
        home = parsed.function_of(call)
        if root is None or decl is None or home is None or not is_local(parsed, decl, home):
            return False
        if any(classify(parsed, u) is Use.ALIAS for u in uses_of(parsed, decl, parsed.text(root), home)):
            return False
    return True


class RangeForConstRef(Rewrite):
    """``for (auto x : v)`` becomes ``for (const auto& x : v)`` where the elements are strings or containers."""

    name = "copies.range_for_const_ref"
    why = (
        "a by-value loop variable copies every element (a heap allocation per string or vector); "
        "a const reference copies nothing"
    )
    unsafe_when = (
        "x is modified, moved, returned or captured; the elements are cheap (int, char, pair<int,int>, vector<bool> "
        "proxies); the range is not a named variable (or an element of one), or the loop body may modify it"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        index = type_index(parsed)
        for loop in parsed.walk():
            if loop.type != "for_range_loop" or not parsed.clean(loop):
                continue
            type_node, declarator = loop.child_by_field_name("type"), loop.child_by_field_name("declarator")
            right, body = loop.child_by_field_name("right"), loop.child_by_field_name("body")
            home = parsed.function_of(loop)
            if type_node is None or declarator is None or right is None or body is None or home is None:
                continue
            if declarator.type not in ("identifier", "structured_binding_declarator"):
                continue
            if any(q != "const" for q in qualifiers(parsed, loop)):
                continue
            root = root_identifier(right)
            range_type = expression_type(parsed, right)
            if root is None or range_type is None:
                continue
            range_node, dims = range_type
            if type_node.type == "placeholder_type_specifier":
                costly = index.costly(range_node) if dims else index.element_costly(range_node)
            else:
                # A spelled type other than the element's would bind the reference to a converted temporary.
                element = range_node if dims else index.iterated(range_node)
                costly = element is not None and index.same(element, type_node) and index.costly(type_node)
            if not costly:
                continue
            if declarator.type == "identifier":
                uses = uses_of(parsed, loop, parsed.text(declarator), body)
            else:
                names = [parsed.text(n) for n in declarator.named_children if n.type == "identifier"]
                uses = [u for name in names for u in binding_uses(parsed, loop, name, body)]
            root_decl = declaration(parsed, root)
            if root_decl is None or not _read_only(parsed, uses, None, home):
                continue
            # With a reference, a change to the range's elements during the body would show through x.
            if not unchanged_during(parsed, root_decl, parsed.text(root), [body], home):
                continue
            reason = f"iterate over {parsed.text(right)} by const reference instead of copying each element"
            out.append(self.match(parsed, const_ref(parsed, loop, type_node), reason))
        return out


class LocalCopyRef(Rewrite):
    """``vector<int> b = a;`` becomes ``const vector<int>& b = a;`` where neither changes while b lives."""

    name = "copies.local_copy_ref"
    why = (
        "copying a container or string into a local that is only read costs an allocation and O(n) work; "
        "a const reference to the original costs nothing"
    )
    unsafe_when = (
        "b is modified, returned or captured; a is modified, aliased or captured while b lives (for a global or a "
        "reference parameter: also by a function called then); a is a call result or a C array; the type is cheap "
        "or differs from a's"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        for decl in parsed.walk():
            if decl.type != "declaration" or decl.parent is None or decl.parent.type != "compound_statement":
                continue
            found = self._source(parsed, decl)
            home = parsed.function_of(decl)
            if found is None or home is None or not parsed.clean(decl):
                continue
            type_node, b, value, a, source_type = found
            scope = decl.parent
            b_uses = uses_of(parsed, decl, parsed.text(b), scope)
            if not _read_only(parsed, b_uses, source_type, home):
                continue
            a_decl = declaration(parsed, a)
            after = []
            current = decl.next_named_sibling
            while current is not None:
                after.append(current)
                current = current.next_named_sibling
            if a_decl is None or not after or not unchanged_during(parsed, a_decl, parsed.text(a), after, home):
                continue
            reason = f"bind {parsed.text(b)} to {parsed.text(value)} by const reference instead of copying it"
            out.append(self.match(parsed, const_ref(parsed, decl, type_node), reason))
        return out

    def _source(self, parsed: Parsed, decl: Node) -> tuple[Node, Node, Node, Node, Node] | None:
        """For ``T b = a``: T, b, the copied expression, its variable a and its type; None for anything else."""
        declarators = decl.children_by_field_name("declarator")
        type_node = decl.child_by_field_name("type")
        if len(declarators) != 1 or type_node is None or declarators[0].type != "init_declarator":
            return None
        if any(q != "const" for q in qualifiers(parsed, decl)):
            return None
        init = declarators[0]
        b, value = init.child_by_field_name("declarator"), init.child_by_field_name("value")
        if b is None or value is None or b.type != "identifier" or not any(c.type == "=" for c in init.children):
            return None
        if value.type not in ("identifier", "subscript_expression") or (root := root_identifier(value)) is None:
            return None
        source_type = expression_type(parsed, value)
        if source_type is None or source_type[1] > 0:
            return None  # a C array: auto would decay it to a pointer
        spelled = type_node.type != "placeholder_type_specifier"
        if spelled and _normal(parsed.text(type_node)) != _normal(parsed.text(source_type[0])):
            return None  # a conversion: the reference would bind to a temporary anyway
        if not type_index(parsed).costly(source_type[0]):
            return None
        return type_node, b, value, root, source_type[0]


REWRITES: list[type[Rewrite]] = [ConstRefParam, RangeForConstRef, LocalCopyRef, MoveLastUse]

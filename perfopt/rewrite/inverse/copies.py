"""Copies run backwards: strings and containers passed and iterated by value instead of by const reference.

Both inverses turn a ``const T&`` into a ``T`` where T is a string or a standard container, so that the
result copies the object on every call or iteration. A copy reads the same as the reference only while
nothing can tell them apart, so they stay silent wherever the storage could be reached after the copy is
gone (its address, a pointer, iterator or view into it kept or returned), wherever the copy might not
compile (an element type not known to be copyable), and wherever the forward rule would not take the
change back. That last check runs the forward rule on the result: its analysis (the variable is only read,
nothing it may alias is written meanwhile) is also exactly when the copy and the reference agree.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.copies import ConstRefParam, RangeForConstRef
from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.analysis import INTO, callee, kept, mentions_views, reach, undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage import binding_uses, uses_of
from perfopt.rewrite.usage_lookup import functions_named, in_nested_lambda, parsed_operator, same
from perfopt.rewrite.usage_regions import expression_type, nonlocal_writes, qualifiers


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Parameter types the value_param inverse copies (through typedefs, aliases and ``std::``).
_COPIED = _words(
    """vector deque list map multimap set multiset unordered_map unordered_set unordered_multimap
    unordered_multiset string basic_string"""
)
_STRINGS = _words("string wstring basic_string")
#: Templates whose copy copies only their arguments.
_HOLDERS = _COPIED | _words("pair tuple optional array less greater hash equal_to")
_INTEGER_NAMES = _words("size_t ssize_t ptrdiff_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t")
#: Members that search an associative container and return an iterator into it.
_SEARCHES = _words("find lower_bound upper_bound equal_range")
#: Members that return a reference to part of their object.
_PARTS = _words("front back at")
#: Standard algorithms that call a lambda passed to them and deduce its type (never as a function pointer).
_ALGORITHMS = _words(
    """sort stable_sort partial_sort nth_element lower_bound upper_bound equal_range binary_search max_element
    min_element minmax_element for_each count_if find_if find_if_not all_of any_of none_of remove_if partition
    stable_partition transform accumulate unique is_sorted adjacent_find"""
)
_MOVES = _words("move std::move forward std::forward")


def _normal(text: str) -> str:
    return "".join(text.replace("std::", "").split())


def plain(parsed: Parsed, node: Node, depth: int = 0) -> bool:
    """Whether values of type ``node`` surely copy and point at nothing: scalars, strings, standard
    containers, pairs and plain structs of them (no pointers, references, move-only members, bases)."""
    if depth > 6:
        return False
    index = type_index(parsed)
    if node.type == "type_descriptor" and node.child_by_field_name("declarator") is not None:
        return False  # int*, int&
    node = index.resolve(node)
    if node.type in ("primitive_type", "sized_type_specifier"):
        return True
    if node.type == "type_identifier":
        text = parsed.text(node)
        body = index.structs.get(text)
        plain_struct = body is not None and _plain_struct(parsed, body, depth)
        return text in _STRINGS or text in _INTEGER_NAMES or plain_struct
    arguments = node.child_by_field_name("arguments") if node.type == "template_type" else None
    if arguments is None or index.head(node) not in _HOLDERS:
        return False
    for a in arguments.named_children:
        if a.type == "number_literal" and index.head(node) == "array":
            continue
        if a.type != "type_descriptor" or not plain(parsed, a, depth + 1):
            return False
    return True


def _plain_struct(parsed: Parsed, body: Node, depth: int) -> bool:
    holder = body.parent
    if holder is None or any(c.type == "base_class_clause" for c in holder.children):
        return False
    for n in parsed.walk(body):
        if n.type == "delete_method_clause":
            return False
        # A declared move constructor or assignment deletes the implicit copy.
        if n.type in ("reference_declarator", "abstract_reference_declarator") and parsed.text(n).startswith("&&"):
            return False
    for field in body.named_children:
        if field.type != "field_declaration" or "static" in qualifiers(parsed, field):
            continue
        declarators = field.children_by_field_name("declarator")
        if any(d.type == "function_declarator" for d in declarators):
            continue
        type_node = field.child_by_field_name("type")
        if type_node is None or not plain(parsed, type_node, depth + 1):
            return False
        for d in declarators:
            name = d.child_by_field_name("declarator") if d.type == "array_declarator" else d
            if name is None or name.type != "field_identifier":
                return False  # a pointer or reference member
    return True


def escapes(parsed: Parsed, use: Node, home: Node, string: bool) -> bool:
    """Whether this use of a variable could let its storage be reached once a copy of it is gone: its
    address, an iterator or pointer into it kept, a static reference, a capture, or ``decltype``.
    ``string``: whether the variable is a string (whose ``find`` returns a position, not an iterator)."""
    if in_nested_lambda(parsed, use, home) or parsed.enclosing(use, "decltype") is not None:
        return True
    reached = reach(parsed, use, _PARTS)
    if reached.call is not None:
        # size(), substr(), count() give a value; the others an iterator or pointer that may be kept.
        name = reached.method
        return (name in INTO or (name in _SEARCHES and not string)) and kept(parsed, reached.call)
    node = reached.node
    parent = node.parent
    if parent is None or (parent.type == "pointer_expression" and parsed_operator(parent) == "&"):
        return True
    if parent.type == "init_declarator":
        decl = parent.parent
        return decl is None or "static" in qualifiers(parsed, decl)
    return False


def _parameters(params: Node | None) -> list[Node]:
    return [p for p in params.named_children if p.type != "comment"] if params is not None else []


def _const_ref(parsed: Parsed, holder: Node) -> tuple[Node, Node, list[Edit]] | None:
    """For ``const T& x`` (a parameter or range-for header; ``T const& x`` too): T, x, and the edits that make
    it ``T x``. ``x`` may be missing in a prototype (then it is the ``&``) or a structured binding."""
    type_node, declarator = holder.child_by_field_name("type"), holder.child_by_field_name("declarator")
    if type_node is None or declarator is None or qualifiers(parsed, holder) != ["const"]:
        return None
    if declarator.type not in ("reference_declarator", "abstract_reference_declarator"):
        return None
    if parsed.text(declarator).startswith("&&") or any(c.type == "comment" for c in holder.children):
        return None
    inner = declarator.named_children
    const = next(c for c in holder.children if c.type == "type_qualifier")
    edits = [Edit(const.start_byte, type_node.start_byte, "")] if const.start_byte < type_node.start_byte else []
    if declarator.type == "abstract_reference_declarator" and not inner:
        return type_node, declarator, [*edits, Edit(type_node.end_byte, declarator.end_byte, "")]
    if len(inner) != 1 or inner[0].type not in ("identifier", "structured_binding_declarator"):
        return None
    return type_node, inner[0], [*edits, Edit(type_node.end_byte, inner[0].start_byte, " ")]


class ValueParam(Inverse):
    """``void f(const vector<int>& v)`` becomes ``void f(vector<int> v)`` (also strings, maps, sets, deques, and
    a lambda's parameters where the lambda goes to sort and the like)."""

    name = "copies.value_param"
    inverts = "copies.const_ref_param"
    why = (
        "a string or container parameter taken by value is copied (an allocation and O(n) work) on every call, "
        "where a const reference copies nothing"
    )
    unsafe_when = (
        "the parameter is unnamed, address-taken, captured, in decltype, or has an iterator or pointer into it "
        "returned or stored; the function returns a reference, pointer or deduced type, is recursive, a template "
        "on the parameter's type, an operator, constructor, virtual, constexpr, overloaded or called with "
        "std::move; an element type is not surely copyable; the file makes views; or the forward rule would "
        "not take it back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if mentions_views(parsed):
            return []
        found: list[tuple[Match, Node]] = []
        for fn in parsed.walk():
            if fn.type not in ("function_definition", "lambda_expression") or not parsed.clean(fn):
                continue
            declarator, body = fn.child_by_field_name("declarator"), fn.child_by_field_name("body")
            if declarator is None or body is None or body.type != "compound_statement":
                continue
            name = self._callable_name(parsed, fn, declarator)
            if name is None:
                continue
            prototypes = self._prototypes(parsed, fn, declarator)
            if prototypes is None:
                continue
            # What f writes outside itself, by type: the caller's argument may be one of them, which the
            # reference would see change and the copy not (the forward rule excuses fresh arguments; not here).
            index = type_index(parsed)
            written = {
                n for d in nonlocal_writes(parsed, body, fn) for n in index.names(d.child_by_field_name("type") or d)
            }
            for i, param in enumerate(_parameters(declarator.child_by_field_name("parameters"))):
                edits = self._param_edits(parsed, fn, body, param)
                type_node = param.child_by_field_name("type")
                if edits is None or type_node is None or self._moved_into(parsed, name, i):
                    continue
                if index.head(type_node) in written:
                    continue
                for proto in prototypes:
                    other = _const_ref(parsed, proto[i])
                    if other is None or _normal(parsed.text(other[0])) != _normal(parsed.text(type_node)):
                        break
                    edits += other[2]
                else:
                    reason = f"take {parsed.text(param)} by value: every call copies it"
                    found.append((self.match(parsed, edits, reason, at=param), param))
        forward = ConstRefParam()
        return [m for m, param in found if undo(parsed, m, forward).touched(param.start_byte, param.end_byte)]

    def _param_edits(self, parsed: Parsed, fn: Node, body: Node, param: Node) -> list[Edit] | None:
        if param.type not in ("parameter_declaration", "optional_parameter_declaration"):
            return None
        fields = [param.child_by_field_name(f) for f in ("type", "declarator", "default_value")]
        if any(c.type != "type_qualifier" and not any(same(c, f) for f in fields) for c in param.named_children):
            return None  # an attribute, or anything else this rule does not know
        found = _const_ref(parsed, param)
        if found is None or found[1].type != "identifier":
            return None
        type_node, ident, edits = found
        index = type_index(parsed)
        if index.head(type_node) not in _COPIED or not plain(parsed, type_node):
            return None
        string = index.head(type_node) in _STRINGS
        if any(escapes(parsed, u, fn, string) for u in uses_of(parsed, param, parsed.text(ident), body)):
            return None
        return edits

    def _callable_name(self, parsed: Parsed, fn: Node, declarator: Node) -> str | None:
        """The name calls use ("" for a lambda handed to an algorithm); None where the rule stays silent."""
        if any(n.type.startswith("co_") for n in parsed.walk(fn)):
            return None  # a coroutine's reference parameter may dangle where a copy would not
        if fn.type == "lambda_expression":
            # Only a lambda an algorithm deduces (never a function pointer), with a plain result if it names one.
            call = fn.parent.parent if fn.parent is not None and fn.parent.type == "argument_list" else None
            trailing = next((c for c in declarator.children if c.type == "trailing_return_type"), None)
            result = trailing.named_children[-1] if trailing is not None else None
            if trailing is not None and (result is None or not plain(parsed, result)):
                return None
            handed = call is not None and call.type == "call_expression" and callee(parsed, call) in _ALGORITHMS
            return "" if handed else None
        name_node, type_node = declarator.child_by_field_name("declarator"), fn.child_by_field_name("type")
        if declarator.type != "function_declarator" or name_node is None or type_node is None:
            return None  # a reference or pointer return type, or a constructor
        if name_node.type not in ("identifier", "field_identifier") or parsed.text(name_node) == "main":
            return None  # operators, destructors, A::f defined out of class
        if not plain(parsed, type_node):
            return None  # it might return a reference, iterator or view into the parameter
        if any(c.type == "virtual" or parsed.text(c) in ("constexpr", "consteval") for c in fn.children):
            return None  # a constexpr function may not take a container by value in C++17
        cls = parsed.enclosing(fn, "field_declaration_list")
        holder = cls.parent if cls is not None else None
        if any(c.type == "virtual_specifier" for c in declarator.children) or (
            holder is not None and any(c.type == "base_class_clause" for c in holder.children)
        ):
            return None  # it may override a virtual of the base
        name = parsed.text(name_node)
        # A recursive function would hold one copy per level of recursion: memory the original never needed.
        return None if self._recursive(parsed, fn, name) else name

    def _recursive(self, parsed: Parsed, fn: Node, name: str) -> bool:
        """Whether ``fn`` may call itself through the functions of the file."""
        seen, stack = {fn.start_byte}, [fn]
        while stack:
            for n in parsed.walk(stack.pop()):
                called = callee(parsed, n) if n.type == "call_expression" else ""
                if called == name:
                    return True
                for d in functions_named(parsed, called) if called else []:
                    holder = parsed.enclosing(d, "function_definition", "declaration", "field_declaration")
                    if holder is not None and holder.type == "function_definition" and holder.start_byte not in seen:
                        seen.add(holder.start_byte)
                        stack.append(holder)
        return False

    def _prototypes(self, parsed: Parsed, fn: Node, declarator: Node) -> list[list[Node]] | None:
        """The parameter lists of the function's other declarations; None if it is overloaded."""
        if fn.type == "lambda_expression":
            return []
        name_node = declarator.child_by_field_name("declarator")
        count = len(_parameters(declarator.child_by_field_name("parameters")))
        out = []
        for other in functions_named(parsed, parsed.text(name_node) if name_node is not None else ""):
            if same(other, declarator):
                continue
            holder = parsed.enclosing(other, "function_definition", "declaration", "field_declaration")
            if holder is None or holder.type == "function_definition" or not parsed.clean(holder):
                return None
            plist = _parameters(other.child_by_field_name("parameters"))
            if len(plist) != count:
                return None
            out.append(plist)
        return out

    def _moved_into(self, parsed: Parsed, name: str, index: int) -> bool:
        """Whether a call passes ``std::move(x)`` as the parameter: the copy would empty x, the reference not."""
        if not name:
            return False
        for n in parsed.named(name):
            node = n
            while node.parent is not None and node.parent.type in ("qualified_identifier", "field_expression"):
                node = node.parent
            call = node.parent
            if call is None or call.type != "call_expression":
                continue
            args = _parameters(call.child_by_field_name("arguments"))
            arg = args[index] if index < len(args) else None
            if arg is not None and arg.type == "call_expression":
                function = arg.child_by_field_name("function")
                if function is not None and _normal(parsed.text(function)) in _MOVES:
                    return True
        return False


class RangeForCopy(Inverse):
    """``for (const auto& x : v)`` becomes ``for (auto x : v)`` (also ``const string& x`` and ``const auto& [k, w]``)
    where the elements are strings or containers."""

    name = "copies.range_for_copy"
    inverts = "copies.range_for_const_ref"
    why = "a by-value loop variable copies every string or container element (an allocation each) as it goes"
    unsafe_when = (
        "x is address-taken, captured, in decltype, or has an iterator or pointer into it stored beyond the "
        "iteration; the element type is not surely copyable; the file makes views; or the forward rule would "
        "not take it back (x is written, the range changes in the body, the elements are cheap)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if mentions_views(parsed):
            return []
        found: list[tuple[Match, Node, Node]] = []
        index = type_index(parsed)
        for loop in parsed.walk():
            if loop.type != "for_range_loop" or not parsed.clean(loop) or loop.child_by_field_name("initializer"):
                continue
            right, body, home = (
                loop.child_by_field_name("right"),
                loop.child_by_field_name("body"),
                parsed.function_of(loop),
            )
            header = _const_ref(parsed, loop)
            range_type = expression_type(parsed, right) if right is not None else None
            if header is None or right is None or body is None or home is None or range_type is None:
                continue
            type_node, declarator, edits = header
            if not plain(parsed, range_type[0]):
                continue
            if declarator.type == "identifier":
                uses = uses_of(parsed, loop, parsed.text(declarator), body)
            else:
                names = [parsed.text(n) for n in declarator.named_children if n.type == "identifier"]
                uses = [u for name in names for u in binding_uses(parsed, loop, name, body)]
            element = range_type[0] if range_type[1] else index.iterated(range_type[0])
            spelled = type_node if type_node.type != "placeholder_type_specifier" else element
            string = declarator.type == "identifier" and spelled is not None and index.head(spelled) in _STRINGS
            if any(escapes(parsed, u, home, string) for u in uses):
                continue
            reason = f"copy each element of {parsed.text(right)} into the loop variable"
            found.append((self.match(parsed, edits, reason, at=loop), loop, declarator))
        forward = RangeForConstRef()
        return [m for m, loop, d in found if undo(parsed, m, forward).touched(loop.start_byte, d.end_byte)]


INVERSES: tuple[type[Inverse], ...] = (ValueParam, RangeForCopy)

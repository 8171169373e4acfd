"""How a variable is used: the analysis behind the copies rewrites (what a copy costs is ``copy_cost``'s question).

``classify`` says what one use of a variable does to it: reads it, writes it
(assignment, ``++``, a non-const member such as ``push_back``, ``cin >> v``,
a non-const reference parameter), moves from it, takes its address, or
returns it. Anything it does not recognise counts as a write, so a rewrite
that needs "only read" stays silent when in doubt. ``uses_of`` finds the uses
of one declaration (following block scopes, and the ``vector<int> a(n);``
that tree-sitter parses as a function declaration), using the lookups of
``usage_lookup`` (which declaration a name refers to, which functions a call
may reach).
"""

from __future__ import annotations

from enum import Enum

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage_lookup import (
    TRANSPARENT,
    declaration,
    functions_named,
    inside,
    is_declared_name,
    parsed_operator,
    root_identifier,
    same,
)


class Use(Enum):
    READ = "read"
    #: Read only, but a const reference to it (or a range-for over it) lives on: later changes show through.
    BORROW = "borrow"
    WRITE = "write"
    MOVE = "move"
    #: ``&v``, or a non-const reference / pointer bound to it: later writes may go through the alias.
    ALIAS = "alias"
    RETURN = "return"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Members that only read their object and return a value unrelated to its storage.
_VALUE_MEMBERS = _words(
    """size length empty count contains max_size capacity substr compare c_str starts_with ends_with rfind
    find_first_of find_last_of find_first_not_of find_last_not_of top cbegin cend"""
)
#: Members that return a reference into the object: the result is classified like the object.
_ELEMENT_MEMBERS = frozenset(["front", "back", "at"])
#: Members that return an iterator into the object: writes through it change the object.
_ITERATOR_MEMBERS = frozenset(["begin", "end", "rbegin", "rend", "find", "lower_bound", "upper_bound", "data"])
#: Members of a container that change the container passed to them.
_TAKING_MEMBERS = frozenset(["swap", "splice", "merge"])
#: Free functions that take their arguments by value or const reference.
_READ_FUNCTIONS = _words(
    """max min abs to_string stoi stol stoll stoul stoull stod stof stold make_pair make_tuple size ssize
    empty printf puts strlen atoi sqrt pow gcd lcm __gcd"""
)
#: Algorithms reading a range and returning a value, or an iterator into the range.
_RANGE_VALUE = _words(
    """accumulate count count_if binary_search distance equal all_of any_of none_of is_sorted inner_product
    lexicographical_compare includes is_permutation"""
)
_RANGE_ITERATOR = _words(
    """find find_if find_if_not lower_bound upper_bound max_element min_element next prev adjacent_find
    search partition_point mismatch"""
)
#: Algorithms whose first two arguments are an input range only (the rest is an output).
_RANGE_INPUT = frozenset(["copy", "partial_sum", "unique_copy", "reverse_copy", "adjacent_difference"])
#: Members of another object that read a range handed to them.
_RANGE_MEMBERS = frozenset(["insert", "assign", "append"])
_ARITHMETIC = frozenset(
    ["int", "long", "short", "char", "bool", "float", "double", "unsigned", "signed", "size_t", "ll", "ull"]
)


def uses_of(parsed: Parsed, decl: Node, name: str, within: Node) -> list[Node]:
    """The identifiers named ``name`` under ``within`` that refer to the declaration ``decl``.

    A ``type_identifier`` of the same name inside a function body counts as a
    use too: ``string t(s);`` parses as a function declaration whose parameter
    type is ``s``, and missing that use would be unsafe (it classifies as a write).
    """
    out = []
    for n in parsed.walk(within):
        if parsed.text(n) != name:
            continue
        if (n.type == "identifier" and not is_declared_name(n) and same(declaration(parsed, n), decl)) or (
            n.type == "type_identifier" and parsed.enclosing(n, "compound_statement") is not None
        ):
            out.append(n)
    return out


def binding_uses(parsed: Parsed, holder: Node, name: str, within: Node) -> list[Node]:
    """Uses of a structured binding ``name`` declared by ``holder`` (types.py does not resolve bindings)."""
    out = []
    for n in parsed.identifiers(within, name):
        if is_declared_name(n):
            continue
        found = declaration(parsed, n)
        if found is None or same(found, holder) or not inside(found, holder):
            out.append(n)
    return out


def _arithmetic(parsed: Parsed, var_type: Node | None) -> bool:
    if var_type is None:
        return False
    words = parsed.text(type_index(parsed).resolve(var_type)).replace("std::", "").split()
    return bool(words) and all(w in _ARITHMETIC or w == "const" for w in words)


def _holds_map(parsed: Parsed, var_type: Node | None) -> bool:
    """Whether an object of this type may hold a map, whose ``operator[]`` inserts (``auto``: it may)."""
    if var_type is None:
        return False
    if var_type.type == "placeholder_type_specifier":
        return True
    return bool(type_index(parsed).names(var_type) & {"map", "unordered_map"})


def classify(parsed: Parsed, expr: Node, var_type: Node | None = None) -> Use:
    """What the expression ``expr`` (a variable, or part of one) undergoes where it stands.

    ``var_type`` is the variable's declared type node: it tells a map's inserting
    ``m[k]`` from a vector's, and a shift from a stream. Without it (a loop
    variable the caller makes const, say) a subscript counts as a read.
    """
    parent = expr.parent
    if parent is None:
        return Use.WRITE
    kind = parent.type
    if kind in TRANSPARENT:
        return classify(parsed, parent, var_type)
    if kind == "assignment_expression":
        return Use.WRITE if same(parent.child_by_field_name("left"), expr) else Use.READ
    if kind == "update_expression":
        return Use.WRITE
    if kind == "pointer_expression":
        return Use.ALIAS if parsed_operator(parent) == "&" else classify(parsed, parent, var_type)
    if kind == "field_expression":
        return _member(parsed, parent, var_type)
    if kind == "subscript_expression":
        if not same(parent.child_by_field_name("argument"), expr):
            return Use.READ
        if _holds_map(parsed, var_type):
            return Use.WRITE  # operator[] may insert, here or in a map the object holds
        return classify(parsed, parent, var_type)
    if kind == "argument_list":
        return _argument(parsed, parent, expr)
    if kind == "binary_expression":
        op = parsed_operator(parent)
        is_left = same(parent.child_by_field_name("left"), expr)
        if op == ">>":
            return Use.READ if is_left and _arithmetic(parsed, var_type) else Use.WRITE
        if op == "<<" and is_left:
            return Use.READ if _arithmetic(parsed, var_type) else Use.WRITE
        return Use.READ
    if kind == "conditional_expression":
        if same(parent.child_by_field_name("condition"), expr):
            return Use.READ
        return classify(parsed, parent, var_type)
    if kind == "comma_expression":
        return Use.READ if same(parent.child_by_field_name("left"), expr) else classify(parsed, parent, var_type)
    if kind in ("return_statement", "co_return_statement"):
        # Returning the whole object differs from returning a copied part of it (v[i], p.first).
        return Use.RETURN if expr.type == "identifier" else Use.READ
    if kind == "init_declarator":
        return _bound(parsed, parent.parent, parent.child_by_field_name("declarator"))
    if kind == "for_range_loop":
        bound = _bound(parsed, parent, parent.child_by_field_name("declarator"))
        return Use.BORROW if bound is Use.READ else bound
    if kind == "initializer_list":  # a braced copy, unless it initialises a reference
        holder = parent.parent
        if holder is not None and holder.type == "init_declarator":
            return _bound(parsed, holder.parent, holder.child_by_field_name("declarator"))
        return Use.READ
    if kind in (
        "unary_expression",
        "condition_clause",
        "expression_statement",
        "sizeof_expression",
        "initializer_pair",
        "subscript_argument_list",
        "case_statement",
        "switch_statement",
        "if_statement",
        "while_statement",
        "do_statement",
        "for_statement",
    ):
        return Use.READ
    return Use.WRITE


def _bound(parsed: Parsed, decl: Node | None, declarator: Node | None) -> Use:
    """A declaration (or range-for variable) initialised from the object: a copy reads it, a reference aliases it."""
    if decl is None or declarator is None:
        return Use.WRITE
    if declarator.type == "pointer_declarator":
        return Use.ALIAS
    if declarator.type == "reference_declarator":
        const = any(c.type == "type_qualifier" and parsed.text(c) == "const" for c in decl.children)
        lvalue = not parsed.text(declarator).startswith("&&")
        return Use.BORROW if const and lvalue else Use.ALIAS
    return Use.READ


def _member(parsed: Parsed, field: Node, var_type: Node | None) -> Use:
    """``v.name`` or ``v.name(...)``: a field is part of v; a member call reads, writes or hands out an alias."""
    name_node = field.child_by_field_name("field")
    name = parsed.text(name_node) if name_node is not None else ""
    call = field.parent
    if call is None or call.type != "call_expression" or not same(call.child_by_field_name("function"), field):
        return classify(parsed, field, var_type)
    if name == "find" and var_type is not None and type_index(parsed).head(var_type) in ("string", "basic_string"):
        return Use.READ  # a position, not an iterator
    if name in _VALUE_MEMBERS:
        return Use.READ
    if name in _ELEMENT_MEMBERS:
        return classify(parsed, call, var_type)
    if name in _ITERATOR_MEMBERS:
        return _iterator(parsed, call, var_type, 0)
    return Use.WRITE


def _callee(parsed: Parsed, call: Node) -> str:
    function = call.child_by_field_name("function")
    while function is not None and function.type in ("qualified_identifier", "template_function"):
        function = function.child_by_field_name("name")
    return parsed.text(function) if function is not None and function.type == "identifier" else ""


def _argument(parsed: Parsed, args: Node, expr: Node) -> Use:
    """The object passed to a call: by value or const reference reads it; anything unknown may write it."""
    call = args.parent
    if call is None or call.type != "call_expression":
        # ``T x(v)``: a constructor copying v, unless x is a reference.
        decl = call.parent if call is not None and call.type == "init_declarator" else None
        return _bound(parsed, decl, call.child_by_field_name("declarator")) if decl is not None and call else Use.WRITE
    name = _callee(parsed, call)
    if name in ("move", "forward"):
        return Use.MOVE
    if name in _READ_FUNCTIONS:
        return Use.READ
    if name == "get" and len(args.named_children) == 1:
        return classify(parsed, call, None)  # std::get<0>(t): an element of t
    function = call.child_by_field_name("function")
    if function is not None and function.type == "field_expression":
        field = function.child_by_field_name("field")
        if field is None or parsed.text(field) in _TAKING_MEMBERS:
            return Use.WRITE
        return Use.READ if _std_receiver(parsed, function) else Use.WRITE
    index = [i for i, a in enumerate(args.named_children) if same(a, expr)]
    if not name or not index:
        return Use.WRITE
    return _parameter_use(parsed, name, index[0])


def _std_receiver(parsed: Parsed, field: Node) -> bool:
    """Whether ``w.f(...)`` is a member of a standard container or string (which take values by const ref)."""
    receiver = field.child_by_field_name("argument")
    root = root_identifier(receiver) if receiver is not None else None
    if root is None:
        return False
    decl = declaration(parsed, root)
    type_node = decl.child_by_field_name("type") if decl is not None else None
    return type_node is not None and type_index(parsed).std_container(type_node)


def _parameter_use(parsed: Parsed, name: str, index: int) -> Use:
    """What the functions named ``name`` in the file do with their ``index``-th parameter; WRITE if unknown."""
    found = functions_named(parsed, name)
    if not found:
        return Use.WRITE
    for declarator in found:
        params = declarator.child_by_field_name("parameters")
        plist = [p for p in params.named_children if p.type != "comment"] if params is not None else []
        if index >= len(plist) or "..." in parsed.text(plist[index]):
            return Use.WRITE
        param = plist[index]
        inner = param.child_by_field_name("declarator")
        if inner is not None and inner.type == "reference_declarator" and not reads(_bound(parsed, param, inner)):
            return Use.WRITE
        if inner is not None and inner.type == "pointer_declarator":
            return Use.WRITE
    return Use.READ


def _iterator(parsed: Parsed, expr: Node, var_type: Node | None, depth: int) -> Use:
    """``expr`` is an iterator into the object: reading through it reads, writing through it writes."""
    parent = expr.parent
    if parent is None or depth > 3:
        return Use.WRITE
    kind = parent.type
    if kind in TRANSPARENT or kind in ("update_expression",):
        return _iterator(parsed, parent, var_type, depth)
    if kind == "pointer_expression" and parsed_operator(parent) == "*":
        return classify(parsed, parent, var_type)
    if kind == "field_expression":  # it->second
        return _member(parsed, parent, var_type)
    if kind == "subscript_expression" and same(parent.child_by_field_name("argument"), expr):
        return classify(parsed, parent, var_type)
    if kind == "binary_expression":
        if parsed_operator(parent) in ("+", "-") and same(parent.child_by_field_name("left"), expr):
            right = parent.child_by_field_name("right")
            # it - v.begin() is a distance; it + k is another iterator.
            if parsed_operator(parent) == "-" and right is not None and right.type == "call_expression":
                return Use.READ
            return _iterator(parsed, parent, var_type, depth)
        return Use.READ
    if kind == "argument_list":
        call = parent.parent
        position = [i for i, a in enumerate(parent.named_children) if same(a, expr)]
        if call is not None and call.type == "call_expression":
            name = _callee(parsed, call)
            function = call.child_by_field_name("function")
            if name in _RANGE_VALUE or (name in _RANGE_INPUT and position and position[0] < 2):
                return Use.READ
            if name in _RANGE_ITERATOR:
                return _iterator(parsed, call, var_type, depth + 1)
            if function is not None and function.type == "field_expression":
                field = function.child_by_field_name("field")
                if field is not None and parsed.text(field) in _RANGE_MEMBERS:
                    return Use.READ
            return Use.WRITE
        if call is not None and call.type == "init_declarator":  # vector<int> w(v.begin(), v.end())
            return _bound(parsed, call.parent, call.child_by_field_name("declarator"))
        return Use.WRITE
    if kind == "init_declarator":
        declarator = parent.child_by_field_name("declarator")
        decl = parent.parent
        if declarator is None or declarator.type != "identifier" or decl is None:
            return Use.WRITE
        scope = parsed.enclosing(decl, "compound_statement")
        if scope is None:
            return Use.WRITE
        uses = uses_of(parsed, decl, parsed.text(declarator), scope)
        return Use.READ if all(reads(_iterator(parsed, u, var_type, depth + 1)) for u in uses) else Use.WRITE
    if kind in ("condition_clause", "expression_statement", "for_statement", "comma_expression"):
        return Use.READ  # comparing, or moving the iterator along (``++it`` in a for header)
    if kind == "assignment_expression" and same(parent.child_by_field_name("left"), expr):
        return Use.READ  # moving an iterator variable along does not touch the object
    return Use.WRITE


def reads(use: Use) -> bool:
    """Whether a use leaves the object as it was (a plain read, or a const reference to it)."""
    return use in (Use.READ, Use.BORROW)


def only_read(parsed: Parsed, uses: list[Node], var_type: Node | None) -> bool:
    """Whether none of ``uses`` (of a variable declared with type ``var_type``) may change the variable."""
    return all(reads(classify(parsed, u, var_type)) for u in uses)

"""Rewrites of the containers family. Sequences are here and in containers_erase.py and containers_bool.py;
the associative containers in containers_maps.py and containers_lookup.py; all share containers_analysis.py
and containers_effects.py."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.containers_analysis import (
    INTEGRAL,
    LOOPS,
    READ_METHODS,
    SEQUENCES,
    UNSIGNED,
    container_of,
    declarator_of,
    find_declaration,
    inside,
    is_literal,
    method_of,
    outer,
    scalar_type,
    sized_variable,
    statement_before,
    unit_step,
    unparen,
    uses_of,
)
from perfopt.rewrite.containers_assign import AssignNotReconstruct
from perfopt.rewrite.containers_bool import VectorBoolToChar
from perfopt.rewrite.containers_effects import is_pure, is_written
from perfopt.rewrite.containers_erase import EraseRemoveIf
from perfopt.rewrite.containers_lookup import RepeatedLookup
from perfopt.rewrite.containers_maps import FindNotCountThenIndex, InsertWithoutFind, MapToUnordered
from perfopt.rewrite.interface import Match, Rewrite
from perfopt.rewrite.parse import Parsed


def _leaves_loop(parsed: Parsed, body: Node, loop: Node) -> bool:
    """Whether some iteration of ``loop`` may end before the end of ``body`` (break, continue, return, ...)."""
    for n in parsed.walk(body):
        if n.type in ("return_statement", "goto_statement", "throw_expression", "co_return_statement"):
            lam = parsed.enclosing(n, "lambda_expression")
            if lam is None or not inside(lam, body):  # a return inside a lambda only ends the lambda
                return True
        if n.type == "break_statement" and parsed.enclosing(n, *LOOPS, "switch_statement") == loop:
            return True
        if n.type == "continue_statement" and parsed.enclosing(n, *LOOPS) == loop:
            return True
    return False


def _nonnegative(parsed: Parsed, node: Node) -> bool:
    node = unparen(node)
    if node.type == "cast_expression":
        node = unparen(node.child_by_field_name("value") or node)
    if node.type == "number_literal":
        return not parsed.text(node).startswith("-")
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        return fn is not None and fn.type == "field_expression" and parsed.text(fn).endswith((".size", ".length"))
    if node.type == "identifier":
        decl = find_declaration(parsed, node)
        t = decl.child_by_field_name("type") if decl is not None else None
        return t is not None and scalar_type(parsed, t) in UNSIGNED
    return False


def _grouped(parsed: Parsed, node: Node) -> str:
    simple = ("identifier", "number_literal", "call_expression", "field_expression", "subscript_expression")
    return parsed.text(node) if unparen(node).type in simple else f"({parsed.text(node)})"


def _counted_for(parsed: Parsed, loop: Node) -> tuple[Node, str, bool] | None:
    """``(N, count, count >= 0 for sure)`` for ``for (int i = 0; i < N; i++)`` and its usual variants."""
    init, cond, update = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    if init is None or init.type != "declaration" or cond is None or update is None:
        return None
    type_node, declarators = init.child_by_field_name("type"), init.children_by_field_name("declarator")
    if type_node is None or scalar_type(parsed, type_node) not in INTEGRAL or len(declarators) != 1:
        return None
    var, start = declarators[0].child_by_field_name("declarator"), declarators[0].child_by_field_name("value")
    if var is None or var.type != "identifier" or start is None:
        return None
    i = parsed.text(var)
    step = unit_step(parsed, update, i)
    cond = unparen(cond)
    if step is None or cond.type != "binary_expression":
        return None
    op = parsed.text(cond.children[1])
    left, right = unparen(cond.children[0]), unparen(cond.children[2])
    flip = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!="}
    if parsed.text(right) == i and op in flip:
        left, right, op = right, left, flip[op]
    if parsed.text(left) != i or op not in flip:
        return None
    if right.type == "cast_expression" and _nonnegative(parsed, right):
        right = unparen(right.child_by_field_name("value") or right)  # (int)v.size(): reserve takes a size_t
    if step == "++" and op in ("<", "!=") and is_literal(parsed, start, "0"):
        return right, parsed.text(right), _nonnegative(parsed, right)
    if step == "++" and op == "<=" and is_literal(parsed, start, "0"):
        return right, f"{_grouped(parsed, right)} + 1", _nonnegative(parsed, right)
    if step == "++" and op == "<=" and is_literal(parsed, start, "1"):
        return right, parsed.text(right), _nonnegative(parsed, right)
    start = unparen(start)
    if step == "--" and op == ">=" and is_literal(parsed, right, "0") and start.type == "binary_expression":
        n, minus, one = start.children[0], parsed.text(start.children[1]), start.children[2]
        if minus == "-" and is_literal(parsed, one, "1"):
            return n, parsed.text(n), _nonnegative(parsed, n)
    if step == "--" and (
        (op == ">" and is_literal(parsed, right, "0")) or (op == ">=" and is_literal(parsed, right, "1"))
    ):
        return start, parsed.text(start), _nonnegative(parsed, start)
    return None


def _loop_count(parsed: Parsed, loop: Node) -> tuple[str, bool, list[Node], list[Node]] | None:
    """How many times ``loop`` runs, as an expression valid just before it; whether that is surely >= 0;
    the variables that must stay unchanged in the body for the count to hold; and those the count reads."""
    body = loop.child_by_field_name("body")
    if body is None:
        return None
    if loop.type == "for_range_loop":
        right = loop.child_by_field_name("right")
        if right is None or right.type != "identifier":
            return None
        if not sized_variable(parsed, right):
            return None
        return f"{parsed.text(right)}.size()", True, [], [right]
    if loop.type == "while_statement":
        cond = loop.child_by_field_name("condition")
        value = unparen(cond.child_by_field_name("value") or cond) if cond is not None else None
        if value is not None and value.type == "binary_expression" and parsed.text(value.children[1]) == ">":
            value = unparen(value.children[0]) if is_literal(parsed, value.children[2], "0") else None
        if value is None or value.type != "update_expression" or parsed.text(value.children[-1]) != "--":
            return None
        n = value.children[0]
        decl = find_declaration(parsed, n) if n.type == "identifier" else None
        t = decl.child_by_field_name("type") if decl is not None else None
        if t is None or scalar_type(parsed, t) not in INTEGRAL:
            return None
        return parsed.text(n), scalar_type(parsed, t) in UNSIGNED, [n], [n]
    if loop.type != "for_statement":
        return None
    found = _counted_for(parsed, loop)
    if found is None:
        return None
    n, count, nonneg = found
    init = loop.child_by_field_name("initializer")
    var = init.children_by_field_name("declarator")[0].child_by_field_name("declarator") if init else None
    if var is None or not is_pure(parsed, n):
        return None
    names = [x for x in parsed.walk(n) if x.type == "identifier"]
    return count, nonneg, [var, *names], names


class ReserveBeforePushBack(Rewrite):
    """``vector<T> v; for (int i = 0; i < n; i++) v.push_back(x);`` becomes ``v.reserve(n);`` before the loop."""

    name = "containers.reserve_before_push_back"
    why = (
        "a vector grown one push_back at a time reallocates and moves its elements about log2(n) times; "
        "reserving the final size once allocates a single time"
    )
    unsafe_when = (
        "the push is conditional or the loop may exit early, v is not empty or not a vector/string, "
        "or the trip count is unknown or changes in the loop"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        pattern = """
        (expression_statement (call_expression
            function: (field_expression argument: (identifier) @v field: (field_identifier) @method))) @push
        """
        for caps in parsed.captures(pattern):
            v, method, push = caps["v"][0], caps["method"][0], caps["push"][0]
            if parsed.text(method) not in ("push_back", "emplace_back"):
                continue
            loop = push.parent
            if loop is not None and loop.type == "compound_statement":
                loop = loop.parent
            if loop is None or loop.type not in LOOPS or loop.child_by_field_name("body") not in (push, push.parent):
                continue
            count = self._count(parsed, v, loop)
            if count is None:
                continue
            name = parsed.text(v)
            text = f"{name}.reserve({count[0]});" if count[1] else f"if ({count[0]} > 0) {name}.reserve({count[0]});"
            reason = f"reserve {count[0]} elements in {name} before the loop that push_backs them one by one"
            out.append(self.match(parsed, [statement_before(parsed, loop, text)], reason))
        return out

    def _count(self, parsed: Parsed, v: Node, loop: Node) -> tuple[str, bool] | None:
        c = container_of(parsed, v)
        body = loop.child_by_field_name("body")
        if c is None or c.kind not in SEQUENCES or c.kind == "deque" or body is None:
            return None
        name = parsed.text(v)
        # Empty when the loop starts: declared without contents in the loop's block, untouched until the loop.
        block, declarator = loop.parent, declarator_of(parsed, c.decl, name)
        if block is None or c.decl.parent != block or declarator is None:
            return None
        if any(n.type == "storage_class_specifier" for n in c.decl.children):
            return None  # a static vector keeps its elements from the last call
        if declarator.type == "init_declarator":
            value = declarator.child_by_field_name("value")
            if value is None or value.type != "initializer_list" or value.named_child_count:
                return None
        elif declarator.type != "identifier":
            return None
        between = [s for s in block.named_children if c.decl.end_byte <= s.start_byte < loop.start_byte]
        if any(parsed.identifiers(s, name) for s in between) or _leaves_loop(parsed, body, loop):
            return None
        uses = uses_of(parsed, c.decl, name, loop)
        if uses is None or any(u != v and not _reads(parsed, u) for u in uses):
            return None
        count = _loop_count(parsed, loop)
        if count is None or name in map(parsed.text, count[3]) or any(is_written(parsed, x, body) for x in count[2]):
            return None
        return count[0], count[1]


def _reads(parsed: Parsed, use: Node) -> bool:
    """``v[i]``, ``v.size()``, ``v.back()``: a use that neither grows v nor depends on its capacity."""
    method = method_of(parsed, use)
    if method is not None:
        return method[0] in READ_METHODS - {"capacity", "data"}
    parent = outer(use).parent
    return parent is not None and parent.type == "subscript_expression"


REWRITES: list[type[Rewrite]] = [
    ReserveBeforePushBack,
    FindNotCountThenIndex,
    MapToUnordered,
    EraseRemoveIf,
    VectorBoolToChar,
    InsertWithoutFind,
    RepeatedLookup,
    AssignNotReconstruct,
]

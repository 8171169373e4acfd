"""Rewrites of the loops family: work a loop repeats for nothing, and recursion that recomputes."""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.loops_memo import MemoizeRecursion
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.placement import indent_of, insert_before_statement
from perfopt.rewrite.purity import PURE_MATH, Use, is_pure_call, side_effect_free, use_of, uses
from perfopt.rewrite.purity_lookup import (
    container_variable,
    fresh_name,
    is_integral_type,
    is_local,
    occurrences,
    user_functions,
)
from perfopt.rewrite.types import declaration_of, declared_names

#: Worth hoisting: a libm call costs tens to hundreds of instructions (abs, fmin and friends are inlined).
_HOISTABLE = PURE_MATH - {"abs", "fabs", "fabsf", "fabsl", "labs", "llabs", "fmin", "fmax"}
#: Division is left out: hoisted out of `k != 0 && i < sqrt(n) / k`, it would divide by zero.
_ARITHMETIC = frozenset({"+", "-", "*"})
_CONSTANTS = frozenset({"true", "false", "number_literal", "char_literal"})


def _is_global(decl: Node) -> bool:
    return (
        decl.type == "declaration"
        and decl.parent is not None
        and decl.parent.type in ("translation_unit", "declaration_list")
    )


def _invariant(parsed: Parsed, expr: Node, loop: Node, user: frozenset[str]) -> bool:
    """Whether ``expr`` has the same value at every test of ``loop``'s condition and can be computed before it."""
    if not side_effect_free(parsed, expr, user):
        return False
    if any(n.type in ("subscript_expression", "field_expression") for n in parsed.walk(expr)):
        return False  # an element or member may change through an alias we do not track
    loop_calls = [n for n in parsed.walk(loop) if n.type == "call_expression"]
    for ident in parsed.walk(expr):
        parent = ident.parent
        if ident.type != "identifier" or parent is None:
            continue
        if (
            parent.type in ("qualified_identifier", "template_function")
            or parent.child_by_field_name("function") == ident
        ):
            continue  # the name of a (pure) function, not a variable
        decl = declaration_of(parsed, ident)
        if decl is None or loop.start_byte <= decl.start_byte < loop.end_byte:
            return False
        name = parsed.text(ident)
        if any(u is not Use.READ for u in uses(parsed, name, loop, user)):
            return False
        if is_local(parsed, ident):
            scope = parsed.top_level(loop)
        elif _is_global(decl) and "volatile" not in parsed.text(decl):
            # Any function the loop calls, or any overloaded operator, could change a global.
            if any(not is_pure_call(parsed, c, user) for c in loop_calls) or any(
                u.startswith("operator") for u in user
            ):
                return False
            scope = parsed.root
        else:
            return False
        if any(u is Use.ESCAPE for u in uses(parsed, name, scope, user)):
            return False
    return True


def _has_variable(parsed: Parsed, expr: Node) -> bool:
    """Whether ``expr`` reads a variable: g++ already folds a call on constants such as ``exp(3)``."""
    for ident in parsed.walk(expr):
        parent = ident.parent
        if ident.type != "identifier" or parent is None or parent.child_by_field_name("function") == ident:
            continue
        decl = declaration_of(parsed, ident)
        if decl is not None and not any(
            parsed.text(c) in ("const", "constexpr") for c in decl.children if c.type == "type_qualifier"
        ):
            return True
    return False


def _hoist_root(parsed: Parsed, call: Node, loop: Node, user: frozenset[str]) -> Node:
    """The largest invariant expression around ``call``: through parentheses, casts, and arithmetic with invariants."""
    node = call
    while (parent := node.parent) is not None:
        if parent.type == "parenthesized_expression" or (
            parent.type == "cast_expression" and "&" not in parsed.text(parent.child_by_field_name("type") or parent)
        ):
            pass
        elif (
            parent.type == "binary_expression"
            and parsed.text(parent.child_by_field_name("operator") or parent) in _ARITHMETIC
        ):
            other = parent.child_by_field_name("right" if node == parent.child_by_field_name("left") else "left")
            if other is None or not _invariant(parsed, other, loop, user):
                break
        else:
            break
        node = parent
    return node


class HoistInvariantCall(Rewrite):
    """``for (...; i <= sqrt(n); ...)`` becomes ``const auto sqrt_n = sqrt(n); for (...; i <= sqrt_n; ...)``.

    For a <cmath> function (sqrt, cbrt, log, exp, pow, floor...) in a for or
    while condition whose arguments no part of the loop changes. ``auto`` keeps
    the exact type the expression had, so every comparison is unchanged.
    """

    name = "loops.hoist_invariant_call"
    why = "the condition is tested on every iteration, and g++ cannot hoist a libm call that may set errno"
    unsafe_when = (
        "an argument is assigned, incremented, read into, or passed by reference in the loop, has its address "
        "taken or is captured by reference anywhere, or is a global and the loop calls a function"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        user = user_functions(parsed)
        out = []
        taken: set[str] = set()  # names already given, so that applying every match declares each once
        for caps in parsed.captures(
            "[(for_statement condition: (_) @cond) (while_statement condition: (_) @cond)] @loop"
        ):
            loop, cond = caps["loop"][0], caps["cond"][0]
            roots: list[Node] = []
            for call in parsed.walk(cond):
                if call.type != "call_expression" or not is_pure_call(parsed, call, user, _HOISTABLE):
                    continue
                if any(r.start_byte <= call.start_byte < r.end_byte for r in roots):
                    continue
                if _invariant(parsed, call, loop, user) and _has_variable(parsed, call):
                    roots.append(_hoist_root(parsed, call, loop, user))
            if not roots:
                continue
            edits, declarations = [], []
            for root in roots:
                name = fresh_name(parsed, _bound_name(parsed, root), taken)
                taken.add(name)
                declarations.append(f"const auto {name} = {parsed.text(root)};")
                edits.append(Edit(root.start_byte, root.end_byte, name))
            before = insert_before_statement(parsed, loop, " ".join(declarations))
            if before is None:
                continue
            what = ", ".join(parsed.text(r) for r in roots)
            out.append(self.match(parsed, [*before, *edits], f"compute {what} once before the loop, not on every test"))
        return out


def _bound_name(parsed: Parsed, root: Node) -> str:
    """``sqrt_n`` for ``sqrt(n)``; ``bound`` when there is no single variable to name it after."""
    call = next(n for n in parsed.walk(root) if n.type == "call_expression")
    fn = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    base = parsed.text(fn).split("::")[-1] if fn is not None else "bound"
    if args is not None and args.named_child_count == 1 and args.named_children[0].type == "identifier":
        return f"{base}_{parsed.text(args.named_children[0])}"
    return f"{base}_bound"


def _flag_set(parsed: Parsed, statement: Node) -> tuple[str, str] | None:
    """``(flag, value)`` for a statement (or a block of one) that is only ``flag = <literal>;``."""
    if statement.type == "compound_statement":
        inner = [c for c in statement.named_children if c.type != "comment"]
        if len(inner) != 1:
            return None
        statement = inner[0]
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return None
    assign = statement.named_children[0]
    left, op, right = (assign.child_by_field_name(f) for f in ("left", "operator", "right"))
    if assign.type != "assignment_expression" or left is None or op is None or right is None:
        return None
    if left.type != "identifier" or parsed.text(op) != "=" or right.type not in _CONSTANTS:
        return None
    return parsed.text(left), parsed.text(right)


def _single(statement: Node) -> Node:
    """The only statement of a block, or the statement itself."""
    if statement.type == "compound_statement":
        inner = [c for c in statement.named_children if c.type != "comment"]
        if len(inner) == 1:
            return inner[0]
    return statement


class EarlyExitSearch(Rewrite):
    """``for (...) if (cond) found = true;`` becomes ``for (...) if (cond) { found = true; break; }``.

    Once the flag holds its value, the remaining iterations could only assign
    it again: conditions and updates are side-effect free and the counters
    die with the loop. A loop nest of such loops also leaves the outer loop
    (``if (found) break;`` after the inner one).
    """

    name = "loops.early_exit_search"
    why = "the loop kept scanning after the answer was known; breaking out stops at the first hit"
    unsafe_when = (
        "the loop does anything else (another assignment, a call, I/O, a counter declared outside it), "
        "the flag is volatile or mentioned elsewhere in the loop, or the if has an else"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        user = user_functions(parsed)
        out = []
        covered: set[int] = set()
        for caps in parsed.captures("[(for_statement) (for_range_loop)] @loop"):
            loop = caps["loop"][0]
            if loop.id in covered:
                continue  # already part of an outer loop's match
            plan = _search(parsed, loop, user)
            if plan is None:
                continue
            edits, flag, _, nested = plan
            covered.update(n.id for n in nested)
            out.append(self.match(parsed, edits, f"stop scanning once {flag} is set"))
        return out


def _search(parsed: Parsed, loop: Node, user: frozenset[str]) -> tuple[list[Edit], str, str, list[Node]] | None:
    """Edits that leave ``loop`` (and loops it nests) once its flag is set, with the flag, its value, inner loops."""
    body = loop.child_by_field_name("body")
    if body is None or not _quiet_header(parsed, loop, user):
        return None
    inner = _single(body)
    if inner.type in ("for_statement", "for_range_loop"):
        plan = _search(parsed, inner, user)
        if plan is None:
            return None
        edits, flag, value, nested = plan
        kind = _flag_type(parsed, loop, flag)
        if kind is None or len(occurrences(parsed, flag, loop)) != 1:
            return None
        test = (flag if value in ("true", "1") else f"!{flag}") if kind == "bool" else f"{flag} == {value}"
        check = f"if ({test}) break;"
        if inner == body:
            after = [
                Edit(inner.start_byte, inner.start_byte, "{ "),
                Edit(inner.end_byte, inner.end_byte, f" {check} }}"),
            ]
        else:
            indent = indent_of(parsed, inner)
            after = [Edit(inner.end_byte, inner.end_byte, (f"\n{indent}" if indent is not None else " ") + check)]
        return [*edits, *after], flag, value, [*nested, inner]
    if inner.type != "if_statement" or inner.child_by_field_name("alternative") is not None:
        return None
    condition, consequence = inner.child_by_field_name("condition"), inner.child_by_field_name("consequence")
    if condition is None or consequence is None or condition.named_child_count != 1:
        return None  # C++17 if (init; cond) too
    test_node = condition.child_by_field_name("value")
    assignment = _flag_set(parsed, consequence)
    if test_node is None or assignment is None or not side_effect_free(parsed, test_node, user):
        return None
    flag, value = assignment
    if len(occurrences(parsed, flag, loop)) != 1 or _flag_type(parsed, loop, flag) is None:
        return None
    if consequence.type == "compound_statement":
        statement = _single(consequence)
        edit = Edit(statement.end_byte, statement.end_byte, " break;")
    else:
        edit = Edit(consequence.start_byte, consequence.end_byte, "{ " + parsed.text(consequence) + " break; }")
    return [edit], flag, value, []


def _quiet_header(parsed: Parsed, loop: Node, user: frozenset[str]) -> bool:
    """Its counters are declared in the header, the condition is pure, the update only moves the counters.

    A range-for qualifies when it walks a standard container or an array variable.
    """
    if loop.type == "for_range_loop":
        right = loop.child_by_field_name("right")
        return right is not None and right.type == "identifier" and container_variable(parsed, right)
    init, cond, update = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    if init is None or cond is None or update is None or init.type != "declaration":
        return False
    counters = {parsed.text(n) for n in declared_names(init)}
    if not side_effect_free(parsed, cond, user):
        return False
    for node in parsed.walk(update):
        if node.type == "call_expression" and not is_pure_call(parsed, node, user):
            return False
        if (
            node.type == "identifier"
            and parsed.text(node) not in counters
            and use_of(parsed, node, user) is not Use.READ
        ):
            return False
    return True


def _flag_type(parsed: Parsed, loop: Node, flag: str) -> str | None:
    """``bool`` or ``int``-like: the flag's declared type when it is declared outside the loop as a plain scalar."""
    ident = occurrences(parsed, flag, loop)[0]
    decl = declaration_of(parsed, ident)
    if decl is None or decl.type != "declaration" or loop.start_byte <= decl.start_byte < loop.end_byte:
        return None
    kind = decl.child_by_field_name("type")
    text = parsed.text(kind) if kind is not None else ""
    if "volatile" in parsed.text(decl):
        return None
    if text == "bool":
        return "bool"
    return "int" if is_integral_type(parsed, text) else None


REWRITES: list[type[Rewrite]] = [HoistInvariantCall, MemoizeRecursion, EarlyExitSearch]

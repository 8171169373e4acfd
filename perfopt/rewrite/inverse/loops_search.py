"""Loops run backwards: a search that goes on scanning after it has found what it looked for.

``for (...) if (cond) { found = true; break; }`` loses its ``break``: the
remaining iterations only test a condition without side effects and assign the
flag the value it already holds, and the counters die with the loop, so the
state after the loop is the same. The loop must also be sure to end once it
goes on: a range-for over a container, or a counter stepping towards a bound
that nothing in the loop changes. A nest of such loops loses the outer loop's
``if (found) break;`` too.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.analysis import removal, undo
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.loops import EarlyExitSearch
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import Use, side_effect_free, uses
from perfopt.rewrite.purity_lookup import container_variable, is_integral_type, occurrences, user_functions
from perfopt.rewrite.streams import operator_of
from perfopt.rewrite.types import declaration_of, declared_names

_LOOPS = ("for_statement", "for_range_loop")
_CONSTANTS = ("true", "false", "number_literal", "char_literal")
_SIGNED = frozenset(("int", "long", "short", "signed", "const"))


def _statements(block: Node) -> list[Node]:
    return [c for c in block.named_children if c.type != "comment"]


def _only(statement: Node) -> Node:
    """The one statement of a block, or the statement itself."""
    if statement.type == "compound_statement" and len(_statements(statement)) == 1:
        return _statements(statement)[0]
    return statement


def _flag_set(parsed: Parsed, statement: Node) -> tuple[str, str] | None:
    """``(flag, value)`` for ``flag = <literal>;``."""
    assign = statement.named_children[0] if statement.type == "expression_statement" else None
    if assign is None or assign.type != "assignment_expression" or operator_of(parsed, assign) != "=":
        return None
    left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
    if left is None or right is None or left.type != "identifier" or right.type not in _CONSTANTS:
        return None
    return parsed.text(left), parsed.text(right)


def _flag_kind(parsed: Parsed, loop: Node, flag: str) -> str | None:
    """``bool`` or ``int``: the flag's type, when it is a plain non-volatile scalar declared outside the loop."""
    found = occurrences(parsed, flag, loop)
    decl = declaration_of(parsed, found[0]) if found else None
    if decl is None or decl.type != "declaration" or loop.start_byte <= decl.start_byte < loop.end_byte:
        return None
    kind = decl.child_by_field_name("type")
    text = parsed.text(kind) if kind is not None else ""
    if "volatile" in parsed.text(decl):
        return None
    if text == "bool":
        return "bool"
    return "int" if is_integral_type(parsed, text) else None


def _ends(parsed: Parsed, loop: Node, user: frozenset[str]) -> bool:
    """Whether the loop surely ends when it runs to its last iteration: a range-for over a container, or one
    counter declared in the header stepping by a literal towards a bound with ``<``, ``<=``, ``>`` or ``>=``."""
    if loop.type == "for_range_loop":
        right = loop.child_by_field_name("right")
        return right is not None and right.type == "identifier" and container_variable(parsed, right)
    init, cond, update = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    if init is None or cond is None or update is None or init.type != "declaration" or cond.type != "binary_expression":
        return False
    counters = {parsed.text(n) for n in declared_names(init)}
    left, right, op = cond.child_by_field_name("left"), cond.child_by_field_name("right"), operator_of(parsed, cond)
    if left is None or right is None or op not in ("<", "<=", ">", ">="):
        return False
    if left.type != "identifier" or parsed.text(left) not in counters:
        return False
    i = parsed.text(left)
    if occurrences(parsed, i, right) or not side_effect_free(parsed, right, user):
        return False
    if any(u is not Use.READ for u in uses(parsed, i, cond, user)):
        return False
    up = _direction(parsed, update, i)
    if up is None or up != (op in ("<", "<=")):
        return False
    kind = init.child_by_field_name("type")
    signed = kind is not None and set(parsed.text(kind).split()) <= _SIGNED
    # Counting an unsigned counter down, only `i > b` with `i--` surely stops: `i >= 0` never fails, and a
    # larger step may jump past the bound and wrap around.
    return up or signed or (op == ">" and update.type == "update_expression")


def _direction(parsed: Parsed, update: Node, i: str) -> bool | None:
    """True for ``i++``/``++i``/``i += k``, False for ``i--``/``i -= k`` (k a positive literal), else None."""
    if update.type == "update_expression":
        arg = update.child_by_field_name("argument")
        return operator_of(parsed, update) == "++" if arg is not None and parsed.text(arg) == i else None
    if update.type != "assignment_expression":
        return None
    left, step = update.child_by_field_name("left"), update.child_by_field_name("right")
    if left is None or step is None or parsed.text(left) != i or step.type != "number_literal":
        return None
    if not parsed.text(step).isdigit() or int(parsed.text(step)) == 0:
        return None
    return {"+=": True, "-=": False}.get(operator_of(parsed, update) or "")


def _exit(parsed: Parsed, statement: Node, flag: str, value: str, kind: str) -> bool:
    """Whether ``statement`` is ``if (<flag holds value>) break;``: ``flag``, ``!flag`` or ``flag == value``.

    It must hold exactly when the flag has its value: then, whether or not it
    held before the loop, the flag ends with the same value both ways.
    """
    if statement.type != "if_statement" or statement.child_by_field_name("alternative") is not None:
        return False
    condition, then = statement.child_by_field_name("condition"), statement.child_by_field_name("consequence")
    if condition is None or then is None or _only(then).type != "break_statement":
        return False
    test = condition.child_by_field_name("value")
    if test is None or condition.named_child_count != 1:
        return False
    spelled = "".join(parsed.text(test).split())
    if kind == "bool" and value in ("true", "false"):
        return spelled == (flag if value == "true" else f"!{flag}")
    return spelled in (f"{flag}=={value}", f"{value}=={flag}")


def _unbreak(parsed: Parsed, loop: Node, user: frozenset[str]) -> tuple[list[Edit], str, str] | None:
    """Edits that take the early exits out of ``loop`` (and the loops it nests), with the flag and its value."""
    body = loop.child_by_field_name("body")
    if body is None or not _ends(parsed, loop, user):
        return None
    inner = _only(body)
    if inner.type in _LOOPS or (body.type == "compound_statement" and len(_statements(body)) == 2):
        parts = _statements(body) if body.type == "compound_statement" else [body]
        plan = _unbreak(parsed, parts[0], user) if parts[0].type in _LOOPS else None
        if plan is None:
            return None
        edits, flag, value = plan
        if len(parts) == 2:
            kind = _flag_kind(parsed, loop, flag)
            if kind is None or not _exit(parsed, parts[1], flag, value, kind):
                return None
            edits = [*edits, removal(parsed, parts[1])]
        return edits, flag, value
    if inner.type != "if_statement" or inner.child_by_field_name("alternative") is not None:
        return None
    condition, then = inner.child_by_field_name("condition"), inner.child_by_field_name("consequence")
    if condition is None or then is None or then.type != "compound_statement" or condition.named_child_count != 1:
        return None
    test = condition.child_by_field_name("value")
    inside = _statements(then)
    if test is None or len(inside) != 2 or inside[1].type != "break_statement":
        return None
    assignment = _flag_set(parsed, inside[0])
    if assignment is None or not side_effect_free(parsed, test, user):
        return None
    flag, value = assignment
    if len(occurrences(parsed, flag, loop)) != 1 or _flag_kind(parsed, loop, flag) is None:
        return None
    return [removal(parsed, inside[1])], flag, value


class ScanOn(Inverse):
    """``for (...) if (cond) { found = true; break; }`` becomes ``for (...) if (cond) { found = true; }``.

    The flag takes a constant and is read nowhere else in the loop; the
    condition has no side effects; the loop is a range-for over a container or
    steps a counter of its own towards a fixed bound. In a nest of such loops
    the outer loop's ``if (found) break;`` goes too.
    """

    name = "loops.scan_on"
    inverts = "loops.early_exit_search"
    why = "the loop keeps testing every remaining element after the answer is known, instead of stopping at the first"
    unsafe_when = (
        "the if does anything but assign the flag a constant, the flag is read in the loop or is volatile, the "
        "condition or header has side effects, the loop may not end (no bound, a bound the loop changes), or the "
        "condition reads out of bounds in an iteration the break skipped (an index past a sentinel the program "
        "relies on)"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        user = user_functions(parsed)
        forward = EarlyExitSearch()
        out: list[Match] = []
        taken: list[Node] = []  # loops already part of a match: an inner loop's exit went with the outer's
        for loop in parsed.walk():
            if loop.type not in _LOOPS or not parsed.clean(loop):
                continue
            if any(t.start_byte <= loop.start_byte and loop.end_byte <= t.end_byte for t in taken):
                continue
            plan = _unbreak(parsed, loop, user)
            if plan is None:
                continue
            edits, flag, _ = plan
            match = self.match(parsed, edits, f"keep scanning after {flag} is set", at=loop)
            if undo(parsed, match, forward).touched(loop.start_byte, loop.end_byte):
                out.append(match)
                taken.append(loop)
        return out


INVERSES: tuple[type[Inverse], ...] = (ScanOn,)

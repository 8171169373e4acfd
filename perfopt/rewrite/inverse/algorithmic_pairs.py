"""Algorithmic de-optimizations: a duplicate check by sorting run as a comparison of every pair.

``sort(a, a + n);`` followed by a scan of neighbours,
``for (int i = 0; i + 1 < n; i++) if (a[i] == a[i + 1]) found = true;``,
becomes the same check over every pair of the unsorted array:
``for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (a[i] == a[j]) found = true;``.

Why the meaning stays: for integers and strings, ``==`` holds exactly between
elements that ``<`` orders neither way, so some two neighbours of the sorted
range are equal exactly when some two elements of the range are. The action
taken on a hit only stores constants (and may break), or returns (after
printing constants): doing it once or several times, at any hit, leaves the
same state and prints the same. And nothing else ever sees the sorted order:
the array is a local that is not used after the sort but by the scan, nor
aliased, nor captured by a lambda, and the sort runs once per declaration.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.algorithmic_tables import int_kind, integer, passing, unparen
from perfopt.rewrite.inverse.analysis import flat, removal
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import side_effect_free
from perfopt.rewrite.purity_lookup import fresh_name, user_functions
from perfopt.rewrite.streams import call_name, is_std, macro_words, method_of
from perfopt.rewrite.usage import Use, classify, uses_of
from perfopt.rewrite.usage_lookup import declaration, inside, same
from perfopt.rewrite.usage_regions import expression_type

_LOOPS = ("for_statement", "for_range_loop", "while_statement", "do_statement")
_PRINTS = frozenset(["puts", "printf"])


def _range(parsed: Parsed, call: Node) -> tuple[Node, str, set[str]] | None:
    """``(a, "n", {"n"})`` for ``sort(a, a + n)``, ``(v, "v.size()", {"v"})`` for ``sort(v.begin(), v.end())``
    (or ``begin(v), end(v)``): a whole array prefix or vector, without a comparator; the bound and its names."""
    args = call.child_by_field_name("arguments")
    fn = call.child_by_field_name("function")
    if args is None or fn is None or args.named_child_count != 2 or not is_std(parsed, fn, "sort"):
        return None
    first, last = (unparen(a) for a in args.named_children)
    if first.type == "identifier" and last.type == "binary_expression" and parsed.text(last.children[1]) == "+":
        left, right = last.child_by_field_name("left"), last.child_by_field_name("right")
        quiet = right is not None and side_effect_free(parsed, right, user_functions(parsed))
        if left is not None and right is not None and quiet and parsed.text(left) == parsed.text(first):
            names = {parsed.text(n) for n in parsed.walk(right) if n.type == "identifier"}
            return first, flat(parsed.text(right)), names
    ends = [_end(parsed, a) for a in (first, last)]
    if ends[0] is None or ends[1] is None or (ends[0][1], ends[1][1]) != ("begin", "end"):
        return None
    vector = parsed.text(ends[0][0])
    return (ends[0][0], f"{vector}.size()", {vector}) if parsed.text(ends[1][0]) == vector else None
    return None


def _end(parsed: Parsed, node: Node) -> tuple[Node, str] | None:
    """``(v, "begin")`` for ``v.begin()`` or ``begin(v)``."""
    if node.type != "call_expression":
        return None
    method = method_of(parsed, node)
    args = node.child_by_field_name("arguments")
    if method is not None and method[0].type == "identifier" and args is not None and not args.named_children:
        return method[0], method[1]
    name, fn = call_name(parsed, node), node.child_by_field_name("function")
    values = args.named_children if args is not None else []
    if name in ("begin", "end") and fn is not None and is_std(parsed, fn, name) and len(values) == 1:
        return (values[0], name) if values[0].type == "identifier" else None
    return None


def _scan(parsed: Parsed, loop: Node, array: str, bound: str, signed: bool) -> tuple[Node, Node, Node, str] | None:
    """``(index declaration, if statement, action, index name)`` of a neighbour scan of ``array`` over
    ``[0, bound)``: ``for (I i = 0; i + 1 < n; i++)`` (or ``i < n - 1``, or from 1 comparing ``a[i - 1]``),
    whose body is one ``if (a[i] == a[i + 1]) action`` with no else."""
    init, cond, update, body = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update", "body"))
    if loop.type != "for_statement" or init is None or cond is None or update is None or body is None:
        return None
    declarators = init.children_by_field_name("declarator") if init.type == "declaration" else []
    value = declarators[0].child_by_field_name("value") if len(declarators) == 1 else None
    target = declarators[0].child_by_field_name("declarator") if value is not None else None
    if value is None or target is None or target.type != "identifier":
        return None
    i, start = parsed.text(target), integer(parsed, value)
    if flat(parsed.text(update)) not in (f"{i}++", f"++{i}"):
        return None
    bounds = {0: (f"{i}+1<{bound}", f"{i}<{bound}-1"), 1: (f"{i}<{bound}",)}
    # n - 1 wraps for an unsigned n of 0 (v.size() of an empty v): then the scan reads past the end.
    if start not in bounds or flat(parsed.text(cond)) not in bounds[start][: 2 if signed else 1]:
        return None
    if body.type == "compound_statement" and body.named_child_count == 1:
        body = body.named_children[0]
    test, action = body.child_by_field_name("condition"), body.child_by_field_name("consequence")
    if body.type != "if_statement" or body.child_by_field_name("alternative") or test is None or action is None:
        return None
    compared = test.named_children[0] if test.named_child_count == 1 else None
    expected = {0: (f"{array}[{i}]=={array}[{i}+1]", f"{array}[{i}+1]=={array}[{i}]"), 1: ()}
    expected[1] = (f"{array}[{i}]=={array}[{i}-1]", f"{array}[{i}-1]=={array}[{i}]")
    if compared is None or flat(parsed.text(unparen(compared))) not in expected[start]:
        return None
    return init, body, action, i


def _idempotent(parsed: Parsed, action: Node, avoid: set[str]) -> bool:
    """Whether running ``action`` at several hits leaves what running it at one does: constants stored into
    plain names (then perhaps a break), or constants printed and a return."""
    statements = action.named_children if action.type == "compound_statement" else [action]
    prints, last = False, statements[-1] if statements else None
    for s in statements:
        if s.type in ("break_statement", "return_statement") and s != last:
            return False
        if s.type == "return_statement":
            value = s.named_children[0] if s.named_child_count else None
            if value is not None and integer(parsed, value) is None:
                return False
            continue
        if s.type == "break_statement":
            continue
        expr = s.named_children[0] if s.type == "expression_statement" and s.named_child_count == 1 else None
        if expr is None:
            return False
        if expr.type == "assignment_expression" and parsed.text(expr.children[1]) == "=":
            left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
            if left is None or right is None or left.type != "identifier" or parsed.text(left) in avoid:
                return False
            if integer(parsed, right) is None:
                return False
        elif _prints_constants(parsed, expr):
            prints = True
        else:
            return False
    return last is not None and (not prints or last.type == "return_statement")


def _prints_constants(parsed: Parsed, expr: Node) -> bool:
    """``cout << "NO" << '\\n'`` or ``puts("NO")``: output of literals only."""
    if expr.type == "call_expression":
        args = expr.child_by_field_name("arguments")
        name = call_name(parsed, expr)
        literal = ("string_literal", "char_literal", "number_literal")
        return name in _PRINTS and args is not None and all(a.type in literal for a in args.named_children)
    parts = []
    while expr.type == "binary_expression" and parsed.text(expr.children[1]) == "<<":
        right, expr = expr.child_by_field_name("right"), expr.child_by_field_name("left") or expr
        parts.append(right)
    literal = ("string_literal", "char_literal", "number_literal")
    ends = all(p is not None and (p.type in literal or parsed.text(p) in ("endl", "std::endl")) for p in parts)
    return bool(parts) and ends and flat(parsed.text(expr)) in ("cout", "std::cout")


class SortedDuplicateScanToPairs(Inverse):
    """``sort(a, a + n);`` then ``for (int i = 0; i + 1 < n; i++) if (a[i] == a[i + 1]) action`` becomes, with
    the sort gone, ``for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (a[i] == a[j]) action``.

    Also ``sort(v.begin(), v.end())`` with ``i + 1 < v.size()``, ``i < n - 1``, and the scan from 1 comparing
    ``a[i - 1]``. The array is a local of integers or strings, used after the sort only by the scan; the action
    stores constants (perhaps then breaks) or prints constants and returns.
    """

    name = "algorithmic.sorted_duplicates_to_pairs"
    inverts = "algorithmic.sort_then_scan"
    why = "sorting finds equal elements as neighbours in O(n log n); comparing every pair takes O(n^2)"
    unsafe_when = (
        "the sort has a comparator or another range; the array is a global, aliased, captured by a lambda, used "
        "after the sort but by the scan, or sorted in a loop over one declaration; its elements are not integers "
        "or strings; the scan does anything on a hit but store constants (and break) or print constants and "
        "return; the bound may change between the sort and the scan"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if parsed.root.has_error:
            return []
        hidden, out = macro_words(parsed), []
        for statement in parsed.walk():
            expr = (
                statement.named_children[0]
                if statement.type == "expression_statement" and statement.named_child_count
                else None
            )
            if expr is not None and expr.type == "call_expression" and parsed.clean(statement):
                found = self._plan(parsed, statement, expr, hidden)
                if found is not None:
                    out.append(found)
        return out

    def _plan(self, parsed: Parsed, statement: Node, call: Node, hidden: set[str]) -> Match | None:
        found = _range(parsed, call)
        block = statement.parent
        if found is None or block is None or block.type != "compound_statement":
            return None
        array, bound, bound_names = found
        name = parsed.text(array)
        decl = declaration(parsed, array)
        function = parsed.function_of(statement)
        kind = expression_type(parsed, array)
        if decl is None or function is None or kind is None or name in hidden or "sort" in user_functions(parsed):
            return None
        element = kind[0] if kind[1] == 1 else None
        if kind[1] == 0 and bound.endswith(".size()"):
            element = _vector_element(parsed, kind[0])
        if element is None or not (
            int_kind(parsed, element) or flat(parsed.text(element)) in ("string", "std::string")
        ):
            return None
        if not inside(decl, function) or any(n.type == "goto_statement" for n in parsed.walk(function)):
            return None  # a global may be read by any function, and a goto may run the sort twice
        holder = parsed.enclosing(statement, *_LOOPS, "function_definition", "lambda_expression")
        if holder is None or (holder.type in _LOOPS and not inside(decl, holder)):
            return None  # sorted again on the next pass, over what the last pass left
        siblings = block.named_children
        at = next(k for k, s in enumerate(siblings) if same(s, statement))
        loop = next((s for s in siblings[at + 1 :] if s.type == "for_statement"), None)
        args = call.child_by_field_name("arguments")
        end = unparen(args.named_children[1]) if args is not None else None
        right = end.child_by_field_name("right") if end is not None else None
        signed = right is not None and right.type == "identifier" and _signed(parsed, right)
        scan = _scan(parsed, loop, name, bound, signed) if loop is not None else None
        if loop is None or scan is None:
            return None
        init, test, action, i = scan
        if not _idempotent(parsed, action, {name, i} | bound_names):
            return None
        if not self._only_scan(parsed, decl, name, statement, [test.child_by_field_name("condition"), loop]):
            return None
        between = [s for s in siblings[at + 1 :] if s.start_byte < loop.start_byte]
        if any(_mentions(parsed, s, bound_names) for s in between):
            return None  # the bound might change between the sort and the scan
        kind_text, j, pad = parsed.text(init.child_by_field_name("type") or init), fresh_name(parsed, "j"), ""
        if test.start_point.row != loop.start_point.row:
            pad = "    "  # the if moves one level deeper than it was
        hit = parsed.text(action).replace("\n", "\n" + pad)
        text = (
            f"for ({kind_text} {i} = 0; {i} < {bound}; {i}++)\n"
            f"{_indent(parsed, loop)}    for ({kind_text} {j} = {i} + 1; {j} < {bound}; {j}++)\n"
            f"{_indent(parsed, loop)}        if ({name}[{i}] == {name}[{j}]) {hit}"
        )
        edits = [removal(parsed, statement), Edit(loop.start_byte, loop.end_byte, text)]
        return self.match(parsed, edits, f"compare every pair of {name} instead of sorting it", at=loop)

    def _only_scan(self, parsed: Parsed, decl: Node, name: str, sort: Node, scan: list[Node | None]) -> bool:
        """Whether every use of the array after the sort is in the scan's test (or its bound, the size), and
        none anywhere aliases it, lets it escape or sits in a lambda."""
        test, loop = scan
        bound = loop.child_by_field_name("condition") if loop is not None else None
        for use in uses_of(parsed, decl, name, parsed.root):
            if parsed.enclosing(use, "lambda_expression") is not None:
                return False
            kind = classify(parsed, use, decl.child_by_field_name("type"))
            if kind in (Use.MOVE, Use.RETURN) or (kind is Use.ALIAS and not passing(parsed, use)):
                return False
            if use.start_byte > sort.end_byte and not any(r is not None and inside(use, r) for r in (test, bound)):
                return False
        return True


def _signed(parsed: Parsed, ident: Node) -> bool:
    """Whether the variable ``ident`` names has a signed integer type."""
    found = expression_type(parsed, ident)
    kind = int_kind(parsed, found[0]) if found is not None and found[1] == 0 else None
    return kind is not None and kind[1]


def _vector_element(parsed: Parsed, kind: Node) -> Node | None:
    resolved = type_index(parsed).resolve(kind)
    head = resolved.child_by_field_name("name") if resolved.type == "template_type" else None
    args = type_index(parsed).arguments(resolved)
    return args[0] if head is not None and parsed.text(head) == "vector" and len(args) == 1 else None


def _mentions(parsed: Parsed, node: Node, names: set[str]) -> bool:
    return any(n.type == "identifier" and parsed.text(n) in names for n in parsed.walk(node))


def _indent(parsed: Parsed, node: Node) -> str:
    start = parsed.data.rfind(b"\n", 0, node.start_byte) + 1
    prefix = parsed.data[start : node.start_byte].decode("utf-8")
    return prefix if not prefix.strip() else ""


INVERSES: tuple[type[Inverse], ...] = (SortedDuplicateScanToPairs,)

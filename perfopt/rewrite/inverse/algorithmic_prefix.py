"""Algorithmic de-optimizations: a prefix-sum query answered by a loop over the range.

A program that builds a prefix array in a loop, ``p[i + 1] = p[i] + a[i];``
(or ``p[i] = p[i - 1] + a[i];``, or any term ``e(i)`` in place of ``a[i]``),
and later takes ``p[r] - p[l]`` gets, in place of each such difference, a
lambda that adds the terms up again:
``[&]() -> T { T s = 0; for (I t = l; t < r; ++t) s += a[t]; for (I t = r; t < l; ++t) s -= a[t]; return s; }()``
with ``T`` the prefix array's element type (so every step adds in the same
type, wrapping or narrowing as the build did) and ``I`` the build loop's index
type (so the term is computed as the build computed it).

Why the meaning stays: the loop ran with ``i`` rising by one and wrote
``p[i + c + 1] = p[i + c] + e(i)`` for each ``i``, so afterwards
``p[j] - p[j - 1] == e(j - c - 1)`` for every ``j`` it wrote, and
``p[r] - p[l]`` is the sum of the terms from ``l - c`` up to ``r - c`` (the
second loop: the negated sum when ``l > r``). That stays true at the query
because every write to ``p`` or to a variable the term reads runs before the
build loop (or, for an input read ``cin >> a[i]``, in it before the term is
taken at the same index), and the query is in the build loop's block after
it. The query's indices are assumed to lie in the range the loop wrote: a
program that reads other cells reads values the build never defined.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.algorithmic_tables import Table, int_kind, integer, passing, table, unparen
from perfopt.rewrite.inverse.analysis import flat
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import side_effect_free
from perfopt.rewrite.purity_lookup import fresh_name, user_functions
from perfopt.rewrite.streams import macro_words
from perfopt.rewrite.usage import Use, classify, reads, uses_of
from perfopt.rewrite.usage_lookup import declaration, in_nested_lambda, inside, is_declared_name, same
from perfopt.rewrite.usage_regions import expression_type

#: Where a lambda may not appear in C++17 (unevaluated or constant operands).
_NO_LAMBDA = frozenset(
    """decltype sizeof_expression alignof_expression noexcept template_argument_list static_assert_declaration
    enumerator bitfield_clause""".split()  # noqa: SIM905
)
#: Operators whose result is an integer when their operands are.
_INTEGRAL_OPS = frozenset("+ - * / % << >> & | ^ < <= > >= == != && ||".split())  # noqa: SIM905
_PRIMARY = ("identifier", "number_literal", "call_expression", "subscript_expression")
_JUMPS = ("break_statement", "continue_statement", "return_statement", "goto_statement", "throw_statement")


def _offset(parsed: Parsed, node: Node, index: str) -> int | None:
    """``c`` for ``i``, ``i + c``, ``c + i`` or ``i - c``, where ``i`` is spelled ``index``."""
    node = unparen(node)
    if node.type == "identifier":
        return 0 if parsed.text(node) == index else None
    left, op, right = (node.child_by_field_name(f) for f in ("left", "operator", "right"))
    if node.type != "binary_expression" or left is None or op is None or right is None or op.type not in ("+", "-"):
        return None
    if op.type == "+" and unparen(left).type != "identifier":
        left, right = right, left
    value = integer(parsed, right)
    if value is None or unparen(left).type != "identifier" or parsed.text(unparen(left)) != index:
        return None
    return value if op.type == "+" else -value


def _cell(parsed: Parsed, node: Node) -> tuple[Node, Node] | None:
    """``(p, x)`` for ``p[x]``: one subscript of a name."""
    node = unparen(node)
    base = node.child_by_field_name("argument") if node.type == "subscript_expression" else None
    indices = node.child_by_field_name("indices")
    if base is None or indices is None or base.type != "identifier" or indices.named_child_count != 1:
        return None
    return base, indices.named_children[0]


def _integral(parsed: Parsed, node: Node) -> bool:
    """Whether ``node`` surely has an integer type: integer literals and variables, integral arithmetic."""
    node = unparen(node)
    t = node.type
    if t in ("number_literal", "char_literal", "true", "false"):
        return t != "number_literal" or integer(parsed, node) is not None
    if t in ("identifier", "subscript_expression"):
        found = expression_type(parsed, node)
        return found is not None and found[1] == 0 and int_kind(parsed, found[0]) is not None
    if t == "binary_expression":
        op = node.child_by_field_name("operator")
        return op is not None and op.type in _INTEGRAL_OPS and all(_integral(parsed, c) for c in node.named_children)
    if t == "unary_expression":
        return all(_integral(parsed, c) for c in node.named_children)
    if t == "conditional_expression":
        return all(_integral(parsed, c) for c in node.named_children[1:])
    if t == "cast_expression":
        kind, value = node.child_by_field_name("type"), node.child_by_field_name("value")
        return (
            kind is not None
            and value is not None
            and "&" not in parsed.text(kind)
            and (int_kind(parsed, kind.child_by_field_name("type") or kind) is not None)
        )
    return False


def _loop(parsed: Parsed, statement: Node) -> tuple[Node, Node, str] | None:
    """The ``for (I i = ...; cond; ++i)`` loop whose body runs ``statement`` on every pass, and the
    declaration of ``i``: ``i`` rises by one, nothing else writes it, nothing jumps out or past."""
    loop = statement.parent
    if loop is not None and loop.type == "compound_statement":
        loop = loop.parent
    if loop is None or loop.type != "for_statement" or not parsed.clean(loop):
        return None
    init, cond, update, body = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update", "body"))
    if init is None or cond is None or update is None or body is None or init.type != "declaration":
        return None
    declarators = init.children_by_field_name("declarator")
    target = declarators[0].child_by_field_name("declarator") if len(declarators) == 1 else None
    if target is None or target.type != "identifier" or not side_effect_free(parsed, cond, user_functions(parsed)):
        return None
    index = parsed.text(target)
    steps = {f"{index}++", f"++{index}", f"{index}+=1", f"{index}={index}+1"}
    if "".join(parsed.text(update).split()) not in steps or any(n.type in _JUMPS for n in parsed.walk(body)):
        return None
    for use in parsed.identifiers(body, index):
        if same(declaration(parsed, use), init) and classify(parsed, use, None) is not Use.READ:
            return None
    return loop, init, index


def _reentrant(parsed: Parsed, home: Node) -> bool:
    """Whether ``home`` may run again while it runs: it is a lambda, or a function called but from main."""
    declarator = home.child_by_field_name("declarator") if home.type == "function_definition" else None
    name = declarator.child_by_field_name("declarator") if declarator is not None else None
    if name is None:
        return True
    if parsed.text(name) == "main":
        return False
    mains = [
        f
        for f in parsed.walk()
        if f.type == "function_definition"
        and flat(parsed.text(f.child_by_field_name("declarator") or f)).startswith("main(")
    ]
    calls = [
        n
        for n in parsed.named(parsed.text(name), ("identifier",))
        if n.parent is not None and n.parent.type != "function_declarator"
    ]
    return len(mains) != 1 or not all(inside(n, mains[0]) for n in calls)


def _before(block: Node, node: Node, anchor: Node) -> bool:
    """Whether ``node`` runs before ``anchor`` whenever both run: in the smallest block holding both, the
    statement holding ``node`` comes first."""
    common = anchor.parent
    while common is not None and not (common.type == "compound_statement" and inside(node, common)):
        common = common.parent
    if common is None or not inside(common, block):
        return False
    holders = common.named_children
    ours = next((i for i, s in enumerate(holders) if inside(anchor, s)), None)
    theirs = next((i for i, s in enumerate(holders) if inside(node, s)), None)
    return ours is not None and theirs is not None and theirs < ours


def _steady(parsed: Parsed, decl: Node, name: str, loop: Node, build: Node, reads_at: str | None) -> bool:
    """Whether the variable ``name`` keeps its value from the end of the build loop on: every write to it
    runs before the loop (in the same function), or is ``build`` itself, or (``reads_at``: the index the term
    reads it at) an input read at that index in the loop before the build statement."""
    home = parsed.function_of(loop)
    body = home.child_by_field_name("body") if home is not None else None
    if body is None:
        return False
    kind = decl.child_by_field_name("type")
    for use in uses_of(parsed, decl, name, parsed.root):
        use_kind = classify(parsed, use, kind)
        if inside(use, decl) or reads(use_kind) or inside(use, build):
            continue
        if use_kind is not Use.WRITE and not (use_kind is Use.ALIAS and passing(parsed, use)):
            return False  # an alias may write it anywhere
        if in_nested_lambda(parsed, use, home) or parsed.function_of(use) != home:
            return False
        cell = _cell(parsed, use.parent) if use.parent is not None else None
        read_in_loop = cell is not None and reads_at is not None and parsed.text(cell[1]) == reads_at
        if inside(use, loop) and not (read_in_loop and use.start_byte < build.start_byte):
            return False
        if not inside(use, loop) and not _before(body, use, loop):
            return False
    return True


class PrefixSumToLoop(Inverse):
    """``p[r] - p[l]``, after ``for (int i = 0; i < n; i++) p[i + 1] = p[i] + a[i];``, becomes a lambda
    summing ``a[t]`` for ``t`` from ``l`` to ``r`` (with ``p[i] = p[i - 1] + a[i]``: from ``l + 1`` to ``r``
    inclusive); ``a[i]`` may be any integral term of ``i``, which the lambda evaluates at ``t``.

    The prefix array and every variable the term reads are written only before the build loop (or, by an
    input read ``cin >> a[i]``, in it before the build at the same index); the query comes after the loop in
    its block. The sum runs in the prefix array's element type, the index in the loop's.
    """

    name = "algorithmic.prefix_sum_to_loop"
    inverts = "algorithmic.prefix_sums"
    why = "a prefix-sum difference answers a range-sum query in O(1); the loop re-adds the whole range every time"
    unsafe_when = (
        "the prefix array or anything the term reads is written after the build loop starts (but an input read "
        "at the same index before the build), through an alias, in a lambda or in another function; the build "
        "loop's index does not rise by one or the body may jump; the term is not surely an integer (a floating "
        "sum rounds differently); the element type is narrower than int; the query is outside the loop's block, "
        "before the loop, in a lambda or in an unevaluated or constant operand; its indices have side effects"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if parsed.root.has_error:
            return []  # uses in a region that did not parse could write the arrays
        hidden, out = macro_words(parsed), []
        for statement in parsed.walk():
            if statement.type == "expression_statement" and parsed.clean(statement):
                out += self._queries(parsed, statement, hidden)
        return out

    def _queries(self, parsed: Parsed, build: Node, hidden: set[str]) -> list[Match]:
        assign = build.named_children[0] if build.named_child_count == 1 else None
        if assign is None or assign.type != "assignment_expression" or parsed.text(assign.children[1]) != "=":
            return []
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        written = _cell(parsed, left) if left is not None else None
        plus = right is not None and right.type == "binary_expression" and parsed.text(right.children[1]) == "+"
        terms = right.named_children if right is not None and plus else []
        found = _loop(parsed, build)
        if written is None or found is None or len(terms) != 2:
            return []
        loop, init, index = found
        prefix, at = written
        cells = [(t, c) for t in terms if (c := _cell(parsed, t)) and parsed.text(c[0]) == parsed.text(prefix)]
        shift = _offset(parsed, at, index)
        if not cells or shift is None or _offset(parsed, cells[0][1][1], index) != shift - 1:
            return []
        term = terms[1] if same(cells[0][0], terms[0]) else terms[0]
        array = table(parsed, prefix, file_level=False)
        kind = int_kind(parsed, array.element) if array is not None else None
        if array is None or array.dims != 1 or array.kind == "map" or kind is None or (kind[0] or 32) < 32:
            return []
        if not _integral(parsed, term) or not side_effect_free(parsed, term, user_functions(parsed)):
            return []
        variables = self._variables(parsed, term, init, loop)
        if variables is None or parsed.text(prefix) in variables or ({parsed.text(prefix)} | set(variables)) & hidden:
            return []
        if not _steady(parsed, array.decl, array.name, loop, build, None):
            return []
        for name, (decl, reads_at) in variables.items():
            if not _steady(parsed, decl, name, loop, build, reads_at):
                return []
        home = parsed.function_of(loop)
        shared = [d for d in [array.decl] + [d for d, _ in variables.values()] if home and not inside(d, home)]
        if home is None or (shared and _reentrant(parsed, home)):
            return []  # a call between the build and the query could run the writes again, and not the build
        block = loop.parent
        if block is None or block.type != "compound_statement":
            return []
        out = []
        for query in parsed.walk(block):
            if query.type == "binary_expression" and query.start_byte > loop.end_byte:
                text = self._sum(parsed, query, array, term, (init, index, 1 - shift), variables)
                if text is not None:
                    edit = Edit(query.start_byte, query.end_byte, text)
                    reason = f"sum {parsed.text(term)} over the range instead of {parsed.text(query)}"
                    out.append(self.match(parsed, [edit], reason, at=query))
        return out

    def _variables(
        self, parsed: Parsed, term: Node, init: Node, loop: Node
    ) -> dict[str, tuple[Node, str | None]] | None:
        """The variables the term reads (but the index), each with its declaration and, when it reads
        it only as ``v[x]`` with one ``x``, that index; None if one is declared in the loop or unknown."""
        out: dict[str, tuple[Node, str | None]] = {}
        for ident in parsed.walk(term):
            if ident.type != "identifier":
                continue
            decl = declaration(parsed, ident)
            if decl is not None and same(decl, init):
                continue
            if decl is None or decl.type != "declaration" or inside(decl, loop):
                return None
            cell = _cell(parsed, ident.parent) if ident.parent is not None else None
            at = parsed.text(cell[1]) if cell is not None and same(cell[0], ident) else None
            name = parsed.text(ident)
            if name in out and out[name][1] != at:
                at = None
            out[name] = (decl, at)
        return out

    def _sum(
        self,
        parsed: Parsed,
        query: Node,
        array: Table,
        term: Node,
        index: tuple[Node, str, int],
        variables: dict[str, tuple[Node, str | None]],
    ) -> str | None:
        """The lambda for ``query`` if it is ``p[x] - p[y]`` of the prefix array, where a lambda may stand."""
        init, name, k = index
        left, right = query.child_by_field_name("left"), query.child_by_field_name("right")
        high, low = (_cell(parsed, n) if n is not None else None for n in (left, right))
        if high is None or low is None or parsed.text(query.children[1]) != "-":
            return None
        if not all(
            same(declaration(parsed, c[0]), array.decl) and parsed.text(c[0]) == array.name for c in (high, low)
        ):
            return None
        user = user_functions(parsed)
        for bound in (high[1], low[1]):
            if not side_effect_free(parsed, bound, user) or not self._known(parsed, bound):
                return None
        if not self._placed(parsed, query) or self._shadowed(parsed, query, variables):
            return None
        kind = init.child_by_field_name("type")
        if kind is None:
            return None
        s, t = fresh_name(parsed, "sum"), fresh_name(parsed, "t")
        taken = {
            n.start_byte
            for n in parsed.walk(term)
            if n.type == "identifier" and parsed.text(n) == name and same(declaration(parsed, n), init)
        }
        pieces, last = [], term.start_byte
        for n in sorted(taken):
            pieces += [parsed.data[last:n].decode("utf-8"), t]
            last = n + len(name.encode("utf-8"))
        value = "".join(pieces) + parsed.data[last : term.end_byte].decode("utf-8")
        lo, hi = (_shifted(parsed, b, k) for b in (low[1], high[1]))
        sum_type, index_type = parsed.text(array.element), parsed.text(kind)
        return (
            f"[&]() -> {sum_type} {{ {sum_type} {s} = 0; "
            f"for ({index_type} {t} = {lo}; {t} < {hi}; ++{t}) {s} += {value}; "
            f"for ({index_type} {t} = {hi}; {t} < {lo}; ++{t}) {s} -= {value}; return {s}; }}()"
        )

    def _known(self, parsed: Parsed, bound: Node) -> bool:
        """Whether every name in an index is a declared variable, a constant or a called function: a
        structured binding (which a C++17 lambda may not capture) is none of them."""
        for ident in parsed.walk(bound):
            parent = ident.parent
            if ident.type != "identifier" or (parent is not None and parent.child_by_field_name("function") == ident):
                continue
            if declaration(parsed, ident) is None and integer(parsed, ident) is None:
                return False
        return True

    def _placed(self, parsed: Parsed, query: Node) -> bool:
        """Whether a ``[&]`` lambda may stand where ``query`` is: evaluated, in a function body, no lambda."""
        home = parsed.function_of(query)
        if home is None or home.type != "function_definition":
            return False
        current = query.parent
        while current is not None and not same(current, home):
            label = current.child_by_field_name("value") if current.type == "case_statement" else None
            if current.type in _NO_LAMBDA or (label is not None and inside(query, label)):
                return False
            current = current.parent
        return True

    def _shadowed(self, parsed: Parsed, query: Node, variables: dict[str, tuple[Node, str | None]]) -> bool:
        """Whether a name the term reads means another variable where the query is."""
        for name, (decl, _) in variables.items():
            for ident in parsed.named(name, ("identifier",)):
                if is_declared_name(ident) and not inside(ident, decl):
                    scope = parsed.enclosing(ident, "compound_statement", "for_statement", "for_range_loop")
                    if scope is not None and inside(query, scope):
                        return True
        return False


def _shifted(parsed: Parsed, bound: Node, k: int) -> str:
    """``bound + k`` as a loop bound (``l - 1`` shifted by 1 is ``l``), parenthesised where ``t < bound`` or
    ``bound + k`` would otherwise group another way."""
    inner = unparen(bound)
    left, op, right = (inner.child_by_field_name(f) for f in ("left", "operator", "right"))
    arithmetic = inner.type == "binary_expression" and op is not None and op.type in ("+", "-", "*", "/", "%")
    step = integer(parsed, right) if arithmetic and right is not None else None
    cancels = op is not None and step is not None and op.type in ("+", "-") and k == (step if op.type == "-" else -step)
    if cancels and left is not None and (left.type in _PRIMARY or _tight(left)):
        return parsed.text(left)
    text = parsed.text(bound)
    if not (inner.type in _PRIMARY or arithmetic or (k == 0 and _tight(inner))):
        text = f"({text})"
    return text if k == 0 else f"{text} + {k}" if k > 0 else f"{text} - {-k}"


def _tight(node: Node) -> bool:
    """A product or shift: binds tighter than ``<``."""
    op = node.child_by_field_name("operator") if node.type == "binary_expression" else None
    return op is not None and op.type in ("*", "/", "%", "<<", ">>")


INVERSES: tuple[type[Inverse], ...] = (PrefixSumToLoop,)

"""When a recursive function computes from its arguments alone, and when the globals it reads stay put.

What ``algorithmic_memo`` needs to know of the function itself, apart from its
memo table: that its body, once the table's lookups and stores are gone, reads
nothing but its parameters, locals, constants and the globals listed by
``pure``, writes nothing but its locals and calls nothing but itself and pure
<cmath>/<algorithm> functions; and that no global it reads changes while the
table holds results computed from it (``settled``), which needs where it is
called from (``caller``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from perfopt.rewrite.inverse.algorithmic_tables import FILE_SCOPES, constant, member, scanned
from perfopt.rewrite.inverse.analysis import flat
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.purity import is_conversion, is_pure_call
from perfopt.rewrite.usage import Use, classify, reads, uses_of
from perfopt.rewrite.usage_lookup import declaration, in_nested_lambda, inside, is_declared_name

_LIMITS = frozenset(["INT_MAX", "INT_MIN", "LLONG_MAX", "LLONG_MIN", "LONG_MAX", "LONG_MIN"])
#: In the function's body, any of these: it may depend on more than its arguments, or have an effect.
_BANNED = frozenset(
    """lambda_expression new_expression delete_expression throw_statement gnu_asm_expression asm_statement this
    co_await_expression co_return_statement co_yield_statement goto_statement pointer_expression
    template_function qualified_identifier""".split()  # noqa: SIM905
)


def pure(
    parsed: Parsed, function: Node, name: str, skip: set[tuple[int, int]], user: frozenset[str]
) -> list[tuple[Node, str]] | None:
    """The globals (declaration, name) ``function`` reads, less the ``skip`` nodes (its memo lookups and
    stores); None if it does anything but compute from them, its arguments, constants, itself and <cmath>."""
    body = function.child_by_field_name("body")
    stack, read, calls = ([body] if body is not None else []), [], 0
    while stack:
        node = stack.pop()
        if (node.start_byte, node.end_byte) in skip:
            continue
        if node.type in _BANNED:
            return None
        if node.type == "call_expression":
            fn, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
            method = member(parsed, node)
            if fn is None or args is None:
                return None
            if fn.type == "identifier" and parsed.text(fn) == name:
                calls += 1
            elif method is not None and method[1] in ("size", "length", "empty"):
                stack.append(fn)
            elif not (is_pure_call(parsed, node, user) or is_conversion(parsed, node)):
                return None
            stack.append(args)
            continue
        if node.type == "declaration" and (
            any(c.type == "storage_class_specifier" for c in node.children)
            or any(d.type in ("reference_declarator", "pointer_declarator") for d in parsed.walk(node))
        ):
            return None  # a static keeps state between calls; a reference or pointer may reach a global
        if node.type == "identifier" and not is_declared_name(node):
            decl, spelled = declaration(parsed, node), parsed.text(node)
            if decl is None:
                if spelled not in _LIMITS and constant(parsed, spelled) is None:
                    return None
            elif not inside(decl, function):
                kind = decl.child_by_field_name("type")
                if decl.type != "declaration" or decl.parent is None or decl.parent.type not in FILE_SCOPES:
                    return None
                if kind is None or not reads(classify(parsed, node, kind)):
                    return None
                if not {"const", "constexpr"} & {parsed.text(c) for c in decl.children}:
                    read.append((decl, spelled))
        stack.extend(reversed(node.children))
    return read if calls else None


@dataclass(frozen=True)
class Caller:
    """Where the memoized function is called from (besides itself): the smallest block holding every call,
    the position of its first statement that holds one, and the body of main when that is the caller."""

    block: Node
    first: int
    main: Node | None

    def position(self, node: Node) -> int | None:
        return next((i for i, s in enumerate(self.block.named_children) if inside(node, s)), None)

    def resets(self, statements: list[Node], after: int = -1) -> bool:
        """Whether one of ``statements`` is a statement of the block (so surely run) between ``after`` and the
        first call."""
        return any(after < i < self.first and s in statements for i, s in enumerate(self.block.named_children))

    def reset_first(self, statements: list[Node]) -> bool:
        """Whether one of ``statements`` surely runs before any call: in the block, or in a block around it
        before the statement that holds it."""
        if self.resets(statements):
            return True
        holder = self.block
        while (outer := holder.parent) is not None and outer.type != "function_definition":
            if outer.type == "compound_statement":
                ours = next(i for i, s in enumerate(outer.named_children) if inside(holder, s))
                if any(s in statements for s in outer.named_children[:ours]):
                    return True
            holder = outer
        return False

    def precedes(self, node: Node) -> Node | None:
        """The block where ``node``, outside the calls' block, runs before it (None: it does not)."""
        common = self.block.parent
        while common is not None and not (common.type == "compound_statement" and inside(node, common)):
            common = common.parent
        if common is None:
            return None
        ours = next(i for i, s in enumerate(common.named_children) if inside(self.block, s))
        theirs = next((i for i, s in enumerate(common.named_children) if inside(node, s)), ours)
        return common if theirs < ours else None


def caller(parsed: Parsed, function: Node, name: str) -> Caller | None:
    """Where ``function`` (named ``name``) is called from; None when from several functions, a lambda, a
    function with a goto or one that calls itself."""
    sites = [n for n in _references(parsed, name) if not inside(n, function)]
    homes = {parsed.function_of(n) for n in sites}
    home = homes.pop() if len(homes) == 1 else None
    body, declarator = (home.child_by_field_name(f) for f in ("body", "declarator")) if home else (None, None)
    if home is None or body is None or declarator is None or home.type != "function_definition":
        return None
    if any(n.type == "goto_statement" for n in parsed.walk(body)) or any(
        in_nested_lambda(parsed, n, home) for n in sites
    ):
        return None  # a lambda's body runs where it is called, not where it is written
    main = flat(parsed.text(declarator)).startswith("main(")
    own = declarator.child_by_field_name("declarator")
    mains = [f for f in parsed.walk() if f.type == "function_definition" and _named(parsed, f) == "main"]
    if not main and (
        own is None or len(mains) != 1 or not all(inside(n, mains[0]) for n in _references(parsed, parsed.text(own)))
    ):
        return None  # a caller reached from the calls' block may run its writes between them
    block = parsed.enclosing(sites[0], "compound_statement")
    while block is not None and not all(inside(n, block) for n in sites):
        block = parsed.enclosing(block, "compound_statement")
    if block is None:
        return None
    first = min(i for i, s in enumerate(block.named_children) if any(inside(n, s) for n in sites))
    return Caller(block, first, body if main else None)


def _named(parsed: Parsed, function: Node) -> str:
    declarator = function.child_by_field_name("declarator")
    name = declarator.child_by_field_name("declarator") if declarator is not None else None
    return parsed.text(name) if name is not None else ""


def _references(parsed: Parsed, name: str) -> list[Node]:
    """Every mention of the function ``name`` but its own declarators."""
    return [
        n for n in parsed.named(name, ("identifier",)) if n.parent is None or n.parent.type != "function_declarator"
    ]


def settled(parsed: Parsed, function: Node, name: str, read: list[tuple[Node, str]], resets: list[Node]) -> bool:
    """Whether the globals ``function`` reads (``read``) keep their values while results computed from them
    are in its table: written only before the calls (in their block, or before it), with one of ``resets``
    between the last write and the first call unless the writes run once, in main, before every call."""
    where = caller(parsed, function, name) if read else None
    inner, again = [], False
    for decl, variable in read:
        kind = decl.child_by_field_name("type")
        for use in uses_of(parsed, decl, variable, parsed.root):
            use_kind = classify(parsed, use, kind)
            if inside(use, function) or inside(use, decl) or reads(use_kind):
                continue
            if use_kind is not Use.WRITE and not (use_kind is Use.ALIAS and scanned(parsed, use)):
                return False
            if where is None or parsed.enclosing(use, "lambda_expression") is not None:
                return False
            if parsed.function_of(use) != parsed.function_of(where.block):
                return False
            at = where.position(use)
            if at is not None and at >= where.first:
                return False  # a write among the calls
            if at is not None:
                inner.append(at)
            else:  # outside the calls' block: before or after a run of it, never during one
                again = again or where.main is None or where.precedes(use) != where.main
    if where is None or not (again or (inner and where.block != where.main)):
        return True
    return where.resets(resets, max(inner, default=-1))

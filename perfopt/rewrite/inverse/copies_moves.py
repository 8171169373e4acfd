"""Copies run backwards for locals: a const reference to a container made a copy, and a last-use move dropped.

Both make the program copy a string or container it did not copy before. A copy reads the same as the
reference (or the moved-to object gets the same value) only while nothing can tell them apart, so both stay
silent where the copy could be told apart from the original object (its address, an iterator into it kept
or compared with one of the original, a view), where the copy might not compile (an element type not
surely copyable, a conversion that takes only an rvalue), and where the forward rule would not take the
change back: its analysis (the original is not written while the reference lives; the moved variable is
not read again) is the other half of what makes the two programs agree.
"""

from __future__ import annotations

from tree_sitter import Node

from perfopt.rewrite.copies import LocalCopyRef
from perfopt.rewrite.copies_moves import MoveLastUse
from perfopt.rewrite.copy_cost import type_index
from perfopt.rewrite.interface import Edit, Match
from perfopt.rewrite.inverse.analysis import INTO, callee, mentions_views, undo
from perfopt.rewrite.inverse.copies import escapes, plain
from perfopt.rewrite.inverse.interface import Inverse
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.usage import uses_of
from perfopt.rewrite.usage_lookup import declaration, functions_named, inside, root_identifier, same
from perfopt.rewrite.usage_regions import expression_type, qualifiers

_STRINGS = frozenset(["string", "wstring", "basic_string"])
#: Members that search an associative container and return an iterator into it.
_SEARCHES = frozenset(["find", "lower_bound", "upper_bound", "equal_range"])
#: Container members whose rvalue overload the forward rule targets, and the containers whose element
#: type is their first template argument (so that the copy is known to construct the same element).
_SINKS = frozenset(["push_back", "emplace_back", "push_front", "emplace_front", "push", "emplace", "insert"])
_SEQUENCES = frozenset(
    {"vector", "deque", "list", "forward_list", "set", "multiset", "unordered_set", "unordered_multiset"}
    | {"queue", "stack", "priority_queue"}
)
_LOOPS = ("for_statement", "while_statement", "do_statement", "for_range_loop")


def _hands_out_iterators(parsed: Parsed, use: Node, string: bool) -> bool:
    """Whether ``use`` (of a container variable) calls a member returning an iterator or pointer into it."""
    field = use.parent
    if field is None or field.type != "field_expression" or not same(field.child_by_field_name("argument"), use):
        return False
    name = field.child_by_field_name("field")
    method = parsed.text(name) if name is not None else ""
    return method in INTO or (method in _SEARCHES and not string)


class CopyNotRef(Inverse):
    """``const vector<int>& b = a;`` (also ``const auto& b = g[u];``, strings, maps, sets) becomes
    ``const vector<int> b = a;``, a local copy where a local container or string is only read."""

    name = "copies.copy_not_ref"
    inverts = "copies.local_copy_ref"
    why = "the local copy allocates and copies every element of a, where the const reference copies nothing"
    unsafe_when = (
        "a is modified, aliased or captured while b lives (the reference would see it, the copy not); b's "
        "address is taken, it is captured, in decltype, or an iterator or pointer into it is kept or may meet "
        "one into a; b binds a temporary (a conversion or a call result); the type is not surely copyable; the "
        "file makes views; it is a structured binding; or the forward rule would not take it back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if mentions_views(parsed):
            return []
        found: list[tuple[Match, Node]] = []
        for decl in parsed.walk():
            if decl.type != "declaration" or decl.parent is None or decl.parent.type != "compound_statement":
                continue
            edits = self._edits(parsed, decl)
            if edits is not None and parsed.clean(decl):
                reason = f"copy {parsed.text(decl).rstrip(';')} instead of binding a const reference"
                found.append((self.match(parsed, edits, reason, at=decl), decl))
        forward = LocalCopyRef()
        return [m for m, decl in found if undo(parsed, m, forward).touched(decl.start_byte, decl.end_byte)]

    def _edits(self, parsed: Parsed, decl: Node) -> list[Edit] | None:
        """For ``const T& b = a;`` with a copy that reads the same: the edit that drops the ``&``."""
        type_node, declarators = decl.child_by_field_name("type"), decl.children_by_field_name("declarator")
        if type_node is None or len(declarators) != 1 or qualifiers(parsed, decl) != ["const"]:
            return None
        const = next(c for c in decl.children if c.type == "type_qualifier")
        if const.start_byte > type_node.start_byte or any(c.type == "comment" for c in parsed.walk(decl)):
            return None  # ``T const& b``: the forward rule would put the & after const, where it means nothing
        init = declarators[0]
        reference, value = init.child_by_field_name("declarator"), init.child_by_field_name("value")
        if init.type != "init_declarator" or reference is None or value is None:
            return None
        if reference.type != "reference_declarator" or parsed.text(reference).startswith("&&"):
            return None
        names = reference.named_children
        if len(names) != 1 or names[0].type != "identifier" or not any(c.type == "=" for c in init.children):
            return None  # a structured binding, or b(a) / b{a}
        b = names[0]
        # Only a named variable or an element of one: a call or conversion result is a temporary whose
        # lifetime the reference extends, which the forward rule leaves alone anyway.
        a = root_identifier(value) if value.type in ("identifier", "subscript_expression") else None
        source = expression_type(parsed, value)
        if a is None or source is None or source[1] > 0 or not plain(parsed, source[0]):
            return None
        home, block = parsed.function_of(decl), decl.parent
        if home is None or block is None or not type_index(parsed).costly(source[0]):
            return None
        string = type_index(parsed).head(source[0]) in _STRINGS
        b_uses = uses_of(parsed, decl, parsed.text(b), block)
        if any(escapes(parsed, u, home, string) for u in b_uses):
            return None
        a_decl = declaration(parsed, a)
        if a_decl is None:
            return None
        a_uses = [u for u in uses_of(parsed, a_decl, parsed.text(a), block) if u.start_byte > decl.end_byte]
        # The same container's iterators compare equal; a copy's and the original's never meet.
        if any(_hands_out_iterators(parsed, u, string) for u in b_uses) and any(
            _hands_out_iterators(parsed, u, string) for u in a_uses
        ):
            return None
        return [Edit(type_node.end_byte, b.start_byte, " ")]


class DropMove(Inverse):
    """``v.push_back(std::move(s));`` (also ``move(s)``, ``x = std::move(s);``, ``T x = std::move(s);``)
    becomes ``v.push_back(s);`` where s is a local string or container not used again."""

    name = "copies.drop_move"
    inverts = "copies.move_last_use"
    why = "without the move the string or container is copied (an allocation and O(n) work) instead of stolen"
    unsafe_when = (
        "s is read afterwards (then its moved-from state shows), or the forward rule relies on a later cin >> s "
        "or getline(cin, s) to overwrite it (a failed read would keep the copy's old value, not the empty one); "
        "the destination is not of s's own type (a conversion may take only an rvalue); s's type is not surely "
        "copyable; move is not std::move; the file makes views; or the forward rule would not put it back"
    )

    def find(self, parsed: Parsed) -> list[Match]:
        if mentions_views(parsed) or functions_named(parsed, "move"):
            return []  # a view of the moved-to object; a move of the file's own
        found: list[tuple[Match, Node]] = []
        for call in parsed.walk():
            s = self._moved(parsed, call)
            if s is None or not parsed.clean(call) or not self._same_type(parsed, call, s):
                continue
            if self._read_back(parsed, s):
                continue
            edit = Edit(call.start_byte, call.end_byte, parsed.text(s))
            reason = f"copy {parsed.text(s)} instead of moving it"
            found.append((self.match(parsed, [edit], reason, at=call), call))
        forward = MoveLastUse()
        out = []
        for m, call in found:
            back = undo(parsed, m, forward).touched(call.start_byte, call.start_byte)
            if any(e.text == parsed.text(call) or e.text.startswith("std::move(") for e in back):
                out.append(m)
        return out

    def _moved(self, parsed: Parsed, call: Node) -> Node | None:
        """s, for ``std::move(s)`` / ``move(s)`` with s a plain identifier; else None."""
        if call.type != "call_expression":
            return None
        function, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
        if function is None or args is None or args.named_child_count != 1 or callee(parsed, call) != "move":
            return None
        if function.type == "qualified_identifier":
            scope = function.child_by_field_name("scope")
            if scope is None or parsed.text(scope) != "std":
                return None
        elif function.type != "identifier":
            return None
        s = args.named_children[0]
        return s if s.type == "identifier" else None

    def _same_type(self, parsed: Parsed, call: Node, s: Node) -> bool:
        """Whether the move feeds a destination of exactly s's (copyable) type: a copy then means the same."""
        decl = declaration(parsed, s)
        s_type = decl.child_by_field_name("type") if decl is not None else None
        if s_type is None or not plain(parsed, s_type):
            return False
        index = type_index(parsed)
        parent = call.parent
        if parent is None:
            return False
        if parent.type == "argument_list":
            sink = parent.parent
            function = sink.child_by_field_name("function") if sink is not None else None
            if sink is None or function is None or function.type != "field_expression" or parent.named_child_count != 1:
                return False
            field, receiver = function.child_by_field_name("field"), function.child_by_field_name("argument")
            if field is None or receiver is None or parsed.text(field) not in _SINKS:
                return False
            holder = expression_type(parsed, receiver)
            if holder is None or holder[1] > 0 or index.head(holder[0]) not in _SEQUENCES:
                return False
            elements = index.arguments(index.resolve(holder[0]))
            return bool(elements) and index.same(elements[0], s_type)
        if parent.type == "init_declarator" and same(parent.child_by_field_name("value"), call):
            target = parent.parent.child_by_field_name("type") if parent.parent is not None else None
            if target is None:
                return False
            return target.type == "placeholder_type_specifier" or index.same(target, s_type)
        if parent.type == "assignment_expression" and same(parent.child_by_field_name("right"), call):
            left = parent.child_by_field_name("left")
            target_type = expression_type(parsed, left) if left is not None else None
            return target_type is not None and target_type[1] == 0 and index.same(target_type[0], s_type)
        return False

    def _read_back(self, parsed: Parsed, s: Node) -> bool:
        """Whether a later ``cin >> s`` or ``getline(cin, s)`` may be what the forward rule counts on to
        overwrite the moved-from s: a read that fails leaves s as it was, empty after a move, not after a
        copy. Such a read in the condition of a while loop around the move is fine: failing, it ends the
        loop, and the forward rule lets nothing read s after it."""
        decl = declaration(parsed, s)
        home = parsed.function_of(s)
        if decl is None or home is None:
            return True
        loops = []
        current = s.parent
        while current is not None and not same(current, home):
            if current.type in _LOOPS:
                loops.append(current)
            current = current.parent
        for other in uses_of(parsed, decl, parsed.text(s), home):
            if same(other, s) or not self._stream_read(parsed, other):
                continue
            later = other.start_byte > s.start_byte or any(inside(other, loop) for loop in loops)
            guard = any(
                loop.type == "while_statement"
                and (condition := loop.child_by_field_name("condition")) is not None
                and inside(other, condition)
                for loop in loops
            )
            if later and not guard:
                return True
        return False

    def _stream_read(self, parsed: Parsed, use: Node) -> bool:
        parent = use.parent
        while parent is not None and parent.type == "parenthesized_expression":
            use, parent = parent, parent.parent
        if parent is None:
            return False
        if parent.type == "binary_expression":
            op = parent.child_by_field_name("operator")
            return op is not None and op.type == ">>" and same(parent.child_by_field_name("right"), use)
        call = parent.parent
        return parent.type == "argument_list" and call is not None and callee(parsed, call) == "getline"


INVERSES: tuple[type[Inverse], ...] = (CopyNotRef, DropMove)

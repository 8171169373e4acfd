"""Strings: building and comparing them without temporary copies."""

from __future__ import annotations

from perfopt.rewrite.interface import Edit, Match, Rewrite
from perfopt.rewrite.parse import Parsed
from perfopt.rewrite.types import declared_type


class AppendNotConcat(Rewrite):
    """``s = s + x`` on a ``std::string`` becomes ``s += x``."""

    name = "strings.append_not_concat"
    why = "s + x builds a whole new string and copies s into it on every call; += appends in place (amortised O(|x|))"
    unsafe_when = "s is not a std::string (an operator+ of another type may differ from +=)"

    def find(self, parsed: Parsed) -> list[Match]:
        out = []
        pattern = """
        (assignment_expression
            left: (identifier) @lhs
            operator: "="
            right: (binary_expression left: (identifier) @first operator: "+" right: (_) @rest)) @assign
        """
        for caps in parsed.captures(pattern):
            lhs, first, rest, assign = caps["lhs"][0], caps["first"][0], caps["rest"][0], caps["assign"][0]
            name = parsed.text(lhs)
            if parsed.text(first) != name:
                continue
            if "string" not in (declared_type(parsed, lhs) or ""):
                continue
            edit = Edit(assign.start_byte, assign.end_byte, f"{name} += {parsed.text(rest)}")
            out.append(self.match(parsed, [edit], f"append to {name} in place instead of rebuilding it"))
        return out


REWRITES: list[type[Rewrite]] = [AppendNotConcat]

"""The rewrite library: source-to-source performance rewrites on a C++ parse tree.

Pure functions of the source: no I/O, no sandbox, no timing. The ``rules``
generator (perfopt/generation/rules.py) offers their output as candidates, and
the reward model decides which are correct and faster.
"""

from __future__ import annotations

from perfopt.rewrite.interface import Edit, Match, Rewrite, apply_edits
from perfopt.rewrite.parse import Parsed

__all__ = ["Edit", "Match", "Parsed", "Rewrite", "all_rewrites", "apply_edits"]


def all_rewrites() -> list[Rewrite]:
    """Every rewrite, family by family (one module each)."""
    from perfopt.rewrite import containers, copies, io, loops, math, strings

    return [cls() for family in (io, copies, containers, strings, loops, math) for cls in family.REWRITES]

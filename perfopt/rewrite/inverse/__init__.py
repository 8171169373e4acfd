"""De-optimizations: the rewrite library run backwards, for training data only.

Each inverse undoes one rewrite of the library (``inverts`` names it): it
turns a program into a slower one that means the same, so that the pair
(slower, original) teaches the model that rewrite. ``perfopt suggest`` never
loads them. One module per family, as for the rewrites.
"""

from __future__ import annotations

from perfopt.rewrite.inverse.interface import Inverse

__all__ = ["Inverse", "all_inverses"]

#: Modules that hold no inverse: what every inverse is, and the analyses several share.
_SHARED = frozenset(["interface", "analysis", "algorithmic_calls", "algorithmic_memo_lookup", "algorithmic_tables"])


def all_inverses() -> list[Inverse]:
    """Every inverse, family by family (one module each; a module lists its classes in ``INVERSES``)."""
    import importlib
    import pkgutil

    import perfopt.rewrite.inverse as package

    found: list[Inverse] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name not in _SHARED):
        found += [cls() for cls in importlib.import_module(f"{package.__name__}.{module}").INVERSES]
    return found

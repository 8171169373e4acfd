"""The verification tiers' names and order, and a pair's tier as any pair file writes it.

Apart from :mod:`training.data.tiers` (which checks pairs, and needs perfopt's reward harness) so that
SFT and the device's data step read tiers without importing what checks them.
"""

from __future__ import annotations

from typing import Any

#: Weakest first (training.data.tiers describes each).
TIERS = ("construction", "compiled", "tested", "timed")


def rank(tier: str) -> int:
    """A tier's strength; a name that is no tier ranks below all."""
    return TIERS.index(tier) if tier in TIERS else -1


def tier(verified: Any) -> str:
    """A pair's tier: the data engine writes its name; the older test-verified pairs
    (training.data.pairs) write what verified them, tests and, when timed, the speedup."""
    if isinstance(verified, str):
        return verified
    if isinstance(verified, dict):
        return "timed" if "speedup" in verified else "tested"
    return "construction"

"""Is an output right? Token by token, whitespace-insensitive, floats optionally close enough."""

from __future__ import annotations

import math

from perfopt.sandbox.output import excerpt


def _as_float(token: bytes) -> float | None:
    try:
        value = float(token)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def compare(actual: bytes, expected: bytes, float_tolerance: float | None = None) -> str | None:
    """None when ``actual`` is accepted, else a short description of the first difference.

    With ``float_tolerance``, two numeric tokens match when they differ by at most
    the tolerance, absolutely or relative to the expected value (the usual judge rule).
    """
    got, want = actual.split(), expected.split()
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a == b:
            continue
        if float_tolerance is not None:
            fa, fb = _as_float(a), _as_float(b)
            if fa is not None and fb is not None and abs(fa - fb) <= float_tolerance * max(1.0, abs(fb)):
                continue
        return f"token {i + 1}: expected {excerpt(b)}, got {excerpt(a)}"
    if len(got) != len(want):
        return f"expected {len(want)} tokens, got {len(got)}"
    return None

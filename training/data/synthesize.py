"""De-optimisations that keep a program's meaning by construction.

Each rule turns a fast program into a slower one: the (slower, original) pair
teaches the model the reverse rewrite. Rules are textual and conservative: a
rule that does not apply returns None, and every result is still compiled,
run against the tests and timed before it becomes a pair.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Rule = Callable[[str], "str | None"]

_SYNC = re.compile(r"(std::)?ios(_base)?::sync_with_stdio\s*\(\s*(false|0)\s*\)\s*;")
_TIE = re.compile(r"(std::)?cin\.tie\s*\(\s*(0|NULL|nullptr)\s*\)\s*;")
_NEWLINE_OUT = re.compile(r"<<\s*'\\n'")
_NEWLINE_STR = re.compile(r'<<\s*"\\n"')
_CONST_REF = re.compile(
    r"const\s+((?:std::)?(?:vector|string|map|set|unordered_map)\b[^&;(){}]*?)\s*&\s*(\w+)\s*([,)])"
)
_RESERVE = re.compile(r"^[ \t]*\w+(\.|->)reserve\s*\([^;]*\)\s*;[ \t]*\n", re.M)


def sync_stdio(code: str) -> str | None:
    """Drop ``ios::sync_with_stdio(false)`` and ``cin.tie(0)``: synchronised, tied streams."""
    out = _TIE.sub("", _SYNC.sub("", code))
    return out if out != code else None


def endl(code: str) -> str | None:
    """``'\\n'`` -> ``endl``: a flush per line."""
    if "cout" not in code:
        return None
    out = _NEWLINE_STR.sub("<< endl", _NEWLINE_OUT.sub("<< endl", code))
    if out == code:
        return None
    if "using namespace std" not in out:
        out = out.replace("<< endl", "<< std::endl")
    return out


def copies(code: str) -> str | None:
    """``const vector<int>& v`` parameters -> ``vector<int> v``: a copy per call."""
    out = _CONST_REF.sub(lambda m: f"{m.group(1)} {m.group(2)}{m.group(3)}", code)
    return out if out != code else None


def no_reserve(code: str) -> str | None:
    """Drop ``.reserve(...)``: repeated reallocation."""
    out = _RESERVE.sub("", code)
    return out if out != code else None


RULES: dict[str, Rule] = {
    "sync_stdio": sync_stdio,
    "endl": endl,
    "copies": copies,
    "no_reserve": no_reserve,
}


def deoptimize(code: str) -> dict[str, str]:
    """Every rule that applies, by name, plus all of them together when more than one does."""
    variants = {}
    combined = code
    for name, rule in RULES.items():
        slower = rule(code)
        if slower is not None:
            variants[name] = slower
            combined = rule(combined) or combined
    if len(variants) > 1:
        variants["+".join(variants)] = combined
    return variants

"""The rewrite engine's candidates as RRHF's expert responses (issue 19).

RRHF ranks responses from any source. perfopt's rules know rewrites that keep meaning by construction,
so what they would change in a prompt's window, written in the model's own output format, is ranked by
the reward model beside the model's samples and the reference: the model learns from them what is
faster and what breaks, on the very windows it is asked about.
"""

from __future__ import annotations

from perfopt.edits import EditError
from perfopt.generation.rules import RulesGenerator
from perfopt.window_io import Prompt, place, target

#: Rules candidates asked for per program before those outside the window are dropped: every single
#: rewrite that applies, and their combination.
_ASKED = 64


def expert_outputs(prompt: Prompt, limit: int, rules: RulesGenerator | None = None) -> list[str]:
    """Up to ``limit`` outputs, in ``prompt``'s format, that make a rules candidate's whole change within
    ``prompt``'s window; the combination of several rewrites first, where it fits, as it is usually the
    fastest. A candidate that touches a line the window does not show is left out: the model could not
    have written it."""
    if limit <= 0:
        return []
    engine = rules if rules is not None else RulesGenerator()
    combined: list[str] = []
    singles: list[str] = []
    for candidate in engine.generate(prompt.source, _ASKED):
        if candidate.program is None:
            continue
        placed, lost = place(prompt.source, candidate.program, [prompt.window])
        if lost or len(placed) != 1:
            continue
        window, edits = placed[0]
        try:
            output = target(prompt.source, window, edits, prompt.fmt)
        except EditError:
            continue
        if output in combined or output in singles:
            continue
        (combined if "+" in candidate.rewrite else singles).append(output)
    return (combined + singles)[:limit]

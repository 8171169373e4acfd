"""The rewrite library as a candidate generator: each applicable rewrite alone, then combinations.

Candidates are free to make (a parse and some edits, no model). Single
rewrites say exactly what changed and why; all of them together is where
independent small wins add up past the threshold. When the budget cannot
hold every single rewrite, the original's profile (perfopt.profile) decides
which go first: those in the functions that execute the most instructions.
Without one, rewrites keep the library's family order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from perfopt.generation.interface import Candidate, KeepGoing, ProfileSource
from perfopt.notices import warn_once
from perfopt.profile import Profile
from perfopt.rewrite import Edit, Match, Parsed, Rewrite, all_rewrites, apply_edits
from perfopt.rewrite.interface import overlap


def _compatible(edits: list[Edit], more: Sequence[Edit]) -> bool:
    """Whether ``more`` can join ``edits``: the same overlap rule apply_edits enforces."""
    return overlap([*edits, *more]) is None


def _reason(matches: Sequence[Match]) -> str:
    first = matches[0].reason
    return (
        first if len(matches) == 1 else f"{first} (and {len(matches) - 1} more place{'s' if len(matches) > 2 else ''})"
    )


def weight(parsed: Parsed, edits: Sequence[Edit], profile: Profile) -> int:
    """Instructions executed in the functions ``edits`` change; a change outside every function (a global's
    type) may affect them all, so it weighs the whole file. Added #include lines weigh nothing."""
    inside = []
    for e in edits:
        node = parsed.root.descendant_for_byte_range(e.start, e.end)
        fn = parsed.enclosing(node, "function_definition") if node is not None else None
        if fn is not None:
            inside.append(profile.cost(fn.start_point[0] + 1, fn.end_point[0] + 1))
        elif not e.text.lstrip().startswith("#include"):
            inside.append(profile.total)
    return max(inside, default=0)


class RulesGenerator:
    name = "rules"

    def __init__(self, rewrites: Sequence[Rewrite] | None = None) -> None:
        self.rewrites = list(rewrites) if rewrites is not None else all_rewrites()
        self.profile: ProfileSource | None = None
        #: Whether the last file's candidates were ordered by its profile.
        self.profiled = False

    def use_profile(self, profile: ProfileSource | None) -> None:
        self.profile = profile

    def prepare(self) -> None:
        pass

    def check(self, source: str) -> None:
        return None

    def find(self, source: str | Parsed) -> list[tuple[str, list[Match], list[Edit]]]:
        """Per rewrite that applies: its matches and the non-overlapping edits of all of them."""
        parsed = source if isinstance(source, Parsed) else Parsed(source)
        found = []
        for rewrite in self.rewrites:
            try:
                matches = rewrite.find(parsed)
            except Exception as e:  # a bug in one rewrite must not cost the others
                warn_once(f"rewrite {rewrite.name} failed on this file ({type(e).__name__}: {e}); skipped")
                continue
            edits: list[Edit] = []
            kept: list[Match] = []
            for m in matches:
                if _compatible(edits, m.edits):
                    edits += m.edits
                    kept.append(m)
            if kept:
                found.append((rewrite.name, kept, edits))
        return found

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        """Each rewrite alone, then all of them together: n-1 singles at most when the budget is tight,
        so that the combination, usually the fastest, always gets its place. The rest of the shared
        budget goes to the other generators."""
        parsed = Parsed(source)
        found = self.find(parsed)
        together = self._together(found)
        self.profiled = False
        if len(found) + (together is not None) > n and self.profile is not None:
            profile = self.profile()
            if profile is not None and profile.total > 0:
                # Stable: equally hot rewrites keep the library's order.
                found.sort(key=lambda f: -weight(parsed, f[2], profile))
                # Where two rewrites collide, the hotter one now wins its place in the combination too.
                together = self._together(found)
                self.profiled = True
        singles = found[: n - 1] if together is not None and len(found) + 1 > n else found[:n]
        for name, matches, edits in singles:
            yield Candidate(
                f"rules/{name}", apply_edits(source, edits), generator="rules", rewrite=name, reason=_reason(matches)
            )
        if together is not None and n > len(singles):
            names, reasons, edits = together
            yield Candidate(
                f"rules/{'+'.join(names)}",
                apply_edits(source, edits),
                generator="rules",
                rewrite="+".join(names),
                reason="; ".join(reasons),
            )

    @staticmethod
    def _together(found: list[tuple[str, list[Match], list[Edit]]]) -> tuple[list[str], list[str], list[Edit]] | None:
        """Every rewrite that fits with those before it, or None when fewer than two apply."""
        combined: list[Edit] = []
        names: list[str] = []
        reasons: list[str] = []
        for name, matches, edits in found:
            if _compatible(combined, edits):
                combined += edits
                names.append(name)
                reasons.append(_reason(matches))
        return (names, reasons, combined) if len(names) >= 2 else None

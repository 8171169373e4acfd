"""The rewrite library as a candidate generator: each applicable rewrite alone, then combinations.

Candidates are free to make (a parse and some edits, no model), so the budget
goes first to single rewrites, which say exactly what changed and why, and then
to combinations, which is where independent small wins add up past the
threshold. Without a profile (issue: profile-guided windows) rewrites keep the
library's family order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import pairwise

from perfopt.cachedir import warn_once
from perfopt.generation.interface import Candidate, KeepGoing
from perfopt.rewrite import Edit, Match, Parsed, Rewrite, all_rewrites, apply_edits


def _compatible(edits: list[Edit], more: Sequence[Edit]) -> bool:
    """Whether ``more`` can join ``edits`` (identical edits, such as one #include, count once)."""
    ordered = sorted({*edits, *more}, key=lambda e: (e.start, e.end))
    return all(b.start >= a.end for a, b in pairwise(ordered))


def _reason(matches: Sequence[Match]) -> str:
    first = matches[0].reason
    return (
        first if len(matches) == 1 else f"{first} (and {len(matches) - 1} more place{'s' if len(matches) > 2 else ''})"
    )


class RulesGenerator:
    name = "rules"

    def __init__(self, rewrites: Sequence[Rewrite] | None = None) -> None:
        self.rewrites = list(rewrites) if rewrites is not None else all_rewrites()

    def prepare(self) -> None:
        pass

    def check(self, source: str) -> None:
        return None

    def find(self, source: str) -> list[tuple[str, list[Match], list[Edit]]]:
        """Per rewrite that applies: its matches and the non-overlapping edits of all of them."""
        parsed = Parsed(source)
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
        found = self.find(source)
        made = 0
        for name, matches, edits in found:
            if made == n:
                return
            yield Candidate(
                f"rules/{name}", apply_edits(source, edits), generator="rules", rewrite=name, reason=_reason(matches)
            )
            made += 1
        # Then cumulative combinations: the first two rewrites, the first three, ..., all of them.
        combined: list[Edit] = []
        names: list[str] = []
        reasons: list[str] = []
        for name, matches, edits in found:
            if not _compatible(combined, edits):
                continue
            combined += edits
            names.append(name)
            reasons.append(_reason(matches))
            if len(names) < 2:
                continue
            if made == n:
                return
            yield Candidate(
                f"rules/{'+'.join(names)}",
                apply_edits(source, combined),
                generator="rules",
                rewrite="+".join(names),
                reason="; ".join(reasons),
            )
            made += 1

"""Everything about a run, for programs: the diff, the counts, every candidate's verdict."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from perfopt.diff import unified
from perfopt.formats.interface import Rendered, display_path

if TYPE_CHECKING:
    from perfopt.commands.suggest import Suggestion


class JsonFormat:
    name = "json"

    def render(self, suggestion: Suggestion) -> Rendered:
        s = suggestion
        path = display_path(s.path)
        best = s.best
        document = {
            "file": path,
            "suggested": best is not None,
            "diff": unified(s.original, s.program, path) if s.program is not None else None,
            "best": best.to_json() if best else None,
            "applied": s.backup is not None,
            "backup": str(s.backup) if s.backup else None,
            "counts": asdict(s.counts),
            "stopped_early": s.stopped_early,
            "generator": s.generator,
            "test_source": s.tests,
            "sandbox": s.sandbox,
            "timer": s.timer,
            "min_speedup": s.min_speedup,
            "seconds": {k: round(v, 3) for k, v in s.seconds.items()},
            # Functions and loop nests by share of the original's instructions; null without a profile.
            "profile": {
                "hot_spot": s.hot_spot.to_json() if s.hot_spot else None,
                "spots": [spot.to_json() for spot in s.spots],
            }
            if s.spots
            else None,
            "candidates": [o.to_json() for o in s.outcomes],
        }
        return Rendered(json.dumps(document, indent=2) + "\n")

"""Mined real pairs: an author's own submission that exceeded the time limit, and their accepted one.

The AtCoder archives are one author's submissions each, named by task, submission id and verdict. A
TLE followed by an AC on the same task is as real a (slow, fast) pair as exists: the author found the
faster algorithm. Nothing makes the two mean the same, so such a pair is kept only once both sides pass
the problem's tests (the build's test stage); one without tests is dropped in the report stage.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from perfopt.rewrite import Parsed
from training.data.build_config import BuildConfig
from training.data.problems import corpus
from training.data.programs import Classifier, Program
from training.data.synthetic import lines_changed

_FILE = re.compile(r"^(?P<task>[a-z0-9]+_[a-z0-9]+)_(?P<submission>\d+)_(?P<verdict>TLE|AC)\.cpp$")
#: Pairs per task and author: later TLEs repeat the first one's idea more often than not.
_PER_TASK = 2


def atcoder_tle_pairs(config: BuildConfig) -> list[dict[str, Any]]:
    """(TLE -> the author's next AC) for every task an author has both on, oldest TLEs first."""
    classifier = Classifier(config.shared, config.valid_programs, config.valid_percent)
    by_task: dict[tuple[str, str], list[tuple[int, Program]]] = defaultdict(list)
    for row in corpus(config.shared):
        m = _FILE.match(row["path"].rsplit("/", 1)[-1])
        if m is None:
            continue
        program = classifier.classify(row, Parsed(row["code"]))
        if isinstance(program, Program) and program.problem_id is not None:
            by_task[row["repo"], m.group("task")].append((int(m.group("submission")), program))
    pairs = []
    for _, submissions in sorted(by_task.items()):
        submissions.sort(key=lambda s: s[0])
        made = 0
        for i, (_, slow) in enumerate(submissions):
            if slow.verdict != "TLE" or made >= _PER_TASK:
                continue
            fast = next((p for _, p in submissions[i + 1 :] if p.verdict == "AC"), None)
            if fast is None or fast.code == slow.code:
                continue
            made += 1
            pairs.append(
                {
                    "slow": slow.code,
                    "fast": fast.code,
                    "rule": None,
                    "source": "mined.atcoder_tle",
                    "origin": f"{slow.origin} -> {fast.origin}",
                    "kind": "program",
                    "problem": fast.problem,
                    "problem_id": fast.problem_id,
                    "split": fast.split,
                    "verified": "construction",
                    "lines_changed": lines_changed(slow.code, fast.code),
                }
            )
    return pairs

"""Differential stress tests for the user's own file: bigger inputs, judged by the original itself.

Users' tests are small, and on small inputs process start-up hides real
speedups and lets wrong rewrites through. For a rewrite the natural oracle is
the original: an optimization must print exactly what the original prints. So
from the given inputs' structure (perfopt.testgen.structure) perfopt
generates larger ones, climbing in size until the original takes about
``seconds`` of CPU, and runs the original on each twice: an input on which it
fails (a crash, a limit, a non-zero exit) or disagrees with itself
(randomness, the time, addresses) was not a valid input, and is dropped. The
largest ``keep`` inputs that remain become tests whose expected output is the
original's.

This is training's amplification (perfopt.testgen.amplify) with one oracle
run twice instead of two or more independent solutions: the same generator,
the same climb and the same judge.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from perfopt.sandbox import Limits, Sandbox
from perfopt.testgen.amplify import Amplified, AmplifyConfig, climb
from perfopt.testgen.structure import infer
from perfopt.testsources.interface import TestCase, fingerprint

#: What training's rejection reasons mean when the one oracle is the original run twice.
_DROPPED = {
    "every oracle failed": "the original failed on them",
    "too few oracles ran cleanly": "the original failed on one of two runs",
    "oracles disagree": "the original printed different answers on two runs",
    "input too large": "over amplify_max_kb",
    "too slow": "beyond the time budget",
}
#: Scales about 3x apart, starting below the size of the largest given test: that one may already be
#: large, and random data can be slower than the samples (more distinct words, fewer repeats). A
#: quadratic original's time grows 10x a step, so one step lands near the budget.
SCALES = (0.1, 0.3, 1, 3, 10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000)


@dataclass(frozen=True)
class DifferentialSettings:
    #: Climb until the original takes about this many CPU seconds on an input.
    seconds: float = 0.2
    #: Generated tests to keep, largest first.
    keep: int = 4
    #: Generated inputs larger than this are not kept.
    max_kb: int = 2048
    seed: int = 0
    #: What ``seconds`` is measured by: "cpu" (the original's CPU time here), or a deterministic
    #: estimate such as "cost (built-in weights ...)", which keeps the same inputs on every run.
    sizing: str = "cpu"

    def key(self) -> str:
        return f"{self.seconds}|{self.keep}|{self.max_kb}|{self.seed}|{self.sizing}"


@dataclass
class Generated:
    """The generated tests, or why there are none, and what was dropped on the way."""

    cases: list[TestCase] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)
    #: Why nothing was generated (no structure, binary inputs, every input failed); "" when some were.
    note: str = ""

    def describe(self) -> str:
        """``4 generated (largest 180 KB, the original's output is the expected answer; 3 dropped: ...)``."""
        if not self.cases:
            return f"none generated: {self.note}" if self.note else "none generated"
        largest = max(len(c.input) for c in self.cases)
        size = f"{largest / 1024:.0f} KB" if largest >= 1024 else f"{largest} bytes"
        text = f"{len(self.cases)} generated (largest {size}, the original's output is the expected answer"
        if self.dropped:
            text += "; " + ", ".join(f"{n} dropped: {why}" for why, n in self.dropped.most_common())
        return text + ")"

    def to_json(self) -> dict[str, object]:
        return {
            "cases": [[c.name, c.input.decode("latin-1"), c.expected.decode("latin-1")] for c in self.cases],
            "dropped": dict(self.dropped),
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Generated:
        rows = data["cases"]
        assert isinstance(rows, list)
        cases = [TestCase(n, i.encode("latin-1"), e.encode("latin-1"), "generated") for n, i, e in rows]
        dropped = data["dropped"]
        assert isinstance(dropped, dict)
        return cls(cases, Counter({str(k): int(v) for k, v in dropped.items()}), str(data["note"]))


def cache_key(original: str, cases: Sequence[TestCase], settings: DifferentialSettings, build: str) -> str:
    """What generated tests depend on: the original, its given tests, the settings and how it is built."""
    parts = json.dumps([original, fingerprint(cases), settings.key(), build])
    return hashlib.sha256(parts.encode()).hexdigest()


def unusable_inputs(cases: Sequence[TestCase]) -> str:
    """Why the given inputs cannot seed generation (binary or empty), or ""."""
    if not cases:
        return "no test inputs to learn the input's shape from"
    for case in cases:
        if not case.input.strip():
            return f"test {case.name} has an empty input"
        if b"\0" in case.input:
            return f"test {case.name} has a binary input"
        try:
            case.input.decode("utf-8")
        except UnicodeDecodeError:
            return f"test {case.name} has an input that is not text"
    return ""


def generate_tests(
    binary: Path,
    cases: Sequence[TestCase],
    sandbox: Sandbox,
    limits: Limits,
    settings: DifferentialSettings = DifferentialSettings(),
    float_tolerance: float | None = None,
    jobs: int = 2,
    measure: Callable[[Path], float] | None = None,
) -> Generated:
    """Bigger tests for the program ``binary``, whose expected outputs are its own.

    ``measure`` estimates the original's seconds on an input file in place of its CPU time
    (``settings.sizing`` names it); the native runs still check the outputs.
    """
    why = unusable_inputs(cases)
    if why:
        return Generated(note=f"{why}; only the given tests are used")
    structure = infer([c.input.decode("utf-8") for c in cases])
    if structure is None:
        return Generated(note="no input structure recognised in the test inputs; only the given tests are used")
    config = AmplifyConfig(
        scales=SCALES,
        tries_per_scale=2,
        # A little over the budget is kept (sizes come in steps); far over would slow every timing.
        max_seconds=2.5 * settings.seconds,
        keep=settings.keep,
        min_agree=2,
        slow_seconds=settings.seconds,
        max_input_bytes=settings.max_kb * 1024,
        seed=settings.seed,
        jobs=jobs,
        cpu_time=True,
        measure=measure,
    )
    result = Amplified("original", oracles=1)
    # Inputs over the ceiling are dropped anyway: stop their runs there rather than at the test limit.
    # With a measure, the estimate decides what is too slow; the limit only stops runaways, so it is
    # looser than the ceiling and a loaded machine cannot change which inputs are kept.
    ceiling = (1.2 if measure is None else 4.0) * config.max_seconds if config.max_seconds else limits.cpu_seconds
    cpu = min(limits.cpu_seconds, ceiling)
    budget = replace(limits, cpu_seconds=cpu, wall_seconds=min(limits.wall_seconds, 3 * cpu + 2))
    # The original twice: two runs that must agree, as training needs two solutions that agree.
    climb(result, structure, [binary, binary], sandbox, budget, config, float_tolerance)
    dropped = Counter({_DROPPED.get(k, k): n for k, n in result.rejected.items()})
    out = Generated(
        [TestCase(f"generated-{i + 1}", c.input, c.expected, "generated") for i, c in enumerate(result.kept)],
        dropped,
    )
    if not out.cases and not result.generated:
        out.note = "no input could be generated; only the given tests are used"
    elif not out.cases:
        # Say why: failing on everything is about the program, too slow on everything about the budget.
        reasons = ", ".join(f"{n} {why}" for why, n in dropped.most_common())
        everywhere = (
            "the original failed on every generated input"
            if set(dropped) <= {_DROPPED["every oracle failed"], _DROPPED["too few oracles ran cleanly"]}
            else "every generated input was dropped"
        )
        out.note = f"{everywhere} ({reasons}); only the given tests are used"
    return out


def write_folder(generated: Generated, folder: Path) -> list[Path]:
    """The generated tests as a test folder in the documented layout (input.N.txt, output.N.txt)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for i, case in enumerate(generated.cases, start=1):
        for kind, data in (("input", case.input), ("output", case.expected)):
            path = folder / f"{kind}.{i}.txt"
            path.write_bytes(data)
            written.append(path)
    return written

"""Settings of ``python -m training.data.build``: where the corpus is, how many pairs per rule, what to verify."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from training.config import SHARED


@dataclass(frozen=True)
class BuildConfig:
    shared: Path = SHARED
    #: Everything the build makes; the full set is far over the 64 MiB the tracked tree may hold.
    out: Path = Path("runs/data")
    #: What is committed: a random sample of the pairs, and the report.
    sample: Path = Path("training/data/sample_pairs.jsonl.xz")
    sample_size: int = 1_200
    report: Path = Path("training/data/PAIRS.md")
    #: Test-verified pairs of ``training.data.pairs`` (mined CodeNet pairs among them), folded in as they are.
    tested_pairs: Path = Path("training/data/pairs.jsonl.xz")
    #: The programs ``training.evaluate`` measures on: never a pair's side, in any split.
    valid_programs: Path = Path("training/data/valid.jsonl")
    #: Library Checker's (naive -> correct) pairs, judged on tests from its own generators; made once.
    library_checker_budget_s: float = 1_800.0
    #: Corpus files taken, in corpus order (None: all); tests and trial runs take a few.
    limit: int | None = None
    #: Inverses to run (all of them when empty); a later pass with new ones writes to its own ``passes`` folder.
    inverses: list[str] = field(default_factory=list)
    #: The synthetic stage's folder under ``out``; every ``synthetic*`` folder is assembled.
    synthetic_dir: str = "synthetic"
    #: Files per resumable unit of the synthetic stage.
    chunk: int = 400
    jobs: int = 2
    #: A file an inverse spends longer on is given up (counted in PAIRS.md): pathological, not useful.
    seconds_per_file: float = 30.0
    #: Pairs kept per rule (a combination counts under its own name), so that no family swamps the rest.
    per_rule: int = 27_000
    #: Pairs of one file: all matches of each rule, up to ``per_match`` single matches, up to ``combinations``.
    per_match: int = 4
    combinations: int = 6
    valid_percent: int = 10
    #: Rules left out of the set, with why: the soundness table measured them over 1% broken.
    drop_rules: dict[str, str] = field(default_factory=dict)
    #: g++ flags both sides must compile with (``-fsyntax-only`` is added: nothing is linked or run).
    flags: list[str] = field(default_factory=lambda: ["-std=gnu++20", "-O2"])
    #: Pairs compiled per rule family for the soundness table (all of a family, where it has fewer).
    soundness_per_family: int = 2_000
    #: Seconds the compile stage may spend in one run; a later run goes on where it stopped.
    compile_budget_s: float = 3_600.0
    #: The same for the test stage, whose checks cost seconds each (a build, every test, valgrind).
    test_budget_s: float = 3_600.0
    #: Committed copies of the checks' results (keyed by code hash, so valid on any machine): a build on a
    #: fresh machine, whose ``out`` is empty, starts from what earlier machines checked. None: not kept.
    checked: Path | None = Path("training/data/checked")
    seed: int = 0

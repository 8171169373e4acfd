"""Settings of the evaluation stage: %pass and %opt@k on the validation split, judged by the reward model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.config import SHARED, TINY_DATA, Scale


@dataclass(frozen=True)
class EvalConfig:
    checkpoint: Path = Path("runs/cpu/rrhf/checkpoint")
    #: PIE-format programs (``src_code``) or pairs (``slow``); those of ``split`` are evaluated.
    programs: Path = Path("training/data/valid.jsonl")
    tests: Path = SHARED / "pie" / "public_tests.jsonl.xz"
    #: Where the metrics go; None puts eval.json beside the checkpoint's stage folder.
    out: Path | None = None
    split: str = "valid"
    #: Candidates per program: one greedy, the rest sampled (PerfRL's %opt@8).
    k: int = 8
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 512
    max_len: int = 512
    max_programs: int | None = None
    timer: str = "cost"
    #: AtCoder Library headers (from ../shared's corpus) on the include path.
    acl: bool = True
    #: Wall seconds; programs not reached by then are left out (and counted in eval.json).
    budget_seconds: float | None = None
    seed: int = 0

    @classmethod
    def for_scale(cls, scale: Scale) -> EvalConfig:
        if scale is Scale.TINY:
            return cls(
                programs=TINY_DATA / "pairs.jsonl",
                tests=TINY_DATA / "tests.jsonl",
                checkpoint=Path("runs/tiny/rrhf/checkpoint"),
                k=3,
                max_new_tokens=48,
                max_len=160,
                max_programs=4,
                timer="wall",
                acl=False,
            )
        if scale is Scale.CPU:
            return cls(checkpoint=Path("runs/cpu/rrhf/checkpoint"), max_programs=16)
        return cls(checkpoint=Path("runs/gpu/rrhf/checkpoint"))

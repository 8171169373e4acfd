"""Settings of the supervised fine-tuning stage (slow program in, faster program out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.config import Scale


@dataclass(frozen=True)
class SFTConfig:
    #: JSONL of pairs: {"problem_id", "slow", "fast", "split", "source", "verified", ...}.
    pairs: Path = Path("training/data/pairs.jsonl.xz")
    #: The pretraining checkpoint to start from.
    init: Path = Path("runs/cpu/pretrain/checkpoint")
    out: Path = Path("runs/sft")
    max_len: int = 512
    steps: int = 2_000
    batch_size: int = 8
    lr: float = 3e-4
    warmup: int = 100
    checkpoint_every: int = 200
    log_every: int = 10
    eval_every: int = 200
    seed: int = 0

    @classmethod
    def for_scale(cls, scale: Scale) -> SFTConfig:
        if scale is Scale.TINY:
            return cls(
                init=Path("runs/tiny/pretrain/checkpoint"),
                out=Path("runs/tiny/sft"),
                max_len=96,
                steps=40,
                batch_size=4,
                lr=3e-3,
                warmup=5,
                checkpoint_every=20,
                log_every=5,
                eval_every=20,
            )
        if scale is Scale.CPU:
            return cls(init=Path("runs/cpu/pretrain/checkpoint"), out=Path("runs/cpu/sft"), steps=600)
        return cls(init=Path("runs/gpu/pretrain/checkpoint"), out=Path("runs/gpu/sft"), steps=5_000, batch_size=32)

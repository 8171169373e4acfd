"""Settings of the RRHF stage: rank responses by perfopt's reward model, as PerfRL does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from training.config import SHARED, TINY_DATA, Scale


@dataclass(frozen=True)
class RRHFConfig:
    #: Pairs JSONL (as for SFT): the slow programs are the prompts, the fast ones references.
    pairs: Path = Path("training/data/pairs.jsonl.xz")
    #: PIE tests judging each problem (amplified ones are picked up beside it).
    tests: Path = SHARED / "pie" / "public_tests.jsonl.xz"
    #: Validation programs (PIE format, training.data.valid_set) for the per-step curve;
    #: None takes the pairs' valid split.
    valid: Path | None = Path("training/data/valid.jsonl")
    init: Path = Path("runs/cpu/sft/checkpoint")
    out: Path = Path("runs/rrhf")
    #: Responses per prompt: one greedy, the rest sampled; the reference is added when known.
    k: int = 4
    #: The rewrite engine's candidates for the prompt's window added as expert responses (at most this
    #: many; 0 for none), ranked by the reward model like the rest (training.experts).
    experts: int = 2
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 512
    max_len: int = 512
    rl_steps: int = 8
    prompts_per_step: int = 16
    #: Gradient updates on each step's scored responses.
    updates_per_step: int = 4
    rank_weight: float = 1.0
    lr: float = 1e-5
    timer: str = "cost"
    #: AtCoder Library headers (from ../shared's corpus) on the include path.
    acl: bool = True
    valid_prompts: int = 32
    #: Prompts generated for in one batch (a GPU decodes many sequences at the cost of one).
    batch_prompts: int = 1
    #: Wall seconds the stage may take; it ends at the first RL step that finds them spent.
    budget_seconds: float | None = None
    seed: int = 0

    @classmethod
    def for_scale(cls, scale: Scale) -> RRHFConfig:
        if scale is Scale.TINY:
            return cls(
                pairs=TINY_DATA / "pairs.jsonl",
                tests=TINY_DATA / "tests.jsonl",
                valid=None,
                init=Path("runs/tiny/sft/checkpoint"),
                out=Path("runs/tiny/rrhf"),
                k=3,
                max_new_tokens=48,
                max_len=160,
                rl_steps=2,
                prompts_per_step=2,
                updates_per_step=2,
                lr=1e-3,
                timer="wall",
                acl=False,
                valid_prompts=2,
            )
        if scale is Scale.CPU:
            # Sized to a session on 2 cores, where sampling and valgrind both compete for them.
            return cls(
                init=Path("runs/cpu/sft/checkpoint"),
                out=Path("runs/cpu/rrhf"),
                rl_steps=3,
                prompts_per_step=6,
                updates_per_step=2,
                max_new_tokens=256,
                valid_prompts=8,
                lr=5e-5,
            )
        return cls(
            init=Path("runs/gpu/sft/checkpoint"),
            out=Path("runs/gpu/rrhf"),
            k=8,
            rl_steps=20,
            prompts_per_step=32,
            valid_prompts=16,
            batch_prompts=32,
        )

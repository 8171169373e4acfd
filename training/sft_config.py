"""Settings of the supervised fine-tuning stage (slow program in, faster program out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from training.config import TINY_DATA, Scale
from training.evaluate_config import EvalConfig

#: Draw weights per tier (issue 19): timed > tested > compiled > construction.
TIER_WEIGHTS = {"timed": 8.0, "tested": 4.0, "compiled": 2.0, "construction": 1.0}


@dataclass(frozen=True)
class SFTConfig:
    #: JSONL of pairs: {"problem_id", "slow", "fast", "split", "source", "verified", ...}.
    pairs: Path = Path("training/data/pairs.jsonl.xz")
    #: Compile-verified pairs from corpus programs without tests (training.data.corpus_pairs),
    #: added to the train split; None for none.
    extra_pairs: Path | None = None
    #: The pretraining checkpoint to start from.
    init: Path = Path("runs/cpu/pretrain/checkpoint")
    out: Path = Path("runs/sft")
    #: What the model learns to write for a window: "program" (the whole faster program), "edits"
    #: (search/replace hunks, perfopt.edits) or "lines" (line-anchored edits, perfopt.line_edits: chosen at
    #: cpu and gpu scale by the comparison in training/README.md); recorded in the model's config.
    target_format: str = "program"
    max_len: int = 512
    steps: int = 2_000
    batch_size: int = 8
    lr: float = 3e-4
    warmup: int = 100
    checkpoint_every: int = 200
    log_every: int = 10
    eval_every: int = 200
    #: Wall seconds the stage may take: ``steps`` becomes a ceiling, cut to what fits (training.loop.Run).
    budget_seconds: float | None = None
    seed: int = 0
    #: How often an example is drawn, by its pair's verification tier (training.data.tiers): a pair whose
    #: two sides passed the tests teaches more surely than one only made by a rule. A tier not named
    #: weighs 1.
    tier_weights: dict[str, float] = field(default_factory=lambda: dict(TIER_WEIGHTS))
    #: The validation loss is over at most this many validation examples (the first, in file order): the
    #: data engine's split holds ten thousand, and scoring them all would cost more than the steps between.
    valid_limit: int = 512
    #: At each ``eval_every``, also judge the checkpoint with training.evaluate (apply, compile, pass and
    #: %opt@k by the reward model) on ``validate.max_programs`` validation programs; 0 (the default):
    #: the loss only. Its checkpoint, out and max_len are this stage's.
    validate: EvalConfig = field(default_factory=lambda: EvalConfig(max_programs=0, k=4, max_new_tokens=256))

    @classmethod
    def for_scale(cls, scale: Scale) -> SFTConfig:
        if scale is Scale.TINY:
            return cls(
                pairs=TINY_DATA / "pairs.jsonl",
                target_format="lines",
                init=Path("runs/tiny/pretrain/checkpoint"),
                out=Path("runs/tiny/sft"),
                max_len=160,
                steps=40,
                batch_size=4,
                lr=3e-3,
                warmup=5,
                checkpoint_every=20,
                log_every=5,
                eval_every=20,
            )
        corpus_pairs = Path("training/data/corpus_pairs.jsonl.xz")
        if scale is Scale.CPU:
            return cls(
                extra_pairs=corpus_pairs,
                init=Path("runs/cpu/pretrain/checkpoint"),
                out=Path("runs/cpu/sft"),
                steps=200,
                lr=5e-4,
                warmup=30,
                checkpoint_every=50,
                eval_every=100,
                target_format="lines",
            )
        return cls(
            extra_pairs=corpus_pairs,
            init=Path("runs/gpu/pretrain/checkpoint"),
            out=Path("runs/gpu/sft"),
            steps=5_000,
            batch_size=32,
            checkpoint_every=200,
            target_format="lines",
        )

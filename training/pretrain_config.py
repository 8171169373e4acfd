"""Settings of the span-corruption pretraining stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from training.config import SHARED, TINY_DATA, Scale
from training.modeling import CPU_SHAPE


@dataclass(frozen=True)
class PretrainConfig:
    corpus: Path = SHARED / "cpp-corpus" / "corpus.jsonl.xz"
    #: Folder of pre-tokenized shards (training.device.pretokenize) read instead of ``corpus``.
    tokens: Path | None = None
    #: Tokenizer folder; None trains a tiny BPE on the corpus (tests only).
    tokenizer: Path | None = SHARED / "codet5-tokenizer"
    #: T5 config to copy the architecture from; None for a tiny T5.
    architecture: Path | None = SHARED / "codet5-tokenizer"
    #: Fields of the T5 config to change (d_model, num_layers, ...); empty keeps codet5-small's shape.
    shape: dict[str, int] = field(default_factory=dict)
    out: Path = Path("runs/pretrain")
    max_files: int | None = None
    max_len: int = 512
    noise_density: float = 0.15
    mean_span: float = 3.0
    steps: int = 20_000
    batch_size: int = 8
    lr: float = 5e-4
    warmup: int = 500
    checkpoint_every: int = 500
    log_every: int = 10
    #: Wall seconds the stage may take: ``steps`` becomes a ceiling, cut to what fits (training.loop.Run).
    budget_seconds: float | None = None
    seed: int = 0

    @classmethod
    def for_scale(cls, scale: Scale) -> PretrainConfig:
        if scale is Scale.TINY:
            return cls(
                corpus=TINY_DATA / "corpus.jsonl",
                tokenizer=None,
                architecture=None,
                max_files=64,
                max_len=64,
                steps=60,
                batch_size=8,
                lr=3e-3,
                warmup=5,
                checkpoint_every=30,
                log_every=5,
                out=Path("runs/tiny/pretrain"),
            )
        if scale is Scale.CPU:
            # codet5-small takes ~12 s a step at batch 8 x 512 on 2 cores, so this scale trains a
            # quarter-size model on 256-token windows, sized to finish within a 3-hour session
            # that also builds the pairs on the same 2 cores (measured: see training/README.md).
            return cls(
                shape=dict(CPU_SHAPE),
                max_files=20_000,
                max_len=256,
                steps=300,
                batch_size=8,
                lr=1e-3,
                warmup=30,
                checkpoint_every=50,
                out=Path("runs/cpu/pretrain"),
            )
        # A ceiling: on a lent device, budget_seconds (training/device/gpu.toml) cuts it to what fits.
        return cls(
            steps=20_000, batch_size=64, lr=1e-3, warmup=300, checkpoint_every=200, out=Path("runs/gpu/pretrain")
        )

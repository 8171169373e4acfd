"""Settings of the whole pipeline: each stage's config, chained so that one stage's checkpoint starts the next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from training.config import Scale
from training.evaluate_config import EvalConfig
from training.export import PACKAGE_MODELS
from training.pretrain_config import PretrainConfig
from training.rrhf_config import RRHFConfig
from training.sft_config import SFTConfig


@dataclass(frozen=True)
class PipelineConfig:
    runs: Path
    pretrain: PretrainConfig
    sft: SFTConfig
    rrhf: RRHFConfig
    evaluate: EvalConfig
    #: Where the finished model is exported; the package's models folder only for real scales.
    export_into: Path
    name: str = "perfopt-t5-small"
    #: For the model card; empty: described from the machine it runs on.
    hardware: str = ""
    #: Under --stop-after, no stage starts with less time than this left: an evaluation cannot pause,
    #: and a training stage needs time to reach its first checkpoint.
    start_reserve_seconds: float = 0.0

    @classmethod
    def for_scale(cls, scale: Scale) -> PipelineConfig:
        runs = Path("runs") / scale.value
        return cls(
            runs=runs,
            pretrain=PretrainConfig.for_scale(scale),
            sft=SFTConfig.for_scale(scale),
            rrhf=RRHFConfig.for_scale(scale),
            evaluate=EvalConfig.for_scale(scale),
            export_into=runs / "models" if scale is Scale.TINY else PACKAGE_MODELS,
            name="perfopt-tiny" if scale is Scale.TINY else "perfopt-t5-small",
        ).under(runs)

    def under(self, runs: Path) -> PipelineConfig:
        """The same pipeline with every stage's output folder (and so every checkpoint) under ``runs``."""
        tiny = self.export_into.is_relative_to(self.runs)
        return replace(
            self,
            runs=runs,
            pretrain=replace(self.pretrain, out=runs / "pretrain"),
            sft=replace(self.sft, init=runs / "pretrain" / "checkpoint", out=runs / "sft"),
            rrhf=replace(self.rrhf, init=runs / "sft" / "checkpoint", out=runs / "rrhf"),
            export_into=runs / "models" if tiny else self.export_into,
        )

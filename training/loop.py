"""The training loop pieces every stage shares: resumable checkpoints, LR schedule, logging."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from transformers import PreTrainedTokenizerBase, T5ForConditionalGeneration
from transformers.utils import logging as hf_logging

from training.distributed import world

# Per-file progress bars for every checkpoint load and save drown the training log.
hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


class Run:
    """One stage's model, optimizer and step, saved to ``out/checkpoint`` and resumed from it.

    Under torchrun every process holds a replica; gradients are averaged each
    step and only the first process writes logs and checkpoints.
    """

    def __init__(
        self,
        out: Path,
        tokenizer: PreTrainedTokenizerBase,
        init: Callable[[], T5ForConditionalGeneration],
        lr: float,
        steps: int,
        warmup: int,
    ) -> None:
        self.out, self.ckpt = out, out / "checkpoint"
        out.mkdir(parents=True, exist_ok=True)
        self.tokenizer = tokenizer
        self.world = world()
        self.device = self.world.device
        self.lr, self.steps, self.warmup = lr, steps, warmup
        self.step = 0
        if (self.ckpt / "state.json").exists():
            self.model = T5ForConditionalGeneration.from_pretrained(self.ckpt)
            self.step = json.loads((self.ckpt / "state.json").read_text())["step"]
        else:
            self.model = init()
        self.model.to(self.device)  # type: ignore[arg-type]  # transformers types .to() as a decorator wrapper
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.01)
        if (self.ckpt / "optimizer.pt").exists():
            self.optimizer.load_state_dict(torch.load(self.ckpt / "optimizer.pt", map_location=self.device))
        self.started = time.monotonic()

    @property
    def done(self) -> bool:
        return self.step >= self.steps

    def lr_at(self, step: int) -> float:
        """Linear warm-up, then linear decay to 5%."""
        warm = min(1.0, (step + 1) / max(1, self.warmup))
        return self.lr * warm * max(0.05, 1 - step / max(1, self.steps))

    def update(self, loss: torch.Tensor) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr_at(self.step)
        loss.backward()  # type: ignore[no-untyped-call]
        self.world.average_gradients(self.model.parameters())
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.optimizer.zero_grad()
        self.step += 1

    def log(self, **record: Any) -> None:
        if not self.world.main:
            return
        record = {"step": self.step, **record, "seconds": round(time.monotonic() - self.started, 1)}
        if self.world.size > 1:
            record["processes"] = self.world.size
        with (self.out / "log.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")

    def save(self) -> Path:
        self.world.check_in_sync(self.model)
        if not self.world.main:
            self.world.barrier()
            return self.ckpt
        self.model.save_pretrained(self.ckpt)
        self.tokenizer.save_pretrained(str(self.ckpt))
        torch.save(self.optimizer.state_dict(), self.ckpt / "optimizer.pt")
        (self.ckpt / "state.json").write_text(json.dumps({"step": self.step}))
        self.world.barrier()
        return self.ckpt


def finished(out: Path, steps: int) -> bool:
    """Whether ``out`` holds a checkpoint that already reached ``steps``: a rerun can skip loading data."""
    state = out / "checkpoint" / "state.json"
    return state.exists() and int(json.loads(state.read_text())["step"]) >= steps


def pad_batch(rows: list[list[int]], value: int, device: str) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows], device=device)

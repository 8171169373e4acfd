"""The training loop pieces every stage shares: resumable checkpoints, LR schedule, logging."""

from __future__ import annotations

import contextlib
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

#: time.time() by which every stage must have checkpointed and stopped (a lent device's
#: per-command limit); None: no limit. Set by ``training.pipeline --stop-after``.
_deadline: float | None = None
#: Steps timed before a budgeted run fixes its step count (the first ones compile kernels, so are skipped).
CALIBRATION_SKIP, CALIBRATION_STEPS = 5, 20


class OutOfTime(Exception):
    """A stage checkpointed and stopped because the next interval would overrun the deadline; rerun to resume."""


def set_deadline(when: float | None) -> None:
    global _deadline
    _deadline = when


def time_left() -> float | None:
    return None if _deadline is None else _deadline - time.time()


class Run:
    """One stage's model, optimizer and step, saved to ``out/checkpoint`` and resumed from it.

    Under torchrun every process holds a replica; gradients are averaged each
    step and only the first process writes logs and checkpoints.

    ``budget_seconds`` turns ``steps`` into a ceiling: after a few timed steps the
    run fixes its step count to what fits the budget, so that the learning-rate
    schedule ends when the time does on hardware nobody measured beforehand.
    The count is saved with the checkpoint, so resumed runs keep it. Stages
    whose steps vary in length (RRHF) rely on the other half of a budget: at a
    checkpoint that finds it spent, the run ends there.
    """

    def __init__(
        self,
        out: Path,
        tokenizer: PreTrainedTokenizerBase,
        init: Callable[[], T5ForConditionalGeneration],
        lr: float,
        steps: int,
        warmup: int,
        budget_seconds: float | None = None,
        calibrate: bool = True,
    ) -> None:
        self.out, self.ckpt = out, out / "checkpoint"
        out.mkdir(parents=True, exist_ok=True)
        self.tokenizer = tokenizer
        self.world = world()
        self.device = self.world.device
        self.lr, self.steps, self.warmup = lr, steps, warmup
        self.step = 0
        #: Seconds earlier (paused) runs of this stage spent, so that a budget spans them all.
        self.spent_before = 0.0
        #: Tokens (input and target, padding excluded) the stage has trained on, over every resumed run.
        self.tokens = 0
        self.tokens_before = 0
        self.budget = budget_seconds
        self.calibrated = budget_seconds is None or not calibrate
        if (self.ckpt / "state.json").exists():
            self.model = T5ForConditionalGeneration.from_pretrained(self.ckpt)
            state = json.loads((self.ckpt / "state.json").read_text())
            self.step = state["step"]
            self.spent_before = float(state.get("seconds", 0.0))
            self.tokens = self.tokens_before = int(state.get("tokens", 0))
            if "steps" in state and budget_seconds is not None:
                self.steps, self.calibrated = int(state["steps"]), True
            self._forget_lost_steps()
        else:
            self.model = init()
        self.model.to(self.device)  # type: ignore[arg-type]  # transformers types .to() as a decorator wrapper
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.01)
        if (self.ckpt / "optimizer.pt").exists():
            self.optimizer.load_state_dict(torch.load(self.ckpt / "optimizer.pt", map_location=self.device))
        self.started = time.monotonic()
        self.last_save = self.started
        self._timed_from: float | None = None

    def _forget_lost_steps(self) -> None:
        """Drop log records past the checkpoint: the steps after it were lost and are about to be run again."""
        log = self.out / "log.jsonl"
        if not self.world.main or not log.exists():
            return
        rows = log.read_text().splitlines()
        kept = [r for r in rows if int(json.loads(r).get("step", 0)) <= self.step]
        if len(kept) < len(rows):
            log.write_text("".join(r + "\n" for r in kept))

    @property
    def done(self) -> bool:
        return self.step >= self.steps

    def lr_at(self, step: int) -> float:
        """Linear warm-up, then linear decay to 5%."""
        warm = min(1.0, (step + 1) / max(1, self.warmup))
        return self.lr * warm * max(0.05, 1 - step / max(1, self.steps))

    def update(self, loss: torch.Tensor, tokens: int = 0) -> None:
        """One optimizer step on ``loss``, which was computed over ``tokens`` real tokens."""
        self.tokens += tokens
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr_at(self.step)
        loss.backward()  # type: ignore[no-untyped-call]
        self.world.average_gradients(self.model.parameters())
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.optimizer.zero_grad()
        self.step += 1
        if not self.calibrated:
            self._calibrate()

    def _calibrate(self) -> None:
        assert self.budget is not None
        if self._timed_from is None:
            if self.step >= CALIBRATION_SKIP:
                self._sync()
                self._timed_from = time.monotonic()
            return
        if self.step < CALIBRATION_SKIP + CALIBRATION_STEPS:
            return
        self._sync()
        now = time.monotonic()
        per_step = (now - self._timed_from) / CALIBRATION_STEPS
        # What is left after loading and the steps so far, less a twentieth for checkpoints and logs.
        left = self.budget - self.spent_before - (now - self.started)
        # Every replica must take the same number of steps, or the gradient all-reduces hang.
        fits = min(self.world.gather([self.step + int(0.95 * left / per_step)]))
        self.steps = max(self.step, min(self.steps, fits))
        self.calibrated = True
        self.log(calibrated_steps=self.steps, seconds_per_step=round(per_step, 4))

    def _sync(self) -> None:
        if self.device.startswith("cuda"):
            torch.cuda.synchronize()

    def precision(self) -> contextlib.AbstractContextManager[Any]:
        return precision(self.device)

    def log(self, **record: Any) -> None:
        if not self.world.main:
            return
        elapsed = time.monotonic() - self.started
        # The stage's seconds over every resumed run, like its step and tokens, so that curves line up.
        record = {"step": self.step, **record, "seconds": round(self.spent_before + elapsed, 1)}
        if self.tokens:
            # Tokens per second of this process's run only: a resumed run's earlier time was another machine's.
            rate = (self.tokens - self.tokens_before) / max(elapsed, 1e-9)
            record.update(tokens=self.tokens, tokens_per_s=round(rate, 1))
        if self.world.size > 1:
            record["processes"] = self.world.size
        with (self.out / "log.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")

    def save(self) -> Path:
        self.world.check_in_sync(self.model)
        spent = self.spent_before + time.monotonic() - self.started
        if any(self.world.gather([self.budget is not None and spent >= self.budget])):
            self.steps, self.calibrated = self.step, True
        if not self.world.main:
            self.world.barrier()
            self._stop_if_out_of_time()
            return self.ckpt
        self.model.save_pretrained(self.ckpt)
        self.tokenizer.save_pretrained(str(self.ckpt))
        torch.save(self.optimizer.state_dict(), self.ckpt / "optimizer.pt")
        state: dict[str, float] = {"step": self.step, "seconds": round(spent, 1), "tokens": self.tokens}
        if self.budget is not None and self.calibrated:
            # Only a budget fixes the count; otherwise a rerun with more steps configured goes on training.
            state["steps"] = self.steps
        (self.ckpt / "state.json").write_text(json.dumps(state))
        self.world.barrier()
        self._stop_if_out_of_time()
        return self.ckpt

    def _stop_if_out_of_time(self) -> None:
        """Stop at a checkpoint when another interval like the last one would end past the deadline."""
        now = time.monotonic()
        interval, self.last_save = now - self.last_save, now
        left = time_left()
        stop = left is not None and not self.done and left < 1.2 * interval
        # Decided together: a replica that stopped alone would leave the others waiting in an all-reduce.
        if any(self.world.gather([stop])):
            assert left is not None
            raise OutOfTime(f"{self.out.name} stopped at step {self.step} of {self.steps}: {left:.0f} s left")


def precision(device: str) -> contextlib.AbstractContextManager[Any]:
    """bfloat16 autocast on a GPU (T5 was made for it; fp16 overflows); full precision on CPU.

    Training and sampling share it, so that RRHF scores responses in the precision it drew them.
    """
    if device.startswith("cuda"):
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def finished(out: Path, steps: int) -> bool:
    """Whether ``out`` holds a checkpoint that already reached its steps: a rerun can skip loading data.

    A budgeted run's own step count (saved with it) counts, not the configured ceiling.
    """
    path = out / "checkpoint" / "state.json"
    if not path.exists():
        return False
    state = json.loads(path.read_text())
    return int(state["step"]) >= int(state.get("steps", steps))


def pad_batch(rows: list[list[int]], value: int, device: str) -> torch.Tensor:
    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows], device=device)

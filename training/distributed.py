"""Several processes, one model: what torchrun's environment asks of each stage.

Launch any stage with ``torchrun --nproc_per_node N -m training.<stage> ...``
(add ``--nnodes``/``--rdzv_endpoint`` for several machines). Each process
trains on its own batches and gradients are averaged with one all-reduce a
step; reward scoring is spread the same way: each process generates and grades
its share of the prompts on its own CPUs, and the results are gathered. Run
without torchrun, everything here is a no-op for a world of one.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import torch
import torch.distributed as dist

T = TypeVar("T")


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def device(self) -> str:
        return f"cuda:{self.local_rank}" if torch.cuda.is_available() else "cpu"

    def shard(self, items: Sequence[T]) -> list[T]:
        """This process's share of ``items``, interleaved so that shares differ by at most one."""
        return list(items[self.rank :: self.size])

    def gather(self, items: list[T]) -> list[T]:
        """Every process's ``items``, concatenated in rank order (on every process)."""
        if self.size == 1:
            return items
        parts: list[Any] = [None] * self.size
        dist.all_gather_object(parts, items)
        return [x for part in parts for x in part]

    def average_gradients(self, parameters: Iterable[torch.nn.Parameter]) -> None:
        if self.size == 1:
            return
        for p in parameters:
            # Every process must join every all-reduce, even for a weight its batch did not touch.
            if p.grad is None:
                p.grad = torch.zeros_like(p)
            dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
            p.grad /= self.size

    def check_in_sync(self, model: torch.nn.Module) -> None:
        """Fail loudly if the replicas' weights have drifted apart, which would make the checkpoint a lie."""
        if self.size == 1:
            return
        checksum = float(sum(p.detach().double().sum().item() for p in model.parameters()))
        sums = self.gather([checksum])
        if max(sums) - min(sums) > 1e-6 * max(1.0, abs(sums[0])):
            raise RuntimeError(f"replicas diverged: parameter sums {sums}")

    def barrier(self) -> None:
        if self.size > 1:
            dist.barrier()


_WORLD: World | None = None


def _leave() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def world() -> World:
    """The process group torchrun described in the environment, joined on first use."""
    global _WORLD
    if _WORLD is None:
        size = int(os.environ.get("WORLD_SIZE", "1"))
        if size > 1 and not dist.is_initialized():
            dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
            # Left to interpreter shutdown, gloo's threads can be destroyed while joinable, and the
            # process aborts ("terminate called without an active exception") after its work is done.
            atexit.register(_leave)
        _WORLD = World(int(os.environ.get("RANK", "0")), size, int(os.environ.get("LOCAL_RANK", "0")))
        if torch.cuda.is_available():
            torch.cuda.set_device(_WORLD.local_rank)
    return _WORLD

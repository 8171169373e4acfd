"""Timers: how "faster" is measured. Pick one by name with :func:`make_timer`."""

from __future__ import annotations

from perfopt.cachedir import cache_root
from perfopt.config import Config
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing import weights
from perfopt.timing.cost import CostTimer
from perfopt.timing.instructions import InstructionTimer
from perfopt.timing.interface import Invocation, Timer, Timing, TimingError
from perfopt.timing.wall import WallTimer

__all__ = [
    "CostTimer",
    "InstructionTimer",
    "Invocation",
    "Timer",
    "Timing",
    "TimingError",
    "WallTimer",
    "make_timer",
    "weights",
]


def make_timer(config: Config, sandbox: Sandbox, limits: Limits) -> Timer:
    if config.timer == "cost":
        return CostTimer(sandbox, limits, weights.load(cache_root(config.cache_dir)))
    if config.timer == "instructions":
        return InstructionTimer(sandbox, limits)
    return WallTimer(sandbox, limits, repeats=config.repeats, warmup=config.warmup)

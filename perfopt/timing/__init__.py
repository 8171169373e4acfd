"""Timers: how "faster" is measured. Pick one by name with :func:`make_timer`."""

from __future__ import annotations

from perfopt.config import Config
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing.instructions import InstructionTimer
from perfopt.timing.interface import Invocation, Timer, Timing, TimingError
from perfopt.timing.wall import WallTimer

__all__ = ["InstructionTimer", "Invocation", "Timer", "Timing", "TimingError", "WallTimer", "make_timer"]


def make_timer(config: Config, sandbox: Sandbox, limits: Limits) -> Timer:
    if config.timer == "instructions":
        return InstructionTimer(sandbox, limits)
    return WallTimer(sandbox, limits, repeats=config.repeats, warmup=config.warmup)

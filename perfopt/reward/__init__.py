"""The reward model: graded, cached, parallel verification of candidates."""

from __future__ import annotations

from pathlib import Path

from perfopt.cachedir import UnsafeFolder, private_folder
from perfopt.config import Config
from perfopt.notices import warn_once
from perfopt.reward.cache import ResultCache
from perfopt.reward.compiler import Compiler
from perfopt.reward.harness import Harness, IOHarness
from perfopt.reward.levels import Level
from perfopt.reward.model import RewardModel, Verdict
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing import make_timer

__all__ = ["Level", "RewardModel", "Verdict", "limits_of", "reward_model_for"]


def limits_of(config: Config) -> Limits:
    return Limits(
        cpu_seconds=config.time_limit,
        wall_seconds=config.wall_limit,
        memory_bytes=config.memory_limit_mb << 20,
        output_bytes=config.output_limit_mb << 20,
        processes=config.max_processes,
    )


def reward_model_for(config: Config, target: Path, sandbox: Sandbox | None = None) -> RewardModel:
    """Everything needed to judge rewrites of ``target`` under ``config``."""
    # Imported here: project mode needs the harness base class defined first.
    from perfopt.testsources import resolve
    from perfopt.testsources.project import ProjectHarness

    sandbox = sandbox or Sandbox(config.compiler, config.cache_dir)
    limits = limits_of(config)
    harness: Harness
    if config.project is not None and config.tests is None:
        harness = ProjectHarness(config.project, target, sandbox, limits)
        if config.amplify:
            # Inputs cannot be inferred from commands: say where the size has to come from instead.
            harness.note = "; no tests generated in project mode: its bench command must be large enough"
    else:
        source = resolve(config, target)
        # Where the expected outputs live: no include folder may make them readable to a compile.
        protect = [p for p in (getattr(source, "folder", None), *getattr(source, "paths", ())) if p is not None]
        compiler = Compiler(sandbox, config.compiler, config.flags, protect)
        harness = IOHarness(source, compiler, sandbox, limits, config.float_tolerance)
    timer = make_timer(config, sandbox, limits)
    cache = results_cache(config) if config.cache else None
    return RewardModel(config, harness, timer, cache, sandbox.isolation.describe())


def results_cache(config: Config) -> ResultCache | None:
    """The verdict cache, or None (with a one-line warning) where it cannot be written."""
    try:
        folder = private_folder("results", config.cache_dir)
    except UnsafeFolder as e:
        warn_once(f"not using the verdict cache: {e}")
        return None
    return ResultCache(folder) if folder is not None else None

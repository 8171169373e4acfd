"""``perfopt suggest FILE``: propose rewrites, verify each with the reward model, keep the fastest correct one.

The stages overlap where they can: the model loads while the original is
compiled and checked against its tests, and candidates compile and run their
tests while later ones are still being generated. Wall timings wait for
generation to end, so that the model never competes with a timed run.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from perfopt import config as configuration
from perfopt.config import Config
from perfopt.errors import PerfoptError
from perfopt.generation.combined import CombinedGenerator
from perfopt.generation.files import FileGenerator
from perfopt.generation.interface import Candidate, CandidateGenerator, UsesProfile
from perfopt.generation.sampler import ModelGenerator, SamplingSettings
from perfopt.hotspot import Spot, hot_spot, spots
from perfopt.reward import Level, RewardModel, Verdict, reward_model_for
from perfopt.selection import Counts, Outcome, count, select
from perfopt.sources import read_source, replace_source


class Progress(Protocol):
    """What a display needs to follow a run; the core never prints."""

    def phase(self, text: str) -> None: ...

    def generated(self, candidate: Candidate) -> None: ...

    def verified(self, done: int, total: int, verdict: Verdict) -> None: ...


class Silent:
    def phase(self, text: str) -> None:
        pass

    def generated(self, candidate: Candidate) -> None:
        pass

    def verified(self, done: int, total: int, verdict: Verdict) -> None:
        pass


@dataclass
class Suggestion:
    path: Path
    original: str
    outcomes: list[Outcome]
    best: Outcome | None
    counts: Counts
    generator: str
    tests: str
    sandbox: str
    timer: str
    min_speedup: float
    #: Wall seconds of each stage: load, check, generate, verify, total (stages overlap).
    seconds: dict[str, float] = field(default_factory=dict)
    backup: Path | None = None
    #: Sampling stopped before all candidates because ``enough`` faster ones were verified.
    stopped_early: bool = False
    #: The original's functions and loop nests by share of instructions (empty without a profile).
    spots: list[Spot] = field(default_factory=list)

    @property
    def hot_spot(self) -> Spot | None:
        return hot_spot(self.spots)

    @property
    def program(self) -> str | None:
        return self.best.candidate.program if self.best else None


class EarlyStop:
    """``--enough N``: between generation rounds, finish what is pending and stop at N faster candidates.

    The model is idle between rounds, so wall timings run then without it
    competing for the cores; they cannot during a round.
    """

    def __init__(
        self, enough: int, pending: list[tuple[Outcome, Future[Verdict]]], reward: RewardModel, progress: Progress
    ) -> None:
        self.enough, self.pending, self.reward, self.progress = enough, pending, reward, progress
        self.stopped = False

    def keep_going(self) -> bool:
        self.progress.phase(f"verifying {len(self.pending)} candidates before sampling more")
        with self.reward.timing_resumed():
            faster = sum(future.result().level == Level.FASTER for _, future in self.pending)
        self.stopped = faster >= self.enough
        if not self.stopped:
            self.progress.phase("generating candidates")
        return not self.stopped


def _squeezed(source: str) -> str:
    return "".join(source.split())


def run_suggest(
    path: Path,
    config: Config,
    generator: CandidateGenerator,
    progress: Progress | None = None,
    apply: bool = False,
) -> Suggestion:
    progress = progress or Silent()
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    source = read_source(path, config.max_source_kb, headers=config.project is not None)
    reward = reward_model_for(config, path)
    outcomes: list[Outcome] = []
    try:
        with ThreadPoolExecutor(max_workers=reward.jobs + 1) as pool:
            progress.phase(f"loading {generator.name} and checking the original against its tests")

            def prepare() -> float:
                t = time.perf_counter()
                generator.prepare()
                return time.perf_counter() - t

            loading = pool.submit(prepare)
            t = time.perf_counter()
            reward.check_original(source)
            seconds["check"] = time.perf_counter() - t
            seconds["load"] = loading.result()
            try:
                generator.check(source)
            except PerfoptError as e:
                raise type(e)(f"{path}: {e}") from None
            # Profiled beside generation: the report names the hot spot, and generators that rank by it share it.
            profiling = pool.submit(reward.profile, source)
            if isinstance(generator, UsesProfile):
                generator.use_profile(profiling.result)
            progress.phase("generating candidates")
            t = time.perf_counter()
            pending: list[tuple[Outcome, Future[Verdict]]] = []
            seen = {_squeezed(source): "identical"}
            stop = EarlyStop(config.enough, pending, reward, progress)
            with reward.timing_paused():
                keep_going = stop.keep_going if config.enough else None
                for cand in generator.generate(source, config.candidates, keep_going):
                    progress.generated(cand)
                    outcome = Outcome(cand)
                    outcomes.append(outcome)
                    if cand.program is None:
                        outcome.skipped = "unusable"
                        continue
                    key = _squeezed(cand.program)
                    if key in seen:
                        outcome.skipped = seen[key]
                        continue
                    seen[key] = "duplicate"
                    pending.append((outcome, pool.submit(reward.verify, source, cand.program)))
            seconds["generate"] = time.perf_counter() - t
            progress.phase(f"verifying {len(pending)} candidates")
            t = time.perf_counter()
            for done, (outcome, future) in enumerate(pending, start=1):
                outcome.verdict = future.result()
                progress.verified(done, len(pending), outcome.verdict)
            seconds["verify"] = time.perf_counter() - t
        profile = profiling.result()
        best = select(outcomes)
        suggestion = Suggestion(
            path=path,
            original=source,
            outcomes=outcomes,
            best=best,
            counts=count(outcomes),
            generator=generator.summary() if isinstance(generator, CombinedGenerator) else generator.name,
            tests=reward.harness.describe(),
            sandbox=reward.isolation,
            timer=reward.timer.name,
            min_speedup=config.min_speedup,
            seconds=seconds,
            stopped_early=stop.stopped,
            spots=spots(source, profile) if profile is not None else [],
        )
    finally:
        reward.close()
    if apply and suggestion.program is not None:
        suggestion.backup = replace_source(path, suggestion.program, source)
    suggestion.seconds["total"] = time.perf_counter() - started
    return suggestion


def load_settings(path: Path, config_file: Path | None, flags: dict[str, Any]) -> Config:
    return configuration.for_command(config_file, path if path.exists() else Path.cwd(), flags)


def make_generator(config: Config, candidate_files: list[Path], offline: bool = True) -> CandidateGenerator:
    """The user's own files when given (only those); else the configured generators, cheapest first.

    Unavailable generators are skipped and named in the report, unless the user
    named them in ``generators``; then they are an error.
    """
    if candidate_files:
        return FileGenerator(candidate_files, config.max_source_kb)
    from perfopt.generation.combined import KNOWN, Member

    chosen = config.generators or KNOWN
    members = []
    for name in KNOWN:
        if name not in chosen:
            continue
        # Naming a generator, or a model with --model, is asking for it: then failing to load is an error.
        required = config.generators is not None or (name == "model" and config.model is not None)
        if name == "rules":
            from perfopt.generation.rules import RulesGenerator

            members.append(Member(name, RulesGenerator(), required))
        elif name == "clang-tidy":
            from perfopt.generation.clang_tidy import ClangTidyGenerator
            from perfopt.sandbox import Sandbox

            # A source is untrusted input to clang-tidy too (its #includes are reads): parse it in the sandbox.
            sandbox = Sandbox(config.compiler, config.cache_dir)
            tidy = ClangTidyGenerator(config.flags, compiler=config.compiler, sandbox=sandbox)
            members.append(Member(name, tidy, required))
        else:
            settings = SamplingSettings(config.temperature, config.top_p, config.max_new_tokens, config.seed)
            members.append(Member(name, ModelGenerator(config.model, settings, offline), required))
    return CombinedGenerator(members)

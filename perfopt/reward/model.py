"""The reward model: compile, run, judge and time candidates against an original.

It grades each candidate R0-R4 as in PerfRL and attaches a numeric reward for
RL. Candidates are verified in parallel; wall timings are taken one at a time so
that candidates never compete for cores while being measured.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from perfopt import __version__
from perfopt.config import Config
from perfopt.errors import BadInputError, BaselineFailsError, PerfoptError
from perfopt.notices import warn_once
from perfopt.reward.cache import ResultCache, key_of
from perfopt.reward.harness import Build, Harness, TestResult
from perfopt.reward.levels import Level
from perfopt.timing import CostTimer, Timer, Timing, TimingError
from perfopt.timing.interface import GroupTiming

if TYPE_CHECKING:
    from perfopt.profile import Profile
    from perfopt.testgen.differential import Generated


@dataclass
class Verdict:
    level: Level
    reward: float
    reason: str
    compile_log: str = ""
    tests: list[TestResult] = field(default_factory=list)
    timing: Timing | None = None
    cached: bool = False

    @property
    def speedup(self) -> float | None:
        return self.timing.speedup if self.timing else None

    @property
    def brief(self) -> str:
        """The reason without a word of what the candidate printed: what a PR comment may show."""
        failed = next((t for t in self.tests if not t.passed), None)
        if failed is not None:
            return f"test {failed.name}: {failed.verdict}"
        if self.level is Level.COMPILE_ERROR:
            return self.reason.splitlines()[0] if self.reason else "does not compile"
        if self.level is Level.RUNTIME_ERROR:
            return "failed while being timed"
        return self.reason

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level.code,
            "label": self.level.label,
            "reward": self.reward,
            "reason": self.reason,
            "speedup": self.speedup,
            "timing": asdict(self.timing) if self.timing else None,
            "compile_log": self.compile_log,
            "tests": [t.to_json() for t in self.tests],
            "cached": self.cached,
        }


def _verdict_from_json(data: dict[str, Any], reward: float) -> Verdict:
    return Verdict(
        level=Level(int(data["level"][1])),
        reward=reward,
        reason=data["reason"],
        compile_log=data["compile_log"],
        tests=[TestResult(**t) for t in data["tests"]],
        timing=_timing_from_json(data["timing"]) if data["timing"] else None,
        cached=True,
    )


def _timing_from_json(data: dict[str, Any]) -> Timing:
    groups = tuple(GroupTiming(**g) for g in data.get("groups", ()))
    return Timing(**{**data, "groups": groups})


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


class RewardModel:
    def __init__(
        self,
        config: Config,
        harness: Harness,
        timer: Timer,
        cache: ResultCache | None = None,
        isolation: str = "",
    ) -> None:
        self.config = config
        #: How candidates are isolated, in words, for reports.
        self.isolation = isolation
        self.harness = harness
        self.timer = timer
        self.cache = cache
        self.jobs = config.jobs or os.cpu_count() or 1
        self._timing_lock = threading.Lock()
        self._baselines: dict[str, Build] = {}
        self._baseline_lock = threading.Lock()
        self._profiles: dict[str, Profile | None] = {}
        #: The generated tests (perfopt.testgen.differential), once check_original or verify made them.
        self.generated: Generated | None = None
        self._tests_for: str | None = None
        self._tests_lock = threading.Lock()

    def _baseline(self, source: str) -> Build:
        """Build and check the original once; it must pass its own tests."""
        digest = source_hash(source)
        with self._baseline_lock:
            if digest in self._baselines:
                return self._baselines[digest]
            build = self.harness.build(source)
            if not build.ok:
                self.harness.release(build)
                raise BadInputError(f"the original does not compile:\n{build.log}")
            check = self.harness.check(build)
            if check.failed is not None:
                self.harness.release(build)
                raise BaselineFailsError(
                    f"the original fails its own tests ({check.reason}); "
                    "check the tests, or set float_tolerance if it prints floats"
                )
            self._baselines[digest] = build
            return build

    def check_original(self, source: str) -> None:
        """Compile the original and run its tests; raises when it cannot be the baseline.

        Then, with ``amplify`` on, add the tests generated from the given ones, judged by the original.
        """
        self._baseline(source)
        self._generate_tests(source)

    def _generate_tests(self, original: str) -> None:
        """Generated tests for ``original`` (perfopt.testgen.differential), once, from the cache if made before.

        They depend on the original, so one reward model that amplifies judges rewrites of one original;
        training, which grades many originals per problem, brings its own amplified tests instead.
        """
        from perfopt.reward.harness import IOHarness
        from perfopt.testgen.differential import DifferentialSettings, Generated, cache_key, generate_tests

        digest = source_hash(original)
        with self._tests_lock:
            if self._tests_for is not None:
                if self._tests_for != digest:
                    raise RuntimeError("a reward model with amplify on judges rewrites of one original only")
                return
            c, h = self.config, self.harness
            if not c.amplify or not isinstance(h, IOHarness):
                self._tests_for = digest
                return
            # Under valgrind a program runs ~40x slower: a tenth of the budget keeps each timed run about a
            # second there, where the full budget would cost several per test and candidate.
            seconds = c.amplify_seconds / 10 if self.timer.deterministic else c.amplify_seconds
            # The cost timer sizes inputs by its own deterministic estimate, so that every run keeps the same.
            cost = self.timer if isinstance(self.timer, CostTimer) else None
            sizing = cost.identity if cost is not None else "cpu"
            settings = DifferentialSettings(seconds, c.amplify_keep, c.amplify_max_kb, c.seed, sizing)
            key = key_of(
                kind="generated-tests", version=__version__, at=cache_key(original, h.cases, settings, h.fingerprint())
            )
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None:
                generated = Generated.from_json(hit)
            else:
                build = self._baseline(original)
                assert build.artifact is not None
                binary = build.artifact
                measure = partial(cost.estimate_seconds, binary) if cost is not None else None
                generated = generate_tests(
                    binary, h.cases, h.sandbox, h.limits, settings, c.float_tolerance, self.jobs, measure
                )
                if self.cache is not None:
                    self.cache.put(key, generated.to_json())
            # Only now: an original that does not compile or fails its tests raised above, and a
            # corrected one may follow.
            self._tests_for = digest
            self.generated = generated
            joiner = " + " if generated.cases else "; "
            h.add_cases(generated.cases, joiner + generated.describe())

    def profile(self, source: str) -> Profile | None:
        """The original's per-line instruction profile on its tests (perfopt.profile), cached with the verdicts.

        None, with a one-time warning saying why, when none can be had: in
        project mode (the program is the project's, not this file's), without
        valgrind, or when the program fails under valgrind.
        """
        from perfopt.profile import Profile, Profiler
        from perfopt.reward.harness import IOHarness

        digest = source_hash(source)
        with self._baseline_lock:
            if digest in self._profiles:
                return self._profiles[digest]
        found: Profile | None = None
        key = key_of(kind="profile", version=__version__, source=digest, harness=self.harness.fingerprint())
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            found = Profile.from_json(str(hit["lines"]))
        elif isinstance(self.harness, IOHarness):
            h = self.harness
            try:
                found = Profiler(h.compiler, h.sandbox, h.limits, h.input_files).run(source)
            except (PerfoptError, TimingError) as e:
                warn_once(f"no profile of the original ({str(e).splitlines()[0]}); candidates keep their usual order")
            if found is not None and self.cache is not None:
                self.cache.put(key, {"lines": found.to_json()})
        with self._baseline_lock:
            self._profiles[digest] = found
        return found

    @contextmanager
    def timing_paused(self) -> Iterator[None]:
        """No wall timing starts while this is held (the model generating would skew it).

        Compiling and testing go on; only the timed runs wait. The instruction
        timer is not disturbed by load, so it never waits.
        """
        with self._timing_lock:
            yield

    @contextmanager
    def timing_resumed(self) -> Iterator[None]:
        """Inside ``timing_paused``: let timed runs go while the model is idle (between rounds)."""
        self._timing_lock.release()
        try:
            yield
        finally:
            self._timing_lock.acquire()

    def _key(self, original: str, candidate: str) -> str:
        c = self.config
        return key_of(
            version=__version__,
            original=source_hash(original),
            candidate=source_hash(candidate),
            harness=self.harness.fingerprint(),
            timer=self.timer.identity if isinstance(self.timer, CostTimer) else self.timer.name,
            min_speedup=c.min_speedup,
            limits=(c.time_limit, c.memory_limit_mb, c.output_limit_mb, c.max_processes),
            repeats=(c.repeats, c.warmup),
        )

    def _verdict(self, level: Level, reason: str, **kw: Any) -> Verdict:
        return Verdict(level, self.config.rewards.of(level), reason, **kw)

    def unusable(self, reason: str) -> Verdict:
        """The grade of an output that is not even a program (an edit script that does not apply): R0."""
        return self._verdict(Level.COMPILE_ERROR, reason)

    def verify(self, original: str, candidate: str) -> Verdict:
        """Grade one candidate against the original."""
        # First: the generated tests are part of what a verdict, and so its cache key, depends on.
        self._generate_tests(original)
        key = self._key(original, candidate)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return _verdict_from_json(hit, self.config.rewards.of(int(hit["level"][1])))
        verdict = self._verify_uncached(original, candidate)
        if self.cache is not None:
            self.cache.put(key, verdict.to_json())
        return verdict

    def _verify_uncached(self, original: str, candidate: str) -> Verdict:
        baseline = self._baseline(original)
        build = self.harness.build(candidate)
        try:
            if not build.ok:
                return self._verdict(Level.COMPILE_ERROR, "does not compile", compile_log=build.log)
            check = self.harness.check(build)
            if check.failed is not None:
                return self._verdict(check.failed, check.reason, compile_log=build.log, tests=check.tests)
            if candidate == original:
                return self._verdict(Level.NOT_FASTER, "identical to the original", tests=check.tests)
            try:
                timing = self._time(baseline, build)
            except TimingError as e:
                return self._verdict(Level.RUNTIME_ERROR, str(e), tests=check.tests)
            threshold = self.config.min_speedup
            if timing.speedup >= threshold:
                level, reason = Level.FASTER, f"{timing.speedup:.2f}x >= {threshold:.2f}x"
            else:
                level, reason = Level.NOT_FASTER, f"{timing.speedup:.2f}x < {threshold:.2f}x"
            return self._verdict(level, reason, compile_log=build.log, tests=check.tests, timing=timing)
        finally:
            self.harness.release(build)

    def _time(self, baseline: Build, build: Build) -> Timing:
        a, b = self.harness.invocations(baseline), self.harness.invocations(build)
        threshold = self.config.min_speedup
        if self.timer.parallel_safe:
            return self.timer.compare(a, b, threshold)
        with self._timing_lock:
            return self.timer.compare(a, b, threshold)

    def evaluate(
        self,
        original: str,
        candidates: Sequence[str],
        on_done: Callable[[int, Verdict], None] | None = None,
    ) -> list[Verdict]:
        """Grade many candidates, in parallel over ``config.jobs`` workers (0: all cores)."""
        self._baseline(original)

        def one(i: int) -> Verdict:
            verdict = self.verify(original, candidates[i])
            if on_done is not None:
                on_done(i, verdict)
            return verdict

        if self.jobs == 1 or len(candidates) <= 1:
            return [one(i) for i in range(len(candidates))]
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            return list(pool.map(one, range(len(candidates))))

    def grade(self, original: str, programs: Sequence[str | None], problems: Sequence[str]) -> list[Verdict]:
        """``evaluate`` over outputs some of which are not programs (None): each of those is graded
        ``unusable`` for its entry in ``problems``, in its place, without compiling."""
        graded = iter(self.evaluate(original, [p for p in programs if p is not None]))
        return [
            next(graded) if p is not None else self.unusable(why) for p, why in zip(programs, problems, strict=True)
        ]

    def close(self) -> None:
        for build in self._baselines.values():
            self.harness.release(build)
        self._baselines.clear()
        closer = getattr(self.harness, "close", None)
        if closer is not None:
            closer()

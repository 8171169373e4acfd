"""How a program is built, checked and timed: the part of judging that depends on the test source.

:class:`IOHarness` serves stdin/stdout test sources (a folder, a PIE JSONL);
:class:`perfopt.testsources.project.ProjectHarness` serves project mode.
"""

from __future__ import annotations

import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from perfopt.reward.compiler import Compiler
from perfopt.reward.judge import compare
from perfopt.reward.levels import Level
from perfopt.sandbox import Limits, Sandbox
from perfopt.testsources.interface import TestCase, TestSource, fingerprint
from perfopt.timing import Invocation


@dataclass
class Build:
    ok: bool
    log: str
    seconds: float
    #: The binary (I/O mode) or the candidate's tree (project mode).
    artifact: Path | None
    workdir: Path | None = None


@dataclass(frozen=True)
class TestResult:
    name: str
    origin: str
    passed: bool
    #: "ok", "wrong answer", or the sandbox's reason.
    verdict: str
    detail: str
    seconds: float

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "origin": self.origin,
            "passed": self.passed,
            "verdict": self.verdict,
            "detail": self.detail,
            "seconds": round(self.seconds, 6),
        }


@dataclass
class Check:
    """The failing level (R1 or R2), or None when every test passed."""

    failed: Level | None
    tests: list[TestResult] = field(default_factory=list)

    @property
    def reason(self) -> str:
        bad = next((t for t in self.tests if not t.passed), None)
        return f"test {bad.name}: {bad.verdict}" + (f" ({bad.detail})" if bad.detail else "") if bad else ""


class Harness(ABC):
    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def fingerprint(self) -> str:
        """Changes whenever the tests or build settings change (cache key)."""

    @abstractmethod
    def build(self, source: str) -> Build: ...

    @abstractmethod
    def check(self, build: Build) -> Check: ...

    @abstractmethod
    def invocations(self, build: Build) -> Sequence[Invocation]:
        """What the timer runs for this build."""

    def release(self, build: Build) -> None:
        if build.workdir is not None:
            shutil.rmtree(build.workdir, ignore_errors=True)


class IOHarness(Harness):
    """Compile with the compiler; run each test's input on stdin; compare stdout."""

    def __init__(
        self,
        source: TestSource,
        compiler: Compiler,
        sandbox: Sandbox,
        limits: Limits,
        float_tolerance: float | None = None,
    ) -> None:
        self.source = source
        self.cases = list(source.cases())
        self.compiler = compiler
        self.sandbox = sandbox
        self.limits = limits
        self.float_tolerance = float_tolerance
        # Inputs live in files so that each run's stdin is a plain file, as on a judge.
        # perfopt opens each one and hands the program the open file as stdin, so the
        # folder stays private (0700): no sandboxed program, nor another user, reads it.
        self.inputs_dir = Path(tempfile.mkdtemp(prefix="perfopt-tests-"))
        self.input_files: list[Path] = []
        self._write_inputs(self.cases)
        #: What generated tests were added (perfopt.testgen.differential), for the report.
        self.generated_note = ""

    def _write_inputs(self, cases: Sequence[TestCase]) -> None:
        for case in cases:
            path = self.inputs_dir / f"{len(self.input_files)}.in"
            path.write_bytes(case.input)
            path.chmod(0o600)
            self.input_files.append(path)

    def add_cases(self, cases: Sequence[TestCase], note: str) -> None:
        """More tests (generated ones), judged and timed like the given ones from now on; ``note`` is
        appended to the description (`` + 4 generated (...)``, ``; none generated: ...``)."""
        self.cases += cases
        self._write_inputs(cases)
        self.generated_note = note

    def describe(self) -> str:
        return self.source.describe() + self.generated_note

    def fingerprint(self) -> str:
        return fingerprint(self.cases) + f"|tol={self.float_tolerance}|{self.compiler.command}|{self.compiler.flags}"

    def build(self, source: str) -> Build:
        workdir = self.sandbox.make_workdir("perfopt-build-")
        compiled = self.compiler.compile(source, workdir)
        return Build(compiled.ok, compiled.log, compiled.seconds, compiled.binary, workdir)

    def check(self, build: Build) -> Check:
        assert build.artifact is not None
        results: list[TestResult] = []
        for case, stdin in zip(self.cases, self.input_files, strict=True):
            run = self.sandbox.run([str(build.artifact)], self.limits, stdin=stdin)
            if not run.ok:
                results.append(
                    TestResult(case.name, case.origin, False, run.outcome.value, run.detail, run.wall_seconds)
                )
                # One failure settles the level; the remaining tests would only cost time.
                return Check(Level.RUNTIME_ERROR, results)
            diff = compare(run.stdout, case.expected, self.float_tolerance)
            if diff is not None:
                results.append(TestResult(case.name, case.origin, False, "wrong answer", diff, run.wall_seconds))
                return Check(Level.WRONG_ANSWER, results)
            results.append(TestResult(case.name, case.origin, True, "ok", "", run.wall_seconds))
        return Check(None, results)

    def invocations(self, build: Build) -> list[Invocation]:
        assert build.artifact is not None
        return [
            Invocation((str(build.artifact),), stdin=path, group="generated" if case.origin == "generated" else "given")
            for case, path in zip(self.cases, self.input_files, strict=True)
        ]

    def close(self) -> None:
        shutil.rmtree(self.inputs_dir, ignore_errors=True)

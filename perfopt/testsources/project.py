"""Project mode: judge a candidate file by the repository's own build, tests and benchmark.

The candidate is written into a temporary copy of the working tree, never into
the tree itself; the configured commands run there, in the sandbox, without
network. ``build`` failing is R0, ``test`` crashing or timing out R1, ``test``
failing R2; ``bench`` is what the timer measures.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from perfopt.config import ProjectConfig
from perfopt.errors import BadInputError
from perfopt.reward.compiler import trim_log
from perfopt.reward.harness import Build, Check, Harness, TestResult
from perfopt.reward.levels import Level
from perfopt.sandbox import Limits, Outcome, Sandbox
from perfopt.sandbox.output import excerpt
from perfopt.sandbox.policy import tool_prefixes
from perfopt.timing import Invocation

BUILD_LIMITS = Limits(cpu_seconds=600, wall_seconds=900, memory_bytes=8 << 30, output_bytes=1 << 30, processes=256)


class ProjectHarness(Harness):
    def __init__(self, project: ProjectConfig, target: Path, sandbox: Sandbox, limits: Limits) -> None:
        self.project = project
        try:
            self.relpath = target.resolve().relative_to(project.root)
        except ValueError:
            raise BadInputError(f"{target} is not inside the project root {project.root}") from None
        self.sandbox = sandbox
        #: Appended to the description (why no tests were generated).
        self.note = ""
        # A test suite or a benchmark does more than one judge test; the CPU limit
        # is per process, so it still stops a runaway candidate.
        self.limits = Limits(
            cpu_seconds=max(limits.cpu_seconds, 60.0),
            wall_seconds=max(limits.wall_seconds, 300.0),
            memory_bytes=limits.memory_bytes,
            output_bytes=max(limits.output_bytes, 256 << 20),
            processes=max(limits.processes, 256),
        )

    def describe(self) -> str:
        p = self.project
        return f"project {p.root} (build: {p.build!r}, test: {p.test!r}, bench: {p.bench!r}){self.note}"

    def fingerprint(self) -> str:
        """The commands and every other file's size and mtime: a cheap stand-in for the tree's content."""
        h = hashlib.sha256(f"{self.project.build}|{self.project.test}|{self.project.bench}".encode())
        for folder, dirs, files in os.walk(self.project.root):
            dirs[:] = sorted(d for d in dirs if not self._ignored(d))
            for name in sorted(files):
                path = Path(folder) / name
                if self._ignored(name) or path.resolve() == (self.project.root / self.relpath).resolve():
                    continue
                st = path.stat(follow_symlinks=False)
                h.update(f"{path.relative_to(self.project.root)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        return h.hexdigest()

    def _ignored(self, name: str) -> bool:
        from fnmatch import fnmatch

        return any(fnmatch(name, pattern) for pattern in self.project.ignore)

    def _tools(self) -> list[Path]:
        """The build tools' installations (cmake, ninja) outside the system folders, readable in the sandbox."""
        return tool_prefixes(os.environ.get("PATH", ""), [Path.home(), self.project.root])

    def _env(self, tree: Path) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LC_ALL": "C",
            "HOME": str(tree),
            "TMPDIR": str(tree),
        }

    def build(self, source: str) -> Build:
        parent = Path(tempfile.mkdtemp(prefix="perfopt-project-"))
        parent.chmod(0o755)
        tree = parent / "tree"
        shutil.copytree(self.project.root, tree, symlinks=True, ignore=shutil.ignore_patterns(*self.project.ignore))
        (tree / self.relpath).write_text(source, encoding="utf-8")
        run = self.sandbox.run(
            ["/bin/sh", "-c", self.project.build],
            BUILD_LIMITS,
            workdir=tree,
            env=self._env(tree),
            readable=self._tools(),
        )
        log = trim_log(run.stderr or run.stdout.decode("utf-8", "replace"))
        if not run.ok:
            return Build(False, f"build command {run.reason}\n{log}", run.wall_seconds, None, parent)
        return Build(True, log, run.wall_seconds, tree, parent)

    def check(self, build: Build) -> Check:
        assert build.artifact is not None
        tree = build.artifact
        run = self.sandbox.run(
            ["/bin/sh", "-c", self.project.test], self.limits, workdir=tree, env=self._env(tree), readable=self._tools()
        )
        output = (run.stdout.decode("utf-8", "replace") + run.stderr).strip()
        # The suite's last line usually names the failure; an excerpt only, as for any program output.
        tail = excerpt(output.splitlines()[-1] if output else "", 80)
        if run.ok:
            return Check(None, [TestResult("test", "project", True, "ok", "", run.wall_seconds)])
        if run.outcome is Outcome.RUNTIME_ERROR and run.signal is None:
            result = TestResult(
                "test", "project", False, "tests failed", f"exit code {run.exit_code}: {tail}", run.wall_seconds
            )
            return Check(Level.WRONG_ANSWER, [result])
        return Check(
            Level.RUNTIME_ERROR, [TestResult("test", "project", False, run.outcome.value, run.detail, run.wall_seconds)]
        )

    def invocations(self, build: Build) -> list[Invocation]:
        assert build.artifact is not None
        tree = build.artifact
        return [
            Invocation(
                ("/bin/sh", "-c", self.project.bench),
                workdir=tree,
                env=self._env(tree),
                limits=self.limits,
                readable=tuple(self._tools()),
            )
        ]

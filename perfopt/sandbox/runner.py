"""Run one untrusted program under limits and say, in words, how it ended."""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from perfopt.sandbox.jail import JAIL_FAIL, JAIL_TIMEOUT, Isolation, build_jail, probe
from perfopt.sandbox.policy import named_files, system_reads

#: Unprivileged uids handed out one per run, so that one run's process count
#: and cleanup never touch another's. Far above the ranges distributions use.
_UID_BASE = 200_000
_UID_SPAN = 60_000
_uids = itertools.count(random.randrange(_UID_SPAN))


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    wall_seconds: float = 8.0
    #: Address-space cap; None for none (valgrind reserves far more than it uses).
    memory_bytes: int | None = 1 << 30
    #: Cap on stdout, stderr and any file the program writes.
    output_bytes: int = 16 << 20
    processes: int = 32

    def scaled(self, factor: float) -> Limits:
        """The same limits for a program that runs ``factor`` times slower."""
        return replace(self, cpu_seconds=self.cpu_seconds * factor, wall_seconds=self.wall_seconds * factor)


class Outcome(str, Enum):
    OK = "ok"
    RUNTIME_ERROR = "runtime error"
    TIMEOUT = "wall time limit exceeded"
    CPU_LIMIT = "CPU time limit exceeded"
    MEMORY_LIMIT = "memory limit exceeded"
    OUTPUT_LIMIT = "output limit exceeded"
    SANDBOX_ERROR = "sandbox failure"


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: str
    #: The program's own wall time, measured inside the jail (set-up excluded).
    wall_seconds: float
    cpu_seconds: float
    max_rss_kb: int
    detail: str = ""
    #: The unprivileged uid the program ran as, if the sandbox dropped root.
    uid: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def reason(self) -> str:
        return f"{self.outcome.value}: {self.detail}" if self.detail else self.outcome.value


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _read_capped(path: Path, cap: int) -> bytes:
    with path.open("rb") as f:
        return f.read(cap + 1)


class Sandbox:
    """Runs programs in the jail. One instance can serve many threads."""

    def __init__(self, compiler: str = "g++", cache_dir: Path | None = None) -> None:
        """``cache_dir`` holds the jail helper: the user's choice (flag, environment), never a repository's."""
        self.helper = build_jail(compiler, cache_dir)
        self.jail = self.helper.path
        self.isolation: Isolation = probe(self.jail)

    def _next_uid(self) -> int:
        return _UID_BASE + next(_uids) % _UID_SPAN

    def make_workdir(self, prefix: str = "perfopt-") -> Path:
        """A private folder, readable by the sandboxed uid."""
        path = Path(tempfile.mkdtemp(prefix=prefix))
        path.chmod(0o755)
        return path

    def run(
        self,
        argv: Sequence[str],
        limits: Limits,
        *,
        stdin: Path | None = None,
        workdir: Path | None = None,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        readable: Sequence[Path] = (),
        pass_fds: Sequence[int] = (),
    ) -> RunResult:
        """Run ``argv`` with ``stdin`` fed from a file.

        Without ``workdir`` the program gets a fresh empty folder, deleted after.
        A given ``workdir`` is handed to the sandboxed uid for the run. Where
        reads are confined, the program reads only the system's files, its
        folder, the files ``argv`` names, and ``readable``. ``pass_fds`` stay
        open in the program (a pipe a tool under it reports through).
        """
        self.helper.verify()
        private = Path(tempfile.mkdtemp(prefix="perfopt-run-"))
        own_workdir = workdir is None
        work = self.make_workdir() if workdir is None else workdir
        uid = self._next_uid() if self.isolation.drop_uid else None
        try:
            if uid is not None:
                _chown_tree(work, uid)
            out, err, timefile = private / "stdout", private / "stderr", private / "time"
            cmd = [str(self.jail), "-d", str(work), "-t", str(timefile), "-c", f"{limits.cpu_seconds:.3f}"]
            cmd += ["-w", f"{limits.wall_seconds:.3f}"]
            cmd += ["-f", str(limits.output_bytes), "-p", str(limits.processes)]
            if limits.memory_bytes is not None:
                cmd += ["-m", str(limits.memory_bytes)]
            if self.isolation.network and not network:
                cmd.append("-n")
            if self.isolation.pid_namespace:
                cmd.append("-P")
            if self.isolation.landlock:
                cmd.append("-L")
            reads = [*system_reads(), *named_files(argv), *(str(p) for p in readable)]
            if self.isolation.confined_reads:
                cmd.append("-R")
            elif self.isolation.private_view:
                view = private / "view"
                view.mkdir()
                cmd += ["-M", str(view)]
            if self.isolation.confined_reads or self.isolation.private_view:
                cmd += [f"-r{p}" for p in dict.fromkeys(reads)]
            if uid is not None:
                cmd += ["-u", str(uid)]
            cmd += ["--", *argv]
            run_env = dict(env) if env is not None else default_env(work)
            timed_out = False
            with out.open("wb") as fo, err.open("wb") as fe, (stdin or Path(os.devnull)).open("rb") as fi:
                proc = subprocess.Popen(
                    cmd, stdin=fi, stdout=fo, stderr=fe, env=run_env, start_new_session=True, pass_fds=tuple(pass_fds)
                )
                try:
                    # The jail enforces the wall limit itself, and returns only once
                    # every process the program started is gone; this is a backstop.
                    rc = proc.wait(timeout=limits.wall_seconds + 30)
                except subprocess.TimeoutExpired:
                    timed_out = True
                    os.killpg(proc.pid, signal.SIGKILL)
                    rc = proc.wait()
            if uid is not None and not self.isolation.pid_namespace:
                subprocess.run([str(self.jail), "-K", "-u", str(uid)], check=False)
            return replace(self._result(rc, timed_out, out, err, timefile, limits), uid=uid)
        finally:
            shutil.rmtree(private, ignore_errors=True)
            if own_workdir:
                shutil.rmtree(work, ignore_errors=True)

    def _result(self, rc: int, timed_out: bool, out: Path, err: Path, timefile: Path, limits: Limits) -> RunResult:
        stdout = _read_capped(out, limits.output_bytes)
        stderr = _read_capped(err, 64 << 10).decode("utf-8", "replace")
        wall = cpu = 0.0
        rss = 0
        ran = timefile.exists() and timefile.stat().st_size > 0
        if ran:
            fields = timefile.read_text().split()
            wall = int(fields[0]) / 1e9
            cpu = (int(fields[1]) + int(fields[2])) / 1e6
            rss = int(fields[3])
        exit_code = rc if rc >= 0 else None
        sig = -rc if rc < 0 else None

        def result(outcome: Outcome, detail: str = "") -> RunResult:
            return RunResult(outcome, exit_code, sig, stdout[: limits.output_bytes], stderr, wall, cpu, rss, detail)

        if timed_out or (rc == JAIL_TIMEOUT and not ran and "perfopt-jail: wall time limit" in stderr):
            return result(Outcome.TIMEOUT, f"killed after {limits.wall_seconds:g} s")
        if rc == JAIL_FAIL and not ran:
            return result(Outcome.SANDBOX_ERROR, stderr.strip().splitlines()[-1] if stderr.strip() else "")
        if sig in (signal.SIGXCPU, signal.SIGKILL) and cpu >= limits.cpu_seconds * 0.95:
            return result(Outcome.CPU_LIMIT, f"used {cpu:.2f} s of {limits.cpu_seconds:g} s")
        if sig == signal.SIGXFSZ or len(stdout) > limits.output_bytes:
            return result(Outcome.OUTPUT_LIMIT, f"more than {limits.output_bytes >> 20} MiB written")
        if "std::bad_alloc" in stderr or "memory exhausted" in stderr:
            mib = (limits.memory_bytes or 0) >> 20
            return result(Outcome.MEMORY_LIMIT, f"allocation failed under the {mib} MiB limit")
        if sig is not None:
            return result(Outcome.RUNTIME_ERROR, f"killed by {_signal_name(sig)}")
        if rc != 0:
            return result(Outcome.RUNTIME_ERROR, f"exit code {rc}")
        return result(Outcome.OK)


def default_env(workdir: Path) -> dict[str, str]:
    """A small, fixed environment: runs are reproducible, and temp files stay in the run's folder."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "HOME": str(workdir), "TMPDIR": str(workdir)}


def _chown_tree(root: Path, uid: int) -> None:
    os.chown(root, uid, uid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)

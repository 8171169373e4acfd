"""Candidates from clang-tidy's ``performance-*`` checks: one per check that fixes something, then all together.

clang-tidy runs once per program, on a copy of the source text in a private
temporary folder (never the user's file), with ``--export-fixes``; the fixes
it exports are applied here as byte edits. The candidates are then verified
like any other: a fix clang-tidy calls safe is only a suggestion until the
reward model has compiled, run and timed it.

Where clang-tidy runs. A C++ file is untrusted input, and clang-tidy parses
it with a full C++ front end. Given a :class:`~perfopt.sandbox.Sandbox`, the
generator runs it in perfopt's jail (no network, an unprivileged uid, reads
confined to the system's files, the run's folder and clang-tidy's own
installation, which the jail cannot guess and so is passed as ``readable``).
Without one it runs clang-tidy directly, with a small fixed environment (PATH,
LC_ALL=C, HOME and TMPDIR in the temporary folder) and a timeout. That is
acceptable because clang-tidy only parses the program, it never compiles to
machine code, links or runs it: the worst the source can do is ``#include``
some file the user can read, and an included file's text can only end up in
diagnostics, which perfopt neither shows nor keeps (it reads the exported
fixes, and only those for the program's own file). Templates and constexpr
evaluation can make parsing slow or large, which the timeout bounds.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

import yaml

from perfopt.generation.interface import Candidate, GeneratorUnavailable, KeepGoing
from perfopt.generation.tidy_fixes import NAME, Fix, candidates_from, one_line, read_fixes
from perfopt.sandbox import Limits, Outcome, Sandbox
from perfopt.sandbox.runner import default_env

CHECKS = "-*,performance-*"
#: How much of clang-tidy's stderr is kept to explain a failure.
STDERR_TAIL = 64 << 10

_FILE_NOT_FOUND = re.compile(r"^'(.+)' file not found$")


def find_binary(binary: str | None = None) -> Path:
    """The clang-tidy to run: ``binary`` if given, else the ``clang-tidy`` wheel's, else the one on PATH."""
    if binary is not None:
        found = binary if os.sep in binary else shutil.which(binary)
        if found is None or not os.path.isfile(found):
            raise GeneratorUnavailable(f"clang-tidy: {binary} not found")
        return Path(found).absolute()
    try:
        # What the wheel's own entry point runs (clang_tidy.get_executable): data/bin inside the package.
        packaged = Path(str(resources.files("clang_tidy").joinpath("data", "bin", "clang-tidy")))
        if packaged.is_file():
            return packaged
    except (ImportError, TypeError, OSError):
        pass
    # The wheel's console script, beside this interpreter, then PATH.
    beside = Path(sys.executable).parent / "clang-tidy"
    if beside.is_file():
        return beside
    on_path = shutil.which("clang-tidy")
    if on_path is None:
        raise GeneratorUnavailable("clang-tidy: not installed (pip install clang-tidy, or put clang-tidy on PATH)")
    return Path(on_path).absolute()


def installation(binary: Path) -> Path:
    """The folder a sandboxed clang-tidy must read: its prefix, which holds bin/ and lib/clang/<v>/include."""
    real = binary.resolve()
    return real.parent.parent if real.parent.name == "bin" else real.parent


@functools.lru_cache(maxsize=8)
def compiler_include_dirs(compiler: str = "g++") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``compiler``'s ``#include <...>`` search path, and the part of it before GCC's own headers (libstdc++'s)."""
    try:
        proc = subprocess.run(
            [compiler, "-E", "-x", "c++", "-", "-v"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return (), ()
    dirs: list[str] = []
    inside = False
    for line in proc.stderr.splitlines():
        if line.startswith("#include <...> search starts here:"):
            inside = True
        elif line.startswith("End of search list."):
            break
        elif inside and line.startswith(" "):
            dirs.append(os.path.normpath(line.strip().split(" (")[0]))
    # The C++ library's folders come first, then GCC's own (lib/gcc/<triple>/<version>/include), then the C ones.
    cxx: list[str] = []
    for d in dirs:
        if re.search(r"/lib/gcc(-cross)?/[^/]+/[^/]+/include", d):
            break
        cxx.append(d)
    if len(cxx) == len(dirs):
        cxx = [d for d in dirs if "c++" in d]
    return tuple(dirs), tuple(cxx)


class ClangTidyGenerator:
    """Candidates from ``clang-tidy --checks=-*,performance-*`` (see the module's docstring)."""

    name = NAME

    def __init__(
        self,
        flags: Sequence[str] = ("-std=c++17", "-O2"),
        timeout: float = 60.0,
        binary: str | None = None,
        *,
        compiler: str = "g++",
        sandbox: Sandbox | None = None,
    ) -> None:
        self.flags = tuple(flags)
        self.timeout = timeout
        self.binary = binary
        #: Whose standard library headers clang-tidy must see, when it does not find them itself.
        self.compiler = compiler
        self.sandbox = sandbox
        #: Why the last generate() gave nothing, when clang-tidy failed: "timed out after 60 s".
        self.failure: str | None = None
        #: clang-tidy's wall time in the last generate(), for reports.
        self.seconds: float | None = None
        self.version = ""
        self._path: Path | None = None
        #: Include flags from the compiler, once clang-tidy turned out not to find its headers.
        self._include_flags: list[str] | None = None

    def prepare(self) -> None:
        path = find_binary(self.binary)
        try:
            proc = subprocess.run(
                [str(path), "--version"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
                env=default_env(Path(tempfile.gettempdir())),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GeneratorUnavailable(f"clang-tidy: {path} --version did not answer in 60 s") from None
        except OSError as e:
            raise GeneratorUnavailable(f"clang-tidy: cannot run {path}: {e.strerror}") from None
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
            raise GeneratorUnavailable(f"clang-tidy: {path} --version failed: {last[:200]}")
        self.version = next((line.strip() for line in proc.stdout.splitlines() if "version" in line), "")
        self._path = path

    def check(self, source: str) -> None:
        return None

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        self.failure = None
        self.seconds = None
        if n <= 0 or (keep_going is not None and not keep_going()):
            return
        # Everything is worked out, and the temporary folder gone, before the first candidate is yielded.
        yield from self._candidates(source, n)

    def _candidates(self, source: str, n: int) -> list[Candidate]:
        try:
            path = self._path or find_binary(self.binary)
        except GeneratorUnavailable as e:
            self.failure = str(e).removeprefix("clang-tidy: ")
            return []
        self._path = path
        fixes, errors = self._tidy(path, source, self._include_flags or [])
        if fixes is None:
            return []
        if self._include_flags is None and self._misses_system_headers(errors):
            # clang-tidy did not find the compiler's standard library: give it g++'s, once and for all.
            _, cxx = compiler_include_dirs(self.compiler)
            self._include_flags = ["-nostdinc++", *(f"-isystem{d}" for d in cxx)] if cxx else []
            if self._include_flags:
                fixes, errors = self._tidy(path, source, self._include_flags)
                if fixes is None:
                    return []
        found = candidates_from(source, fixes, n)
        if not found and errors:
            self.failure = f"could not parse the program: {one_line(errors[0])}"
        return found

    def _misses_system_headers(self, errors: Sequence[str]) -> bool:
        """Whether a header clang-tidy did not find is one the compiler finds (so the user's code is not at fault)."""
        missing = [m.group(1) for m in map(_FILE_NOT_FOUND.match, errors) if m]
        if not missing:
            return False
        dirs, _ = compiler_include_dirs(self.compiler)
        return any(os.path.isfile(os.path.join(d, header)) for header in missing for d in dirs)

    def command(self, binary: Path, program: Path, fixes: Path, extra: Sequence[str] = ()) -> list[str]:
        """The clang-tidy command line: compile flags after ``--``, and ``-x c++`` before the file it appends."""
        return [
            str(binary),
            f"--checks={CHECKS}",
            f"--export-fixes={fixes}",
            str(program),
            "--",
            *self.flags,
            *extra,
            "-x",
            "c++",
        ]

    def _tidy(self, binary: Path, source: str, extra: Sequence[str]) -> tuple[list[Fix] | None, list[str]]:
        """Run clang-tidy on ``source``: its fixes and compile errors, or None (and ``failure`` set)."""
        work = Path(tempfile.mkdtemp(prefix="perfopt-clang-tidy-"))
        try:
            work.chmod(0o700)
            program, fixes_file = work / "prog.cpp", work / "fixes.yaml"
            program.write_bytes(source.encode("utf-8", "surrogateescape"))
            argv = self.command(binary, program, fixes_file, extra)
            start = time.monotonic()
            problem, finished = self._run(argv, work, binary)
            self.seconds = time.monotonic() - start
            if problem is None and not fixes_file.exists():
                return [], []  # nothing to report: clang-tidy writes no file then
            if not finished or not fixes_file.exists():
                self.failure = problem
                return None, []
            try:
                with fixes_file.open("rb") as f:
                    data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            except (OSError, yaml.YAMLError) as e:
                self.failure = f"unreadable fixes file: {one_line(str(e))}"
                return None, []
            # A non-zero exit with a fixes file: compile errors, but what clang-tidy could analyse is usable.
            return read_fixes(data, program)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _run(self, argv: list[str], work: Path, binary: Path) -> tuple[str | None, bool]:
        """Run ``argv`` in ``work``: why it did not exit 0 (None if it did), and whether it ran to its end.

        A non-zero exit is an end (clang-tidy exits 1 on compile errors, after
        writing its fixes); a timeout, a signal or a sandbox failure is not.
        """
        if self.sandbox is not None:
            limits = Limits(
                cpu_seconds=self.timeout,
                wall_seconds=self.timeout,
                memory_bytes=8 << 30,
                output_bytes=64 << 20,
                processes=8,
            )
            result = self.sandbox.run(argv, limits, workdir=work, readable=[installation(binary)])
            if result.outcome in (Outcome.TIMEOUT, Outcome.CPU_LIMIT):
                return f"timed out after {self.timeout:g} s", False
            if result.outcome is Outcome.OK:
                return None, True
            if result.outcome is Outcome.RUNTIME_ERROR and result.exit_code is not None:
                return _exit_problem(result.exit_code, result.stderr), True
            if result.signal is not None:
                return f"crashed ({_signal_name(result.signal)})", False
            return result.reason, False
        stderr_path = work / "stderr"
        try:
            with stderr_path.open("wb") as err:
                proc = subprocess.Popen(
                    argv,
                    cwd=work,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=err,
                    env=default_env(work),
                    start_new_session=True,
                )
                try:
                    rc = proc.wait(timeout=self.timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return f"timed out after {self.timeout:g} s", False
        except OSError as e:
            return f"cannot run {argv[0]}: {e.strerror}", False
        if rc == 0:
            return None, True
        if rc < 0:
            return f"crashed ({_signal_name(-rc)})", False
        with stderr_path.open("rb") as f:
            f.seek(max(0, stderr_path.stat().st_size - STDERR_TAIL))
            stderr = f.read().decode("utf-8", "replace")
        return _exit_problem(rc, stderr), True


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _exit_problem(rc: int, stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    what = f"exit code {rc}"
    if rc > 128 and rc - 128 in {s.value for s in signal.Signals}:
        what += f" ({_signal_name(rc - 128)})"
    return f"{what}: {one_line(lines[-1], 200)}" if lines else what

"""Compile a C++ source into a binary, inside the sandbox (a source can hang or bloat g++ too)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from perfopt.errors import NoCompilerError
from perfopt.sandbox import Limits, Outcome, Sandbox
from perfopt.sandbox.policy import is_exposed

#: g++ on a template-heavy file can use gigabytes; the limits only stop runaways.
COMPILE_LIMITS = Limits(cpu_seconds=60, wall_seconds=120, memory_bytes=4 << 30, output_bytes=512 << 20, processes=64)
LOG_LIMIT = 2000


@dataclass(frozen=True)
class Compiled:
    ok: bool
    binary: Path | None
    log: str
    seconds: float


def trim_log(text: str, limit: int = LOG_LIMIT) -> str:
    """The first errors matter; a template cascade after them does not."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + f"\n... ({len(text) - limit} more characters)"


class Compiler:
    def __init__(
        self,
        sandbox: Sandbox,
        command: str = "g++",
        flags: Sequence[str] = ("-std=c++17", "-O2"),
        protect: Sequence[Path] = (),
    ) -> None:
        """``protect``: paths a compile must never read (the tests: an ``#include`` or ``.incbin`` of the
        expected outputs would be a reward hack), even when an include folder in ``flags`` holds them."""
        found = shutil.which(command)
        if found is None:
            raise NoCompilerError(f"compiler {command!r} not found on PATH; install it or set compiler in perfopt.toml")
        self.path = found
        # A compiler outside the system folders (say /opt/gcc-13/bin/g++) needs its own
        # installation readable inside the sandbox: cc1plus, headers, libstdc++.
        real = Path(found).resolve()
        self.install = () if is_exposed(real) else (real.parent.parent,)
        self.command = command
        self.flags = tuple(flags)
        self.include_dirs = tuple(include_dirs(self.flags, protect))
        self.sandbox = sandbox

    def compile(self, source: str, workdir: Path) -> Compiled:
        """Compile ``source`` in ``workdir`` (made by the sandbox) to ``workdir/prog``."""
        (workdir / "prog.cpp").write_text(source, encoding="utf-8")
        argv = [self.path, *self.flags, "-o", "prog", "prog.cpp"]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C", "TMPDIR": str(workdir)}
        readable = (*self.install, *self.include_dirs)
        result = self.sandbox.run(argv, COMPILE_LIMITS, workdir=workdir, env=env, readable=readable)
        binary = workdir / "prog"
        if result.ok and binary.is_file():
            binary.chmod(0o755)
            return Compiled(True, binary, trim_log(result.stderr), result.wall_seconds)
        log = result.stderr if result.outcome is Outcome.RUNTIME_ERROR else f"compiler {result.reason}\n{result.stderr}"
        return Compiled(False, None, trim_log(log), result.wall_seconds)


_INCLUDE_FLAGS = ("-I", "-isystem", "-iquote", "-idirafter")


def include_dirs(flags: Sequence[str], protect: Sequence[Path] = ()) -> list[Path]:
    """The absolute include folders ``flags`` name (``-I/x``, ``-isystem /x``), readable in the compile sandbox.

    A folder that holds a protected path (the tests) is left out: the compile
    then fails to find its headers, which is a clear R0, never a leak.
    """
    found: list[Path] = []
    for i, flag in enumerate(flags):
        for prefix in _INCLUDE_FLAGS:
            if flag == prefix and i + 1 < len(flags):
                found.append(Path(flags[i + 1]))
            elif flag.startswith(prefix) and flag != prefix:
                found.append(Path(flag[len(prefix) :]))
    hidden = [p.resolve() for p in protect]
    keep = []
    for folder in found:
        if not folder.is_absolute() or not folder.is_dir():
            continue
        real = folder.resolve()
        if any(h.is_relative_to(real) for h in hidden):
            continue
        keep.append(real)
    return list(dict.fromkeys(keep))

"""Builds the ``perfopt-jail`` helper from jail.c and finds out what it can isolate.

The helper is compiled on first use with the user's own compiler (perfopt needs
one anyway), so no binary ships in the wheel. What isolation the kernel allows
is probed once per process and reported, so a weaker fallback is never silent.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from perfopt.errors import NoCompilerError, SandboxError

JAIL_FAIL = 125
JAIL_TIMEOUT = 124


@dataclass(frozen=True)
class Isolation:
    """What the sandbox could set up on this kernel."""

    network: bool
    pid_namespace: bool
    drop_uid: bool
    #: Landlock: writes only inside the run's folder, no TCP.
    landlock: bool = False

    @property
    def protects_files(self) -> bool:
        return self.drop_uid or self.landlock

    def describe(self) -> str:
        parts = [
            "no network" if self.network else "NETWORK NOT ISOLATED (no network namespace)",
            "pid namespace" if self.pid_namespace else "process-group kill only",
        ]
        if self.drop_uid:
            parts.append("unprivileged uid")
        if self.landlock:
            parts.append("writes confined by Landlock")
        if not self.protects_files:
            parts.append("FILES NOT PROTECTED (runs as your user without Landlock)")
        return ", ".join(parts)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "perfopt"


_lock = threading.Lock()
_built: dict[str, Path] = {}
_isolation: dict[Path, Isolation] = {}


def _c_compiler(cxx: str) -> str:
    for name in ("cc", "gcc", "clang", cxx):
        if shutil.which(name):
            return name
    raise NoCompilerError(f"no C or C++ compiler found on PATH (looked for cc, gcc, clang, {cxx})")


def build_jail(cxx: str = "g++", cache_dir: Path | None = None) -> Path:
    """Path of a built jail helper, compiling it once per source version."""
    source = resources.files("perfopt.sandbox").joinpath("jail.c").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    folder = (cache_dir or cache_root()) / "jail"
    target = folder / f"perfopt-jail-{digest}"
    with _lock:
        if digest in _built and _built[digest].exists():
            return _built[digest]
        folder.mkdir(parents=True, exist_ok=True)
        # Several perfopt processes (pre-commit, xdist) may start at once.
        with open(folder / ".lock", "w") as lockf:
            fcntl.flock(lockf, fcntl.LOCK_EX)
            if not target.exists():
                src = folder / f"jail-{digest}.c"
                src.write_bytes(source)
                tmp = folder / f".perfopt-jail-{digest}.{os.getpid()}"
                cc = _c_compiler(cxx)
                proc = subprocess.run(
                    [cc, "-x", "c", "-O2", "-o", str(tmp), str(src)],
                    capture_output=True,
                    text=True,
                )
                if proc.returncode != 0:
                    raise SandboxError(f"could not build the sandbox helper with {cc}: {proc.stderr.strip()[:300]}")
                os.replace(tmp, target)
        _built[digest] = target
        return target


def _works(jail: Path, *flags: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="perfopt-probe-") as folder:
        argv = [str(jail), "-d", folder, *flags, "--", "/bin/true"]
        return subprocess.run(argv, capture_output=True).returncode == 0


def probe(jail: Path) -> Isolation:
    """Find out, feature by feature, what this kernel lets the jail do."""
    with _lock:
        if jail in _isolation:
            return _isolation[jail]
    if not _works(jail):
        proc = subprocess.run([str(jail), "--", "/bin/true"], capture_output=True, text=True)
        raise SandboxError(f"the sandbox helper cannot run programs here: {proc.stderr.strip()[:300]}")
    # 65534 is "nobody"; the probe only needs some unprivileged uid.
    iso = Isolation(
        network=_works(jail, "-n"),
        pid_namespace=_works(jail, "-P"),
        drop_uid=os.geteuid() == 0 and _works(jail, "-u", "65534"),
        landlock=_works(jail, "-L"),
    )
    with _lock:
        _isolation[jail] = iso
    return iso

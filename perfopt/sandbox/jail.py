"""Builds the ``perfopt-jail`` helper from jail.c and finds out what it can isolate.

The helper is compiled on first use with the user's own compiler (perfopt needs
one anyway), so no binary ships in the wheel. What isolation the kernel allows
is probed once per process and reported, so a weaker fallback is never silent.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from perfopt.cachedir import UnsafeFolder, private_folder
from perfopt.errors import NoCompilerError, SandboxError
from perfopt.notices import warn_once
from perfopt.sandbox.policy import system_reads

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
    #: Landlock: reads only of the system's files (policy.SYSTEM_READS) and the run's folder.
    confined_reads: bool = False
    #: Without Landlock: the same reads, by a private mount namespace showing only those files.
    private_view: bool = False

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
        if self.confined_reads:
            parts.append("reads confined to system files by Landlock")
        elif self.private_view:
            parts.append("reads confined to system files by a private mount namespace (no Landlock)")
        else:
            parts.append("READS NOT CONFINED (no Landlock): a candidate can read any file your user can")
        if not self.protects_files:
            parts.append("FILES NOT PROTECTED (runs as your user without Landlock)")
        return ", ".join(parts)


_lock = threading.Lock()
_built: dict[tuple[Path, str], JailBinary] = {}
_isolation: dict[Path, Isolation] = {}
_scratch: list[Path] = []


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class JailBinary:
    """The helper perfopt built from its own jail.c, and the hash it had when built."""

    path: Path
    sha256: str

    def verify(self) -> None:
        """Refuse to run a helper that changed on disk since perfopt built or checked it."""
        try:
            actual = _sha256(self.path)
        except OSError as e:
            raise SandboxError(f"the sandbox helper {self.path} is gone ({e.strerror}); run perfopt again") from None
        if actual != self.sha256:
            raise SandboxError(
                f"the sandbox helper {self.path} changed on disk since perfopt built it; refusing to run"
            )


def _c_compiler(cxx: str) -> str:
    for name in ("cc", "gcc", "clang", cxx):
        if shutil.which(name):
            return name
    raise NoCompilerError(f"no C or C++ compiler found on PATH (looked for cc, gcc, clang, {cxx})")


def _jail_folder(cache_dir: Path | None) -> Path:
    """A folder only this user can write: the cache's, else a private one for this process."""
    try:
        folder = private_folder("jail", cache_dir)
    except UnsafeFolder as e:
        warn_once(f"not using the cached sandbox helper: {e}")
        folder = None
    if folder is not None:
        return folder
    with _lock:
        if not _scratch:
            scratch = Path(tempfile.mkdtemp(prefix="perfopt-jail-"))
            atexit.register(shutil.rmtree, scratch, True)
            _scratch.append(scratch)
        return _scratch[0]


def _genuine(target: Path, manifest: Path) -> JailBinary | None:
    """The built helper, if it is ours and still hashes to what its build recorded."""
    try:
        st = target.stat(follow_symlinks=False)
        recorded = manifest.read_text().strip()
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
            return None
        return JailBinary(target, recorded) if _sha256(target) == recorded else None
    except OSError:
        return None


def build_jail(cxx: str = "g++", cache_dir: Path | None = None) -> JailBinary:
    """The jail helper for this version of jail.c: verified if built before, else compiled now.

    It is only ever compiled from the packaged jail.c, into a folder this user
    owns (``cache_dir`` comes from the user, never from repository config). A
    helper whose hash differs from the one its build recorded is rebuilt.
    """
    source = resources.files("perfopt.sandbox").joinpath("jail.c").read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    folder = _jail_folder(cache_dir)
    target = folder / f"perfopt-jail-{digest}"
    manifest = folder / f"perfopt-jail-{digest}.sha256"
    with _lock:
        known = _built.get((folder, digest))
        if known is not None and _genuine(target, manifest) == known:
            return known
        # Several perfopt processes (pre-commit, xdist) may start at once.
        with open(folder / ".lock", "w") as lockf:
            fcntl.flock(lockf, fcntl.LOCK_EX)
            jail = _genuine(target, manifest)
            if jail is None:
                jail = _compile(source, digest, folder, cxx)
                tmp = folder / f".manifest-{digest}.{os.getpid()}"
                tmp.write_text(jail.sha256 + "\n")
                os.replace(tmp, manifest)
        _built[(folder, digest)] = jail
        return jail


def _compile(source: bytes, digest: str, folder: Path, cxx: str) -> JailBinary:
    src = folder / f"jail-{digest}.c"
    src.write_bytes(source)
    tmp = folder / f".perfopt-jail-{digest}.{os.getpid()}"
    cc = _c_compiler(cxx)
    proc = subprocess.run([cc, "-x", "c", "-O2", "-o", str(tmp), str(src)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SandboxError(f"could not build the sandbox helper with {cc}: {proc.stderr.strip()[:300]}")
    tmp.chmod(0o700)
    target = folder / f"perfopt-jail-{digest}"
    os.replace(tmp, target)
    return JailBinary(target, _sha256(target))


def _works(jail: Path, *flags: str) -> bool:
    """Whether the jail runs /bin/true with ``flags``; "{view}" stands for an empty folder."""
    with tempfile.TemporaryDirectory(prefix="perfopt-probe-") as folder:
        view = Path(folder) / "view"
        view.mkdir()
        work = Path(folder) / "work"
        work.mkdir()
        args = [f.replace("{view}", str(view)) for f in flags]
        argv = [str(jail), "-d", str(work), *args, "--", "/bin/true"]
        return subprocess.run(argv, capture_output=True).returncode == 0


def probe(jail: Path) -> Isolation:
    """Find out, feature by feature, what this kernel lets the jail do."""
    with _lock:
        if jail in _isolation:
            return _isolation[jail]
    if not _works(jail):
        proc = subprocess.run([str(jail), "--", "/bin/true"], capture_output=True, text=True)
        raise SandboxError(f"the sandbox helper cannot run programs here: {proc.stderr.strip()[:300]}")
    reads = [f"-r{p}" for p in system_reads()]
    # 65534 is "nobody"; the probe only needs some unprivileged uid.
    iso = Isolation(
        network=_works(jail, "-n"),
        pid_namespace=_works(jail, "-P"),
        drop_uid=os.geteuid() == 0 and _works(jail, "-u", "65534"),
        landlock=_works(jail, "-L"),
        confined_reads=_works(jail, "-R", *reads),
        private_view=_works(jail, "-P", "-M", "{view}", *reads) or _works(jail, "-M", "{view}", *reads),
    )
    with _lock:
        _isolation[jail] = iso
    return iso

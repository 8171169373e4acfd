"""What a sandboxed program may read: the system's libraries and runtime files, and nothing of the user's.

Data, not code, so that the README's list and the jail's rules cannot drift
apart. Everything else (the user's home, the repository, the test folder with
its expected outputs) is unreadable, however world-readable the files are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Readable (and executable) beneath these, where they exist. Headers, libraries,
#: the loader's cache, locale and timezone data all live here; the C++ runtime
#: needs nothing else. The jail narrows "/proc" to a proc of its own PID
#: namespace (the program and its children only), or else to /proc/self.
SYSTEM_READS: tuple[str, ...] = (
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/bin",
    "/sbin",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/ld.so.preload",
    "/etc/localtime",
    "/etc/timezone",
    "/etc/locale.alias",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/proc",
    # glibc counts CPUs here (std::thread::hardware_concurrency, OpenMP).
    "/sys/devices/system/cpu",
)


def system_reads() -> list[str]:
    return [p for p in SYSTEM_READS if os.path.lexists(p)]


def named_files(argv: Sequence[str]) -> list[str]:
    """Absolute paths of existing files on the command line: what perfopt itself chose to run.

    A candidate's binary lives in its build folder, which is not the run's own
    folder; naming it grants that one file, not its folder.
    """
    return [a for a in argv if a.startswith("/") and os.path.isfile(a)]


def is_exposed(path: Path, extra: Iterable[str] = ()) -> bool:
    """Whether a sandboxed program could read ``path`` (say, a test folder kept under /usr/local)."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(Path(root).resolve()) for root in [*system_reads(), *extra])


def tool_prefixes(path_env: str, private: Sequence[Path]) -> list[Path]:
    """Installations of the tools on ``PATH`` (``/opt/cmake`` for ``/opt/cmake/bin``), for project mode's commands.

    A prefix that holds, or lies inside, one of the ``private`` folders (the
    user's home, the project) is left out: granting it would expose them.
    """
    keep: list[Path] = []
    hidden = [p.resolve() for p in private]
    for entry in path_env.split(os.pathsep):
        folder = Path(entry)
        if not folder.is_absolute() or not folder.is_dir():
            continue
        prefix = (folder.parent if folder.name in ("bin", "sbin") else folder).resolve()
        if prefix == Path("/") or is_exposed(prefix):
            continue
        if any(prefix.is_relative_to(h) or h.is_relative_to(prefix) for h in hidden):
            continue
        keep.append(prefix)
    return list(dict.fromkeys(keep))

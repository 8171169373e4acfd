"""What a repository's config may set: it is untrusted input, since a pull request can change it.

The GitHub Action runs perfopt on pull requests, forks included, so a config
file must not choose what perfopt executes outside the sandbox, nor name a
compiler by path, nor pass flags that load code, nor point perfopt at files
outside the repository. Flags and the environment, which the user controls,
may do all of these. :mod:`perfopt.config` applies these checks to every
config file; the README's configuration section has the same table.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from perfopt.errors import ConfigError

#: What a repository's config may not do, and why (the README's table says the same).
_USER_ONLY = {
    "cache_dir": "it holds the sandbox helper perfopt executes; use --cache-dir or PERFOPT_CACHE_DIR",
}
#: A compiler a repository may name: a bare command on the user's PATH that looks like a C/C++ compiler.
_COMPILER_NAME = re.compile(r"^([\w.+-]*-)?(g\+\+|c\+\+|clang\+\+|gcc|cc|clang|icpx|icx)(-[\d.]+)?$")
#: Flags that make the compiler load or run other programs, or read arguments from a file.
_CODE_LOADING_FLAGS = (
    "-B",
    "-fplugin",
    "-wrapper",
    "-specs",
    "--specs",
    "@",
    "-fuse-ld=/",
    "--gcc-toolchain",
    "-Wl,-plugin",
    "-Wl,--plugin",
    "-Xlinker",
)


def repository_root(base: Path) -> Path:
    """The repository holding ``base`` (the nearest folder with .git), or ``base`` itself."""
    for folder in [base, *base.parents]:
        if (folder / ".git").exists():
            return folder
    return base


def refuse_untrusted(key: str, v: Any, where: str) -> None:
    """Refuse what repository config may not set; the value's type is checked afterwards."""
    if key in _USER_ONLY:
        raise ConfigError(f"{where}: {key} cannot be set in repository config: {_USER_ONLY[key]}")
    if key == "compiler" and isinstance(v, str) and not _COMPILER_NAME.match(v):
        raise ConfigError(
            f"{where}: compiler must be a compiler's name on your PATH (g++, clang++-17, ...) in repository "
            f"config, got {v!r}; pass --compiler for anything else"
        )
    if key == "flags":
        try:
            flags = shlex.split(v) if isinstance(v, str) else v if isinstance(v, list) else []
        except ValueError:
            return  # unbalanced quotes: the type check that follows reports it
        for flag in (f for f in flags if isinstance(f, str)):
            if flag.startswith(_CODE_LOADING_FLAGS):
                raise ConfigError(
                    f"{where}: flags may not contain {flag!r} in repository config: it makes the compiler load "
                    "other programs or files; pass --flags for that"
                )


def inside_repository(key: str, path: Path, root: Path, where: str) -> Path:
    if not path.resolve().is_relative_to(root.resolve()):
        raise ConfigError(f"{where}: {key} must be inside the repository ({root}) in repository config, got {path}")
    return path

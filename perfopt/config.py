"""Settings: defaults, then ``perfopt.toml`` or ``[tool.perfopt]``, then flags.

A file is found by walking up from the file being optimized (or the current
directory) to the repository root. Every key is validated here, once, so that the
rest of perfopt can trust a :class:`Config`; a typo is an error, not a silent default.

A config file is repository content, and a pull request can change it, so it
is applied as untrusted input: :mod:`perfopt.trust` says what it may not set.
Only flags and the environment, which the user controls, may set everything.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # tomllib is tomli, adopted into the standard library in 3.11
    import tomli as tomllib

from perfopt.errors import ConfigError
from perfopt.trust import inside_repository, refuse_untrusted, repository_root

TIMERS = ("wall", "instructions", "cost")


@dataclass(frozen=True)
class RewardScale:
    """Numeric reward of each level, for RL; only the order matters to RRHF."""

    r0: float = 0.0
    r1: float = 0.25
    r2: float = 0.5
    r3: float = 0.75
    r4: float = 1.0

    def of(self, level: int) -> float:
        return float((self.r0, self.r1, self.r2, self.r3, self.r4)[level])


@dataclass(frozen=True)
class ProjectConfig:
    """Project mode: judge a candidate by the repository's own build and tests."""

    build: str
    test: str
    bench: str
    root: Path
    ignore: tuple[str, ...] = (".git",)


@dataclass(frozen=True)
class Config:
    compiler: str = "g++"
    flags: tuple[str, ...] = ("-std=c++17", "-O2")
    tests: Path | None = None
    problem_id: str | None = None
    timer: str = "wall"
    candidates: int = 8
    #: Candidate generators by name (rules, clang-tidy, model); None: all that can run here.
    generators: tuple[str, ...] | None = None
    #: The model that proposes rewrites: a folder or hub id; None for the bundled one.
    model: str | None = None
    temperature: float = 0.8
    top_p: float = 0.95
    #: The longest model output, in tokens.
    max_new_tokens: int = 512
    #: Seeds sampling, so that the same file gets the same suggestion (a hook must not flicker).
    seed: int = 0
    #: Stop sampling once this many faster, correct candidates are verified; 0 samples all of them.
    enough: int = 0
    min_speedup: float = 1.10
    #: CPU seconds one run of the program may use; the wall limit is derived from it.
    time_limit: float = 2.0
    memory_limit_mb: int = 1024
    output_limit_mb: int = 16
    max_processes: int = 32
    float_tolerance: float | None = None
    repeats: int = 5
    warmup: int = 1
    jobs: int = 0
    cache: bool = True
    cache_dir: Path | None = None
    max_source_kb: int = 1024
    #: Generate bigger tests from the given ones, judged by the original (perfopt.testgen.differential).
    amplify: bool = True
    #: Climb until the original takes about this many CPU seconds on a generated input.
    amplify_seconds: float = 0.2
    amplify_keep: int = 4
    amplify_max_kb: int = 2048
    rewards: RewardScale = field(default_factory=RewardScale)
    project: ProjectConfig | None = None
    #: Where the values came from, for error messages.
    origin: str = "defaults"

    @property
    def wall_limit(self) -> float:
        # Generous: the CPU limit is the real budget; the wall one only catches
        # programs that sleep or block, and must survive a loaded machine.
        return self.time_limit * 3 + 2.0

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


def _positive_int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise ValueError(f"{name} must be a positive integer, got {v!r}")
    return v


#: Upper bounds, for every source: a typo such as ``candidates = 10000`` would
#: otherwise exhaust memory, and a repository could make a CI job run for days.
MAXIMA: dict[str, float] = {
    "candidates": 64,
    "enough": 64,
    "max_new_tokens": 4096,
    "time_limit": 600,
    "memory_limit_mb": 65536,
    "output_limit_mb": 4096,
    "max_processes": 4096,
    "repeats": 100,
    "warmup": 20,
    "jobs": 256,
    "max_source_kb": 65536,
    "amplify_seconds": 30,
    "amplify_keep": 32,
    "amplify_max_kb": 262144,
}


def _at_most(check: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    def bounded(name: str, v: Any) -> Any:
        value = check(name, v)
        if value > MAXIMA[name]:
            raise ValueError(f"{name} must be at most {MAXIMA[name]:g}, got {v!r}")
        return value

    return bounded


def _nonneg_int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
    return v


def _positive_float(name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise ValueError(f"{name} must be a positive number, got {v!r}")
    return float(v)


def _string(name: str, v: Any) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ValueError(f"{name} must be a non-empty string, got {v!r}")
    return v


def _flags(name: str, v: Any) -> tuple[str, ...]:
    if isinstance(v, str):
        return tuple(shlex.split(v))
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return tuple(v)
    raise ValueError(f"{name} must be a string or a list of strings, got {v!r}")


def _timer(name: str, v: Any) -> str:
    if v not in TIMERS:
        raise ValueError(f"{name} must be one of {', '.join(TIMERS)}, got {v!r}")
    return str(v)


def _generators(name: str, v: Any) -> tuple[str, ...]:
    from perfopt.generation.combined import parse_names

    if not isinstance(v, (str, list, tuple)):
        raise ValueError(f"{name} must be a list or a comma-separated string, got {v!r}")
    return parse_names(v)


def _min_speedup(name: str, v: Any) -> float:
    f = _positive_float(name, v)
    if f < 1.0:
        raise ValueError(f"{name} must be at least 1.0, got {v!r}")
    return f


def _tolerance(name: str, v: Any) -> float | None:
    if v is None or v is False:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ValueError(f"{name} must be a non-negative number, got {v!r}")
    return float(v) or None


def _probability(name: str, v: Any) -> float:
    f = _positive_float(name, v)
    if f > 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {v!r}")
    return f


def _bool(name: str, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"{name} must be true or false, got {v!r}")
    return v


_SCALARS: dict[str, Callable[[str, Any], Any]] = {
    "compiler": _string,
    "flags": _flags,
    "problem_id": _string,
    "timer": _timer,
    "candidates": _at_most(_positive_int),
    "generators": _generators,
    "temperature": _positive_float,
    "top_p": _probability,
    "max_new_tokens": _at_most(_positive_int),
    "seed": _nonneg_int,
    "enough": _at_most(_nonneg_int),
    "min_speedup": _min_speedup,
    "time_limit": _at_most(_positive_float),
    "memory_limit_mb": _at_most(_positive_int),
    "output_limit_mb": _at_most(_positive_int),
    "max_processes": _at_most(_positive_int),
    "float_tolerance": _tolerance,
    "repeats": _at_most(_positive_int),
    "warmup": _at_most(_nonneg_int),
    "jobs": _at_most(_nonneg_int),
    "cache": _bool,
    "max_source_kb": _at_most(_positive_int),
    "amplify": _bool,
    "amplify_seconds": _at_most(_positive_float),
    "amplify_keep": _at_most(_positive_int),
    "amplify_max_kb": _at_most(_positive_int),
}
_PATHS = ("tests", "cache_dir")
_TABLES = ("rewards", "project")
KNOWN_KEYS = tuple(sorted([*_SCALARS, *_PATHS, *_TABLES, "model"]))


def _rewards(table: Any, where: str) -> RewardScale:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: rewards must be a table like {{R0 = 0.0, ..., R4 = 1.0}}")
    values = dataclasses.asdict(RewardScale())
    for key, v in table.items():
        k = key.lower()
        if k not in values:
            raise ConfigError(f"{where}: unknown reward level {key!r}; use R0 to R4")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(f"{where}: rewards.{key} must be a number, got {v!r}")
        values[k] = float(v)
    scale = RewardScale(**values)
    levels = [scale.of(i) for i in range(5)]
    if levels != sorted(levels):
        raise ConfigError(f"{where}: rewards must not decrease from R0 to R4, got {levels}")
    return scale


def _project(table: Any, where: str, base: Path) -> ProjectConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: project must be a table with build, test and bench")
    known = {"build", "test", "bench", "root", "ignore"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key project.{unknown[0]}; known: {', '.join(sorted(known))}")
    missing = [k for k in ("build", "test", "bench") if not isinstance(table.get(k), str)]
    if missing:
        raise ConfigError(f"{where}: project.{missing[0]} must be a command string")
    ignore = table.get("ignore", [".git"])
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        raise ConfigError(f"{where}: project.ignore must be a list of glob patterns")
    root = Path(table.get("root", "."))
    return ProjectConfig(
        build=table["build"],
        test=table["test"],
        bench=table["bench"],
        root=(base / root).resolve(),
        ignore=tuple(ignore),
    )


def apply(config: Config, values: Mapping[str, Any], where: str, base: Path, trusted: bool = True) -> Config:
    """Validate ``values`` and return ``config`` with them applied.

    ``base`` resolves relative paths: the config file's folder, or the current
    directory for command-line flags. ``trusted`` is False for a config file,
    which a repository (and so a pull request) controls.
    """
    root = repository_root(base)
    changes: dict[str, Any] = {}
    for key, v in values.items():
        if not trusted:
            refuse_untrusted(key, v, where)
        if key in _SCALARS:
            try:
                changes[key] = _SCALARS[key](key, v)
            except ValueError as e:
                raise ConfigError(f"{where}: {e}") from None
            if key == "flags" and not trusted:
                from perfopt.reward.compiler import include_dirs

                for folder in include_dirs(changes[key]):
                    inside_repository("an include folder in flags", folder, root, where)
        elif key in _PATHS:
            if not isinstance(v, (str, Path)) or not str(v):
                raise ConfigError(f"{where}: {key} must be a path, got {v!r}")
            changes[key] = (base / Path(v).expanduser()).resolve()
            if not trusted:
                inside_repository(key, changes[key], root, where)
        elif key == "model":
            # A folder (relative to the config file) when one is there, else a hub id.
            try:
                spec = _string(key, str(v) if isinstance(v, Path) else v)
            except ValueError as e:
                raise ConfigError(f"{where}: {e}") from None
            local = base / Path(spec).expanduser()
            if local.exists() and not trusted:
                inside_repository(key, local, root, where)
            changes[key] = str(local.resolve()) if local.exists() else spec
        elif key == "rewards":
            changes[key] = _rewards(v, where)
        elif key == "project":
            changes[key] = _project(v, where, base)
            if not trusted:
                inside_repository("project.root", changes[key].root, root, where)
        else:
            raise ConfigError(f"{where}: unknown key {key!r}; known keys: {', '.join(KNOWN_KEYS)}")
    return config.replace(**changes)


def find_config_file(start: Path) -> Path | None:
    """The nearest perfopt.toml, or pyproject.toml with a [tool.perfopt] table."""
    here = start if start.is_dir() else start.parent
    for folder in [here.resolve(), *here.resolve().parents]:
        own = folder / "perfopt.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "perfopt" in _read_toml(pyproject).get("tool", {}):
            return pyproject
        if (folder / ".git").exists():
            break
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None


def for_command(config_file: Path | None, start: Path, flags: Mapping[str, Any]) -> Config:
    """What a command runs with: the config file (given, or found from ``start``), then its flags."""
    return apply(load(config_file, start=start), flags, "command line", Path.cwd())


def load(path: Path | None = None, start: Path | None = None) -> Config:
    """Load the config file at ``path``, or the one found from ``start``, or defaults."""
    if path is None:
        path = find_config_file(start or Path.cwd())
        if path is None:
            return Config()
    elif not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("perfopt", {})
        where = f"{path} [tool.perfopt]"
    else:
        table = data
        where = str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    return apply(Config(origin=str(path)), table, where, path.parent.resolve(), trusted=False)

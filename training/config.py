"""Shared plumbing for stage configs: scales, and TOML files mapped onto dataclasses.

Every stage has a ``<stage>_config.py`` with a dataclass whose ``for_scale``
gives the preset for ``tiny`` (CI: a few-thousand-parameter model, seconds),
``cpu`` (this 2-core machine, hours) or ``gpu`` (a lent accelerator); a TOML
file given with ``--config`` then overrides single fields.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, TypeVar

if sys.version_info >= (3, 11):
    import tomllib
else:  # tomllib is tomli, adopted into the standard library in 3.11
    import tomli as tomllib

#: The read-only data beside the checkout; PERFOPT_SHARED_DATA points elsewhere, such as the
#: slice of it carried to a lent device (training/device/README.md), where ../shared does not travel.
SHARED = Path(os.environ.get("PERFOPT_SHARED_DATA") or Path(__file__).parents[2] / "shared" / "data").resolve()
#: A few handwritten programs, pairs and tests: what ``--scale tiny`` trains on, so that it needs no ../shared.
TINY_DATA = Path(__file__).resolve().parent / "fixtures" / "tiny"


class Scale(str, Enum):
    TINY = "tiny"
    CPU = "cpu"
    GPU = "gpu"


T = TypeVar("T")


def apply_toml(config: T, path: Path | None) -> T:
    """``config`` with the fields a TOML file sets; unknown keys are errors."""
    if path is None:
        return config
    return _apply(config, tomllib.loads(path.read_text()), str(path))


def _apply(config: T, data: dict[str, Any], where: str) -> T:
    assert dataclasses.is_dataclass(config)
    known = {f.name for f in dataclasses.fields(config)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise SystemExit(f"{where}: unknown key {key!r}; known: {', '.join(sorted(known))}")
        current = getattr(config, key)
        if dataclasses.is_dataclass(current) and isinstance(value, dict):
            # A nested table ([amplify], [sft]) overrides fields of the nested config.
            value = _apply(current, value, f"{where}: [{key}]")
        elif key in _PATH_FIELDS and value == "":
            # TOML has no null: an empty string unsets an optional path (e.g. a scale's extra_pairs).
            value = None
        elif isinstance(current, Path) or (current is None and key in _PATH_FIELDS):
            value = Path(value)
        changes[key] = value
    return dataclasses.replace(config, **changes)  # type: ignore[type-var]


#: Optional path fields (None by default), which TOML gives as strings.
_PATH_FIELDS = {"tokenizer", "architecture", "out", "extra_pairs", "valid", "tokens"}


class StageConfig(Protocol):
    @classmethod
    def for_scale(cls, scale: Scale) -> Any: ...


def stage_main(
    doc: str | None,
    config_class: type[StageConfig],
    train: Callable[[Any], Path],
    path_flags: tuple[str, ...],
    argv: list[str] | None,
) -> None:
    """The command line every model stage shares: ``--scale``, ``--config`` and a few path overrides."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=Scale, default=Scale.TINY)
    parser.add_argument("--config", type=Path)
    for flag in path_flags:
        parser.add_argument(f"--{flag}", type=Path)
    args = parser.parse_args(argv)
    config = apply_toml(config_class.for_scale(args.scale), args.config)
    given = {flag: getattr(args, flag) for flag in path_flags if getattr(args, flag) is not None}
    print(train(dataclasses.replace(config, **given)))

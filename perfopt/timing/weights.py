"""What a system call costs, in instructions: the weights of the ``cost`` timer.

A weight is wall time measured on a machine (``perfopt calibrate``), divided
by that machine's time per instruction, so that a cost reads in the same unit
as an instruction count. The built-in weights (``default_weights.json``) were
measured on the project's 2-core CI machines; a user's calibration replaces
them, and every report names which were used.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from perfopt.errors import ConfigError
from perfopt.timing.syscalls import FAMILIES, Syscalls

#: Where ``perfopt calibrate`` writes, under the cache directory.
CALIBRATION_FILE = "cost-weights.json"


@dataclass(frozen=True)
class CostWeights:
    """Nanoseconds per instruction, per process, per call and per byte moved, and where they come from."""

    ns_per_instruction: float
    #: Per call, by valgrind's call name (``write``, ``mmap``); a family's name stands for its members.
    call_ns: Mapping[str, float]
    #: Per byte moved, by family (``read``, ``write``).
    byte_ns: Mapping[str, float]
    #: Any call not named in ``call_ns``.
    other_call_ns: float
    #: "built-in (...)" or "calibrated on HOST, DATE": reports quote it.
    source: str
    #: Measurement noise per weight (interquartile range over median), as calibrate reported it.
    noise: Mapping[str, float] = field(default_factory=dict)
    #: Per process started: exec, loading and exit, the kernel's part of a run that does nothing.
    process_ns: float = 0.0

    def call_instructions(self, name: str) -> float:
        ns = self.call_ns.get(name, self.call_ns.get(FAMILIES.get(name, ""), self.other_call_ns))
        return ns / self.ns_per_instruction

    def byte_instructions(self, name: str) -> float:
        return self.byte_ns.get(FAMILIES.get(name, ""), 0.0) / self.ns_per_instruction

    def kernel(self, syscalls: Syscalls) -> float:
        """The kernel's part in instructions: per process, per call, and per byte read, written or mapped."""
        return (
            syscalls.process_count * self.process_ns / self.ns_per_instruction
            + sum(n * self.call_instructions(name) for name, n in syscalls.calls.items())
            + sum(n * self.byte_instructions(name) for name, n in syscalls.moved.items())
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"call_ns": dict(self.call_ns), "byte_ns": dict(self.byte_ns)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: str | None = None) -> CostWeights:
        weights = cls(
            ns_per_instruction=float(data["ns_per_instruction"]),
            call_ns={str(k): float(v) for k, v in data["call_ns"].items()},
            byte_ns={str(k): float(v) for k, v in data["byte_ns"].items()},
            other_call_ns=float(data["other_call_ns"]),
            source=source or str(data["source"]),
            noise={str(k): float(v) for k, v in data.get("noise", {}).items()},
            process_ns=float(data.get("process_ns", 0.0)),
        )
        values = [weights.ns_per_instruction, weights.other_call_ns, *weights.call_ns.values()]
        if not all(math.isfinite(v) and v > 0 for v in values) or weights.ns_per_instruction <= 0:
            raise ValueError("every weight must be a positive number")
        if not all(math.isfinite(v) and v >= 0 for v in [*weights.byte_ns.values(), weights.process_ns]):
            raise ValueError("per-byte and per-process weights must be non-negative")
        return weights


def builtin() -> CostWeights:
    data = json.loads(resources.files("perfopt.timing").joinpath("default_weights.json").read_text())
    return CostWeights.from_json(data, source=f"built-in weights ({data['source']})")


def load(cache_dir: Path | None) -> CostWeights:
    """The user's calibration if there is one, else the built-in weights.

    A calibration file that cannot be read is an error: falling back silently
    would time with other weights than the user asked for.
    """
    path = cache_dir / CALIBRATION_FILE if cache_dir is not None else None
    if path is None or not path.exists():
        return builtin()
    try:
        return CostWeights.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigError(f"{path}: unreadable cost weights ({e}); run `perfopt calibrate` again or delete it") from e


def save(weights: CostWeights, cache_dir: Path) -> Path:
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / CALIBRATION_FILE
    path.write_text(json.dumps(weights.to_json(), indent=1) + "\n")
    return path

"""Data stages: problems, amplified tests, training pairs and the validation programs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfopt.testsources.pie import read_rows


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file, xz-compressed or not (perfopt's reader: a bad file is a one-line error)."""
    return list(read_rows(path))

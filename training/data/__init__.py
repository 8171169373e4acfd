"""Data stages: problems, amplified tests, training pairs and the validation programs."""

from __future__ import annotations

import json
import lzma
from pathlib import Path
from typing import IO, Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file, xz-compressed or not."""
    opener: Any = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        stream: IO[str] = f
        return [json.loads(line) for line in stream if line.strip()]

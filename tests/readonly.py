"""A folder made genuinely read-only for a test, even when the tests run as root.

As root a 0555 mode stops nothing, so there the folder is bind-mounted onto
itself read-only; as anyone else the mode does it. Skips when neither works.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(mode)
        return
    steps = (["mount", "--bind", str(folder), str(folder)], ["mount", "-o", "remount,ro,bind", str(folder)])
    for i, step in enumerate(steps):
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            if i:
                subprocess.run(["umount", str(folder)], capture_output=True)
            pytest.skip(f"cannot make {folder} read-only as root: {done.stderr.strip() or 'mount failed'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)

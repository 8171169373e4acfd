"""Files kept in git's history instead of the working tree, behind a small pointer file.

A lent GPU receives the working tree, 64 MiB at most, so what only a resumed CPU run needs (a model
snapshot, the data engine's synthetic chunks) is committed once and removed in the next commit, which
leaves ``POINTER.json`` naming the first. Any clone with history (every clone but a shallow one) can read
it back with :func:`unpark`; nothing travels to a device that does not need it.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any


def git(repo: Path, *args: str, data: bool = False) -> Any:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout if data else done.stdout.decode().strip()


def park(repo: Path, folder: Path, pointer: Path, record: dict[str, Any], title: str) -> Path:
    """Commit ``repo/folder`` (relative ``folder``), then remove it and commit ``pointer`` (``record`` plus
    the first commit and the folder's path) in its place. Only these paths are committed: whatever else
    the developer has staged stays staged."""
    git(repo, "add", "--", str(folder))
    git(repo, "commit", "-q", "-m", title, "--", str(folder))
    commit = git(repo, "rev-parse", "HEAD")
    (repo / pointer).write_text(json.dumps({"commit": commit, "path": folder.as_posix(), **record}, indent=1) + "\n")
    git(repo, "rm", "-r", "-q", "--", str(folder))
    shutil.rmtree(repo / folder, ignore_errors=True)
    git(repo, "add", "--", str(pointer))
    name = pointer.stem
    message = f"Park {name} in history ({commit[:10]}): the working tree stays small enough for a device"
    git(repo, "commit", "-q", "-m", message, "--", str(folder), str(pointer))
    return repo / pointer


def unpark(repo: Path, pointer: Path, into: Path, kind: str = "") -> tuple[Path, dict[str, Any]]:
    """Extract what ``pointer`` names into the folder ``into``; returns the extracted folder and the record.
    ``kind`` names what a missing pointer would have pointed at, in the error."""
    if not (repo / pointer).exists():
        raise SystemExit(f"{repo / pointer}: no such {kind + ' ' if kind else ''}pointer")
    record = json.loads((repo / pointer).read_text())
    archive = git(repo, "archive", "--format=tar", record["commit"], record["path"], data=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / record["path"], record

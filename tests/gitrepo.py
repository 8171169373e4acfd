"""Real git repositories in temp folders, for the hook, review and change-detection tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import PREFIX_SLOW, write_prefix_tests


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(root: Path) -> Path:
    """A repository with one committed C++ program and its tests (perfopt finds slow.tests/)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    git(root, "config", "commit.gpgsign", "false")
    write_prefix_tests(root / "slow.tests", n=2000)
    (root / "slow.cpp").write_text(PREFIX_SLOW)
    (root / "README.md").write_text("# demo\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root

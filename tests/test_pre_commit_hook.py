"""``.pre-commit-hooks.yaml`` through the real pre-commit framework: ``pre-commit try-repo`` on this repo.

pre-commit installs perfopt into its own environment the first time (about a
minute); both tests share it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PREFIX_SLOW
from tests.generation.tiny import tiny_model
from tests.gitrepo import git, make_repo

ROOT = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not PRE_COMMIT.exists():
        pytest.skip(f"pre-commit is not installed beside {sys.executable}")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "perfopt", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_try_repo_on_a_shipped_example(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    shutil.copy(ROOT / "examples" / "prefix_sums" / "slow.cpp", repo / "slow.cpp")
    shutil.copytree(ROOT / "examples" / "prefix_sums" / "slow.tests", repo / "slow.tests")
    git(repo, "add", "-A")
    proc = try_repo(repo, pre_commit_home, "--files", "slow.cpp")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "perfopt (verified faster C++ rewrites)" in proc.stdout and "Passed" in proc.stdout
    # The bundled model either found a verified rewrite or honestly said it did not.
    assert "perfopt: slow.cpp: " in proc.stdout


def test_staged_and_unstaged_work_survive_the_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    staged = PREFIX_SLOW.replace("long long s = 0;", "long long s = 0;  // staged")
    (repo / "slow.cpp").write_text(staged)
    git(repo, "add", "slow.cpp")
    unstaged = staged + "// unstaged work in progress\n"
    (repo / "slow.cpp").write_text(unstaged)
    (repo / "scratch.txt").write_text("untracked\n")
    proc = try_repo(repo, pre_commit_home)  # the staged files, with unstaged work stashed meanwhile
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "slow.cpp" in proc.stdout
    assert git(repo, "show", ":slow.cpp") == staged
    assert (repo / "slow.cpp").read_text() == unstaged
    assert (repo / "scratch.txt").read_text() == "untracked\n"
    assert git(repo, "status", "--porcelain").splitlines() == ["MM slow.cpp", "?? scratch.txt"]


def test_odd_names_with_unstaged_work_through_pre_commit_run(tmp_path: Path, pre_commit_home: Path) -> None:
    """The manifest's hook as a local one, so that it runs this checkout's perfopt with --apply and a tiny model."""
    import yaml

    repo = make_repo(tmp_path / "repo")
    (repo / "dir x").mkdir()
    names = ["dir x/café ü.cpp", "new\nline.cpp"]
    staged = PREFIX_SLOW.replace("long long s = 0;", "long long s = 0;  // staged")
    for name in names:
        (repo / name).write_text(staged)
        shutil.copytree(repo / "slow.tests", (repo / name).with_suffix(".tests"))
        git(repo, "add", "--", name, str(Path(name).with_suffix(".tests")))
    unstaged = staged + "// unstaged work in progress\n"
    (repo / names[0]).write_text(unstaged)
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    model = tiny_model(tmp_path / "model")
    # The model alone (a tiny one) finds nothing: this test is about names and unstaged work reaching
    # perfopt intact through pre-commit's stash, not about rewrites (tests/commands/test_hook.py applies them).
    args = [*hook["args"], "--model", str(model), "-n", "1", "--generators", "model", "--apply", "--changed-lines-only"]
    config = tmp_path / "pre-commit-config.yaml"
    local = {**hook, "language": "system", "args": args}
    config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    proc = subprocess.run(
        [str(PRE_COMMIT), "run", "--config", str(config)], cwd=repo, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for name in names:
        assert f"perfopt: {name}: no faster correct rewrite" in proc.stdout
        assert git(repo, "show", f":{name}") == staged
    assert (repo / names[0]).read_text() == unstaged and (repo / names[1]).read_text() == staged
    status = git(repo, "status", "--porcelain", "-z", "--", *(f":(literal){n}" for n in names)).split("\0")
    assert sorted(status) == ["", f"A  {names[1]}", f"AM {names[0]}"]

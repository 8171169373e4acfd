"""``perfopt hook`` on real git repositories: it reports, changes nothing unless asked, and loses no work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfopt.commands.hook import run_hook
from perfopt.generation.files import FileGenerator
from tests.commands.test_verify import perfopt
from tests.conftest import PREFIX_FAST, PREFIX_SLOW
from tests.generation.tiny import tiny_model
from tests.gitrepo import git, make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    root = make_repo(tmp_path / "repo")
    (tmp_path / "fast.cpp").write_text(PREFIX_FAST)
    old = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(old)


def stage_edit(repo: Path) -> str:
    """A staged change to slow.cpp that keeps it correct (and slow)."""
    text = PREFIX_SLOW.replace("long long s = 0;", "long long s = 0;  // running sum")
    (repo / "slow.cpp").write_text(text)
    git(repo, "add", "slow.cpp")
    return text


def hook(repo: Path, **kw: object) -> tuple[str, str, int]:
    args: dict[str, object] = {
        "files": [],
        "config_file": None,
        "flags": {"timer": "instructions", "cache": False},
        "max_seconds": None,
        "changed_lines_only": False,
        "apply": False,
        "generator": FileGenerator([repo.parent / "fast.cpp"]),
    }
    args.update(kw)
    out = run_hook(**args)  # type: ignore[arg-type]
    return out.stdout, out.stderr, out.suggestions


def test_a_commit_without_cpp_does_nothing(repo: Path) -> None:
    (repo / "README.md").write_text("# more\n")
    git(repo, "add", "README.md")
    proc = perfopt("hook", "README.md", cwd=repo)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    proc = perfopt("hook", cwd=repo)  # nothing named: the staged files, none of them C++
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_it_reports_a_diff_and_changes_nothing_by_default(repo: Path) -> None:
    staged = stage_edit(repo)
    stdout, stderr, n = hook(repo)
    assert n == 1 and stdout.startswith("--- a/slow.cpp\n+++ b/slow.cpp")
    assert "nothing was changed (--apply writes them)" in stderr
    assert (repo / "slow.cpp").read_text() == staged
    assert git(repo, "show", ":slow.cpp") == staged
    assert not (repo / "slow.cpp.perfopt-backup").exists()


def test_apply_writes_the_working_tree_only_and_keeps_the_staged_version(repo: Path) -> None:
    staged = stage_edit(repo)
    _, stderr, _ = hook(repo, apply=True)
    assert "applied" in stderr
    assert (repo / "slow.cpp").read_text() == PREFIX_FAST
    assert git(repo, "show", ":slow.cpp") == staged
    assert (repo / "slow.cpp.perfopt-backup").read_text() == staged


def test_apply_leaves_a_file_with_unstaged_work_alone(repo: Path) -> None:
    stage_edit(repo)
    unstaged = (repo / "slow.cpp").read_text() + "// work in progress\n"
    (repo / "slow.cpp").write_text(unstaged)
    _, stderr, _ = hook(repo, apply=True)
    assert "has unstaged changes, so --apply left it alone" in stderr
    assert (repo / "slow.cpp").read_text() == unstaged


#: Names git quotes unless asked with -z: a space and non-ASCII letters; a newline.
SPACED = "dir x/café ü.cpp"
NEWLINE = "new\nline.cpp"


def stage_odd_names(repo: Path) -> None:
    """slow.cpp and its tests again under SPACED and NEWLINE (tests found by convention: ``café ü.tests/``)."""
    (repo / "dir x").mkdir()
    for name in (SPACED, NEWLINE):
        shutil.copy(repo / "slow.cpp", repo / name)
        shutil.copytree(repo / "slow.tests", (repo / name).with_suffix(".tests"))
        git(repo, "add", "--", name, str(Path(name).with_suffix(".tests")))


def test_apply_keeps_unstaged_work_on_odd_names_and_writes_the_rest(repo: Path) -> None:
    stage_odd_names(repo)
    unstaged = PREFIX_SLOW + "// work in progress\n"
    (repo / SPACED).write_text(unstaged)
    # Never added to git: all of it is unstaged work.
    shutil.copy(repo / "slow.cpp", repo / "dir x" / "untracked.cpp")
    shutil.copytree(repo / "slow.tests", repo / "dir x" / "untracked.tests")
    # Named, as pre-commit names them (and as the run did): every line of a new file is changed.
    named = [Path(SPACED), Path(NEWLINE), Path("dir x/untracked.cpp")]
    _, stderr, _ = hook(repo, files=named, apply=True, changed_lines_only=True)
    for name in (SPACED, "dir x/untracked.cpp"):
        assert f"perfopt: {name}: has unstaged changes, so --apply left it alone" in stderr
    assert (repo / SPACED).read_text() == unstaged and (repo / "dir x" / "untracked.cpp").read_text() == PREFIX_SLOW
    assert f"applied, the original is saved as {repo / NEWLINE}.perfopt-backup" in stderr
    assert (repo / NEWLINE).read_text() == PREFIX_FAST
    assert (repo / f"{NEWLINE}.perfopt-backup").read_text() == PREFIX_SLOW
    assert git(repo, "show", f":{SPACED}") == git(repo, "show", f":{NEWLINE}") == PREFIX_SLOW


def test_apply_in_a_read_only_folder_is_a_note_not_a_crash(repo: Path) -> None:
    from tests.readonly import read_only

    staged = stage_edit(repo)
    with read_only(repo):
        stdout, stderr, n = hook(repo, apply=True)
    assert n == 1 and stdout.startswith("--- a/slow.cpp")
    assert f"perfopt: slow.cpp: {repo / 'slow.cpp'}: cannot write it: " in stderr
    assert (repo / "slow.cpp").read_text() == staged
    assert not list(repo.glob("*perfopt-*"))


def test_changed_lines_only_drops_rewrites_elsewhere(repo: Path) -> None:
    text = PREFIX_SLOW + "// a comment at the end\n"
    (repo / "slow.cpp").write_text(text)
    git(repo, "add", "slow.cpp")
    fast = (repo.parent / "fast.cpp").read_text() + "// a comment at the end\n"
    (repo.parent / "fast.cpp").write_text(fast)
    stdout, stderr, n = hook(repo, changed_lines_only=True)
    assert n == 0 and stdout == ""
    assert "changes none of the changed lines" in stderr
    _, _, n = hook(repo)
    assert n == 1


def test_the_time_budget_stops_cleanly_and_names_what_was_skipped(repo: Path) -> None:
    stage_edit(repo)
    (repo / "other.cpp").write_text("int main() {}\n")
    git(repo, "add", "other.cpp")
    stdout, stderr, n = hook(repo, max_seconds=0.0)
    assert n == 0 and stdout == ""
    assert "time budget (--max-seconds) spent; not looked at: other.cpp, slow.cpp" in stderr


def test_files_perfopt_cannot_judge_are_skipped_with_a_reason(repo: Path) -> None:
    (repo / "lib.hpp").write_text("#pragma once\n")
    (repo / "notests.cpp").write_text("int main() {}\n")
    git(repo, "add", "-A")
    _, stderr, n = hook(repo)
    assert n == 0
    assert "lib.hpp: skipped: a header" in stderr
    assert "notests.cpp: skipped: no tests for" in stderr


def test_the_cli_with_a_model_never_blocks_and_touches_nothing(repo: Path) -> None:
    staged = stage_edit(repo)
    model = tiny_model(repo.parent / "model")
    unstaged = staged + "// unstaged\n"
    (repo / "slow.cpp").write_text(unstaged)
    proc = perfopt("hook", "--model", model, "-n", "2", "--timer", "instructions", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    # The rules find the iostream rewrite; the hook reports it and writes nothing.
    assert "from the rules/io.sync_with_stdio" in proc.stderr
    assert "1 faster rewrite(s) found; nothing was changed" in proc.stderr
    assert (repo / "slow.cpp").read_text() == unstaged and git(repo, "show", ":slow.cpp") == staged
    # The model alone (its tiny test version) finds nothing, and says so.
    proc = perfopt("hook", "--model", model, "-n", "2", "--generators", "model", "--timer", "instructions", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "slow.cpp: no faster correct rewrite" in proc.stderr


def install_plain_hook(repo: Path, args: str) -> dict[str, str]:
    """hooks/pre-commit in the repository, and the environment for a commit that runs it with ``args``."""
    root = Path(__file__).resolve().parents[2]
    hook_file = repo / ".git" / "hooks" / "pre-commit"
    hook_file.write_bytes((root / "hooks" / "pre-commit").read_bytes())
    hook_file.chmod(0o755)
    model = tiny_model(repo.parent / "model")
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PERFOPT_HOOK_ARGS": f"--model {model} -n 1 {args}",
    }


def test_the_plain_git_hook_reports_and_lets_the_commit_through(repo: Path) -> None:
    staged = stage_edit(repo)
    env = install_plain_hook(repo, "")
    done = subprocess.run(["git", "commit", "-q", "-m", "edit"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "faster rewrite(s) found; nothing was changed" in done.stderr and "+    ios::sync_with_stdio" in done.stderr
    assert git(repo, "show", "HEAD:slow.cpp") == staged
    # Blocking is opt-in: --fail-on-suggestion blocks a commit with a rewrite found...
    (repo / "slow.cpp").write_text(staged + "// more\n")
    git(repo, "add", "slow.cpp")
    env["PERFOPT_HOOK_ARGS"] += " --fail-on-suggestion"
    done = subprocess.run(["git", "commit", "-q", "-m", "more"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode != 0
    # ...and lets one with nothing found through.
    env["PERFOPT_HOOK_ARGS"] += " --generators model"
    done = subprocess.run(["git", "commit", "-q", "-m", "more"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_plain_git_hook_sees_odd_names_and_apply_keeps_their_unstaged_work(repo: Path) -> None:
    stage_odd_names(repo)
    unstaged = PREFIX_SLOW + "// work in progress\n"
    (repo / SPACED).write_text(unstaged)
    env = install_plain_hook(repo, "--apply")
    done = subprocess.run(["git", "commit", "-q", "-m", "odd"], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in (SPACED, NEWLINE):
        assert f"perfopt: {name}: " in done.stderr and "from the rules/" in done.stderr
        assert git(repo, "show", f"HEAD:{name}") == PREFIX_SLOW
    # The file with unstaged work is left alone; the other one gets the verified rewrite in the working tree.
    assert f"perfopt: {SPACED}: has unstaged changes, so --apply left it alone" in done.stderr
    assert (repo / SPACED).read_text() == unstaged
    assert "ios::sync_with_stdio(false);" in (repo / NEWLINE).read_text()


def test_the_hook_manifest_and_the_action_call_what_exists() -> None:
    import yaml

    root = Path(__file__).resolve().parents[2]
    (hook,) = yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "perfopt" and hook["entry"] == "perfopt hook" and hook["language"] == "python"
    assert hook["types_or"] == ["c++", "c"] and hook["require_serial"] is True
    action = yaml.safe_load((root / "action.yml").read_text())
    steps = " ".join(str(s.get("run", "")) for s in action["runs"]["steps"])
    assert 'perfopt" review --github' in steps and "hooks/action/install.sh" in steps
    assert (root / "hooks" / "action" / "install.sh").stat().st_mode & 0o111

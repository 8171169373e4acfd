"""``perfopt review``: a PR's C++ files in one report, posted as one comment the Action keeps up to date."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from perfopt import changes
from perfopt.commands.batch import suggest_many
from perfopt.formats.review import review_markdown
from perfopt.generation.files import FileGenerator
from perfopt.github import MARKER
from tests.commands.test_verify import assert_one_line_error, perfopt
from tests.conftest import PREFIX_FAST, PREFIX_SLOW
from tests.fake_github import fake_github
from tests.generation.tiny import tiny_model
from tests.gitrepo import git, make_repo

EVENT = Path(__file__).resolve().parents[1] / "fixtures" / "pull_request_event.json"


def pull_request(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository whose feature branch (checked out) edits slow.cpp; (repo, base sha, head sha)."""
    repo = make_repo(tmp_path / "repo")
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "slow.cpp").write_text(PREFIX_SLOW.replace("long long s = 0;", "long long s = 0;  // PR"))
    git(repo, "commit", "-q", "-am", "feature")
    return repo, base, git(repo, "rev-parse", "HEAD").strip()


def test_suggestion_blocks_for_hunks_inside_the_pr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "fresh.cpp").write_text(PREFIX_SLOW)  # a new file: every line is in the PR
    (repo / "fresh.tests").symlink_to("slow.tests")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add")
    (tmp_path / "fast.cpp").write_text(PREFIX_FAST)
    monkeypatch.chdir(repo)
    changed = changes.between(repo, base, "HEAD")
    result = suggest_many(
        changed, None, {"timer": "instructions", "cache": False}, generator=FileGenerator([tmp_path / "fast.cpp"])
    )
    text = review_markdown(result, changed, "abc")
    assert text.startswith(MARKER + "\n## perfopt: 1 faster rewrite in 1 changed C++ file")
    assert "```diff\n--- a/fresh.cpp" in text
    assert "```suggestion\n" in text and "`fresh.cpp` line" in text


def test_a_file_named_with_a_newline_gets_its_suggestions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "repo")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "dir x").mkdir()
    (repo / "dir x" / "new\nfile é.cpp").write_text(PREFIX_SLOW)
    (repo / "dir x" / "new\nfile é.tests").symlink_to("../slow.tests")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add")
    (tmp_path / "fast.cpp").write_text(PREFIX_FAST)
    monkeypatch.chdir(repo)
    changed = changes.between(repo, base, "HEAD")
    result = suggest_many(
        changed,
        None,
        {"timer": "instructions", "cache": False},
        changed_lines_only=True,
        generator=FileGenerator([tmp_path / "fast.cpp"]),
    )
    text = review_markdown(result, changed, "abc")
    assert text.startswith(MARKER + "\n## perfopt: 1 faster rewrite in 1 changed C++ file")
    assert '```diff\n--- "a/dir x/new\\nfile é.cpp"\t\n' in text
    assert "```suggestion\n" in text


def action_env(api: str, event: Path, summary: Path) -> dict[str, str]:
    """What GitHub Actions sets for a pull_request job, pointed at the local fake API."""
    return {
        **os.environ,
        "GITHUB_API_URL": api,
        "GITHUB_TOKEN": "test-token",
        "GITHUB_REPOSITORY": "octo/widgets",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_STEP_SUMMARY": str(summary),
    }


def test_the_action_creates_then_updates_exactly_one_comment(tmp_path: Path) -> None:
    repo, base, head = pull_request(tmp_path)
    model = tiny_model(tmp_path / "model")
    event = tmp_path / "event.json"
    event.write_text(EVENT.read_text().replace("BASE_SHA", base).replace("HEAD_SHA", head))
    with fake_github() as gh:
        gh.comments[7] = [{"id": 1, "body": "LGTM", "user": {"login": "reviewer"}}]
        env = action_env(gh.url, event, tmp_path / "summary.md")
        args = ("review", "--github", "--model", model, "-n", "2", "--timer", "instructions")
        first = perfopt(*args, cwd=repo, env=env)
        assert first.returncode == 0, first.stderr
        assert "created comment 1001 on PR #7" in first.stderr
        second = perfopt(*args, cwd=repo, env=env)
        assert second.returncode == 0, second.stderr
        assert "updated comment 1001 on PR #7" in second.stderr
        ours = [c for c in gh.comments[7] if MARKER in c["body"]]
        assert len(ours) == 1 and len(gh.comments[7]) == 2
        # The comment shows the verified rewrite and names its generator, rewrite and reason.
        body = ours[0]["body"]
        assert "### perfopt: `slow.cpp` can run" in body and "Rewrite: `rules/io.sync_with_stdio" in body
        assert [m for m, _, _ in gh.requests] == ["GET", "POST", "GET", "PATCH"]
        assert not (tmp_path / "summary.md").exists()


def test_a_fork_pr_falls_back_to_the_job_summary(tmp_path: Path) -> None:
    repo, base, head = pull_request(tmp_path)
    event = tmp_path / "event.json"
    payload = json.loads(EVENT.read_text())
    payload["pull_request"]["base"]["sha"], payload["pull_request"]["head"]["sha"] = base, head
    payload["pull_request"]["head"]["repo"] = {"id": 43, "full_name": "forker/widgets", "fork": True}
    event.write_text(json.dumps(payload))
    with fake_github() as gh:
        gh.read_only = True
        env = action_env(gh.url, event, tmp_path / "summary.md")
        proc = perfopt(
            "review",
            "--github",
            "--model",
            tiny_model(tmp_path / "m"),
            "-n",
            "1",
            "--timer",
            "instructions",
            cwd=repo,
            env=env,
        )
    assert proc.returncode == 0, proc.stderr
    assert "cannot comment on PR #7 (HTTP 403" in proc.stderr and "job summary" in proc.stderr
    assert (tmp_path / "summary.md").read_text().startswith(MARKER)
    assert gh.comments == {}


def test_review_without_a_base_or_an_event(tmp_path: Path) -> None:
    repo, _, _ = pull_request(tmp_path)
    assert_one_line_error(perfopt("review", cwd=repo), 2, "--base is required")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_EVENT_PATH"}
    assert_one_line_error(perfopt("review", "--github", cwd=repo, env=env), 4, "GITHUB_EVENT_PATH")
    bad = tmp_path / "push.json"
    bad.write_text('{"ref": "refs/heads/main"}')
    assert_one_line_error(
        perfopt("review", "--github", cwd=repo, env={**env, "GITHUB_EVENT_PATH": str(bad)}), 4, "not a pull_request"
    )

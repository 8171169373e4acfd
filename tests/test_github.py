"""The GitHub client against a real local HTTP server: one marked comment, found across pages, updated."""

from __future__ import annotations

import pytest

from perfopt.github import MARKER, GitHub, GitHubError
from tests.fake_github import fake_github


def test_create_then_update_one_comment_past_a_full_page_of_others() -> None:
    with fake_github() as gh:
        gh.comments[7] = [{"id": i, "body": f"comment {i}", "user": {"login": "someone"}} for i in range(150)]
        client = GitHub(gh.url, "test-token", "octo/widgets")
        assert client.upsert_comment(7, "first report") == ("created", 1001)
        assert client.upsert_comment(7, "second report") == ("updated", 1001)
        ours = [c for c in gh.comments[7] if MARKER in c["body"]]
        assert len(ours) == 1 and ours[0]["body"] == f"{MARKER}\nsecond report"
        assert len(gh.comments[7]) == 151
        methods = [m for m, _, _ in gh.requests]
        assert methods == ["GET", "GET", "POST", "GET", "GET", "PATCH"]


def test_a_read_only_token_is_a_403_error() -> None:
    with fake_github() as gh:
        gh.read_only = True
        with pytest.raises(GitHubError) as e:
            GitHub(gh.url, "test-token", "octo/widgets").upsert_comment(7, "report")
        assert e.value.status == 403


def test_an_unreachable_api_is_a_clear_error() -> None:
    with pytest.raises(GitHubError, match="GitHub API GET"):
        GitHub("http://127.0.0.1:9", "test-token", "octo/widgets").find_comment(7)

"""The few GitHub REST calls the Action needs: find, create and update one marked PR comment.

Plain urllib: four endpoints do not justify a client library, and tests point
``api_url`` at a local server that records requests.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from perfopt.errors import ExitCode, PerfoptError

#: Hidden in every comment perfopt posts, so that a later push updates it instead of adding another.
MARKER = "<!-- perfopt-review -->"


class GitHubError(PerfoptError):
    exit_code = ExitCode.BAD_INPUT

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class GitHub:
    api_url: str
    token: str
    repository: str  # "owner/name"

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.api_url.rstrip('/')}{path}",
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "perfopt",
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as e:
            detail = e.read().decode(errors="replace")[:200]
            raise GitHubError(f"GitHub API {method} {path}: HTTP {e.code} {detail}", e.code) from None
        except urllib.error.URLError as e:
            raise GitHubError(f"GitHub API {method} {path}: {e.reason}", 0) from None
        return json.loads(text) if text else None

    def find_comment(self, pr: int) -> int | None:
        """The id of perfopt's comment on the PR, if there is one (all pages are searched)."""
        page = 1
        while True:
            batch = self._request("GET", f"/repos/{self.repository}/issues/{pr}/comments?per_page=100&page={page}")
            for comment in batch:
                if MARKER in (comment.get("body") or ""):
                    return int(comment["id"])
            if len(batch) < 100:
                return None
            page += 1

    def upsert_comment(self, pr: int, body: str) -> tuple[str, int]:
        """Create perfopt's comment, or update it in place; ("created" | "updated", comment id)."""
        if MARKER not in body:
            body = f"{MARKER}\n{body}"
        existing = self.find_comment(pr)
        if existing is None:
            made = self._request("POST", f"/repos/{self.repository}/issues/{pr}/comments", {"body": body})
            return "created", int(made["id"])
        self._request("PATCH", f"/repos/{self.repository}/issues/comments/{existing}", {"body": body})
        return "updated", existing

"""``perfopt review --base B --head H``: check every C++ file a range of commits changes, in one report.

With ``--github`` (the Action), the report goes into one PR comment, found by
its hidden marker and updated in place on later pushes. Without a token that
may write (fork PRs), it goes to the job summary instead, with a warning.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfopt import changes
from perfopt.commands.batch import suggest_many
from perfopt.commands.suggest import Progress
from perfopt.errors import BadInputError
from perfopt.formats.review import review_markdown
from perfopt.github import GitHub, GitHubError


@dataclass
class ReviewOutput:
    markdown: str
    suggestions: int
    #: What happened on GitHub, in one line, for the log.
    posted: str = ""


def event_range(event_path: Path) -> tuple[int, str, str]:
    """The PR number and its base and head commits, from a pull_request event payload."""
    try:
        event = json.loads(event_path.read_text())
        pr = event["pull_request"]
        return int(pr["number"]), str(pr["base"]["sha"]), str(pr["head"]["sha"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BadInputError(f"{event_path}: not a pull_request event payload ({type(e).__name__}: {e})") from None


def run_review(
    base: str,
    head: str,
    config_file: Path | None,
    flags: dict[str, Any],
    max_seconds: float | None = None,
    progress: Progress | None = None,
) -> ReviewOutput:
    changed = changes.between(Path.cwd(), base, head)
    result = suggest_many(changed, config_file, flags, max_seconds, progress=progress)
    return ReviewOutput(review_markdown(result, changed, head), len(result.suggestions))


def publish(output: ReviewOutput, env: dict[str, str], pr: int) -> str:
    """Post or update the PR comment; fall back to the job summary when the token may not write."""
    token = env.get("GITHUB_TOKEN", "")
    summary = env.get("GITHUB_STEP_SUMMARY")
    fallback = ""
    if token and env.get("GITHUB_REPOSITORY"):
        client = GitHub(env.get("GITHUB_API_URL", "https://api.github.com"), token, env["GITHUB_REPOSITORY"])
        try:
            how, comment = client.upsert_comment(pr, output.markdown)
            return f"{how} comment {comment} on PR #{pr}"
        except GitHubError as e:
            if e.status not in (401, 403, 404):
                raise
            fallback = (
                f"cannot comment on PR #{pr} (HTTP {e.status}: the token may not write, as on pull requests "
                "from forks); the report is in the job summary"
            )
    else:
        fallback = "no GITHUB_TOKEN and GITHUB_REPOSITORY; the report is in the job summary"
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(output.markdown)
    else:
        fallback += " (but GITHUB_STEP_SUMMARY is not set either: it is printed below)"
    return fallback


def github_review(
    config_file: Path | None, flags: dict[str, Any], max_seconds: float | None, env: dict[str, str] | None = None
) -> ReviewOutput:
    env = dict(os.environ) if env is None else env
    event = env.get("GITHUB_EVENT_PATH")
    if not event:
        raise BadInputError("--github needs GITHUB_EVENT_PATH (run it from the GitHub Action)")
    pr, base, head = event_range(Path(event))
    output = run_review(base, head, config_file, flags, max_seconds)
    output.posted = publish(output, env, pr)
    return output

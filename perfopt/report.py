"""Turning verdicts into text for people and JSON for programs."""

from __future__ import annotations

from typing import Any

from perfopt.reward.levels import Level
from perfopt.reward.model import Verdict


def verify_json(verdict: Verdict, *, original: str, candidate: str, tests: str, sandbox: str) -> dict[str, Any]:
    return {
        "original": original,
        "candidate": candidate,
        "test_source": tests,
        "sandbox": sandbox,
        **verdict.to_json(),
    }


def verify_text(verdict: Verdict, *, original: str, candidate: str, tests: str, sandbox: str) -> str:
    passed = sum(t.passed for t in verdict.tests)
    lines = [
        f"perfopt verify: {candidate} against {original}",
        f"  tests:   {tests}",
        f"  sandbox: {sandbox}",
        f"  verdict: {verdict.level.code} {verdict.level.label} ({verdict.reason})",
    ]
    if verdict.tests:
        lines.append(f"  passed:  {passed} of {len(verdict.tests)} tests run")
    if verdict.timing is not None:
        lines.append(f"  speedup: {verdict.timing.describe()}")
    if verdict.cached:
        lines.append("  (cached result: nothing changed since the last verification)")
    if verdict.level is Level.COMPILE_ERROR and verdict.compile_log:
        lines.append("  compiler said:")
        lines += ["    " + line for line in verdict.compile_log.splitlines()]
    return "\n".join(lines)

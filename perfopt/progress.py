"""A live status line on the terminal while ``perfopt suggest`` works; the CLI uses it only on a TTY."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.status import Status

from perfopt.generation.interface import Candidate
from perfopt.reward import Verdict


class TerminalProgress:
    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.status: Status | None = None
        self.generated_count = 0
        self.levels: dict[str, int] = {}

    def __enter__(self) -> TerminalProgress:
        self.status = self.console.status("starting")
        self.status.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self.status is not None:
            self.status.stop()

    def _show(self, text: str) -> None:
        if self.status is not None:
            self.status.update(text)

    def phase(self, text: str) -> None:
        self._show(text)

    def generated(self, candidate: Candidate) -> None:
        self.generated_count += 1
        self._show(f"generating candidates: {self.generated_count} so far (latest: {candidate.origin})")

    def verified(self, done: int, total: int, verdict: Verdict) -> None:
        self.levels[verdict.level.code] = self.levels.get(verdict.level.code, 0) + 1
        tally = ", ".join(f"{code} x{n}" for code, n in sorted(self.levels.items()))
        self._show(f"verifying: {done} of {total} done ({tally})")

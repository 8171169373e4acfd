"""The extension point for where candidate rewrites come from.

A generator turns one C++ source into candidate programs. The bundled model is
one (:mod:`perfopt.generation.sampler`); files the user wrote are another
(:mod:`perfopt.generation.files`). Everything downstream (deduplication,
verification, selection) treats them alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from perfopt.errors import ExitCode, PerfoptError

if TYPE_CHECKING:
    from perfopt.profile import Profile


@dataclass(frozen=True)
class Candidate:
    """One proposal: the program it stands for, or None when the output was unusable."""

    #: Where it came from, for reports: "greedy", "sample 3", "file fast.cpp".
    origin: str
    program: str | None
    #: Why ``program`` is None (an edit script that does not apply).
    problem: str = ""
    #: Which generator made it ("model", "rules", "clang-tidy", "files"), and which rewrite(s)
    #: ("copies.const_ref_param", "performance-unnecessary-value-param"), for reports.
    generator: str = ""
    rewrite: str = ""
    #: One line a user reads beside the speedup: "pass vector<long long> weights by const reference".
    reason: str = ""


class GeneratorUnavailable(PerfoptError):
    """This generator cannot run here (no clang-tidy binary, no model): skipped and named in the report,
    and an error only when the user asked for it by name."""

    exit_code = ExitCode.NO_MODEL


#: Asked by a generator before it spends time on more candidates: False stops it (perfopt suggest's --enough).
KeepGoing = Callable[[], bool]


class CandidateGenerator(Protocol):
    @property
    def name(self) -> str:
        """Shown in reports: the model folder, "files", "rules"."""
        ...

    def prepare(self) -> None:
        """Slow set-up (loading a model); runs while perfopt checks the original, so it overlaps."""

    def check(self, source: str) -> None:
        """Raise a PerfoptError when ``source`` cannot be handled (longer than the model's context)."""

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        """Up to ``n`` candidates, yielded as soon as each is ready so that verification can start.

        A generator for which candidates cost time asks ``keep_going`` before each further round
        and stops when it says no; one whose candidates are free may ignore it.
        """
        ...


#: The original's profile, computed on first call (it costs a compile and a run under valgrind).
ProfileSource = Callable[[], "Profile | None"]


@runtime_checkable
class UsesProfile(Protocol):
    """A generator that orders its candidates by where the instructions go, when it must choose."""

    def use_profile(self, profile: ProfileSource | None) -> None:
        """Where to get the next file's profile; asked only when the candidate budget cannot hold them all."""

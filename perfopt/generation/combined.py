"""Several generators behind one: a shared candidate budget, deduplicated, with a word on each.

Cheap, deterministic generators go first (rules, clang-tidy), the model last:
its candidates cost seconds each, and the budget left for it is what the
others did not use. A generator that cannot run here is skipped and named,
unless the user asked for it by name; one that cannot handle this file (a
file longer than the model's context) is skipped for that file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from perfopt.errors import PerfoptError
from perfopt.generation.interface import (
    Candidate,
    CandidateGenerator,
    GeneratorUnavailable,
    KeepGoing,
    ProfileSource,
    UsesProfile,
)


def _squeezed(source: str) -> str:
    return "".join(source.split())


@dataclass
class Member:
    name: str
    generator: CandidateGenerator
    #: Named by the user (--generators): unavailable is then an error, not a note.
    required: bool = False
    #: Why it produced nothing for the last file: unavailable, skipped for the file, or failed.
    note: str = ""
    made: int = 0
    duplicates: int = 0
    available: bool = True

    def describe(self) -> str:
        if self.note:
            return f"{self.name} ({self.note})"
        dup = f", {self.duplicates} duplicate{'s' if self.duplicates != 1 else ''} dropped" if self.duplicates else ""
        return f"{self.name} {self.made}{dup}"


@dataclass
class CombinedGenerator:
    members: list[Member] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Stable (the bench keys resumable runs on it); :meth:`summary` says what each did."""
        return "+".join(m.name for m in self.members)

    def summary(self) -> str:
        """Each generator's candidate count for the last file, or why it made none."""
        return ", ".join(m.describe() for m in self.members)

    def prepare(self) -> None:
        for m in self.members:
            try:
                m.generator.prepare()
            except PerfoptError as e:
                if m.required or not isinstance(e, GeneratorUnavailable | _model_error()):
                    raise
                m.available, m.note = False, f"unavailable: {e}"

    def use_profile(self, profile: ProfileSource | None) -> None:
        for m in self.members:
            if isinstance(m.generator, UsesProfile):
                m.generator.use_profile(profile)

    def check(self, source: str) -> None:
        problems: list[PerfoptError] = []
        for m in self.members:
            if not m.available:
                continue
            m.note = ""
            try:
                m.generator.check(source)
            except PerfoptError as e:
                m.note = f"skipped: {str(e).splitlines()[0]}"
                problems.append(e)
        if not any(m.available and not m.note for m in self.members):
            if problems:
                raise problems[0]
            raise GeneratorUnavailable("no candidate generator can run here: " + self.summary())

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        seen = {_squeezed(source)}
        budget = n
        for m in self.members:
            m.made = m.duplicates = 0
            if not m.available or m.note or budget <= 0:
                continue
            for cand in m.generator.generate(source, budget, keep_going):
                if cand.program is not None:
                    key = _squeezed(cand.program)
                    if key in seen:
                        m.duplicates += 1
                        continue
                    seen.add(key)
                m.made += 1
                budget -= 1
                yield cand
                if budget <= 0:
                    break
            failure = getattr(m.generator, "failure", None)
            if failure:
                m.note = f"failed: {failure}"


def _model_error() -> type[PerfoptError]:
    # Imported late: loading the model module pulls in nothing heavy, but keeps this module standalone.
    from perfopt.generation.model import ModelError

    return ModelError


KNOWN = ("rules", "clang-tidy", "model")


def parse_names(text: str | Sequence[str]) -> tuple[str, ...]:
    names = [t.strip() for t in (text.split(",") if isinstance(text, str) else text) if t.strip()]
    unknown = [t for t in names if t not in KNOWN]
    if unknown or not names:
        raise ValueError(f"generators must be a comma-separated list of {', '.join(KNOWN)}, got {text!r}")
    return tuple(dict.fromkeys(names))

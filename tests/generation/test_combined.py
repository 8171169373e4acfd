"""Several generators behind one: shared budget, deduplication, and unavailable ones named."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perfopt.errors import BadInputError
from perfopt.generation.combined import CombinedGenerator, Member, parse_names
from perfopt.generation.interface import Candidate, GeneratorUnavailable, KeepGoing
from perfopt.generation.rules import RulesGenerator
from tests.generation.test_rules import PROGRAM


class Listed:
    """Yields fixed programs: stands in for another system's outputs."""

    def __init__(self, name: str, programs: list[str], unavailable: str = "", refuse: str = "") -> None:
        self.name, self.programs, self.unavailable, self.refuse = name, programs, unavailable, refuse

    def prepare(self) -> None:
        if self.unavailable:
            raise GeneratorUnavailable(self.unavailable)

    def check(self, source: str) -> None:
        if self.refuse:
            raise BadInputError(self.refuse)

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        for i, p in enumerate(self.programs[:n]):
            yield Candidate(f"{self.name} {i}", p, generator=self.name)


def run(gen: CombinedGenerator, n: int = 8) -> list[Candidate]:
    gen.prepare()
    gen.check(PROGRAM)
    return list(gen.generate(PROGRAM, n))


def test_the_budget_is_shared_and_duplicates_are_dropped() -> None:
    rules = list(RulesGenerator().generate(PROGRAM, 8))
    other = Listed("other", [rules[0].program or "", PROGRAM, "int main() {}", "int main() { return 0; }"])
    gen = CombinedGenerator([Member("rules", RulesGenerator()), Member("other", other)])
    # The other generator gets what the rules left: 3 candidates, of which 2 repeat earlier programs.
    cands = run(gen, n=len(rules) + 3)
    assert [c.program for c in cands[len(rules) :]] == ["int main() {}"]
    assert gen.members[1].duplicates == 2  # the rules' first program, and the input itself
    assert gen.summary() == f"rules {len(rules)}, other 1, 2 duplicates dropped"


def test_an_unavailable_generator_is_named_unless_it_was_asked_for() -> None:
    gone = Listed("clang-tidy", ["x"], unavailable="clang-tidy: no binary")
    gen = CombinedGenerator([Member("rules", RulesGenerator()), Member("clang-tidy", gone)])
    assert run(gen)
    assert "clang-tidy (unavailable: clang-tidy: no binary)" in gen.summary()
    required = CombinedGenerator([Member("clang-tidy", gone, required=True)])
    with pytest.raises(GeneratorUnavailable, match="no binary"):
        required.prepare()


def test_a_generator_that_cannot_read_this_file_is_skipped_for_it() -> None:
    long = Listed("model", ["x"], refuse="600 tokens long")
    gen = CombinedGenerator([Member("rules", RulesGenerator()), Member("model", long)])
    assert run(gen)
    assert "model (skipped: 600 tokens long)" in gen.summary()
    alone = CombinedGenerator([Member("model", long)])
    with pytest.raises(BadInputError, match="600 tokens"):
        run(alone)


def test_generator_names() -> None:
    assert parse_names("rules, model") == ("rules", "model")
    with pytest.raises(ValueError, match="generators must be"):
        parse_names("rules,gpt")

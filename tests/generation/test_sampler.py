"""Candidates from a real (tiny, random) model: greedy first, n in all, unusable edits kept and marked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from perfopt.edits import TargetFormat
from perfopt.errors import BadInputError
from perfopt.generation.sampler import ModelGenerator, SamplingSettings
from perfopt.profile import Profile
from tests.conftest import PREFIX_SLOW
from tests.generation.tiny import tiny_model

FEW_TOKENS = SamplingSettings(max_new_tokens=12)


def test_greedy_then_samples_and_the_same_seed_gives_the_same_candidates(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m")
    first = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 4))
    assert [c.origin for c in first] == ["greedy", "sample 1", "sample 2", "sample 3"]
    assert all(c.program is not None for c in first)
    again = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 4))
    assert again == first


def test_edit_scripts_that_do_not_apply_are_unusable_not_errors(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", TargetFormat.EDITS)
    out = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 2))
    assert len(out) == 2
    # Random weights write random tokens, never a well-formed hunk that matches the input.
    assert all(c.program is None and "edit script" in c.problem for c in out)


def test_a_whole_program_model_refuses_a_file_longer_than_its_context_clearly(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", n_positions=32)
    generator = ModelGenerator(str(folder), FEW_TOKENS)
    with pytest.raises(BadInputError, match="tokens long; this model writes whole programs and reads at most 32"):
        generator.check(PREFIX_SLOW)
    generator.check("int main() {}\n")


#: Three functions, each short, the file far longer than 64 tokens.
LONG = """#include <cstdio>
#include <vector>
using namespace std;
vector<long long> values;

long long total(int n) {
    long long s = 0;
    for (int i = 0; i < n; i++) s += values[i];
    return s;
}

int largest(int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (values[i] > values[best]) best = i;
    return best;
}

int main() {
    int n;
    scanf("%d", &n);
    values.resize(n);
    for (auto& v : values) scanf("%lld", &v);
    printf("%lld %d\\n", total(n), largest(n));
    return 0;
}
"""


def test_a_windowed_model_reads_a_long_file_window_by_window(tmp_path: Path) -> None:
    """Every program gets candidates: none is refused for its length, each names the window it edits."""
    folder = tiny_model(tmp_path / "m", TargetFormat.LINES, n_positions=64)
    generator = ModelGenerator(str(folder), FEW_TOKENS)
    generator.check(LONG)
    out = list(generator.generate(LONG, 6))
    assert len(out) == 6
    # Without a profile, the first three windows in file order, two candidates each.
    assert [c.origin.split(", ")[0] for c in out] == ["greedy", "sample 1"] * 3
    assert "(function total)" in out[0].origin and "(function largest)" in out[2].origin
    # Random weights, but the decoder keeps headers to the window's lines: what comes out applies to the
    # whole file, or is unusable with the parser's reason.
    assert all(c.program is not None or c.problem.startswith("the edit script does not apply") for c in out)
    assert any(c.program is not None for c in out)


def test_the_hottest_window_comes_first_and_gets_the_budget(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", TargetFormat.LINES, n_positions=64)
    generator = ModelGenerator(str(folder), FEW_TOKENS)
    # All the instructions on largest's loop (line 14).
    generator.use_profile(lambda: Profile({14: 1000, 8: 1}))
    out = list(generator.generate(LONG, 4))
    assert all("(function largest)" in c.origin for c in out)
    assert [c.origin.split(", ")[0] for c in out] == ["greedy", "sample 1", "sample 2", "sample 3"]


def test_a_header_of_declarations_gets_a_one_line_reason(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", TargetFormat.LINES)
    with pytest.raises(BadInputError, match="no function body"):
        ModelGenerator(str(folder), FEW_TOKENS).check("#pragma once\nint f(int);\nstruct S { int x; };\n")


def test_rounds_ask_before_each_and_stop_when_told(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m")
    asked: list[int] = []

    def until(rounds: int) -> Callable[[], bool]:
        def keep_going() -> bool:
            asked.append(1)
            return len(asked) <= rounds

        return keep_going

    all_rounds = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 8, until(99)))
    # After the greedy one, 7 samples in two rounds (4 + 3), each preceded by a question.
    assert [c.origin for c in all_rounds] == ["greedy", *(f"sample {i}" for i in range(1, 8))]
    assert len(asked) == 2
    asked.clear()
    stopped = list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 8, until(1)))
    assert [c.origin for c in stopped] == ["greedy", "sample 1", "sample 2", "sample 3", "sample 4"]
    assert stopped == all_rounds[:5]
    asked.clear()
    assert len(list(ModelGenerator(str(folder), FEW_TOKENS).generate(PREFIX_SLOW, 8, until(0)))) == 1

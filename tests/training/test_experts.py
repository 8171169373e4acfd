"""The rules' candidates as RRHF expert responses: in the model's format, within the prompt's window only."""

from __future__ import annotations

from perfopt.edits import TargetFormat
from perfopt.generation.rules import RulesGenerator
from perfopt.window_io import Prompt, windows_for
from training.experts import expert_outputs

PROGRAM = """#include <iostream>
#include <vector>
using namespace std;

long long total(vector<long long> v) {
    long long s = 0;
    for (long long x : v) {
        s += x;
    }
    return s;
}

int main() {
    int n;
    cin >> n;
    vector<long long> v(n, 1);
    for (int i = 0; i < n; i++) {
        cout << total(v) << endl;
    }
    return 0;
}
"""


def count(lines: list[str]) -> list[int]:
    return [len(line.split()) + 1 for line in lines]


def _prompt(budget: int, label: str, fmt: TargetFormat = TargetFormat.LINES) -> Prompt:
    window = next(w for w in windows_for(PROGRAM, fmt, budget, count) if w.label == label)
    return Prompt(PROGRAM, window, fmt)


def test_a_whole_file_gets_the_combination_first_and_every_output_applies_to_a_rules_program() -> None:
    prompt = _prompt(10_000, "whole file")
    outputs = expert_outputs(prompt, 10)
    programs = {c.program for c in RulesGenerator().generate(PROGRAM, 64)}
    assert len(outputs) == len(programs) == 4
    made = [prompt.outcome(o)[0] for o in outputs]
    assert set(made) == programs
    first = made[0]
    assert first is not None and "const vector<long long>&" in first and "'\\n'" in first


def test_a_function_window_gets_only_the_rewrites_it_shows() -> None:
    total = expert_outputs(_prompt(60, "function total"), 10)
    assert total == ["@@5-5\nlong long total(const vector<long long>& v) {"]
    main = expert_outputs(_prompt(60, "function main"), 10)
    assert len(main) == 2 and not any("const vector" in o for o in main)


def test_the_limit_caps_the_outputs_and_other_formats_are_written_too() -> None:
    assert expert_outputs(_prompt(10_000, "whole file"), 0) == []
    assert len(expert_outputs(_prompt(10_000, "whole file"), 1)) == 1
    edits = expert_outputs(_prompt(10_000, "whole file", TargetFormat.EDITS), 1)
    assert edits and edits[0].startswith("<<<")

"""The rules generator: single rewrites first, then combinations, within the budget."""

from __future__ import annotations

import pytest

from perfopt.generation.rules import RulesGenerator
from perfopt.rewrite import Parsed, all_rewrites
from perfopt.rewrite.interface import Match, Rewrite

PROGRAM = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    int n; cin >> n;
    string s, t;
    for (int i = 0; i < n; i++) { s = s + "ab"; t = t + "c"; }
    cout << s.size() + t.size() << endl;
}
"""


def test_each_rewrite_alone_then_together() -> None:
    cands = list(RulesGenerator().generate(PROGRAM, 8))
    names = [c.rewrite for c in cands]
    assert "strings.append_not_concat" in names
    single = next(c for c in cands if c.rewrite == "strings.append_not_concat")
    assert single.generator == "rules" and single.origin == "rules/strings.append_not_concat"
    assert single.program is not None and 's += "ab"' in single.program and 't += "c"' in single.program
    assert "(and 1 more place)" in single.reason
    assert len(cands) <= 8
    assert all(c.program is not None and c.program != PROGRAM for c in cands)


def test_the_budget_cuts_candidates() -> None:
    assert len(list(RulesGenerator().generate(PROGRAM, 1))) == 1


class Broken(Rewrite):
    """Always fails: a bug in one rewrite."""

    name = "test.broken"
    why = "-"
    unsafe_when = "-"

    def find(self, parsed: Parsed) -> list[Match]:
        raise RuntimeError("bug")


def test_a_failing_rewrite_costs_only_itself(caplog: pytest.LogCaptureFixture) -> None:
    gen = RulesGenerator([Broken(), *all_rewrites()])
    cands = list(gen.generate(PROGRAM, 8))
    assert any(c.rewrite == "strings.append_not_concat" for c in cands)
    assert "test.broken failed" in caplog.text


def test_a_file_that_parses_only_in_part_gets_rewrites_in_its_clean_parts() -> None:
    broken = PROGRAM + '\nvoid f( { string u; u = u + "x"; \n'
    cands = list(RulesGenerator().generate(broken, 8))
    single = next(c for c in cands if c.rewrite == "strings.append_not_concat")
    assert single.program is not None and 'u = u + "x"' in single.program


def test_a_header_without_main_gets_the_rewrites_that_need_none() -> None:
    header = """#pragma once
#include <string>
#include <vector>
inline long long total_length(std::vector<std::string> words) {
    long long n = 0;
    for (std::string w : words) n += w.size();
    return n;
}
"""
    names = {c.rewrite for c in RulesGenerator().generate(header, 8)}
    assert {"copies.const_ref_param", "copies.range_for_const_ref"} <= names
    assert "io.sync_with_stdio" not in names

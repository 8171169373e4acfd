"""Strings rewrites: R4 on a real program, and left alone where unsafe."""

from __future__ import annotations

from pathlib import Path

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4

CONCAT = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    int n; cin >> n;
    string s;
    for (int i = 0; i < n; i++) s = s + char('a' + i % 26);
    cout << s.size() << ' ' << s[n / 2] << '\n';
}
"""


def test_append_not_concat_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("strings.append_not_concat", CONCAT, ["3000\n", "5\n"], tmp_path, sandbox))


def test_append_not_concat_leaves_other_types_alone() -> None:
    # An int, and a user type whose operator+ need not mean append.
    source = """
struct V { int x; V operator+(int y) const { return {x * 2 + y}; } };
int main() { int k = 0; V v{1}; k = k + 1; v = v + 3; return k + v.x; }
"""
    assert matches("strings.append_not_concat", source) == []
    # Only the clean part of a file tree-sitter parses partly.
    broken = CONCAT + '\nint broken( { s = s + "x"; \n'
    assert len(matches("strings.append_not_concat", broken)) == 1

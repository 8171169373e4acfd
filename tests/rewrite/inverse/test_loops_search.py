"""loops search inverse: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from perfopt.rewrite import Parsed, all_rewrites, inverse
from perfopt.rewrite.inverse import loops_search
from perfopt.rewrite.inverse.loops_search import ScanOn
from tests.rewrite.harness import check_inverse, inverted

#: Searches that stop at the first hit: an index loop, a range-for, a countdown, and a nest that leaves both loops.
SEARCHES = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n, x;
    cin >> n >> x;
    vector<int> a(n);
    for (auto& v : a) cin >> v;
    bool found = false, negative = false;
    int pair = 0;
    char big = 'n';
    for (int i = 0; i < n; i++) {
        if (a[i] == x) {
            found = true;
            break;
        }
    }
    for (int v : a)
        if (v < 0) { negative = true; break; }
    for (int i = n - 1; i >= 0; i -= 2)
        if (a[i] > 100) { big = 'y'; break; }
    for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
            if (a[i] + a[j] == x) {
                pair = 1;
                break;
            }
        }
        if (pair == 1) break;
    }
    cout << found << ' ' << negative << ' ' << big << ' ' << pair << '\n';
}
"""
INPUTS = ["5 7\n1 6 7 -2 300\n", "3 100\n1 2 3\n", "0 1\n", "6 4\n2 2 2 2 2 2\n", "4 0\n101 -1 1 -5\n"]


def test_scan_on(tmp_path: Path) -> None:
    result = check_inverse(ScanOn(), SEARCHES, INPUTS, tmp_path)
    assert "        if (a[i] == x) {\n            found = true;\n        }\n" in result
    assert "        if (v < 0) { negative = true; }\n" in result
    assert "        if (a[i] > 100) { big = 'y'; }\n" in result
    assert "                pair = 1;\n            }\n        }\n    }\n" in result  # the outer exit went too
    assert "break" not in result


FRAME = r"""
#include <map>
#include <vector>
int f(int v) { return v; }
std::vector<int> make() { return {1, 2}; }
int main() {
    int n = 5, x = 3, last = -1, count = 0, i;
    std::vector<int> a(n);
    std::map<int, int> m;
    bool found = false, other = false;
    volatile bool seen = false;
    BODY
    return found + other + seen + last + count + i;
}
"""


def test_scan_on_stays_silent_where_unsafe() -> None:
    silent = {
        # The if does more than set the flag to a constant.
        "not a constant": "for (int i = 0; i < n; i++) if (a[i] == x) { last = i; break; }",
        "more": "for (int i = 0; i < n; i++) if (a[i] == x) { found = true; count++; break; }",
        "else": "for (int i = 0; i < n; i++) if (a[i] == x) { found = true; break; } else count++;",
        "more in the loop": "for (int i = 0; i < n; i++) { count += a[i]; if (a[i] == x) { found = true; break; } }",
        # The flag is read in the loop, or volatile.
        "read": "for (int i = 0; i < n && !found; i++) if (a[i] == x) { found = true; break; }",
        "volatile": "for (int i = 0; i < n; i++) if (a[i] == x) { seen = true; break; }",
        # The condition has side effects.
        "increment": "for (int i = 0; i < n; i++) if (a[i]++ == x) { found = true; break; }",
        "call": "for (int i = 0; i < n; i++) if (f(a[i]) == x) { found = true; break; }",
        "map": "for (int i = 0; i < n; i++) if (m[i] == x) { found = true; break; }",
        # The loop might not end once it goes on.
        "no bound": "for (int i = 0; ; i++) if (a[i] == x) { found = true; break; }",
        "not equal": "for (int i = 0; i != n; i += 2) if (a[i] == x) { found = true; break; }",
        "wrong way": "for (int i = 0; i < n; i--) if (a[i] == x) { found = true; break; }",
        "unsigned down": "for (unsigned k = n; k >= 0; k--) if (a[k] == x) { found = true; break; }",
        "outside counter": "for (i = 0; i < n; i++) if (a[i] == x) { found = true; break; }",
        "while": "int k = 0; while (k < n) { if (a[k] == x) { found = true; break; } k++; }",
        "temporary range": "for (int v : make()) if (v == x) { found = true; break; }",
    }
    for why, body in silent.items():
        assert ScanOn().find(Parsed(FRAME.replace("BODY", body))) == [], why
    fine = FRAME.replace("BODY", "for (int i = 0; i < n; i++) if (a[i] == x) { found = true; break; }")
    assert len(ScanOn().find(Parsed(fine))) == 1
    # A nest whose outer exit tests something else than the flag taking its value keeps that exit.
    for exit in ("if (other) break;", "if (!found) break;", "if (found) { count++; break; }"):
        nest = "for (int i = 0; i < n; i++) { for (int j = 0; j < n; j++) if (a[j] == x) { found = true; break; } "
        result = inverted(ScanOn(), FRAME.replace("BODY", nest + exit + " }"))
        assert f"{{ found = true; }} {exit} }}" in result, exit


def test_scan_on_takes_an_inner_loop_alone(tmp_path: Path) -> None:
    # The outer loop reads the flag in its condition: only the inner loop's break goes.
    source = r"""
#include <bits/stdc++.h>
using namespace std;
int main() {
    int n, m;
    cin >> n >> m;
    vector<string> g(n);
    for (auto& row : g) cin >> row;
    bool clear = true;
    for (int r = 0; r < n && clear; r++)
        for (int c = 0; c < m; c++)
            if (g[r][c] == '#') { clear = false; break; }
    cout << (clear ? "clear" : "blocked") << '\n';
}
"""
    result = check_inverse(ScanOn(), source, ["2 2\n..\n.#\n", "1 3\n...\n", "0 0\n", "3 2\n#.\n..\n.#\n"], tmp_path)
    assert "if (g[r][c] == '#') { clear = false; }" in result
    assert "r < n && clear" in result


def test_discovered() -> None:
    assert "loops_search" in {m.name for m in pkgutil.iter_modules(inverse.__path__)}
    assert [(i.name, i.inverts) for i in (cls() for cls in loops_search.INVERSES)] == [
        ("loops.scan_on", "loops.early_exit_search")
    ]
    assert "loops.early_exit_search" in {r.name for r in all_rewrites()}

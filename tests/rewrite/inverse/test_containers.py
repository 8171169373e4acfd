"""containers inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.containers import DropReserve, FindThenInsert
from tests.rewrite.harness import check_inverse, inverted, matches, rewritten

RESERVE = r"""
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>
using namespace std;
int main() {
    size_t n;
    int m;
    cin >> n >> m;
    vector<long long> a;
    a.reserve(n);
    for (size_t i = 0; i < n; i++) {
        long long x;
        cin >> x;
        a.push_back(x);
    }
    vector<long long> squares;
    squares.reserve(a.size());
    for (long long x : a) squares.push_back(x * x);
    sort(squares.begin(), squares.end());
    vector<int> steps;
    if (m > 0) steps.reserve(m);
    for (int i = 0; i < m; i++) steps.push_back(i * 3 % 7);
    string word;
    word.reserve(a.size());
    for (long long x : a) word.push_back(char('a' + (x % 26 + 26) % 26));
    for (long long s : squares) cout << s << ' ';
    cout << '\n' << word << ' ' << steps.size() << ' ';
    for (int s : steps) cout << s;
    cout << '\n';
}
"""
RESERVE_INPUTS = ["4 5\n3 -1 4 1\n", "0 0\n", "1 -2\n7\n"]


def test_drop_reserve(tmp_path: Path) -> None:
    result = check_inverse(DropReserve(), RESERVE, RESERVE_INPUTS, tmp_path)
    assert "reserve" not in result
    # Each reserve stood alone on the line before its loop: the forward rule puts back exactly the original.
    assert rewritten("containers.reserve_before_push_back", result) == RESERVE


_HEAD = "#include <bits/stdc++.h>\nusing namespace std;\n"


def _main(body: str, globals_: str = "") -> str:
    return f"{_HEAD}{globals_}\nint main() {{\n    size_t n; int k; cin >> n >> k;\n    {body}\n}}\n"


@pytest.mark.parametrize(
    "body",
    [
        # A signed count: the original's reserve throws on a negative one, which the forward rule would guard.
        "vector<int> v; v.reserve(k); for (int i = 0; i < k; i++) v.push_back(i);",
        # A pointer, reference or iterator into v that the reserve kept valid while v grew.
        "vector<int> v; v.reserve(n); int* p = nullptr;\n"
        "    for (size_t i = 0; i < n; i++) { v.push_back(i); if (!p) p = &v[0]; }",
        "vector<int> v{}; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i); int& r = v[0]; r++;",
        "vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i); auto it = v.begin(); cout << *it;",
        "vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i);\n"
        "    const int& m = max(v[0], k); cout << m;",
        "vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i); for (int x : v) v.push_back(x);",
        # The capacity shows in the output.
        "vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i); cout << v.capacity();",
        # The count has side effects.
        "vector<int> v; v.reserve(n++); for (size_t i = 0; i < n; i++) v.push_back(i);",
        # The forward rule would not put it back: no push loop, a deque, a static, a count it cannot read.
        "vector<int> v; v.reserve(n); v.push_back(1);",
        "vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i += 2) v.push_back(i);",
        "static vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i);",
        "vector<int> v; v.reserve(2 * n); for (size_t i = 0; i < n; i++) v.push_back(i);",
        # v is used in a lambda.
        "vector<int> v; v.reserve(n); auto f = [&] { return v.size(); };\n"
        "    for (size_t i = 0; i < n; i++) v.push_back(i);",
    ],
)
def test_drop_reserve_stays_silent(body: str) -> None:
    assert DropReserve().find(Parsed(_main(body))) == []


def test_drop_reserve_stays_silent_on_a_vector_a_callee_may_hold() -> None:
    source = _main(
        "vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i); grow(v);",
        "void grow(vector<int>& w);",
    )
    assert DropReserve().find(Parsed(source)) == []


def test_drop_reserve_stays_silent_where_views_may_be_made() -> None:
    source = _main("string s; s.reserve(n); string_view view = s; for (size_t i = 0; i < n; i++) s.push_back('a');")
    assert DropReserve().find(Parsed(source)) == []


def test_drop_reserve_removes_only_the_statement_when_it_shares_its_line() -> None:
    source = _main("vector<int> v; v.reserve(n); for (size_t i = 0; i < n; i++) v.push_back(i); cout << v.size();")
    result = inverted(DropReserve(), source)
    assert "vector<int> v; for (size_t i = 0; i < n; i++) v.push_back(i); cout << v.size();" in result
    assert matches("containers.reserve_before_push_back", result)


INSERT = r"""
#include <iostream>
#include <set>
#include <unordered_set>
#include <vector>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<int> a(n);
    for (auto& x : a) cin >> x;
    set<int> seen;
    unordered_set<long long> products;
    set<pair<int, int>> pairs;
    for (int i = 0; i < n; i++) {
        seen.insert(a[i]);
        if (i > 0) products.insert(1LL * a[i] * a[i - 1]);
        else products.insert(0);
        pairs.insert(make_pair(a[i] % 3, a[i] % 5));
    }
    for (int x : seen) cout << x << ' ';
    cout << '\n' << products.size() << ' ' << pairs.size() << '\n';
}
"""
INSERT_INPUTS = ["6\n3 1 4 1 5 9\n", "1\n-2\n", "0\n"]


def test_find_then_insert(tmp_path: Path) -> None:
    result = check_inverse(FindThenInsert(), INSERT, INSERT_INPUTS, tmp_path)
    assert "if (seen.find(a[i]) == seen.end()) seen.insert(a[i]);" in result
    assert "else if (products.find(0) == products.end()) products.insert(0);" in result
    # The insert in the if's then-branch is left alone: the else would bind to the new if.
    assert "if (i > 0) products.insert(1LL * a[i] * a[i - 1]);" in result
    assert rewritten("containers.insert_without_find", result) == INSERT


@pytest.mark.parametrize(
    "body",
    [
        # Not a set with the default order: a multiset always adds, a custom order may see keys differently.
        "multiset<int> s; s.insert(k);",
        "set<int, greater<int>> s; s.insert(k);",
        "map<int, int> s; s.insert({k, 1});",
        "vector<int> s; s.insert(s.end(), k);",
        # The value is used, or the insert takes a hint, a range or a braced list.
        "set<int> s; bool added = s.insert(k).second; cout << added;",
        "set<int> s; s.insert(s.begin(), k);",
        "set<int> s; vector<int> v(3); s.insert(v.begin(), v.end());",
        "set<int> s; s.insert({1, 2});",
        # The key has side effects.
        "set<int> s; s.insert(k++);",
        "set<int> s; s.insert(g(k));",
        # An else would bind to the new if.
        "set<int> s; if (k > 0) s.insert(k); else cout << k;",
        "set<int> s; if (k > 0) for (int i = 0; i < k; i++) s.insert(i); else cout << k;",
    ],
)
def test_find_then_insert_stays_silent(body: str) -> None:
    assert FindThenInsert().find(Parsed(_main(body, "int g(int);"))) == []


def test_find_then_insert_stays_silent_on_a_reference_parameter() -> None:
    # The forward rule only knows sets declared as variables: it would not take this one back.
    source = _HEAD + "void add(set<int>& s, int x) { s.insert(x); }\nint main() {}\n"
    assert FindThenInsert().find(Parsed(source)) == []


def test_discovered() -> None:
    names = {i.name for i in all_inverses()}
    assert {"containers.drop_reserve", "containers.find_then_insert"} <= names

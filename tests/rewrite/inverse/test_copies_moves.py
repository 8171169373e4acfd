"""copies inverses for locals: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.copies_moves import CopyNotRef, DropMove
from tests.rewrite.harness import check_inverse, inverted, matches, rewritten

LOCALS = r"""
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>
using namespace std;
typedef vector<int> vi;
vector<string> names;
int main() {
    int n;
    cin >> n;
    vector<vi> g(n);
    map<string, int> freq;
    for (int i = 0; i < n; i++) {
        string w;
        int k;
        cin >> w >> k;
        names.push_back(w);
        freq[w] += k;
        for (int j = 0; j < k; j++) g[i].push_back((i + j) % n);
    }
    for (int u = 0; u < n; u++) {
        const vi& adj = g[u];
        long long s = 0;
        for (int v : adj) s += v;
        cout << u << ": " << adj.size() << ' ' << s << '\n';
    }
    const auto& all = names;
    string longest;
    for (const string& w : all) if (w.size() > longest.size()) longest = w;
    const map<string, int> &counts = freq;
    cout << longest << ' ' << counts.size() << ' ' << (counts.count("a") ? counts.at("a") : -1) << '\n';
    vector<string> out;
    string cur;
    for (int i = 0; i < n; i++) {
        cur += names[i][0];
        if (cur.size() >= 2) {
            out.push_back(std::move(cur));
            cur.clear();
        }
    }
    vector<vi> groups;
    for (int u = 0; u < n; u++) {
        vi row;
        for (int v : g[u]) if (v > u) row.push_back(v);
        groups.push_back(move(row));
    }
    string joined;
    for (auto& s : out) joined += s;
    string last = std::move(joined);
    cout << out.size() << ' ' << groups.size() << ' ' << last << ' ' << cur << '\n';
}
"""
LOCAL_INPUTS = ["4\nbanana 2\na 3\nkiwi 0\napple 1\n", "1\nz 5\n", "0\n", "3\nab 1\na 1\nab 2\n"]


def test_copy_not_ref(tmp_path: Path) -> None:
    result = check_inverse(CopyNotRef(), LOCALS, LOCAL_INPUTS, tmp_path)
    assert "        const vi adj = g[u];\n" in result
    assert "    const auto all = names;\n" in result
    assert "    const map<string, int> counts = freq;\n" in result
    # The forward rule binds each one back by reference (``&counts`` comes back as ``& counts``).
    assert rewritten("copies.local_copy_ref", result) == LOCALS.replace(
        "map<string, int> &counts", "map<string, int>& counts"
    )


def test_drop_move(tmp_path: Path) -> None:
    result = check_inverse(DropMove(), LOCALS, LOCAL_INPUTS, tmp_path)
    assert "            out.push_back(cur);\n            cur.clear();\n" in result
    assert "        groups.push_back(row);\n" in result
    assert "    string last = joined;\n" in result
    assert "move" not in result
    assert rewritten("copies.move_last_use", result) == LOCALS.replace(
        "groups.push_back(move(row))", "groups.push_back(std::move(row))"
    ).replace("#include <vector>\n", "#include <vector>\n#include <utility>\n")


_HEAD = "#include <bits/stdc++.h>\nusing namespace std;\n"


def _main(body: str, globals_: str = "") -> str:
    start = "int main() {\n    int n, k; cin >> n >> k;\n    vector<int> a(n); string t;\n"
    return f"{_HEAD}{globals_}\n{start}    {body}\n}}\n"


def test_copy_not_ref_fires_on_the_plain_case() -> None:
    # The baseline the silent cases below differ from by one thing each.
    assert CopyNotRef().find(Parsed(_main("const auto& b = a; cout << b.size() + a.size();")))


@pytest.mark.parametrize(
    "body",
    [
        # a changes while b lives: the reference sees it, the copy would not.
        "const auto& b = a; a.push_back(k); cout << b.size();",
        "const vector<int>& b = a; for (int& x : a) x++; cout << b[0];",
        "auto& c = a; const auto& b = a; c.push_back(1); cout << b.size();",
        # b's address is taken, or b is captured.
        "const auto& b = a; const vector<int>* p = &b; cout << p->size();",
        "const auto& b = a; auto f = [&] { return b.size(); }; cout << f();",
        # An iterator of b meets one of a: the same container for a reference, two for a copy.
        "const auto& b = a; cout << (find(b.begin(), b.end(), k) != a.end());",
        # A temporary or a conversion: the reference extends a value the forward rule does not bind.
        "const vector<int>& b = vector<int>(n); cout << b.size();",
        "const string& b = t + t; cout << b;",
        'const char* c = "xy"; const string& b = c; cout << b;',
        # A structured binding, a const placed after the type, a cheap type.
        "pair<string, string> p; const auto& [x, y] = p; cout << x << y;",
        "vector<int> const& b = a; cout << b.size();",
        "const int& b = n; cout << b;",
        # Not surely copyable.
        "vector<unique_ptr<int>> u(n); const auto& b = u; cout << b.size();",
    ],
)
def test_copy_not_ref_stays_silent(body: str) -> None:
    assert CopyNotRef().find(Parsed(_main(body))) == []


def test_copy_not_ref_stays_silent_on_a_global_a_call_may_change() -> None:
    source = _main("const auto& b = g; grow(); cout << b.size();", "vector<int> g;\nvoid grow() { g.push_back(1); }")
    assert CopyNotRef().find(Parsed(source)) == []


def test_copy_not_ref_stays_silent_where_views_may_be_made() -> None:
    source = _main("const string& b = t; string_view v = b; cout << v;")
    assert CopyNotRef().find(Parsed(source)) == []


def test_drop_move_fires_on_the_plain_case() -> None:
    assert DropMove().find(Parsed(_main("vector<string> v; string s = t; v.push_back(move(s)); cout << v.size();")))


@pytest.mark.parametrize(
    "body",
    [
        # The moved-from s is read afterwards: the copy would leave it full.
        "vector<string> v; string s = t; v.push_back(move(s)); cout << s.size();",
        "vector<string> v; string s; for (int i = 0; i < n; i++) { s += 'a'; v.push_back(move(s)); }",
        # A read that fails leaves s as it was: empty after the move, the old word after a copy.
        "vector<string> v; string s; for (int i = 0; i < n; i++) { cin >> s; v.push_back(move(s)); }",
        "vector<string> v; string s = t; v.push_back(move(s)); cin >> s; cout << s;",
        "vector<string> v; string s = t; v.push_back(move(s)); getline(cin, s); cout << s;",
        # The destination is not of s's type: a conversion may take only an rvalue.
        "struct W { string w; explicit W(string&& x) : w(x) {} }; vector<W> v; string s = t; v.emplace_back(move(s));",
        # Not surely copyable.
        "vector<unique_ptr<int>> u(n); vector<unique_ptr<int>> w; w = move(u); cout << w.size();",
        # Not a std::move.
        "vector<string> v; string s = t; v.push_back(std::forward<string>(s));",
    ],
)
def test_drop_move_stays_silent(body: str) -> None:
    assert DropMove().find(Parsed(_main(body))) == []


def test_drop_move_keeps_a_read_that_ends_the_loop() -> None:
    # Failing, the read in the while condition ends the loop, and s is not read after it.
    source = _main("vector<string> v; string s; while (cin >> s) v.push_back(move(s)); cout << v.size();")
    result = inverted(DropMove(), source)
    assert "while (cin >> s) v.push_back(s);" in result
    assert matches("copies.move_last_use", result)


def test_drop_move_stays_silent_on_a_move_of_the_file() -> None:
    source = _main("string s = t; string u = move(s); cout << u;", "string move(string& x) { return x + x; }")
    assert DropMove().find(Parsed(source)) == []


def test_discovered() -> None:
    names = {i.name for i in all_inverses()}
    assert {"copies.copy_not_ref", "copies.drop_move"} <= names

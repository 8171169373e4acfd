"""containers inverses for lookups and refills: same output after de-optimizing, undone by the forward rule,
silent where unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.containers_lookup import MapNotUnordered, ReconstructNotAssign, RepeatLookup
from tests.rewrite.harness import check_inverse, inverted, matches, rewritten

PROGRAM = r"""
#include <iostream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>
using namespace std;
unordered_map<string, int> firstSeen;
int main() {
    int n;
    cin >> n;
    vector<string> words(n);
    for (auto& w : words) cin >> w;
    unordered_map<string, long long> score;
    unordered_map<int, int> byLength;
    unordered_set<int> lengths;
    long long best = 0;
    int common = 0;
    for (int i = 0; i < n; i++) {
        string w = words[i];
        int len = (int)w.size();
        auto& s = score[w];
        s += (long long)len * (i + 1);
        best = max(best, s);
        int& c = byLength[len];
        c++;
        if (c > common) common = c;
        lengths.insert(len);
        if (!firstSeen.count(w)) firstSeen[w] = i;
    }
    vector<int> row;
    string pad;
    for (int i = 0; i < n; i++) {
        row.assign(words[i].size(), i);
        pad.assign(i % 4, '*');
        long long t = 0;
        for (int x : row) t += x;
        cout << pad << words[i] << ' ' << score[words[i]] << ' ' << t << ' ' << firstSeen[words[i]] << '\n';
    }
    cout << best << ' ' << common << ' ' << lengths.size() << ' ' << lengths.count(3) << '\n';
}
"""
INPUTS = ["5\nbanana kiwi banana fig kiwi\n", "1\nz\n", "0\n", "6\naaa bbb aaa ccc aaa dd\n"]


def test_repeat_lookup(tmp_path: Path) -> None:
    result = check_inverse(RepeatLookup(), PROGRAM, INPUTS, tmp_path)
    assert "        score[w] += (long long)len * (i + 1);\n        best = max(best, score[w]);\n" in result
    assert "        byLength[len]++;\n        if (byLength[len] > common) common = byLength[len];\n" in result
    assert "auto& s" not in result and "int& c" not in result
    # The forward rule binds a reference again, under its own name.
    back = rewritten("containers.repeated_lookup", result)
    assert "auto& score_w = score[w];" in back and "auto& byLength_len = byLength[len];" in back


def test_map_not_unordered(tmp_path: Path) -> None:
    result = check_inverse(MapNotUnordered(), PROGRAM, INPUTS, tmp_path)
    assert "\nmap<string, int> firstSeen;\n" in result
    assert "    map<string, long long> score;\n    map<int, int> byLength;\n    set<int> lengths;\n" in result
    assert "#include <vector>\n#include <map>\n#include <set>\n" in result
    back = rewritten("containers.map_to_unordered", result)
    assert "unordered_map<string, int> firstSeen;" in back and "unordered_set<int> lengths;" in back


def test_reconstruct_not_assign(tmp_path: Path) -> None:
    result = check_inverse(ReconstructNotAssign(), PROGRAM, INPUTS, tmp_path)
    assert "        row = vector<int>(words[i].size(), i);\n        pad = string(i % 4, '*');\n" in result
    assert rewritten("containers.assign_not_reconstruct", result) == PROGRAM


_HEAD = "#include <bits/stdc++.h>\nusing namespace std;\n"


def _loop(body: str, globals_: str = "") -> str:
    return (
        f"{_HEAD}{globals_}\nint main() {{\n    int n, k; cin >> n >> k;\n    map<int, long long> m;\n"
        f"    vector<int> v;\n    for (int i = 0; i < n; i++) {{\n        {body}\n    }}\n}}\n"
    )


def test_repeat_lookup_fires_on_the_plain_case() -> None:
    result = inverted(RepeatLookup(), _loop("auto& r = m[k]; r += i; cout << r;"))
    assert "m[k] += i; cout << m[k];" in result
    assert matches("containers.repeated_lookup", result)


@pytest.mark.parametrize(
    "body",
    [
        # k or m changes between the uses: r keeps the element it found first.
        "auto& r = m[k]; r += i; k++; cout << r;",
        "auto& r = m[k]; r += i; m.erase(k); cout << r;",
        "auto& r = m[k]; r += i; m.clear(); cout << r;",
        # The statement after the declaration reads m before r (or not at all): the element would go in later.
        "auto& r = m[k]; cout << m.size() << ' ' << r; r++;",
        "auto& r = m[k]; cout << m.size(); r++; cout << r;",
        # A first use only sometimes evaluated, a use in a lambda.
        "auto& r = m[k]; if (i > 2) r++; cout << r;",
        "auto& r = m[k]; r++; auto f = [&] { return r; }; cout << f();",
        # k has side effects, or names another variable where r is used.
        "auto& r = m[k++]; r++; cout << r;",
        "auto& r = m[k]; r++; { int k = 3; cout << r + k; }",
        # A spelled const T& binds a converted copy; a vector is not a map.
        "const int& r = m[k]; r++; cout << r;",
        "v.resize(n); auto& r = v[i]; r++; cout << r;",
        # A single use: the forward rule leaves one lookup alone.
        "auto& r = m[k]; r++;",
    ],
)
def test_repeat_lookup_stays_silent(body: str) -> None:
    assert RepeatLookup().find(Parsed(_loop(body))) == []


def test_map_not_unordered_fires_on_the_plain_case() -> None:
    source = _loop("u[i % 3]++; cout << u.count(k) << u.size();").replace(
        "    vector<int> v;", "    unordered_map<int, int> u;"
    )
    assert "    map<int, int> u;" in inverted(MapNotUnordered(), source)


@pytest.mark.parametrize(
    "declaration, use",
    [
        # Its order shows: iterated, walked from begin, passed on.
        ("unordered_map<int, int> u;", "u[i]++; for (auto& p : u) cout << p.first;"),
        ("unordered_set<int> u;", "u.insert(i); cout << *u.begin();"),
        ("unordered_set<int> u;", "u.insert(i); show(u);"),
        # Members a tree does not have, a custom hash, a key without a known order, a multimap.
        ("unordered_map<int, int> u;", "u.reserve(n); u[i]++;"),
        ("unordered_set<int> u;", "u.insert(i); cout << u.bucket_count();"),
        ("unordered_set<int, H> u;", "u.insert(i); cout << u.count(k);"),
        ("unordered_set<double> u;", "u.insert(i * 0.5); cout << u.count(k);"),
        ("unordered_multiset<int> u;", "u.insert(i); cout << u.count(k);"),
        # Cleared in a loop (which the forward rule will not hash), initialised, declared through an alias.
        ("unordered_set<int> u;", "u.clear(); u.insert(i); cout << u.size();"),
        ("unordered_set<int> u = {1, 2};", "u.insert(i); cout << u.size();"),
        ("US u;", "u.insert(i); cout << u.size();"),
    ],
)
def test_map_not_unordered_stays_silent(declaration: str, use: str) -> None:
    globals_ = "struct H { size_t operator()(int x) const { return x; } };\ntypedef unordered_set<int> US;\n"
    globals_ += "void show(const unordered_set<int>& s) { for (int x : s) cout << x; }"
    source = _loop(use, globals_).replace("    vector<int> v;", f"    {declaration}")
    assert MapNotUnordered().find(Parsed(source)) == []


def test_map_not_unordered_stays_silent_on_at_where_exceptions_are_caught() -> None:
    # The exception's message names the container: "_Map_base::at" from a hash map, "map::at" from a tree.
    body = "try { cout << u.at(i); } catch (const out_of_range& e) { cout << e.what(); } u[k] = i;"
    source = _loop(body).replace("    vector<int> v;", "    unordered_map<int, int> u;")
    assert MapNotUnordered().find(Parsed(source)) == []


def test_reconstruct_not_assign_fires_on_the_plain_case() -> None:
    assert ReconstructNotAssign().find(Parsed(_loop("v.assign(n, i); cout << v[0];")))


@pytest.mark.parametrize(
    "body",
    [
        # A pointer, reference or iterator into v kept over the refill, or its capacity read.
        "int* p = v.data(); v.assign(n, i); cout << v.size() << (p != nullptr);",
        "v.assign(n, i); int& r = v[0]; r++; cout << v[0];",
        "v.assign(n, i); cout << v.capacity();",
        "v.assign(n, i); auto it = v.begin(); cout << *it;",
        # Not a count and a value; the value refers into v; a lambda holds v.
        "v.assign({1, 2, 3}); cout << v.size();",
        "vector<int> w(3); v.assign(w.begin(), w.end()); cout << v.size();",
        "v.assign(n, v.empty() ? 0 : v[0]); cout << v.size();",
        "auto f = [&] { return v.size(); }; v.assign(n, i); cout << f();",
    ],
)
def test_reconstruct_not_assign_stays_silent(body: str) -> None:
    assert ReconstructNotAssign().find(Parsed(_loop(body))) == []


def test_reconstruct_not_assign_stays_silent_outside_a_loop_and_on_vector_bool() -> None:
    outside = f"{_HEAD}int main() {{ int n; cin >> n; vector<int> v; v.assign(n, 1); cout << v.size(); }}\n"
    bits = _loop("b.assign(n, true); cout << b.size();").replace("    vector<int> v;", "    vector<bool> b;")
    assert ReconstructNotAssign().find(Parsed(outside)) == []
    assert ReconstructNotAssign().find(Parsed(bits)) == []


def test_discovered() -> None:
    names = {i.name for i in all_inverses()}
    assert {"containers.repeat_lookup", "containers.map_not_unordered", "containers.reconstruct_not_assign"} <= names

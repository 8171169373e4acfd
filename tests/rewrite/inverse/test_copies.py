"""copies inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed, apply_edits
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.copies import RangeForCopy, ValueParam
from tests.rewrite.harness import check_inverse, matches, rewritten

PARAMS = r"""
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>
using namespace std;
typedef long long ll;
typedef vector<ll> vl;
struct Item { string name; int weight; };

ll prefix(const vl& a, int k);

ll prefix(const vl& a, int k) {
    ll s = 0;
    for (int i = 0; i < k && i < (int)a.size(); i++) s += a[i];
    return s;
}
int vowels(const std::string &s) {
    int c = 0;
    for (char ch : s) c += s.find(ch) == string::npos ? 0 : (ch == 'a' || ch == 'e');
    return c;
}
int lookup(const map<string, int>& m, const string& key) {
    auto it = m.find(key);
    return it == m.end() ? -1 : it->second;
}
int heaviest(const vector<Item>& items) {
    int best = 0;
    for (int i = 0; i < (int)items.size(); i++) best = max(best, items[i].weight);
    return best;
}
struct Stats {
    long long sum(const vector<int>& v) const { long long s = 0; for (int x : v) s += x; return s; }
};
int main() {
    int n, k;
    cin >> n >> k;
    vl a(n);
    vector<string> words(n);
    vector<Item> items(n);
    map<string, int> where;
    vector<int> small(n);
    for (int i = 0; i < n; i++) {
        cin >> a[i] >> words[i];
        items[i] = {words[i], (int)(a[i] % 97)};
        where[words[i]] = i;
        small[i] = (int)(a[i] % 10);
    }
    sort(words.begin(), words.end(), [](const string& x, const string& y) {
        return x.size() != y.size() ? x.size() < y.size() : x < y;
    });
    for (int i = 0; i < n; i++) cout << words[i] << ' ' << vowels(words[i]) << ' ' << lookup(where, words[i]) << '\n';
    cout << prefix(a, k) << ' ' << heaviest(items) << ' ' << Stats().sum(small) << '\n';
}
"""
PARAM_INPUTS = ["4 2\n5 banana\n-3 kiwi\n12 apple\n7 fig\n", "1 3\n100 e\n", "0 0\n"]


def test_value_param(tmp_path: Path) -> None:
    result = check_inverse(ValueParam(), PARAMS, PARAM_INPUTS, tmp_path)
    assert result.count("ll prefix(vl a, int k)") == 2  # the prototype changes with the definition
    assert "int vowels(std::string s)" in result
    assert "int lookup(map<string, int> m, string key)" in result
    assert "int heaviest(vector<Item> items)" in result
    assert "long long sum(vector<int> v) const" in result
    assert "[](string x, string y)" in result
    # Every parameter it changed, the forward rule changes back.
    assert rewritten("copies.const_ref_param", result).count("const ") == PARAMS.count("const ")


def test_value_param_matches_one_by_one_are_undone() -> None:
    for m in ValueParam().find(Parsed(PARAMS)):
        alone = apply_edits(PARAMS, list(m.edits))
        assert matches("copies.const_ref_param", alone), m.reason


_HEAD = "#include <bits/stdc++.h>\nusing namespace std;\n"


@pytest.mark.parametrize(
    "code",
    [
        # The address, or a pointer or iterator into it, is returned or kept.
        "const int& first(const vector<int>& v) { return v[0]; }",
        "const int* raw(const vector<int>& v) { return v.data(); }",
        "vector<int>::const_iterator start(const vector<int>& v) { return v.begin(); }",
        "auto start(const vector<int>& v) { return v.begin(); }",
        "size_t addr(const vector<int>& v) { const vector<int>* p = &v; return p->size(); }",
        "const char* last; int keep(const string& s) { last = s.c_str(); return 1; }",
        "vector<int>::const_iterator it; int keep(const vector<int>& v) { it = v.begin(); return 1; }",
        "int keep(const vector<int>& v) { static const vector<int>& r = v; return r.size(); }",
        "int f(const vector<int>& v) { decltype(v) w = v; return w.size(); }",
        "int f(const vector<int>& v) { auto g = [&] { return v.size(); }; return g(); }",
        # A template on the parameter's type, operators, constructors, virtuals, constexpr, unnamed.
        "template <class T> int f(const T& v) { return v.size(); }",
        "template <class T> int f(const vector<T>& v) { return v.size(); }",
        "struct A { size_t operator()(const vector<int>& v) const { return v.size(); } };",
        "struct A { size_t n; A(const vector<int>& v) : n(v.size()) {} };",
        "struct A { virtual int f(const vector<int>& v) { return v.size(); } };",
        "struct B { virtual int f(const vector<int>& v) = 0; };"
        "struct A : B { int f(const vector<int>& v) override { return v.size(); } };",
        "constexpr int f(const vector<int>& v) { return 1; }",
        "int f(const vector<int>&) { return 0; }",
        # Recursive: one copy per level.
        "int f(const vector<int>& v, int i) { return i ? v[i] + f(v, i - 1) : v[0]; }",
        "int g(const vector<int>& v, int i); int f(const vector<int>& v, int i) { return i ? g(v, i - 1) : 0; }"
        "int g(const vector<int>& v, int i) { return f(v, i); }",
        # A caller moves into it: the copy would empty its argument.
        "int f(const vector<int>& v) { return v.size(); }\n"
        "int h() { vector<int> a(3); f(std::move(a)); return a.size(); }",
        # Used as a function pointer, or overloaded.
        "int f(const vector<int>& v) { return v.size(); } int (*p)(const vector<int>&) = f;",
        "int f(const vector<int>& v) { return v.size(); } int f(const string& s) { return s.size(); }",
        # Elements that may not copy, or views that would dangle.
        "int f(const vector<unique_ptr<int>>& v) { return v.size(); }",
        "struct P { P() {} P(P&&) = default; string s; }; int f(const vector<P>& v) { return v.size(); }",
        "string_view head(const string& s) { return string_view(s).substr(0, 1); }\n"
        "int f(const string& s) { return s.size(); }",
        # It writes a global that may be its argument (f(g)): the reference sees the change.
        "vector<int> g; int f(const vector<int>& v) { g.push_back(1); return v.size(); }",
        "struct S { string log; size_t f(const string& s) { log += 'x'; return s.size(); } };",
        "vector<int> g; void add() { g.push_back(1); } size_t f(const vector<int>& v) { add(); return v.size(); }",
        "size_t f(const vector<int>& a, vector<int>& b) { b.push_back(1); return a.size(); }",
        # Lambdas that may become function pointers.
        "bool (*cmp)(const string&, const string&) = [](const string& a, const string& b) { return a < b; };",
        # Cheap types: the forward rule would not take it back.
        "int f(const pair<int, int>& p) { return p.first; }",
    ],
)
def test_value_param_stays_silent(code: str) -> None:
    assert ValueParam().find(Parsed(_HEAD + code + "\nint main() {}\n")) == []


@pytest.mark.parametrize(
    "code",
    [
        # The safe neighbours of the silent cases above.
        "int f(const vector<int>& v) { return v.size(); }",
        "int f(const vector<int>& v) { auto it = lower_bound(v.begin(), v.end(), 3); return it - v.begin(); }",
        "int f(const vector<int>& v) { return *max_element(v.begin(), v.end()); }",
        "template <class T> int f(const vector<int>& v, T x) { return v.size() + x; }",
        "int g; int f(const vector<int>& v) { g++; return v.size(); }",
        "int f(const string& s) { printf(\"%s\\n\", s.c_str()); return s.find('a'); }",
        "int f(const vector<int>& v) { vector<int> w(v.begin(), v.end()); return w.size(); }",
    ],
)
def test_value_param_fires_on_safe_neighbours(code: str) -> None:
    assert len(ValueParam().find(Parsed(_HEAD + code + "\nint main() {}\n"))) == 1


LOOPS = r"""
#include <iostream>
#include <map>
#include <string>
#include <vector>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<string> words(n);
    vector<vector<int>> rows(n);
    map<string, vector<int>> at;
    for (int i = 0; i < n; i++) {
        cin >> words[i];
        for (int j = 0; j <= i; j++) rows[i].push_back(j * (int)words[i].size());
        at[words[i]].push_back(i);
    }
    size_t total = 0;
    for (const auto& w : words) total += w.size();
    for (const string& w : words) if (!w.empty() && w[0] == 'a') cout << w << '\n';
    for (auto const& row : rows) {
        long long s = 0;
        for (int x : row) s += x;
        cout << s << ' ';
    }
    cout << '\n';
    for (const auto& [word, places] : at) cout << word << ' ' << places.size() << '\n';
    cout << total << '\n';
}
"""
LOOP_INPUTS = ["3\napple banana avocado\n", "1\nz\n", "0\n"]


def test_range_for_copy(tmp_path: Path) -> None:
    result = check_inverse(RangeForCopy(), LOOPS, LOOP_INPUTS, tmp_path)
    assert "for (auto w : words) total" in result
    assert "for (string w : words) if" in result
    assert "for (auto row : rows)" in result
    assert "for (auto [word, places] : at)" in result
    assert rewritten("copies.range_for_const_ref", result).count("const") == LOOPS.count("const")


@pytest.mark.parametrize(
    "body",
    [
        # The address of x, or a pointer into it, outlives the iteration.
        "const string* best = nullptr; for (const auto& w : words) if (!best || w < *best) best = &w;",
        "vector<const char*> ps; for (const auto& w : words) ps.push_back(w.c_str());",
        "string::const_iterator it; for (const string& w : words) it = w.begin();",
        "vector<function<size_t()>> fs; for (const auto& w : words) fs.push_back([&w] { return w.size(); });",
        # x is written, or the range changes under it.
        "for (const auto& w : words) words[0] += w;",
        'auto& alias = words; for (const auto& w : words) { alias[1] = "zz"; cout << w; }',
        # Cheap elements: the forward rule would not take it back.
        "for (const auto& x : nums) cout << x;",
        # Elements that may not copy.
        "for (const auto& p : owners) cout << p.size();",
        "for (const auto&& w : words) cout << w;",
    ],
)
def test_range_for_copy_stays_silent(body: str) -> None:
    assert RangeForCopy().find(Parsed(_loop_program(body))) == []


def _loop_program(body: str) -> str:
    return (
        _HEAD + 'int main() {\n    vector<string> words(3, "ab"); vector<int> nums(3);\n'
        "    vector<vector<unique_ptr<int>>> owners(2);\n    " + body + "\n}\n"
    )


@pytest.mark.parametrize(
    "body",
    [
        "size_t n = 0; for (const auto& w : words) n += w.size(); cout << n;",
        "for (const auto& w : words) { auto it = w.begin(); cout << *it; }",
        "for (const string& w : words) cout << (w.find('b') != string::npos);",
    ],
)
def test_range_for_copy_fires_on_safe_neighbours(body: str) -> None:
    assert len(RangeForCopy().find(Parsed(_loop_program(body)))) == 1


def test_range_for_copy_stays_silent_when_a_call_changes_the_range() -> None:
    source = _HEAD + (
        'vector<string> g(3, "a");\nvoid change() { g[1] = "zz"; }\n'
        "int main() { for (const auto& s : g) { change(); cout << s; } }\n"
    )
    assert RangeForCopy().find(Parsed(source)) == []


def test_range_for_copy_stays_silent_where_views_may_be_made() -> None:
    source = _HEAD + "int main() { vector<string> w(2); string_view v; for (const auto& s : w) v = s; }\n"
    assert RangeForCopy().find(Parsed(source)) == []


def test_discovered() -> None:
    names = {i.name for i in all_inverses()}
    assert {"copies.value_param", "copies.range_for_copy"} <= names

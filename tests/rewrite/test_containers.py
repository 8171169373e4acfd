"""Containers rewrites: R4 on a real program, silence where unsafe, and rewrites that still compile."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten

RESERVE = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n; cin >> n;
    long long total = 0;
    for (int round = 0; round < 20; round++) {
        vector<long long> v;
        for (int i = 0; i < n; i++) v.push_back((long long)i * round % 1000);
        total += v[n / 2] + (long long)v.size();
    }
    cout << total << '\n';
}
"""

FIND = r"""
#include <iostream>
#include <map>
using namespace std;
int main() {
    int n; cin >> n;
    map<int, long long> m;
    for (int i = 0; i < n; i++) m[i * 2] = i;
    long long s = 0;
    for (int q = 0; q < 4 * n; q++) {
        int k = (q * 7919) % n * 2;
        if (m.count(k)) s += m[k];
    }
    cout << s << '\n';
}
"""

UNORDERED = r"""
#include <iostream>
#include <map>
using namespace std;
int main() {
    int n; cin >> n;
    map<int, int> freq;
    unsigned x = 12345;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        freq[(x >> 8) % 5000]++;
    }
    long long best = 0;
    for (int k = 0; k < 5000; k++)
        if (freq.count(k) && freq.at(k) > best) best = freq.at(k);
    cout << freq.size() << ' ' << best << '\n';
}
"""

ERASE = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n; cin >> n;
    vector<int> v(n);
    for (int i = 0; i < n; i++) v[i] = i * 7 % 13;
    for (auto it = v.begin(); it != v.end();) {
        if (*it % 2 == 0) it = v.erase(it);
        else ++it;
    }
    long long s = 0;
    for (int x : v) s += x;
    cout << v.size() << ' ' << s << '\n';
}
"""

SIEVE = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n; cin >> n;
    vector<bool> composite(n + 1, false);
    int count = 0;
    for (int i = 2; i <= n; i++) {
        if (composite[i]) continue;
        count++;
        for (long long j = (long long)i * i; j <= n; j += i) composite[j] = true;
    }
    cout << count << '\n';
}
"""

INSERT = r"""
#include <iostream>
#include <set>
using namespace std;
int main() {
    int n; cin >> n;
    set<int> seen;
    unsigned x = 1;
    for (int i = 0; i < n; i++) {
        x = x * 1664525u + 1013904223u;
        int v = x >> 12;
        if (seen.find(v) == seen.end()) seen.insert(v);
    }
    cout << seen.size() << '\n';
}
"""

REPEATED = r"""
#include <iostream>
#include <map>
using namespace std;
int main() {
    int n; cin >> n;
    map<int, int> cnt;
    int best = 0, arg = -1, distinct = 0;
    unsigned x = 7;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        int k = (x >> 10) % 20000;
        if (cnt[k] == 0) distinct++;
        cnt[k]++;
        if (cnt[k] > best) { best = cnt[k]; arg = k; }
    }
    cout << distinct << ' ' << best << ' ' << arg << '\n';
}
"""


def test_reserve_before_push_back_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.reserve_before_push_back", RESERVE, ["20000\n", "3\n"], tmp_path, sandbox))


def test_find_not_count_then_index_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.find_not_count_then_index", FIND, ["20000\n", "4\n"], tmp_path, sandbox))


def test_map_to_unordered_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.map_to_unordered", UNORDERED, ["100000\n", "5\n"], tmp_path, sandbox))


def test_erase_remove_if_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.erase_remove_if", ERASE, ["8000\n", "6\n"], tmp_path, sandbox))


def test_vector_bool_to_char_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.vector_bool_to_char", SIEVE, ["1000000\n", "10\n"], tmp_path, sandbox))


def test_insert_without_find_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.insert_without_find", INSERT, ["50000\n", "3\n"], tmp_path, sandbox))


def test_repeated_lookup_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("containers.repeated_lookup", REPEATED, ["50000\n", "5\n"], tmp_path, sandbox))


def _main(body: str, globals_: str = "") -> str:
    head = "#include <bits/stdc++.h>\nusing namespace std;\nint g(int);\n"
    return f"{head}{globals_}\nint main() {{\n    int n, k, x; cin >> n >> k >> x;\n{body}\n}}\n"


@pytest.mark.parametrize(
    "body",
    [
        # The push is conditional.
        "vector<int> v; for (int i = 0; i < n; i++) if (i % 2) v.push_back(i);",
        # Not empty, or already reserved, before the loop.
        "vector<int> v(5); for (int i = 0; i < n; i++) v.push_back(i);",
        "vector<int> v{1, 2}; for (int i = 0; i < n; i++) v.push_back(i);",
        "vector<int> v; v.reserve(10); for (int i = 0; i < n; i++) v.push_back(i);",
        # Not a vector or string.
        "deque<int> v; for (int i = 0; i < n; i++) v.push_back(i);",
        "list<int> v; for (int i = 0; i < n; i++) v.push_back(i);",
        # The count has side effects, or changes in the loop.
        "vector<int> v; for (int i = 0; i < g(n); i++) v.push_back(i);",
        "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); n--; }",
        "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); cin >> n; }",
        "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); i++; }",
        "vector<int> v; auto f = [&] { n++; }; for (int i = 0; i < n; i++) { v.push_back(i); f(); }",
        "vector<int> v; for (int i = 0; i < (int)v.size() + 3; i++) v.push_back(i);",
        "vector<int> v; for (int x : v) v.push_back(x);",
        # The loop may end an iteration early.
        "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); if (i > k) break; }",
        "vector<int> v; for (int i = 0; i < n; i++) { if (i == k) continue; v.push_back(i); }",
        "vector<int> v; for (int i = 0; i < n; i++) { if (i == k) return 1; v.push_back(i); }",
        # More than one push per iteration, or the size read back through capacity().
        "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); v.push_back(i); }",
        "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); k += v.capacity(); }",
        # A trip count that is not a plain count.
        "vector<int> v; for (int i = 0; i < n; i += 2) v.push_back(i);",
        "vector<int> v; for (int i = 3; i < n; i++) v.push_back(i);",
        "vector<int> v; while (--n) v.push_back(n);",
        # A static vector is not empty on the second call.
        "static vector<int> v; for (int i = 0; i < n; i++) v.push_back(i);",
    ],
)
def test_reserve_before_push_back_leaves_unsafe_loops_alone(body: str) -> None:
    assert matches("containers.reserve_before_push_back", _main(body)) == []


def test_reserve_before_push_back_leaves_globals_changed_by_calls_alone() -> None:
    source = _main("vector<int> v; for (int i = 0; i < lim; i++) { v.push_back(i); grow(); }", "int lim; void grow();")
    assert matches("containers.reserve_before_push_back", source) == []


def test_reserve_trusts_calls_only_with_by_value_or_const_parameters() -> None:
    decls = "long long twice(long long x); int sum(const int& a, int b); void bump(int& x);"
    fires = _main("vector<long long> v; for (int i = 0; i < n; i++) v.push_back(twice(i) + sum(n, i));", decls)
    assert len(matches("containers.reserve_before_push_back", fires)) == 1
    silent = _main("vector<long long> v; for (int i = 0; i < n; i++) { v.push_back(i); bump(n); }", decls)
    assert matches("containers.reserve_before_push_back", silent) == []


def test_reserve_guards_a_signed_count() -> None:
    # A negative int would become a huge size_t and make reserve throw, where the loop just runs zero times.
    out = rewritten("containers.reserve_before_push_back", RESERVE)
    assert "if (n > 0) v.reserve(n);" in out
    unsigned = _main("vector<int> a(n), b; for (size_t i = 0; i < a.size(); i++) b.push_back(a[i] * 2);")
    assert "b.reserve(a.size());" in rewritten("containers.reserve_before_push_back", unsigned)


@pytest.mark.parametrize(
    "body",
    [
        # k or m change between the test and the use; k has side effects.
        "map<int, int> m; if (m.count(k)) { k++; x = m[k]; }",
        "map<int, int> m; if (m.count(k)) { m.erase(k); x = m[k]; }",
        "unordered_map<int, int> m; if (m.count(k)) { m[x] = 1; x = m[k]; }",
        "map<int, int> m; if (m.count(k++)) x = m[k];",
        "map<int, int> m; if (m.count(g(k))) x = m[g(k)];",
        # Not a map: on a vector, [k] is an index and count is std::count.
        "vector<int> m(5); if (count(m.begin(), m.end(), k)) x = m[k];",
        # The m[k] is in a lambda, after the if, or in its else.
        "map<int, int> m; if (m.count(k)) { auto f = [&] { return m[k]; }; x = f(); }",
        "map<int, int> m; if (m.count(k)) x = 1; x += m[k];",
        "map<int, int> m; if (m.count(k)) x = 1; else x = m[k];",
        # The test is not "k is present".
        "map<int, int> m; if (!m.count(k)) x = m[k];",
        "map<int, int> m; if (m.count(k) && x) x = m[k];",
        # A shadowed key.
        "map<int, int> m; if (m.count(k)) { int k = 3; x = m[k]; }",
    ],
)
def test_find_not_count_then_index_leaves_unsafe_lookups_alone(body: str) -> None:
    assert matches("containers.find_not_count_then_index", _main(body)) == []


def test_find_not_count_then_index_leaves_a_global_map_alone_around_calls() -> None:
    source = _main("if (m.count(k)) { g(k); x = m[k]; }", "map<int, int> m;")
    assert matches("containers.find_not_count_then_index", source) == []


@pytest.mark.parametrize(
    "body",
    [
        # Iterated, in any of its spellings.
        "map<int, int> m; m[k] = 1; for (auto& [a, b] : m) x += b;",
        "map<int, int> m; m[k] = 1; x = m.begin()->first;",
        "map<int, int> m; m[k] = 1; x = m.lower_bound(k)->second;",
        "map<int, int> m; m[k] = 1; for (auto it = m.find(k); it != m.end(); ++it) x += it->second;",
        "map<int, int> m; m[k] = 1; auto it = m.find(k); x = (++it)->second;",
        "set<int> s; s.insert(k); x = *s.rbegin();",
        "set<int> s; s.insert(k); auto r = s.equal_range(k); x = r.first == r.second;",
        # Passed, copied, printed, compared.
        "map<int, int> m; m[k] = 1; g(m.size()); auto c = m; x = c.size();",
        "map<int, int> m, c; m[k] = 1; c = m; x = c.size();",
        "set<int> s; s.insert(k); vector<int> v(s.begin(), s.end()); x = v[0];",
        "map<int, int> a, b; a[k] = 1; x = a == b;",
        # Keys that do not hash (or hash only with help).
        "map<pair<int, int>, int> m; m[{k, x}] = 1; x = m.size();",
        "map<double, int> m; m[k * 0.5] = 1; x = m.size();",
        "struct P { int a; bool operator<(const P& o) const { return a < o.a; } }; map<P, int> m; m[P{k}] = 1;",
        # An unordered clear() costs the whole bucket array: once per test case it can cost more than it saves.
        "map<int, int> m; for (int t = 0; t < n; t++) { m.clear(); m[k]++; x += m.size(); }",
        # A multimap is a different contract; a custom order is an order.
        "multiset<int> s; s.insert(k); x = s.count(k);",
        "set<int, greater<int>> s; s.insert(k); x = s.count(k);",
    ],
)
def test_map_to_unordered_leaves_ordered_uses_alone(body: str) -> None:
    assert matches("containers.map_to_unordered", _main(body)) == []


def test_map_to_unordered_leaves_a_global_passed_by_reference_alone() -> None:
    source = _main("cnt[k]++; show(cnt);", "map<int, int> cnt; void show(const map<int, int>& m);")
    assert matches("containers.map_to_unordered", source) == []


@pytest.mark.parametrize(
    "body",
    [
        # The loop does more than test, erase and step.
        "vector<int> v(n); for (auto it = v.begin(); it != v.end();) { if (*it > k) { x++; it = v.erase(it); "
        "} else ++it; }",
        "vector<int> v(n); for (auto it = v.begin(); it != v.end();) { if (*it > k) it = v.erase(it); else { "
        "++it; x++; } }",
        "vector<int> v(n); for (int i = 0; i < (int)v.size(); i++) if (v[i] > k) { v.erase(v.begin() + i); i--; x++; }",
        # The test depends on the position, or on the vector itself.
        "vector<int> v(n); for (int i = 0; i < (int)v.size(); i++) if (i % 2) { v.erase(v.begin() + i); i--; }",
        "vector<int> v(n); for (int i = 0; i < (int)v.size(); i++) if (v[i] == v[0]) { v.erase(v.begin() + i); i--; }",
        "vector<int> v(n); for (auto it = v.begin(); it != v.end();) if (it == v.begin()) it = v.erase(it); else ++it;",
        "vector<int> v(n); for (auto it = v.begin(); it != v.end();) if (*it > (int)v.size()) it = "
        "v.erase(it); else ++it;",
        "vector<int> v(n); for (int i = 0; i < (int)v.size(); i++) if (v[i + 1] > 0) { v.erase(v.begin() + i); i--; }",
        # Erasing without stepping back skips the next element: not the same loop.
        "vector<int> v(n); for (int i = 0; i < (int)v.size(); i++) if (v[i] > k) v.erase(v.begin() + i);",
        # The test changes state.
        "vector<int> v(n); for (auto it = v.begin(); it != v.end();) if (x++ > k) it = v.erase(it); else ++it;",
        # Not a vector, deque or string.
        "list<int> v(n); for (auto it = v.begin(); it != v.end();) if (*it > k) it = v.erase(it); else ++it;",
        "set<int> v; for (auto it = v.begin(); it != v.end();) if (*it > k) it = v.erase(it); else ++it;",
    ],
)
def test_erase_remove_if_leaves_unsafe_loops_alone(body: str) -> None:
    assert matches("containers.erase_remove_if", _main(body)) == []


@pytest.mark.parametrize(
    "body",
    [
        # bool-specific members and proxies.
        "vector<bool> v(n); for (int i = 0; i < n; i++) v[i].flip();",
        "vector<bool> v(n); v.flip(); for (int i = 0; i < n; i++) x += v[i];",
        "vector<bool> v(n); for (int i = 0; i < n; i++) { auto b = v[i]; b = true; }",
        "vector<bool> v(n); for (int i = 0; i < n; i++) { vector<bool>::reference r = v[i]; r = true; }",
        "vector<bool> v(n); for (auto b : v) x += b;",
        # Printed: a char prints as a character, not 0 or 1.
        "vector<bool> v(n); for (int i = 0; i < n; i++) cout << v[i];",
        "vector<bool> v(n); for (int i = 0; i < n; i++) cerr << v[i] << endl;",
        # Passed on, compared or swapped with another vector<bool>, sized.
        "vector<bool> v(n); for (int i = 0; i < n; i++) v[i] = i % 2; g(count(v.begin(), v.end(), true)); h(v);",
        "vector<bool> v(n), w(n); for (int i = 0; i < n; i++) v[i] = true; x = v == w;",
        "vector<bool> v(n), w(n); for (int i = 0; i < n; i++) v[i] = true; swap(v, w);",
        "vector<bool> v(n); for (int i = 0; i < n; i++) v[i] = true; x = sizeof(v[0]);",
        # Stores that are not 0 or 1 would stay unnormalised in a char.
        "vector<bool> v(n); for (int i = 0; i < n; i++) v[i] = i; x = v[3] + v[4];",
        "vector<bool> v(n); for (int i = 0; i < n; i++) v[i] = k & i; x = v[3] + v[4];",
        "vector<bool> v(n, k); for (int i = 0; i < n; i++) x += v[i];",
        # Not in a loop: nothing to gain.
        "vector<bool> v(n); v[k] = true; x = v[k];",
    ],
)
def test_vector_bool_to_char_leaves_bool_specific_uses_alone(body: str) -> None:
    source = _main(body, "void h(const vector<bool>& v);")
    assert matches("containers.vector_bool_to_char", source) == []


@pytest.mark.parametrize(
    "body",
    [
        # The if does more, or has an else.
        "set<int> s; if (s.find(k) == s.end()) { s.insert(k); x++; }",
        "set<int> s; if (s.find(k) == s.end()) s.insert(k); else x++;",
        # Multisets and multimaps always insert.
        "multiset<int> s; if (s.find(k) == s.end()) s.insert(k);",
        "multimap<int, int> s; if (!s.count(k)) s.insert({k, 1});",
        # Another key, or a key or value with side effects.
        "set<int> s; if (!s.count(k)) s.insert(k + 1);",
        "set<int> s; if (!s.count(k++)) s.insert(k);",
        "map<int, int> s; if (!s.count(k)) s.insert({k, x++});",
        "map<int, int> s; if (!s.count(k)) s.emplace(k, g(x));",
        # The test is "present", not "missing".
        "set<int> s; if (s.find(k) != s.end()) s.insert(k);",
        "set<int> s; if (s.count(k)) s.insert(k);",
        # A vector's insert is no set insert.
        "vector<int> s; if (find(s.begin(), s.end(), k) == s.end()) s.insert(s.end(), k);",
    ],
)
def test_insert_without_find_leaves_unsafe_ifs_alone(body: str) -> None:
    assert matches("containers.insert_without_find", _main(body)) == []


@pytest.mark.parametrize(
    "body",
    [
        # The first m[k] is evaluated only sometimes: binding it first would insert k.
        "map<int, int> m; for (int i = 0; i < n; i++) { if (i > k && m[i] > 0) x++; m[i] += 0; }",
        "map<int, int> m; for (int i = 0; i < n; i++) { x = i > k ? m[i] : 0; m[i]++; }",
        "map<int, int> m; for (int i = 0; i < n; i++) { if (i > k) m[i]++; x += m[i]; }",
        # m or k changes between the uses.
        "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; m.erase(k); x += m[k]; }",
        "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; k = i; x += m[k]; }",
        "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; cin >> k; x += m[k]; }",
        "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; m.clear(); x += m[k]; }",
        "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; m = map<int, int>(); x += m[k]; }",
        # Another key may rehash an unordered_map and change where k is inserted in its order.
        "unordered_map<int, int> m; for (int i = 0; i < n; i++) { x += m[k]; m[i] = 1; x += m[k]; }",
        # Something reads m before the first m[k] inserts k.
        "map<int, int> m; for (int i = 0; i < n; i++) { x = m.size() + m[k]; x += m[k]; }",
        # A key with side effects, a key that is itself a map lookup.
        "map<int, int> m; for (int i = 0; i < n; i++) { m[g(i)]++; x += m[g(i)]; }",
        # A vector element is no lookup.
        "vector<int> m(n); for (int i = 0; i < n; i++) { m[i]++; x += m[i]; }",
        # m[k] = m.size(): the size is read before k goes in; a reference bound first would change it.
        "map<string, int> m; for (int i = 0; i < n; i++) { string s(i, 'a'); m[s] = m.size(); x += m[s]; }",
        # The key is declared in the statement itself.
        "map<int, int> m; for (int i = 0; i < n; i++) { int j = i * 2, c = m[j]; x += c + m[j]; }",
        # Not consecutive: a statement without m[k] in between.
        "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; x++; x += m[k]; }",
    ],
)
def test_repeated_lookup_leaves_unsafe_repeats_alone(body: str) -> None:
    assert matches("containers.repeated_lookup", _main(body)) == []


def test_repeated_lookup_does_not_bind_a_lookup_keyed_by_a_lookup() -> None:
    # m[c[i]] is keyed by an insertion into c; only c[i] itself is bound.
    found = matches(
        "containers.repeated_lookup",
        _main("map<int, int> m, c; for (int i = 0; i < n; i++) { m[c[i]]++; x += m[c[i]]; }"),
    )
    assert [m.reason for m in found] == ["look c[i] up once and reuse the reference instead of 2 lookups"]


def test_erase_remove_if_leaves_a_global_vector_alone_when_the_test_calls_out() -> None:
    # remove_if moves elements as it goes: a function reading the vector mid-way would see another vector.
    body = "for (auto it = v.begin(); it != v.end();) if (bad(*it)) it = v.erase(it); else ++it;"
    source = _main(body, "vector<int> v; bool bad(int x) { return x > (int)v.size(); }")
    assert matches("containers.erase_remove_if", source) == []


def test_repeated_lookup_leaves_a_global_map_alone_around_calls() -> None:
    source = _main("for (int i = 0; i < n; i++) { cnt[k]++; g(k); x += cnt[k]; }", "map<int, int> cnt;")
    assert matches("containers.repeated_lookup", source) == []


@pytest.mark.parametrize(
    ("name", "body"),
    [
        # The safe twins of the cases above, in the same frame: each fires.
        ("containers.reserve_before_push_back", "vector<int> v; for (int i = 0; i < n; i++) v.push_back(i);"),
        (
            "containers.reserve_before_push_back",
            "vector<int> v; for (int i = 0; i < n; i++) { v.push_back(i); x += v[i]; }",
        ),
        ("containers.reserve_before_push_back", "vector<int> v; while (n--) { cin >> k; v.push_back(k); }"),
        ("containers.reserve_before_push_back", "vector<int> v; for (int i = n; i > 0; i--) v.emplace_back(i);"),
        ("containers.reserve_before_push_back", "string a, s; for (char c : a) s.push_back(c);"),
        (
            "containers.reserve_before_push_back",
            "vector<int> v; for (int i = 0; i < n; i++) { for (int j = 0; j < k; j++) if (j > x) break; "
            "v.push_back(i); }",
        ),
        ("containers.find_not_count_then_index", "map<int, int> m; if (m.count(k)) { m[k]++; x = m.at(k); }"),
        (
            "containers.find_not_count_then_index",
            "unordered_map<int, int> m; if (m.find(k) != m.end()) x = m[k] + m.size();",
        ),
        (
            "containers.find_not_count_then_index",
            "map<int, int> m; for (auto& y : vector<int>{1}) if (m.count(y)) x = m[y];",
        ),
        (
            "containers.map_to_unordered",
            "map<int, int> m; m[k] = 1; auto it = m.find(k); if (it != m.end()) x = it->second;",
        ),
        ("containers.map_to_unordered", 'set<string> s; s.insert(to_string(k)); x = s.count("1") + s.size();'),
        ("containers.map_to_unordered", "map<long long, int> m; m.insert({k, 1}); m.erase(k); x = m.empty();"),
        (
            "containers.erase_remove_if",
            "vector<int> v(n); for (auto it = v.begin(); it != v.end();) if (*it > k) it = v.erase(it); else ++it;",
        ),
        (
            "containers.erase_remove_if",
            "vector<int> v(n); for (int i = 0; i < (int)v.size(); i++) if (v[i] > k) { v.erase(v.begin() + i); i--; }",
        ),
        (
            "containers.erase_remove_if",
            "deque<int> v(n); for (auto it = v.begin(); it != v.end();) if (g(*it)) it = v.erase(it); else ++it;",
        ),
        (
            "containers.erase_remove_if",
            "vector<pair<int, int>> v(n); for (auto it = v.begin(); it != v.end();) "
            "if (it->first > k) it = v.erase(it); else ++it;",
        ),
        (
            "containers.reserve_before_push_back",
            "vector<int> v; for (int i = 0; i < n; i++) { auto f = [&] { return i; }; v.push_back(f()); }",
        ),
        (
            "containers.vector_bool_to_char",
            "vector<bool> v(n); for (int i = 0; i < n; i++) v[i] = i % 2 == 0; g(count(v.begin(), v.end(), true));",
        ),
        (
            "containers.vector_bool_to_char",
            "vector<bool> v(n, true); for (int i = 0; i < n; i++) if (v[i]) x += v[i] + !v[i];",
        ),
        ("containers.insert_without_find", "set<int> s; if (s.find(k) == s.end()) { s.insert(k); }"),
        ("containers.insert_without_find", "map<int, int> s; if (!s.count(k)) s.emplace(k, x);"),
        ("containers.insert_without_find", "unordered_set<int> s; if (s.count(k) == 0) s.insert(k);"),
        ("containers.repeated_lookup", "map<int, int> m; for (int i = 0; i < n; i++) { m[k]++; x += m[k] + m[i]; }"),
        (
            "containers.repeated_lookup",
            "unordered_map<int, int> m; for (int i = 0; i < n; i++) { if (m[i] > 0 && i > k) m[i]--; }",
        ),
        ("containers.repeated_lookup", "map<int, int> m; for (int i = 0; i < n; i++) { x = m.size(); m[k] += m[k]; }"),
    ],
)
def test_safe_twins_fire(name: str, body: str) -> None:
    assert len(matches(name, _main(body))) == 1


VARIED = r"""
#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

template <typename T>
T total(const std::vector<T>& xs) {
    std::vector<T> doubled;
    for (const auto& x : xs) doubled.push_back(x * 2);
    T s{};
    for (auto x : doubled) s += x;
    return s;
}

std::map<std::string, int> index_of;
std::set<long long> seen;

int lookup(const std::string& w) {
    if (index_of.find(w) != index_of.end()) return index_of[w];
    return -1;
}

int main() {
    std::size_t n;
    std::cin >> n;
    std::vector<int> a;
    for (std::size_t i = 0; i < n; ++i) a.push_back(static_cast<int>(i % 7));
    std::vector<bool> odd(n, false);
    for (std::size_t i = 0; i < n; ++i) odd[i] = a[i] % 2 == 1;
    std::map<int, int> freq;
    for (std::size_t i = 0; i < n; ++i) {
        freq[a[i]] += 1;
        if (freq[a[i]] > 3) freq[a[i]] = 0;
        if (!seen.count(a[i])) seen.insert(a[i]);
        index_of[std::to_string(a[i])] = static_cast<int>(i);
    }
    for (auto it = a.begin(); it != a.end();) {
        if (*it == 3) it = a.erase(it);
        else ++it;
    }
    long long odds = 0;
    for (std::size_t i = 0; i < n; ++i) odds += odd[i] ? 1 : 0;
    std::cout << total(a) << ' ' << freq.size() << ' ' << lookup("2") << ' ' << odds << '\n';
}
"""

ALL = [
    "containers.reserve_before_push_back",
    "containers.find_not_count_then_index",
    "containers.map_to_unordered",
    "containers.erase_remove_if",
    "containers.vector_bool_to_char",
    "containers.insert_without_find",
    "containers.repeated_lookup",
]


@pytest.mark.parametrize("name", ALL)
def test_rewrites_compile_and_agree_on_std_spellings(name: str, tmp_path: Path) -> None:
    # std:: spellings, a function template, a reference parameter, globals used from two functions.
    out = rewritten(name, VARIED)
    for label, text in (("before", VARIED), ("after", out)):
        (tmp_path / f"{label}.cpp").write_text(text)
        subprocess.run(
            ["g++", "-std=c++17", "-O1", "-o", str(tmp_path / label), str(tmp_path / f"{label}.cpp")], check=True
        )
    runs = [
        subprocess.run([str(tmp_path / b)], input=b"50\n", capture_output=True, check=True) for b in ("before", "after")
    ]
    assert runs[0].stdout == runs[1].stdout


def test_two_matches_add_one_include() -> None:
    source = (
        UNORDERED.replace("#include <map>", "#include <map>\n#include <set>")
        + "\nstd::set<int> other;\nint f(int k) { return other.count(k); }\n"
    )
    out = rewritten("containers.map_to_unordered", source)
    assert out.count("#include <unordered_map>") == 1 and out.count("#include <unordered_set>") == 1
    erase_twice = ERASE.replace(
        "long long s = 0;",
        "for (auto it = v.begin(); it != v.end();) { if (*it == 1) it = v.erase(it); else ++it; }\n"
        "    long long s = 0;",
    )
    assert rewritten("containers.erase_remove_if", erase_twice).count("#include <algorithm>") == 1


def test_only_clean_regions_are_rewritten() -> None:
    broken = RESERVE + "\nint broken( { vector<int> w; for (int i = 0; i < 3; i++) w.push_back(i);\n"
    assert len(matches("containers.reserve_before_push_back", broken)) == 1

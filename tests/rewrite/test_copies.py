"""Copies rewrites: R4 on a real program, left alone where unsafe, and compiling on varied code."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten


def _numbers(n: int, q: int, seed: int) -> str:
    rng = random.Random(seed)
    values = sorted(rng.randint(0, 10**9) for _ in range(n))
    queries = [rng.randint(0, 10**9) for _ in range(q)]
    return f"{n} {q}\n" + " ".join(map(str, values)) + "\n" + " ".join(map(str, queries)) + "\n"


def _words(n: int, q: int, seed: int) -> str:
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcde") for _ in range(rng.randint(16, 40))) for _ in range(n)]
    queries = [rng.randint(16, 40) for _ in range(q)]
    return f"{n} {q}\n" + "\n".join(words) + "\n" + " ".join(map(str, queries)) + "\n"


def _compiles(source: str, tmp_path: Path) -> None:
    src = tmp_path / "check.cpp"
    src.write_text(source)
    subprocess.run(["g++", "-std=c++17", "-fsyntax-only", str(src)], check=True)


PARAM = r"""
#include <iostream>
#include <vector>
using namespace std;
int count_at_most(vector<long long> a, long long x) {
    int lo = 0, hi = a.size();
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (a[mid] <= x) lo = mid + 1; else hi = mid;
    }
    return lo;
}
int main() {
    int n, q; cin >> n >> q;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long total = 0;
    for (int i = 0; i < q; i++) { long long x; cin >> x; total += count_at_most(a, x); }
    cout << total << endl;
}
"""


def test_const_ref_param_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    inputs = [_numbers(3000, 1500, 1), _numbers(3, 2, 2)]
    assert_r4(r4("copies.const_ref_param", PARAM, inputs, tmp_path, sandbox))


def test_const_ref_param_leaves_unsafe_parameters_alone() -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
vector<int> g;
struct Small { int a, b; };
struct Base { virtual int f(vector<int> v) { return v.size(); } };
struct Derived : Base { int f(vector<int> v) override { return v.size() + 1; } };
void modified(vector<int> v) { v.push_back(1); cout << v.size(); }
void indexed(vector<int> v) { v[0] = 3; cout << v[0]; }
void sorted(vector<int> v) { sort(v.begin(), v.end()); cout << v[0]; }
void read_into(string s) { cin >> s; cout << s; }
void moved(vector<int> v) { g = move(v); }
vector<int> returned(vector<int> v) { return v; }
const int* address(vector<int> v) { return &v[0]; }
void by_ref(vector<int>& out) { out.push_back(1); }
void passes(vector<int> v) { by_ref(v); }
void captures(vector<int> v) { auto f = [&] { return v.size(); }; cout << f(); }
void aliasing(vector<int> v) { g.push_back(1); cout << v.size(); }
void aliasing_ref(vector<int>& out, vector<int> in) { out.push_back(in.size()); }
int map_index(map<int, int> m) { return m[3]; }
void cheap(int a, double b, const char* c, string_view d, Small e, pair<int, int> p) {
    cout << a << b << c << d << e.a << p.first;
}
template <class T> int deduced(T x) { return x.size(); }
int overloaded(vector<int> v) { return v.size(); }
int overloaded(vector<int> v, int k) { return v.size() + k; }
int pointer(vector<int> v) { return v.size(); }
int (*fp)(vector<int>) = pointer;
void grow() { g.push_back(1); }
int indirect(vector<int> v) { grow(); return v.size(); }
struct Holder { vector<int> data; int f(vector<int> v) { data.push_back(1); return v.size(); } };
void upper(string s) { for (char& c : s) c = toupper(c); cout << s; }
void swapped(vector<int> v) { vector<int> w; w.swap(v); cout << w.size(); }
struct Key { string name; bool operator<(Key o) const { return name < o.name; } };
int main(int argc, char** argv) {
    vector<string> args(argv, argv + argc);
    vector<int> local = {1};
    aliasing(g);
    aliasing(local);
    indirect(g);
    cout << args.size() << indirect(local);
}
"""
    assert matches("copies.const_ref_param", source) == []


def test_const_ref_param_changes_prototypes_and_compiles(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
typedef std::vector<long long> vl;
struct Item { std::string name; int weight; };
long long total(vl a, Item it);
bool by_length(std::string a, std::string b) { return a.size() < b.size(); }
template <class T> size_t width(std::vector<T> v, std::map<T, std::string> names) { return v.size() + names.size(); }
struct Solver { int score(std::set<int> s) const { return s.count(3); } };
int count_long(std::vector<std::string>, size_t);
namespace util { size_t len(std::string s) { return s.size(); } }
std::map<std::string, int> seen;
void note(std::string s) { seen[s]++; }
int main() {
    std::string word = "w";
    note(word);
    note("literal");
    std::vector<std::string> w = {"bb", "a"};
    std::sort(w.begin(), w.end(), by_length);
    auto longest = [](std::string a, std::string b) { return a.size() < b.size() ? b : a; };
    std::cout << total({1, 2}, {"x", 1}) << width(std::vector<int>{1}, std::map<int, std::string>{});
    std::cout << Solver().score({3});
    std::cout << longest(w[0], w[1]) << count_long(w, 1) << util::len(w[0]) << '\n';
}
long long total(vl a, Item it) { return std::accumulate(a.begin(), a.end(), 0LL) + it.weight; }
int count_long(std::vector<std::string> words, size_t k) {
    return std::count_if(words.begin(), words.end(), [k](const std::string& s) { return s.size() > k; });
}
"""
    out = rewritten("copies.const_ref_param", source)
    assert out.count("const vl& a, const Item& it") == 2
    assert "const std::string& a, const std::string& b) { return a.size() <" in out
    assert "width(const std::vector<T>& v, const std::map<T, std::string>& names)" in out
    assert "score(const std::set<int>& s) const" in out
    assert "int count_long(const std::vector<std::string>&, size_t);" in out
    assert "int count_long(const std::vector<std::string>& words, size_t k)" in out
    assert "size_t len(const std::string& s)" in out
    assert "void note(const std::string& s)" in out  # it writes a map of strings, but only gets locals
    assert "[](const std::string& a, const std::string& b)" in out
    _compiles(out, tmp_path)


RANGE = r"""
#include <iostream>
#include <string>
#include <vector>
using namespace std;
int main() {
    int n, q; cin >> n >> q;
    vector<string> words(n);
    for (auto& w : words) cin >> w;
    long long total = 0;
    for (int i = 0; i < q; i++) {
        int k; cin >> k;
        for (auto w : words) if ((int)w.size() >= k && w[0] == 'a') total++;
    }
    cout << total << endl;
}
"""


def test_range_for_const_ref_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    inputs = [_words(300, 60, 3), _words(3, 2, 4)]
    assert_r4(r4("copies.range_for_const_ref", RANGE, inputs, tmp_path, sandbox))


def test_range_for_const_ref_leaves_unsafe_loops_alone() -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
vector<string> make();
vector<string> names;
void rename() { names[0] = "renamed"; }
int main() {
    vector<string> words = {"a", "b"};
    vector<int> nums = {1, 2};
    vector<bool> flags(3);
    vector<pair<int, int>> pairs;
    map<int, int> small;
    for (auto w : words) { w += "x"; cout << w; }
    for (auto w : words) { words.push_back("y"); cout << w; break; }
    for (auto w : words) { words[0] = "z"; cout << w; }
    for (auto w : words) cout << move(w);
    for (auto w : words) { auto f = [&] { return w.size(); }; cout << f(); }
    for (auto x : nums) cout << x;
    for (auto b : flags) cout << b;
    for (auto p : pairs) cout << p.first;
    for (auto [k, v] : small) cout << k << v;
    for (auto w : make()) cout << w;
    for (auto& w : words) cout << w;
    for (auto [s, t] : map<string, int>{}) cout << s;
    map<string, int> m;
    for (auto [k, v] : m) { v++; cout << k << v; }
    for (pair<string, int> p : m) cout << p.first;
    for (auto s : names) { rename(); cout << s; }
    vector<vector<string>> g(2, vector<string>(2));
    vector<string>& row = g[1];
    for (auto s : row) { g[1][1] = "q"; cout << s; }
}
void through_reference(vector<string>& words) { for (auto w : words) { names.push_back(w); cout << w; } }
"""
    assert matches("copies.range_for_const_ref", source) == []


def test_range_for_const_ref_compiles_on_varied_loops(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
typedef std::vector<std::string> vs;
int main() {
    vs words = {"a"};
    std::map<std::string, std::vector<int>> index;
    std::vector<std::vector<int>> g(3);
    std::string names[4];
    for (std::string w : words) std::cout << w;
    for (auto [k, v] : index) std::cout << k << v.size();
    for (const auto row : g) std::cout << row.size();
    for (auto s : names) std::cout << s;
    for (auto e : g[1]) std::cout << e;
}
"""
    out = rewritten("copies.range_for_const_ref", source)
    assert "for (const std::string& w : words)" in out
    assert "for (const auto& [k, v] : index)" in out
    assert "for (const auto& row : g)" in out
    assert "for (const auto& s : names)" in out
    assert "for (auto e : g[1])" in out
    _compiles(out, tmp_path)


LOCAL = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n, m, q; cin >> n >> m >> q;
    vector<vector<int>> grid(n, vector<int>(m));
    for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) grid[i][j] = (i * 31 + j * 17) % 1000;
    long long total = 0;
    for (int t = 0; t < q; t++) {
        int r, c; cin >> r >> c;
        auto row = grid[r % n];
        total += row[c % m] + row[(c + 1) % m];
    }
    cout << total << endl;
}
"""


def test_local_copy_ref_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    rng = random.Random(5)
    big = "10 4000 1500\n" + "\n".join(f"{rng.randint(0, 9)} {rng.randint(0, 3999)}" for _ in range(1500)) + "\n"
    assert_r4(r4("copies.local_copy_ref", LOCAL, [big, "2 3 2\n0 1\n1 2\n"], tmp_path, sandbox))


def test_local_copy_ref_leaves_unsafe_copies_alone() -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
vector<int> global;
void touch() { global.push_back(1); }
vector<int> make() { return {1}; }
int main() {
    vector<int> a = {1, 2}, c = {3};
    int arr[3] = {1, 2, 3};
    {
        auto b = a; b.push_back(3); cout << b.size();
    }
    {
        auto b = a; a.push_back(4); cout << b.size();
    }
    {
        auto b = a; cout << b.size(); a[0] = 5;
    }
    {
        vector<int> b = make(); cout << b.size();
    }
    {
        vector<long long> b = a; cout << b.size();
    }
    {
        auto b = arr; cout << b[0];
    }
    {
        auto b = global; touch(); cout << b.size();
    }
    {
        auto& alias = a;
        auto b = a; alias.push_back(1); cout << b.size();
    }
    {
        auto add = [&](int x) { c.push_back(x); };
        auto b = c; add(1); cout << b.size();
    }
    {
        int x = 3; int y = x; cout << y;
    }
    {
        auto b = a; auto f = [&] { return b.size(); }; cout << f();
    }
    {
        auto b = a; swap(a, c); cout << b.size();
    }
    {
        auto b = a; sort(a.begin(), a.end()); cout << b[0];
    }
    {
        vector<map<int, int>> maps(2);
        auto b = maps[0]; cout << maps[0][5] << b.size();
    }
    {
        vector<vector<int>> g(2, vector<int>(3));
        auto& row = g[0];
        auto b = row; g[0][0] = 7; cout << b[0];
    }
}
vector<int> escapes(vector<int> a) { auto b = a; return b; }
void through_reference(vector<int>& a) { auto b = a; global.push_back(1); cout << b.size(); }
"""
    assert matches("copies.local_copy_ref", source) == []


def test_local_copy_ref_compiles_on_varied_code(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
std::vector<std::string> names = {"a", "b"};
int f(const std::vector<int>& unused, std::vector<int> a) {
    std::vector<int> b = a;
    const std::vector<int> c = a;
    return b.size() + c.size() + unused.size();
}
int main() {
    int r = f({}, {1});
    std::string s = "abc";
    auto t = s;
    std::string u = names[1];
    std::cout << t << u << r << '\n';
}
"""
    out = rewritten("copies.local_copy_ref", source)
    assert "const std::vector<int>& b = a;" in out
    assert "const std::vector<int>& c = a;" in out
    assert "const auto& t = s;" in out
    assert "const std::string& u = names[1];" in out
    _compiles(out, tmp_path)


MOVE = r"""
#include <iostream>
#include <string>
#include <vector>
using namespace std;
int main() {
    int n, m; cin >> n >> m;
    vector<vector<int>> rows;
    vector<string> names;
    for (int i = 0; i < n; i++) {
        vector<int> row(m);
        row[i % m] = i;
        rows.push_back(row);
        string name(m, char('a' + i % 26));
        names.push_back(name);
    }
    long long total = 0;
    for (int i = 0; i < n; i++) total += rows[i][i % m] + names[i][i % m];
    cout << total << endl;
}
"""


def test_move_last_use_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("copies.move_last_use", MOVE, ["3000 400\n", "3 2\n"], tmp_path, sandbox))


def test_move_last_use_leaves_later_uses_alone() -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
vector<string> out;
string global = "g";
void keep(vector<string>& v, string& r, const string c, string p) {
    v.push_back(r); v.push_back(c); v.push_back(p); cout << p;
}
int main() {
    string s = "abc";
    out.push_back(s);
    cout << s;
    string t;
    for (int i = 0; i < 3; i++) { t += "x"; out.push_back(t); }
    string u = "u";
    for (int i = 0; i < 3; i++) { out.push_back(u); }
    string w;
    for (int i = 0; i < 3; i++) { if (i) cin >> w; out.push_back(w); }
    string x = "x";
    const string& rx = x;
    out.push_back(x);
    cout << rx;
    static string st = "s";
    out.push_back(st);
    out.push_back(global);
    int k = 3;
    vector<int> ints;
    ints.push_back(k);
    string y = "y";
    auto f = [&] { out.push_back(y); };
    f();
    string z = "z";
    out.push_back(z), cout << z;
    string q;
    for (int i = 0; i < 3; i++) { out.push_back(q); if (i) cin >> q; }
    string r = "r";
    auto& alias = r;
    out.push_back(r);
    cout << alias;
    string d;
    do { cin >> d; out.push_back(d); } while (d != "end");
    string e = "e";
    for (char c : e) out.push_back(e);
    string g = "g";
    while (g.size() < 5) { out.push_back(g); g = g + "x"; }
}
int jumps() {
    string s = "s";
    again:
    out.push_back(s);
    if (out.size() < 3) goto again;
    return 0;
}
"""
    assert matches("copies.move_last_use", source) == []


def test_move_last_use_compiles_on_varied_code(tmp_path: Path) -> None:
    source = r"""
#include <iostream>
#include <map>
#include <string>
#include <vector>
std::vector<std::string> split(std::string line) {
    std::vector<std::string> parts;
    std::string cur;
    for (char ch : line) {
        if (ch == ' ') { parts.push_back(cur); cur = ""; } else cur += ch;
    }
    parts.push_back(cur);
    return parts;
}
int main() {
    std::map<int, std::string> byId;
    std::vector<std::string> all;
    std::string s;
    while (std::cin >> s) all.push_back(s);
    int n = 0;
    for (int i = 0; i < 2; i++) {
        std::string name;
        std::cin >> name;
        std::string copy = name;
        byId[i] = copy;
        n += i;
    }
    std::string last;
    for (int i = 0; i < 2; i++) { std::getline(std::cin, last); all.push_back(last); }
    std::vector<int> v = {1, 2};
    std::vector<int> w;
    w = v;
    std::cout << split("a b").size() + all.size() + byId.size() + w.size() + n << '\n';
}
"""
    out = rewritten("copies.move_last_use", source)
    for moved in ("parts.push_back(std::move(cur))", "all.push_back(std::move(s))", "byId[i] = std::move(copy)"):
        assert moved in out
    assert "std::string copy = std::move(name)" in out
    assert "all.push_back(std::move(last))" in out
    assert "w = std::move(v)" in out
    assert out.count("#include <utility>\n") == 1
    _compiles(out, tmp_path)


@pytest.mark.parametrize("name", ["copies.const_ref_param", "copies.range_for_const_ref", "copies.local_copy_ref"])
def test_copies_skip_broken_regions(name: str) -> None:
    broken = "#include <vector>\nint f(std::vector<int> v) { for (auto x : v) { return x; }\nint g( {\n"
    assert matches(name, broken) == []


EAST_CONST = """#include <iostream>
#include <vector>
using namespace std;
int sum(vector<int> const v) { int s = 0; for (int x : v) s += x; return s; }
int main() {
    vector<int> a(5, 1);
    vector<int> const b = a;
    cout << sum(a) + b.size() << '\\n';
}
"""


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("copies.const_ref_param", "int sum(vector<int> const& v)"),
        ("copies.local_copy_ref", "vector<int> const& b = a;"),
    ],
)
def test_east_const_gets_its_reference_after_the_const(name: str, line: str, tmp_path: Path) -> None:
    # "vector<int>& const b" is a const reference, which does not compile (found by the inverse's helper).
    result = rewritten(name, EAST_CONST)
    assert line in result
    (tmp_path / "a.cpp").write_text(result)
    subprocess.run(["g++", "-std=c++17", "-fsyntax-only", str(tmp_path / "a.cpp")], check=True)

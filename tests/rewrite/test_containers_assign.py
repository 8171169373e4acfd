"""containers.assign_not_reconstruct: R4 on a real program, silent where unsafe, and compiling output."""

from __future__ import annotations

import subprocess
from pathlib import Path

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten

NAME = "containers.assign_not_reconstruct"

#: Each row is rebuilt from scratch: a fresh allocation per row, where assign reuses the first row's buffer.
ROWS = r"""
#include <iostream>
#include <string>
#include <vector>
using namespace std;
int main() {
    int n, m;
    cin >> n >> m;
    vector<int> row;
    string mark;
    long long total = 0;
    for (int i = 0; i < n; i++) {
        row = vector<int>(m, 0);
        mark = string(m, '.');
        for (int j = 0; j < m; j++) row[(i * 7 + j * 3) % m] += j;
        mark[i % m] = '#';
        total += row[i % m] + (mark[(i + 1) % m] == '#');
    }
    cout << total << '\n';
}
"""


def test_assign_not_reconstruct_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4(NAME, ROWS, ["20000 24\n", "3 1\n"], tmp_path, sandbox))


def test_assign_not_reconstruct_leaves_unsafe_rebuilds_alone() -> None:
    for body in (
        "v = vector<int>(v.begin(), v.end());",  # an iterator pair (into v itself), not a count
        "v = vector<int>(w);",  # a copy of another vector
        "v = vector<int>(n, v[0]);",  # assign's value must not refer into v
        "v = vector<int>(2.5, 1);",  # not certainly a count
        "v = vector<int>(n, 0, allocator<int>());",  # an allocator
        "b = vector<bool>(n);",  # vector<bool>
        "L = vector<int>(n);",  # another element type (does not compile, but must not be made to)
        "vector<int> loc; loc = vector<int>(n);",  # declared inside the loop: nothing to reuse
        "*p = vector<int>(n);",  # not a named container
        "q = vector<int>(n);",  # a pointer
        "v = vector<int>{n, 0};",  # braces: two elements, not n
        "s = string(p2, n);",  # (const char*, count): the count is not first
        "u = vector<int>(n);",  # a typedef the rewrite cannot see through
        "int x = (v = vector<int>(n, 0)).size(); (void)x;",  # the assignment's value is used
    ):
        source = f"""
#include <vector>
#include <string>
using namespace std;
typedef vector<int> vi;
int main() {{
    int n = 3; const char* p2 = "abc";
    vector<int> v, w; vector<bool> b; vector<long long> L; vector<int>* p = &v; vector<int>* q = &w; string s; vi u;
    for (int i = 0; i < n; i++) {{ {body} }}
    return (int)v.size() + (int)w.size() + (int)b.size() + (int)L.size() + (int)s.size() + (int)u.size() + (p == q);
}}
"""
        assert matches(NAME, source) == [], body
    # Not in a loop at all; a user type that happens to be called vector.
    assert matches(NAME, "#include <vector>\nint main() { std::vector<int> v; v = std::vector<int>(5, 1); }") == []
    mine = """
template <class T> struct vector { vector(int, T) {} void assign(int, T) {} };
int main() { vector<int> v(1, 1); for (int i = 0; i < 3; i++) v = vector<int>(i, 0); }
"""
    assert matches(NAME, mine) == []


VARIED = r"""
#include <iostream>
#include <string>
#include <utility>
#include <vector>
typedef long long ll;
template <class T>
void refill(std::vector<T>& out, int n) {
    for (int i = 0; i < n; i++) out = std::vector<T>(n);
}
void grid(std::vector<ll>& w, std::string& s, int n) {
    for (int i = 0; i < n; i++) {
        w = std::vector<long long>(n + 1);
        s = std::string(w.size(), 'x');
    }
}
int main() {
    int n = 4;
    std::vector<int> a(n, 0);
    std::vector<std::pair<int, int>> pr;
    std::vector<ll> w;
    std::string s;
    while (n-- > 1) {
        a = std::vector<int>(a.size() + 1, n);
        pr = std::vector<std::pair<int, int>>(a.size());
    }
    refill(a, 3);
    grid(w, s, 3);
    std::cout << a.size() << pr.size() << w.size() << s << '\n';
}
"""


def test_assign_not_reconstruct_output_compiles(tmp_path: Path) -> None:
    assert len(matches(NAME, VARIED)) == 5
    src = tmp_path / "varied.cpp"
    src.write_text(rewritten(NAME, VARIED))
    assert "w.assign(n + 1, {})" in src.read_text()
    subprocess.run(["g++", "-std=c++17", "-fsyntax-only", str(src)], check=True)

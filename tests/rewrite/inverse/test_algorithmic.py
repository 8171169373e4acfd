"""algorithmic inverses: same output after de-optimizing, silent where unsafe, discovered."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.algorithmic import BinaryToLinearSearch
from tests.rewrite.harness import check_inverse

#: Every search on sorted data: a vector, an array piece, strings, pairs, in main and in a function.
SEARCHES = r"""
#include <bits/stdc++.h>
using namespace std;
int e = 5;  // the name the lambda parameter would have taken
int rank_of(const vector<pair<int, int>>& ps, int a, int b) {
    pair<int, int> key{a, b};
    return lower_bound(ps.begin(), ps.end(), key) - ps.begin();
}
int main() {
    int n, q;
    cin >> n >> q;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    sort(a.begin(), a.end());
    int b[7] = {1, 3, 3, 3, 7, 9, 9};
    vector<string> words = {"apple", "kiwi", "kiwi", "pear"};
    vector<pair<int, int>> ps = {{1, 2}, {1, 5}, {2, 0}, {4, 4}};
    while (q--) {
        long long x;
        string w;
        cin >> x >> w;
        long long lo = lower_bound(a.begin(), a.end(), x) - a.begin();
        long long hi = std::upper_bound(a.begin(), a.end(), x) - a.begin();
        bool has = binary_search(a.begin(), a.end(), x + e);
        int* p = lower_bound(b, b + 7, x % 10);
        int c = upper_bound(b + 1, b + 6, x - 1) - b;
        bool nine = std::binary_search(begin(b), end(b), 9);
        int at = lower_bound(words.begin(), words.end(), w) - words.begin();
        int kiwi = upper_bound(words.begin(), words.end(), "kiwi") - words.begin();
        cout << lo << ' ' << hi << ' ' << has << ' ' << (p - b) << ' ' << c << ' ' << nine << ' ' << at << ' '
             << kiwi << ' ' << rank_of(ps, x % 3, x % 5) << ' ' << (x == e ? 1 : 0) << '\n';
    }
}
"""
#: An empty array, duplicates, x below, between, equal to and above every element.
INPUTS = [
    "0 3\n5 kiwi\n-1 a\n100 zzz\n",
    "6 6\n4 4 4 1 9 9\n4 kiwi\n-10 aaa\n100 pear\n9 zebra\n1 apple\n5 kiwis\n",
    "1 2\n7\n7 kiwi\n8 pea\n",
]


def test_binary_to_linear_search(tmp_path: Path) -> None:
    result = check_inverse(BinaryToLinearSearch(), SEARCHES, INPUTS, tmp_path)
    assert "lower_bound" not in result and "upper_bound" not in result and "binary_search" not in result
    assert "find_if(a.begin(), a.end(), [&](const auto& e_2) { return !(e_2 < x); }) - a.begin()" in result
    assert "std::find_if(a.begin(), a.end(), [&](const auto& e_2) { return x < e_2; })" in result
    assert "any_of(a.begin(), a.end(), [&](const auto& e_2) { return !(e_2 < (x + e)) && !((x + e) < e_2); })" in (
        result
    )
    assert "find_if(b, b + 7, [&](const auto& e_2) { return !(e_2 < (x % 10)); })" in result
    assert 'return "kiwi" < e_2;' in result
    assert "find_if(ps.begin(), ps.end(), [&](const auto& e_2) { return !(e_2 < key); })" in result
    assert "#include <algorithm>" not in result  # bits/stdc++.h has it


#: No using namespace std and no <algorithm> (<vector> declares lower_bound in libstdc++, not find_if): find_if must
#: be spelled std:: and its header added.
QUALIFIED = r"""
#include <cstdio>
#include <vector>
int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    std::vector<int> v(n);
    for (int i = 0; i < n; i++) std::scanf("%d", &v[i]);
    int x;
    while (std::scanf("%d", &x) == 1) {
        int lo = std::lower_bound(v.begin(), v.end(), x) - v.begin();
        int hi = std::lower_bound(v.begin() + lo, v.end(), x + 1) - v.begin();
        std::printf("%d %d\n", lo, hi);
    }
}
"""


def test_qualified_and_header_added(tmp_path: Path) -> None:
    inputs = ["0\n1 2\n", "5\n1 2 2 2 8\n2 0 9 8 1\n", "3\n-5 -5 -5\n-5 -6 -4\n"]
    result = check_inverse(BinaryToLinearSearch(), QUALIFIED, inputs, tmp_path)
    assert result.count("std::find_if(") == 2
    assert "#include <algorithm>" in result


def _silent(source: str) -> None:
    assert BinaryToLinearSearch().find(Parsed(source)) == [], source


#: Each case below puts one call in place of BODY.
UNSAFE = (
    "#include <bits/stdc++.h>\nusing namespace std;\n#define BIG (k++)\nint k;\nint next() { return k++; }\n"
    "int main() { vector<int> v(5); set<int> s; int x = 3; BODY }\n"
)


@pytest.mark.parametrize(
    "body",
    [
        # A comparator: the scan would have to call it the way the search does.
        "auto it = lower_bound(v.begin(), v.end(), x, greater<int>());",
        # Side effects in any argument: evaluated once by the search, n times (or in another order) by the scan.
        "auto it = lower_bound(v.begin(), v.end(), x++);",
        "auto it = lower_bound(v.begin(), v.end(), next());",
        "auto it = lower_bound(v.begin() + k++, v.end(), x);",
        "bool f = binary_search(v.begin(), v.end(), v.back());",
        # A volatile value may read differently for each element.
        "volatile int y = 2; auto it = lower_bound(v.begin(), v.end(), y);",
        # The members of set and map: another search altogether.
        "auto it = s.lower_bound(x);",
        # Unevaluated operand: no lambda there in C++17.
        "decltype(lower_bound(v.begin(), v.end(), x)) it = v.begin();",
        # A structured binding: clang before 16 cannot capture it.
        "auto [p, r] = make_pair(x, k); auto it = lower_bound(v.begin(), v.end(), p);",
        # A macro may hide anything.
        "auto it = lower_bound(v.begin(), v.end(), BIG);",
        # A local array of variable length: g++ cannot capture it (found compiling corpus pairs).
        "int w[k]; w[0] = 1; auto it = lower_bound(v.begin(), v.end(), w[0]);",
        # Ranges and explicit template arguments: other functions.
        "auto it = ranges::lower_bound(v.begin(), v.end(), x);",
        "auto it = lower_bound<vector<int>::iterator, int>(v.begin(), v.end(), x);",
    ],
)
def test_silent_on_unsafe_calls(body: str) -> None:
    _silent(UNSAFE.replace("BODY", body))


def test_fires_beside_the_unsafe_calls() -> None:
    # The same program with a plain call: the silences above come from the call, not from the file.
    safe = UNSAFE.replace(
        "BODY", "auto it = lower_bound(v.begin(), v.end(), x); bool f = binary_search(v.begin(), v.end(), k);"
    )
    assert len(BinaryToLinearSearch().find(Parsed(safe))) == 2


def test_silent_with_user_comparison() -> None:
    # operator< may count or print its calls, and the scan makes more of them.
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\nint calls;\n"
        "struct P { int a; bool operator<(const P& o) const { calls++; return a < o.a; } };\n"
        "int main() { vector<P> v(3); P x{1}; auto it = lower_bound(v.begin(), v.end(), x); }\n"
    )
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\n"
        "struct W { int a; operator int() const { return a; } };\n"
        "int main() { vector<int> v(3); W x{1}; auto it = lower_bound(v.begin(), v.end(), x); }\n"
    )


def test_silent_on_other_lower_bounds() -> None:
    # The program's own lower_bound, and one found only by ADL (no using namespace std).
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\n"
        "int* lower_bound(int* a, int* b, int x) { while (a != b && *a < x) ++a; return a; }\n"
        "int main() { int a[3] = {1, 2, 3}; int* p = lower_bound(a, a + 3, 2); return *p; }\n"
    )
    _silent(
        "#include <vector>\n#include <algorithm>\n"
        "int main() { std::vector<int> v(3); int x = 1; return lower_bound(v.begin(), v.end(), x) - v.begin(); }\n"
    )


def test_silent_outside_function_bodies() -> None:
    # A lambda with a capture default may not appear at namespace scope or in a default argument.
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\nint a[3] = {1, 2, 3};\n"
        "int* p = lower_bound(a, a + 3, 2);\n"
        "int f(int* q = lower_bound(a, a + 3, 2)) { return *q; }\n"
        "int main() { return *p + f(); }\n"
    )


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["algorithmic.binary_to_linear_search"].inverts == "algorithmic.binary_search"

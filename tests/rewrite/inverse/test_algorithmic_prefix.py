"""algorithmic_prefix inverse: same output with range sums recomputed, silent where unsafe, discovered."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.algorithmic_prefix import PrefixSumToLoop
from tests.rewrite.harness import check_inverse

#: Both prefix conventions: 1-indexed ``pre[i] = pre[i - 1] + a[i]`` built while scanf reads a, queried as
#: ``pre[r] - pre[l - 1]``; 0-indexed ``p[i + 1] = p[i] + b[i]`` over a vector read by a range-for, queried as
#: ``p[r] - p[l]`` (and reversed, l > r) and in a sliding window; a count of even terms in an int array; an
#: unsigned prefix that wraps.
QUERIES = r"""
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
int n, q, k;
int a[200005];
ll pre[200005];
int evens[200005];
unsigned int wrap[200005];
int main() {
    scanf("%d %d %d", &n, &q, &k);
    for (int i = 1; i <= n; i++) {
        scanf("%d", &a[i]);
        pre[i] = pre[i - 1] + a[i];
    }
    vector<long long> b(n);
    for (auto& x : b) cin >> x;
    vector<long long> p(n + 1);
    for (int i = 0; i < n; i++) p[i + 1] = p[i] + b[i];
    for (int i = 0; i < n; ++i) evens[i + 1] = evens[i] + (b[i] % 2 == 0);
    for (int i = 0; i < n; i += 1) wrap[i + 1] = wrap[i] + b[i] * 3;
    ll best = LLONG_MIN;
    for (int i = k; i <= n; i++) best = max(best, p[i] - p[i - k]);
    printf("%lld\n", best);
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        printf("%lld %lld %lld %d %u\n", pre[r] - pre[l - 1], p[r] - p[l - 1], p[l - 1] - p[r],
               evens[r] - evens[l - 1], wrap[r] - wrap[l - 1]);
    }
}
"""
#: Single elements, whole ranges, empty ranges (l = r + 1), negative and huge values (the unsigned prefix wraps).
INPUTS = [
    "1 1 1\n5\n7\n1 1\n",
    "5 4 2\n1 -2 3 -4 5\n10 20 30 40 50\n1 5\n2 4\n3 3\n4 3\n",
    "6 3 3\n1000000 1000000 1000000 1000000 1000000 1000000\n3000000000 -3000000000 4000000000 7 8 9\n1 6\n2 5\n6 6\n",
]


def test_prefix_sum_to_loop(tmp_path: Path) -> None:
    result = check_inverse(PrefixSumToLoop(), QUERIES, INPUTS, tmp_path)
    assert "pre[r] - pre[l - 1]" not in result and "p[i] - p[i - k]" not in result
    assert (
        "[&]() -> ll { ll sum = 0; for (int t = l; t < r + 1; ++t) sum += a[t]; "
        "for (int t = r + 1; t < l; ++t) sum -= a[t]; return sum; }()" in result
    )
    assert (
        "[&]() -> long long { long long sum = 0; for (int t = l - 1; t < r; ++t) sum += b[t]; "
        "for (int t = r; t < l - 1; ++t) sum -= b[t]; return sum; }()" in result
    )
    assert "for (int t = r; t < l - 1; ++t) sum += b[t]; for (int t = l - 1; t < r; ++t) sum -= b[t];" in result
    assert "best = max(best, [&]() -> long long { long long sum = 0; for (int t = i - k; t < i; ++t)" in result
    assert "[&]() -> int { int sum = 0; for (int t = l - 1; t < r; ++t) sum += (b[t] % 2 == 0);" in result
    assert "[&]() -> unsigned int { unsigned int sum = 0; for (int t = l - 1; t < r; ++t) sum += b[t] * 3;" in result
    assert "        pre[i] = pre[i - 1] + a[i];\n" in result  # the build stays: other reads may use it


def _silent(source: str) -> None:
    assert PrefixSumToLoop().find(Parsed(source)) == [], source


#: Each case replaces BODY in a program whose build loop and query are otherwise safe.
UNSAFE = r"""
#include <bits/stdc++.h>
using namespace std;
int n, x;
int a[100];
long long p[101];
int main() {
    cin >> n;
    for (int i = 0; i < n; i++) cin >> a[i];
    BODY
}
"""
SAFE = "for (int i = 0; i < n; i++) p[i + 1] = p[i] + a[i];\n    cout << p[n] - p[1];"


def test_fires_on_the_safe_program() -> None:
    assert len(PrefixSumToLoop().find(Parsed(UNSAFE.replace("BODY", SAFE)))) == 1


@pytest.mark.parametrize(
    "body",
    [
        # a changes after the build: the prefix array keeps the old sums.
        SAFE.replace("\n    cout", "\n    sort(a, a + n);\n    cout"),
        SAFE.replace("\n    cout", "\n    a[2] = 7;\n    cout"),
        # The prefix array changes after the build.
        SAFE.replace("\n    cout", "\n    p[1] += 3;\n    cout"),
        # An alias may write a at any time.
        "int* q = a;\n    " + SAFE.replace("\n    cout", "\n    q[1] = 4;\n    cout"),
        # The query before the build, or outside its block.
        "cout << p[n] - p[1];\n    " + SAFE.split("\n")[0],
        "if (n > 2) {\n        " + SAFE.replace("\n    cout", "\n    }\n    cout"),
        # The index does not rise by one, or the body may skip the build.
        SAFE.replace("i++", "i += 2"),
        "for (int i = n - 1; i >= 0; i--) p[i + 1] = p[i] + a[i];\n    cout << p[n] - p[1];",
        "for (int i = 0; i < n; i++) {\n        if (a[i] < 0) continue;\n        p[i + 1] = p[i] + a[i];\n    }\n"
        "    cout << p[n] - p[1];",
        # The offsets do not chain: p[i + 1] from p[i - 1].
        "for (int i = 1; i < n; i++) p[i + 1] = p[i - 1] + a[i];\n    cout << p[n] - p[1];",
        # A term of a local declared in the loop: gone by the time of the query.
        "for (int i = 0; i < n; i++) {\n        int v;\n        cin >> v;\n        p[i + 1] = p[i] + v;\n    }\n"
        "    cout << p[n] - p[1];",
        # An input read at another index than the term's: a[i + 1] is read after p[i + 1] was built from it.
        "for (int i = 0; i < n; i++) {\n        cin >> a[i + 1];\n        p[i + 1] = p[i] + a[i + 1];\n"
        "        cin >> a[i + 1];\n    }\n    cout << p[n] - p[1];",
        # A floating term: the loop's rounding differs from the difference of two rounded sums.
        SAFE.replace("+ a[i]", "+ a[i] * 0.5"),
        # The query in a lambda, or in an unevaluated operand (no lambda there in C++17).
        SAFE.replace("cout << p[n] - p[1];", "auto f = [&] { return p[n] - p[1]; };\n    cout << f();"),
        SAFE.replace("cout << p[n] - p[1];", "cout << sizeof(p[n] - p[1]);"),
        # An index with a side effect: evaluated once by the query, on every pass by the loop.
        SAFE.replace("p[n] - p[1]", "p[n] - p[x++]"),
    ],
)
def test_silent_on_unsafe_builds_and_queries(body: str) -> None:
    _silent(UNSAFE.replace("BODY", body))


def test_silent_when_another_function_writes_the_array() -> None:
    # touch() may run between the build and the query: calls are not followed, writes elsewhere are refused.
    source = UNSAFE.replace("int main", "void touch() { a[0] = 9; }\nint main").replace("BODY", SAFE)
    _silent(source.replace("\n    cout", "\n    touch();\n    cout"))


def test_silent_on_narrow_and_floating_prefixes() -> None:
    # A short prefix promotes to int in the difference, where the loop's sum would wrap at 16 bits.
    _silent(UNSAFE.replace("long long p[101];", "short p[101];").replace("BODY", SAFE))
    _silent(UNSAFE.replace("long long p[101];", "double p[101];").replace("BODY", SAFE))


def test_silent_on_a_shadowed_term() -> None:
    # At the query, `a` names another array: the loop would sum the wrong one.
    _silent(UNSAFE.replace("BODY", SAFE.replace("\n    cout", "\n    {\n        int a[100] = {};\n        cout") + "}"))


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["algorithmic.prefix_sum_to_loop"].inverts == "algorithmic.prefix_sums"

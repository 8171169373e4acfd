"""Loops rewrites: R4 on a real program, left alone where unsafe, and compiling on varied spellings."""

from __future__ import annotations

import random
from pathlib import Path

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten, same_output

#: Primes up to n by trial division, with sqrt in the inner loop's condition.
PRIMES = r"""
#include <cmath>
#include <cstdio>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    int count = 0;
    for (int m = 2; m <= n; m++) {
        bool prime = true;
        for (int i = 2; i <= sqrt(m); i++) {
            if (m % i == 0) {
                prime = false;
                break;
            }
        }
        if (prime) count++;
    }
    printf("%d\n", count);
}
"""

#: Naive Fibonacci, asked a few times.
FIB = r"""
#include <iostream>
using namespace std;
long long fib(int n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}
int main() {
    int q;
    cin >> q;
    while (q--) {
        int n;
        cin >> n;
        cout << fib(n) << '\n';
    }
}
"""

#: Is there a pair summing to the target? The naive double loop keeps going after the answer.
PAIRS = r"""
#include <cstdio>
#include <vector>
int main() {
    int n, target;
    if (scanf("%d %d", &n, &target) != 2) return 0;
    std::vector<int> a(n);
    for (int i = 0; i < n; i++) scanf("%d", &a[i]);
    bool found = false;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (a[i] + a[j] == target) found = true;
    puts(found ? "YES" : "NO");
}
"""


def test_hoist_invariant_call_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("loops.hoist_invariant_call", PRIMES, ["30000\n", "10\n"], tmp_path, sandbox))


def test_hoist_invariant_call_leaves_changing_arguments_alone() -> None:
    source = r"""
#include <cmath>
#include <cstring>
#include <iostream>
#include <vector>
using namespace std;
int g = 100;
const int LIMIT = 100;
void touch() { g--; }
void read(int& x) { cin >> x; }
int main() {
    int n = 100, m = 50, k = 9, r = 4, w = 16;
    int* p = &k;
    auto shrink = [&] { r--; };
    vector<double> v(3, 4.0);
    const char* s = "abc";
    for (int i = 2; i <= sqrt(n); i++) n /= i;
    for (int i = 2; i <= sqrt(m); i++) read(m);
    for (int i = 2; i <= sqrt(m); i++) cin >> m;
    for (int i = 2; i <= sqrt(k); i++) *p = 1;
    for (int i = 2; i <= sqrt(r); i++) shrink();
    for (int i = 2; i <= sqrt(g); i++) touch();
    for (int i = 2; i <= sqrt(v[0]); i++) v[0] = 1;
    for (int i = 2; i <= (int)strlen(s); i++) {}
    for (int i = 2, t = 9; i <= sqrt(t); i++) {}
    for (int i = 2; i <= sqrt(i + 1); i++) {}
    for (int i = 2; i <= sqrt(w++); i++) {}
    for (int i = 2; i <= sqrt(w); i++) { int w = 3; w++; }
    for (int i = 2; i <= sqrt(LIMIT) + exp(2); i++) {}
    return n + m + k + r + g;
}
"""
    assert matches("loops.hoist_invariant_call", source) == []
    own = """
double sqrt(int x) { static int c; return x + c++; }
int main() { int n = 9, c = 0; for (int i = 0; i < sqrt(n); i++) c++; return c; }
"""
    assert matches("loops.hoist_invariant_call", own) == []
    # Only the clean part of a file tree-sitter parses partly.
    broken = PRIMES + "\nint broken( { int n = 5; for (int i = 0; i < sqrt(n); i++) {} \n"
    assert len(matches("loops.hoist_invariant_call", broken)) == 1


def test_hoist_invariant_call_compiles_on_varied_spellings(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
const int LIMIT = 1000;
template <class T> int below(T n) { int c = 0; for (T i = 1; i < std::log2(n); i++) c++; return c; }
int main() {
    int n = 1000, c = 0;
    long long big = 1LL << 40;
    for (int i = 2; i <= (int)sqrt(n) + 1; i++) c += i;
    for (int i = 2; i <= sqrt(n); i++) c ^= i;
    if (c) for (auto i = 0LL; i * i < std::cbrt(big) * 2; i++) c++;
    int k = 0;
    while (k < std::sqrt(LIMIT)) k++;
    switch (c % 2) { case 0: for (int i = 0; i < exp(k / 100); i++) c--; break; default: break; }
    printf("%d %d %d\n", c, k, below(1 << 20));
}
"""
    assert len(matches("loops.hoist_invariant_call", source)) == 5
    same_output(source, rewritten("loops.hoist_invariant_call", source), tmp_path, "")


def test_memoize_recursion_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("loops.memoize_recursion", FIB, ["3\n27\n25\n30\n", "2\n0\n5\n"], tmp_path, sandbox))


def test_memoize_recursion_leaves_impure_functions_alone() -> None:
    source = r"""
#include <cstdio>
#include <vector>
int calls = 0;
const int MOD = 1000000007;
int table[50];
std::vector<int> memo(50, -1);
int counted(int n) { calls++; return n < 2 ? n : counted(n - 1) + counted(n - 2); }
int printing(int n) { printf("%d", n); return n < 2 ? n : printing(n - 1) + printing(n - 2); }
int cached(int n) { static int hits; hits++; return n < 2 ? n : cached(n - 1) + cached(n - 2); }
int reading(int n) { return n < 2 ? table[n] : reading(n - 1) + reading(n - 2); }
int viaref(int& n) { int m = n - 1; return n < 2 ? n : viaref(m) + viaref(m); }
int viaptr(int* n) { return *n < 2 ? *n : viaptr(n) + 1; }
double real(double x) { return x < 2 ? x : real(x - 1) + real(x - 2); }
int helper(int n) { return n; }
int other(int n) { return n < 2 ? helper(n) : other(n - 1) + other(n - 2); }
int factorial(int n) { return n < 2 ? 1 : n * factorial(n - 1) % MOD; }
int mutual_b(int n);
int mutual_a(int n) { return n < 2 ? n : mutual_b(n - 1) + mutual_b(n - 2); }
int mutual_b(int n) { return n < 2 ? n : mutual_a(n - 1) + mutual_a(n - 2); }
constexpr int cfib(int n) { return n < 2 ? n : cfib(n - 1) + cfib(n - 2); }
template <class T> T tfib(T n) { return n < 2 ? n : tfib(n - 1) + tfib(n - 2); }
struct S { int f(int n) { return n < 2 ? n : f(n - 1) + f(n - 2); } };
int arr(int n) { int a[3] = {0, 1, 1}; return n < 3 ? a[n] : arr(n - 1) + arr(n - 2); }
int over(int n) { return n < 2 ? n : over(n - 1) + over(n - 2); }
int over(int n, int k) { return n + k; }
int filled(int n) { if (memo[n] != -1) return memo[n]; return memo[n] = n < 2 ? n : filled(n - 1) + filled(n - 2); }
int main() { return counted(5) + printing(3) + cached(4) + reading(4) + other(3) + factorial(5) + filled(9); }
"""
    assert matches("loops.memoize_recursion", source) == []


def test_memoize_recursion_compiles_on_varied_spellings(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
const ll MOD = 1000000007;
#define LIM 64
ll binom(int n, int k) {
    if (k == 0 || k == n) return 1;
    return (binom(n - 1, k - 1) + binom(n - 1, k)) % MOD;
}
ll paths(ll r, ll c) { if (r == 0 || c == 0) return 1; return paths(r - 1, c) + paths(r, c - 1); }
double tri(unsigned n) {
    if (n <= 1) return 1.0;
    double half = tri(n - 1) / 2;
    return half + tri(n - 2) + std::sqrt(n);
}
namespace util {
int stairs(int n) { int a = 1; if (n < 0) return 0; if (n == 0) return a; return stairs(n - 1) + stairs(n - 3) % LIM; }
}
int main() { printf("%lld %lld %.3f %d\n", binom(24, 12), paths(11, 11), tri(22), util::stairs(20)); }
"""
    assert len(matches("loops.memoize_recursion", source)) == 4
    same_output(source, rewritten("loops.memoize_recursion", source), tmp_path, "")


def test_early_exit_search_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    rng = random.Random(3)
    values = [rng.randint(1, 10**6) * 2 for _ in range(2000)]
    values[300], values[1700] = 1, 2  # the only odd sum, found early in the outer loop
    big = f"{len(values)} 3\n" + " ".join(map(str, values)) + "\n"
    assert_r4(r4("loops.early_exit_search", PAIRS, [big, "3 100\n1 2 3\n"], tmp_path, sandbox))


def test_early_exit_search_leaves_other_loops_alone() -> None:
    source = r"""
#include <map>
#include <vector>
int f(int x) { return x; }
std::vector<int> make() { return {1, 2}; }
struct Noisy { int* begin() const; int* end() const; };
int main() {
    Noisy noisy;
    int n = 5, x = 3, last = -1, count = 0, i;
    std::vector<int> a(n);
    std::map<int, int> m;
    bool found = false;
    volatile bool seen = false;
    for (int i = 0; i < n; i++) if (a[i] == x) { found = true; count++; }
    for (int i = 0; i < n; i++) if (a[i] == x) found = true; else count++;
    for (int i = 0; i < n; i++) if (a[i] == x) last = i;
    for (int i = 0; i < n; i++) if (a[i]++ == x) found = true;
    for (int i = 0; i < n; i++) if (f(a[i]) == x) found = true;
    for (int i = 0; i < n; i++) if (m[i] == x) found = true;
    for (int i = 0; i < n; i++) if (!found && a[i] == x) found = true;
    for (int i = 0; i < n; i++) if (a[i] == x) seen = true;
    for (i = 0; i < n; i++) if (a[i] == x) found = true;
    for (int i = 0; i < n; i++, count++) if (a[i] == x) found = true;
    for (int i = 0; i < n; i++) { count += a[i]; if (a[i] == x) found = true; }
    for (int i = 0; i < n; i++) { bool found = false; if (a[i] == x) found = true; }
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { if (a[j] == x) found = true; count++; }
    for (int v : make()) if (v == x) found = true;
    for (int v : noisy) if (v == x) found = true;
    for (int i = 0; i < n; i++) if (a[i] == x) found = i;
    return found + seen + last + count + i;
}
"""
    assert matches("loops.early_exit_search", source) == []


def test_early_exit_search_compiles_on_varied_spellings(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
int grid[30][30];
int main() {
    vector<long long> v(100);
    for (int i = 0; i < 100; i++) v[i] = i * 7 % 31;
    for (int i = 0; i < 30; i++) for (int j = 0; j < 30; j++) grid[i][j] = (i * j) % 17;
    bool has = false, has2 = false; int flag = 0; bool none = true;
    for (size_t i = 0; i < v.size(); i++) if (v[i] == 12) has = true;
    for (long long x : v) if (x == 30) has2 = true;
    for (int r = 0; r < 30; r++) {
        for (int c = 0; c < 30; c++) {
            if (grid[r][c] == 16) {
                flag = 1;  // found
            }
        }
    }
    for (int i = 0; i < 100; i++) if (v[i] > 40) none = false;
    cout << has << ' ' << has2 << ' ' << flag << ' ' << none << '\n';
}
"""
    assert len(matches("loops.early_exit_search", source)) == 4
    same_output(source, rewritten("loops.early_exit_search", source), tmp_path, "")

"""Math rewrites: R4 on a real program, left alone where unsafe, and compiling on varied spellings."""

from __future__ import annotations

from pathlib import Path

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten, same_output

#: Which of the first 30 cubes each number is, and the sum of the cubes: pow on the hot path.
CUBES = r"""
#include <cmath>
#include <cstdio>
using namespace std;
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    long long sum = 0;
    int hits = 0;
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        sum += (long long)pow(x, 3);
        for (int c = 1; c <= 30; c++)
            if (pow(c, 3) == x) hits++;
    }
    printf("%lld %d\n", sum, hits);
}
"""

#: Distinct prime factors by trial division, dividing n as it goes (so the bound cannot be hoisted).
FACTORS = r"""
#include <cmath>
#include <iostream>
using namespace std;
int main() {
    int q;
    cin >> q;
    while (q--) {
        int n;
        cin >> n;
        int distinct = 0;
        for (int p = 2; p <= sqrt(n); p++) {
            if (n % p == 0) {
                distinct++;
                while (n % p == 0) n /= p;
            }
        }
        if (n > 1) distinct++;
        cout << distinct << '\n';
    }
}
"""


def _numbers(count: int, seed: int, low: int, high: int) -> str:
    import random

    rng = random.Random(seed)
    return " ".join(str(rng.randint(low, high)) for _ in range(count))


def test_pow_small_integer_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    big = f"1500\n{_numbers(1500, 1, -30000, 30000)} 27 8 19683\n"
    assert_r4(r4("math.pow_small_integer", CUBES, [big, "3\n8 -8 5\n"], tmp_path, sandbox))


def test_pow_small_integer_leaves_inexact_and_impure_calls_alone() -> None:
    source = r"""
#include <cmath>
#include <vector>
#include <map>
using namespace std;
struct P { int x; };
int f(int x) { return x + 1; }
int main() {
    int a = 3; double d = 1.5; long double ld = 2; auto u = a; P p{2}; map<int, int> m; vector<double> dv(3);
    double s = pow(d, 3) + pow(ld, 3) + pow(u, 3) + pow(p.x, 3) + pow(m[a], 3) + pow(dv[0], 3);
    s += pow(a++, 3) + pow(f(a), 3) + pow(a, 2) + pow(a, 4) + pow(a, a) + pow(a, 3.0f) + pow(a = 2, 3) + pow(2, 3);
    return (int)s;
}
"""
    assert matches("math.pow_small_integer", source) == []
    # A pow of the file's own is not std::pow.
    own = "double pow(int x, int y) { return x + y; }\nint main() { int a = 2; return (int)pow(a, 3); }\n"
    assert matches("math.pow_small_integer", own) == []
    macro = "#include <cmath>\n#define pow(a, b) std::pow(b, a)\nint main() { int a = 2; return (int)pow(a, 3); }\n"
    assert matches("math.pow_small_integer", macro) == []


def test_pow_small_integer_compiles_on_varied_spellings(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
typedef long long ll;
template <class T> double cube(T x) { return std::pow(x, 3); }
int main() {
    int a = 7, b = 2; ll q = 100000; float f = 1.5f;
    std::vector<int> v(4, 3); std::vector<std::vector<ll>> g(2, std::vector<ll>(2, 5));
    short arr[3] = {1, 2, 3};
    double s = std::pow(a, 3) + pow(a - b, 3.0) + std::pow(q, 3) + pow(f, 3);
    s += pow(v[1], 3) + pow(g[1][0], 3) + pow(arr[2], 3);
    printf("%.1f %.1f\n", s, cube(4));
}
"""
    assert len(matches("math.pow_small_integer", source)) == 7
    same_output(source, rewritten("math.pow_small_integer", source), tmp_path, "")


def _is_prime(n: int) -> bool:
    """Miller-Rabin with bases 2, 3, 5, 7: exact below 3.2e9."""
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for a in (2, 3, 5, 7):
        x = pow(a, d, n)
        if x in (1, n - 1) or a == n:
            continue
        for _ in range(r - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def test_integer_sqrt_loop_bound_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    # Large primes (the worst case of trial division), squares and their neighbours, and the odd ones out.
    primes = [n for n in range(999_990_001, 1_000_000_000, 2) if _is_prime(n)][:50]
    numbers = [*primes, 46337 * 46337, 46337 * 46337 - 1, 2147483647, 1, 0, -5]
    numbers += [int(x) for x in _numbers(20, 2, 2, 10**9).split()]
    big = f"{len(numbers)}\n" + " ".join(map(str, numbers)) + "\n"
    assert_r4(r4("math.integer_sqrt_loop_bound", FACTORS, [big, "3\n12 49 97\n"], tmp_path, sandbox))


def test_integer_sqrt_loop_bound_leaves_inexact_bounds_alone() -> None:
    source = r"""
#include <cmath>
int main() {
    long long big = 1000000000000000000LL; int n = 50, m = 9; double d = 10; unsigned u = 3;
    for (int i = 2; i <= sqrt(big); i++) {}
    for (int i = 2; i <= sqrt(d); i++) {}
    for (unsigned i = 2; i <= sqrt(n); i++) {}
    for (long long i = -3; i <= sqrt(n); i++) {}
    for (int i = 2; i <= sqrt(n); i++) { i += 2; }
    for (int i = 2; i <= sqrt(n); i--) {}
    for (int i = 2; i < (int)sqrt(n); i++) {}
    for (int i = 2; i <= sqrt(n + m); i++) {}
    for (int i = 2; i <= sqrtf(n); i++) {}
    int j;
    for (j = 2; j <= sqrt(n); j++) {}
    return (int)u;
}
"""
    assert matches("math.integer_sqrt_loop_bound", source) == []
    # `int` is long long here: sqrt would see a rounded n.
    redefined = (
        "#include <cmath>\n#define int long long\nsigned main() { int n = 5; for (int i = 2; i <= sqrt(n); i++) {} }\n"
    )
    assert matches("math.integer_sqrt_loop_bound", redefined) == []
    own = """
double sqrt(int x) { return x / 2.0; }
int main() { int n = 9; int c = 0; for (int i = 2; i <= sqrt(n); i++) c++; return c; }
"""
    assert matches("math.integer_sqrt_loop_bound", own) == []


def test_integer_sqrt_loop_bound_is_exact_near_perfect_squares(tmp_path: Path) -> None:
    # Every n in windows around squares up to INT_MAX, and the negative and zero cases: same loop counts.
    source = r"""
#include <cmath>
#include <cstdio>
int main() {
    long long total = 0, sum = 0;
    for (long long r = 0; r <= 46341; r = r < 200 || r > 46300 ? r + 1 : r + 4603) {
        for (long long d = -2; d <= 2; d++) {
            long long v = r * r + d;
            if (v > 2147483647LL || v < -3) continue;
            int n = (int)v;
            int c = 0;
            for (int i = 0; i <= sqrt(n); i += 7) c++;
            for (int k = 1; (int)sqrt(n) >= k; k++) c++;
            for (int k = 3; k < std::sqrt(n); ++k) c++;
            total += c;
            sum ^= c * (v + 3);
        }
    }
    printf("%lld %lld\n", total, sum);
}
"""
    assert len(matches("math.integer_sqrt_loop_bound", source)) == 3
    same_output(source, rewritten("math.integer_sqrt_loop_bound", source), tmp_path, "")

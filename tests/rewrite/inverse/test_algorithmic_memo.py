"""algorithmic_memo inverses: same output after dropping the memo table, silent where unsafe, discovered."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.algorithmic_memo import UnmemoizePureRecursion, UnmemoizeRecursion
from tests.rewrite.harness import check_inverse

#: Pure recursions the forward rule memoizes again: a memset -1 table with `return memo[n] = e;`, and a
#: `~dp[n][k]` lookup with `dp[n][k] = r; return r;`.
PURE = r"""
#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
const int MOD = 1000000007;
ll memo[100];
ll fib(int n) {
    if (n < 2) return n;
    if (memo[n] != -1) return memo[n];
    return memo[n] = (fib(n - 1) + fib(n - 2)) % MOD;
}
int dp[40][40];
int binom(int n, int k) {
    if (k == 0 || k == n) return 1;
    if (~dp[n][k]) {
        return dp[n][k];
    }
    int r = (binom(n - 1, k - 1) + binom(n - 1, k)) % MOD;
    dp[n][k] = r;
    return r;
}
int main() {
    memset(memo, -1, sizeof memo);
    memset(dp, -1, sizeof(dp));
    int q;
    cin >> q;
    while (q--) {
        int n, k;
        cin >> n >> k;
        cout << fib(n) << ' ' << binom(n, k) << '\n';
    }
}
"""
#: Small arguments: the plain recursion is exponential.
PURE_INPUTS = ["1\n0 0\n", "3\n1 1\n10 3\n20 10\n", "2\n22 11\n5 0\n"]


def test_pure_recursion(tmp_path: Path) -> None:
    result = check_inverse(UnmemoizePureRecursion(), PURE, PURE_INPUTS, tmp_path)
    assert "memo" not in result and "dp" not in result and "memset" not in result
    assert "    return (fib(n - 1) + fib(n - 2)) % MOD;\n" in result
    assert "    int r = (binom(n - 1, k - 1) + binom(n - 1, k)) % MOD;\n    return r;\n}" in result
    assert UnmemoizeRecursion().find(Parsed(PURE)) == []  # the forward rule takes both back: the other is silent


#: Memo tables over input read by main: a seen flag beside the table (set after the store), a map with
#: count, a vector of vectors filled by assign with a `>= 0` lookup, an interval game reset per test case
#: inside the test loop, a three-argument digit DP, and a 0x3f memset tested against INF.
GENERAL = r"""
#include <bits/stdc++.h>
using namespace std;
#define INF 0x3f3f3f3f
int n, W;
int w[20], v[20];
long long best[21][1001];
bool seen[21][1001];
long long knap(int i, int c) {
    if (i == n) return 0;
    if (seen[i][c]) return best[i][c];
    long long r = knap(i + 1, c);
    if (w[i] <= c) r = max(r, knap(i + 1, c - w[i]) + v[i]);
    best[i][c] = r;
    seen[i][c] = true;
    return r;
}
map<long long, long long> steps;
long long collatz(long long x) {
    if (x == 1) return 0;
    if (steps.count(x)) return steps[x];
    return steps[x] = 1 + collatz(x % 2 ? 3 * x + 1 : x / 2);
}
vector<vector<int>> ways;
int paths(int r, int c) {
    if (r == 0 || c == 0) return 1;
    if (ways[r][c] >= 0) return ways[r][c];
    ways[r][c] = (paths(r - 1, c) + paths(r, c - 1) + w[0] % 3) % 1000;
    return ways[r][c];
}
int m;
int a[20];
int game[20][20];
int play(int l, int r) {
    if (l > r) return 0;
    if (game[l][r] != -1) return game[l][r];
    return game[l][r] = max(a[l] - play(l + 1, r), a[r] - play(l, r - 1));
}
vector<int> digits;
long long dd[12][120][2];
long long count_sum(int pos, int sum, int tight) {
    if (sum < 0) return 0;
    if (pos == (int)digits.size()) return sum == 0;
    if (dd[pos][sum][tight] != -1) return dd[pos][sum][tight];
    long long r = 0;
    int top = tight ? digits[pos] : 9;
    for (int d = 0; d <= top; d++) r += count_sum(pos + 1, sum - d, tight && d == top);
    return dd[pos][sum][tight] = r;
}
int cost[64];
int climb(int k) {
    if (k <= 1) return 0;
    if (cost[k] != INF) return cost[k];
    return cost[k] = min(climb(k - 1) + 1, k % 2 ? INF : climb(k / 2) + W % 2 + 1);
}
int main() {
    cin >> n >> W;
    for (int i = 0; i < n; i++) cin >> w[i] >> v[i];
    ways.assign(30, vector<int>(30, -1));
    long long x;
    int limit, s;
    cin >> x >> limit >> s;
    for (char ch : to_string(limit)) digits.push_back(ch - '0');
    memset(dd, -1, sizeof dd);
    memset(cost, 0x3f, sizeof cost);
    cout << knap(0, W) << ' ' << collatz(x) << ' ' << paths(n, W % 10) << ' ' << count_sum(0, s, 1) << ' '
         << climb(n + W % 40) << '\n';
    int t;
    cin >> t;
    while (t--) {
        cin >> m;
        for (int i = 0; i < m; i++) scanf("%d", &a[i]);
        memset(game, -1, sizeof game);
        cout << play(0, m - 1) << '\n';
    }
}
"""
GENERAL_INPUTS = [
    "3 10\n5 10\n4 40\n6 30\n27 100 1\n2\n3\n1 2 3\n4\n4 1 1 4\n",
    "10 30\n3 4\n4 5\n5 6\n6 7\n7 8\n8 9\n9 10\n2 1\n1 1\n10 20\n97 54321 17\n1\n10\n5 3 7 1 9 2 8 4 6 0\n",
    "1 0\n1 1\n1 7 0\n3\n1\n-5\n2\n7 7\n12\n1 2 3 4 5 6 7 8 9 10 11 12\n",
]


def test_memoized_dp(tmp_path: Path) -> None:
    result = check_inverse(UnmemoizeRecursion(), GENERAL, GENERAL_INPUTS, tmp_path)
    for gone in ("best", "seen", "steps", "ways", "game", "dd", "cost", "memset"):
        assert gone not in result, gone
    assert "    long long r = knap(i + 1, c);\n    if (w[i] <= c)" in result
    assert "    if (w[i] <= c) r = max(r, knap(i + 1, c - w[i]) + v[i]);\n    return r;\n}" in result
    assert "    return 1 + collatz(x % 2 ? 3 * x + 1 : x / 2);\n" in result
    assert "    return (paths(r - 1, c) + paths(r, c - 1) + w[0] % 3) % 1000;\n}" in result
    assert "    return max(a[l] - play(l + 1, r), a[r] - play(l, r - 1));\n" in result
    assert "    return r;\n}\nint climb" in result
    assert "    return min(climb(k - 1) + 1, k % 2 ? INF : climb(k / 2) + W % 2 + 1);\n" in result
    assert '        scanf("%d", &a[i]);\n        cout << play(0, m - 1)' not in result  # the loop stays
    assert '        for (int i = 0; i < m; i++) scanf("%d", &a[i]);\n        cout << play(0, m - 1)' in result
    assert "    digits.push_back" not in result and "for (char ch : to_string(limit)) digits.push_back" in result


def _silent(source: str) -> None:
    for inverse in (UnmemoizePureRecursion(), UnmemoizeRecursion()):
        assert inverse.find(Parsed(source)) == [], source


#: Each case below replaces one piece of a safe program (FUNCTION, the memo function; MAIN, main's body).
UNSAFE = r"""
#include <bits/stdc++.h>
using namespace std;
int k, calls;
long long memo[50];
FUNCTION
int main() {
    MAIN
}
"""
SAFE_FUNCTION = (
    "long long f(int n) {\n    if (n < 2) return n + k;\n    if (memo[n] != -1) return memo[n];\n"
    "    return memo[n] = f(n - 1) + f(n - 2);\n}"
)
SAFE_MAIN = "cin >> k;\n    memset(memo, -1, sizeof memo);\n    cout << f(30) << '\\n';"


def test_fires_on_the_safe_program() -> None:
    # The silences below come from the one piece each changes.
    source = UNSAFE.replace("FUNCTION", SAFE_FUNCTION).replace("MAIN", SAFE_MAIN)
    assert len(UnmemoizeRecursion().find(Parsed(source))) == 1


@pytest.mark.parametrize(
    "main",
    [
        # The table is read elsewhere: its cells are output, not only a cache.
        "cin >> k;\n    memset(memo, -1, sizeof memo);\n    cout << f(30) << memo[7] << '\\n';",
        # No memset: the zeros of a global table would pass the != -1 lookup.
        "cin >> k;\n    cout << f(30) << '\\n';",
        # The memset comes after the first call: that call sees the zeros.
        "cin >> k;\n    cout << f(30) << '\\n';\n    memset(memo, -1, sizeof memo);",
        # A partial memset leaves zeros, and bytes of stored values in a half-reset cell.
        "cin >> k;\n    memset(memo, -1, 7);\n    cout << f(30) << '\\n';",
        # k changes between calls with no reset: the table keeps results for the old k.
        "cin >> k;\n    memset(memo, -1, sizeof memo);\n    cout << f(30) << '\\n';\n    cin >> k;\n    cout << f(30);",
        # Same inside a test loop: the reset must come between the write and the call.
        "int t;\n    cin >> t;\n    memset(memo, -1, sizeof memo);\n    while (t--) {\n        cin >> k;\n"
        "        cout << f(20) << '\\n';\n    }",
        # k written through a pointer: the write is not where the name is.
        "int* p = &k;\n    memset(memo, -1, sizeof memo);\n    cout << f(30);\n    *p = 3;\n    cout << f(30);",
        # A lambda may write k at any time.
        "auto set = [&](int x) { k = x; };\n    memset(memo, -1, sizeof memo);\n    cout << f(30);\n"
        "    set(2);\n    cout << f(30);",
    ],
)
def test_silent_on_unsafe_mains(main: str) -> None:
    _silent(UNSAFE.replace("FUNCTION", SAFE_FUNCTION).replace("MAIN", main))


@pytest.mark.parametrize(
    "function",
    [
        # The key misses a parameter: cells are shared by calls that differ in m.
        "long long f(int n, int m) {\n    if (n < 2) return n + m;\n    if (memo[n] != -1) return memo[n];\n"
        "    return memo[n] = f(n - 1, m) + f(n - 2, m);\n}",
        "long long f(int n) {\n    if (n < 2) return n;\n    if (memo[n - 1] != -1) return memo[n - 1];\n"
        "    return memo[n - 1] = f(n - 1) + f(n - 2);\n}",
        # Output, or a global written: the plain recursion would print or count many more times.
        "long long f(int n) {\n    if (n < 2) return n;\n    if (memo[n] != -1) return memo[n];\n"
        "    cout << n;\n    return memo[n] = f(n - 1) + f(n - 2);\n}",
        "long long f(int n) {\n    if (n < 2) return n;\n    if (memo[n] != -1) return memo[n];\n    calls++;\n"
        "    return memo[n] = f(n - 1) + f(n - 2);\n}",
        # A reference accumulator: the cell holds partial sums while the recursion runs.
        "long long f(int n) {\n    if (n < 2) return n;\n    long long& r = memo[n];\n    if (r != -1) return r;\n"
        "    r = f(n - 1);\n    r += f(n - 2);\n    return r;\n}",
        "long long f(int n) {\n    if (n < 2) return n;\n    if (memo[n] != -1) return memo[n];\n    memo[n] = 0;\n"
        "    for (int i = 1; i <= 2; i++) memo[n] += f(n - i);\n    return memo[n];\n}",
        # The element type is not the return type: the stored value is narrowed, the computed one not.
        "int f(int n) {\n    if (n < 2) return n;\n    if (memo[n] != -1) return memo[n];\n"
        "    return memo[n] = f(n - 1) + f(n - 2);\n}",
        # A lookup that a stored value cannot satisfy, and one that an initial value can.
        "long long f(int n) {\n    if (n < 2) return n;\n    if (memo[n] >= -1) return memo[n];\n"
        "    return memo[n] = f(n - 1) + f(n - 2);\n}",
        # Reads a static local: state kept between calls.
        "long long f(int n) {\n    static int depth = 0;\n    if (n < 2) return n + depth;\n"
        "    if (memo[n] != -1) return memo[n];\n    return memo[n] = f(n - 1) + f(n - 2);\n}",
        # Calls another function of the file, which may do anything.
        "long long g(int n) { return n * k; }\nlong long f(int n) {\n    if (n < 2) return g(n);\n"
        "    if (memo[n] != -1) return memo[n];\n    return memo[n] = f(n - 1) + f(n - 2);\n}",
    ],
)
def test_silent_on_unsafe_functions(function: str) -> None:
    _silent(UNSAFE.replace("FUNCTION", function).replace("MAIN", SAFE_MAIN))


def test_silent_on_a_seen_flag_set_before_the_recursion() -> None:
    # seen[n] is set before the value is computed: a call that comes back to n would read an empty cell
    # where the plain recursion would recurse.
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\nint memo[50];\nbool seen[50];\n"
        "int f(int n) {\n    if (n < 2) return n;\n    if (seen[n]) return memo[n];\n    seen[n] = true;\n"
        "    return memo[n] = f(n - 1) + f(n - 2);\n}\nint main() { cout << f(20); }\n"
    )


def test_silent_on_dsu_path_compression() -> None:
    # find(x) stores into its parent array, which the rest of the program reads and writes.
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\nint p[100];\n"
        "int find(int x) {\n    if (p[x] == x) return x;\n    return p[x] = find(p[x]);\n}\n"
        "int main() { for (int i = 0; i < 100; i++) p[i] = i; p[3] = 4; cout << find(3); }\n"
    )


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["algorithmic.unmemoize_pure_recursion"].inverts == "loops.memoize_recursion"
    assert names["algorithmic.unmemoize_recursion"].inverts == "algorithmic.memoization"

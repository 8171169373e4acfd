"""loops inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import Inverse, all_inverses
from perfopt.rewrite.inverse.loops import RecomputeInvariant, RecomputeStrlen
from tests.rewrite.harness import check_inverse, rewritten

#: Divisor counting and friends, written with the bounds in the conditions: the forward rule hoists them.
DIVISORS = r"""
#include <bits/stdc++.h>
using namespace std;
int divisors(long long n) {
    int cnt = 0;
    for (long long i = 1; i <= sqrt(n); i++)
        if (n % i == 0) cnt += (i * i == n) ? 1 : 2;
    return cnt;
}
int main() {
    long long n;
    cin >> n;
    int k = 0;
    while (k * k < (int)sqrt(n) + 1) k++;
    int steps = 0;
    if (n > 3)
        for (int j = 0; j < log2(n) * 2 && j < 100; j++) steps++;
    cout << divisors(n) << ' ' << k << ' ' << steps << '\n';
}
"""
NUMBERS = ["0\n", "1\n", "36\n", "37\n", "1000000007\n", "999999999999\n"]


def test_recompute_invariant(tmp_path: Path) -> None:
    hoisted = rewritten("loops.hoist_invariant_call", DIVISORS)
    assert hoisted.count("const auto") == 3
    result = check_inverse(RecomputeInvariant(), hoisted, NUMBERS, tmp_path)
    assert "const auto" not in result
    assert "for (long long i = 1; i <= sqrt(n); i++)" in result
    assert "while (k * k < ((int)sqrt(n) + 1)) k++;" in result
    assert "for (int j = 0; j < (log2(n) * 2) && j < 100; j++) steps++;" in result
    # Where the forward rule only added a line, taking it away gives the program back as it was.
    assert result.split("int main")[0] == DIVISORS.split("int main")[0]


#: Counting letters: the loop only reads the string.
LETTERS = r"""
#include <cstdio>
#include <cstring>
int main() {
    char s[105], t[105];
    if (std::scanf("%100s %100s", s, t) != 2) s[0] = t[0] = 0;
    int a = 0, same = 0;
    for (int i = 0; i < strlen(s); i++)
        if (s[i] == 'a') a++;
    size_t i = 0;
    while (i < std::strlen(s) && i < strlen(t)) {
        if (s[i] == t[i]) same++;
        i++;
    }
    std::printf("%d %d\n", a, same);
}
"""
WORDS = ["", "a\n", "banana bandana\n", "xyz abcdef\n", "aaaa aaab\n"]


def test_recompute_strlen(tmp_path: Path) -> None:
    hoisted = rewritten("strings.strlen_hoist", LETTERS)
    assert hoisted.count("const size_t") == 2  # not strlen(t), which && may skip
    result = check_inverse(RecomputeStrlen(), hoisted, WORDS, tmp_path)
    assert "const size_t" not in result
    assert result == LETTERS


def test_both_on_one_loop(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
int main() {
    char s[50];
    long long n;
    if (scanf("%49s %lld", s, &n) != 2) return 0;
    int c = 0;
    const size_t s_len = strlen(s); const auto sqrt_n = sqrt(n);
    for (int i = 0; i < s_len && i <= sqrt_n; i++) c += s[i] - 'a';
    printf("%d\n", c);
}
"""
    inputs = ["abcdef 9\n", "zz 0\n", "q 100\n"]
    first = check_inverse(RecomputeInvariant(), source, inputs, tmp_path / "math")
    second = check_inverse(RecomputeStrlen(), first, inputs, tmp_path / "strlen")
    assert "for (int i = 0; i < strlen(s) && i <= sqrt(n); i++)" in second
    assert "const" not in second


def _silent(inverse: Inverse, source: str) -> None:
    assert inverse.find(Parsed(source)) == [], source


#: A program the inverse takes apart as it is; each case below changes one thing about it.
SAFE = r"""
#include <bits/stdc++.h>
using namespace std;
#define LIMIT 10
void read(long long& v) { cin >> v; }
long long g;
int main() {
    long long n = 10, m = 3;
    char s[20] = "hello";
    int c = 0;
    const auto sqrt_n = sqrt(n);
    for (long long i = 1; i <= sqrt_n; i++) c++;
    const size_t s_len = strlen(s);
    for (int i = 0; i < s_len; i++) c += s[i];
    cout << c << m << g << endl;
}
"""


def test_fires_on_the_safe_program() -> None:
    assert RecomputeInvariant().find(Parsed(SAFE))
    assert RecomputeStrlen().find(Parsed(SAFE))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The variable is read after the loop too.
        ("cout << c", "cout << sqrt_n << c"),
        # n changes in the loop, or may change through a reference anywhere.
        ("i++) c++;", "i++) { c++; n--; }"),
        ("long long n = 10, m = 3;", "long long n = 10, m = 3; read(n);"),
        # Not the forward rule's shape: another type, not const, braces.
        ("const auto sqrt_n = sqrt(n);", "const double sqrt_n = sqrt(n);"),
        ("const auto sqrt_n = sqrt(n);", "auto sqrt_n = sqrt(n);"),
        ("const auto sqrt_n = sqrt(n);", "const auto sqrt_n{sqrt(n)};"),
        # Something runs between the declaration and the loop.
        ("const auto sqrt_n = sqrt(n);", "const auto sqrt_n = sqrt(n); n = m;"),
        # A declaration between this one and the loop changes n (and is not a bound the inverse could move).
        (
            "for (long long i = 1; i <= sqrt_n; i++)",
            "const auto z = n++; for (long long i = 1; i <= sqrt_n && i < z; i++)",
        ),
        # The loop's header declares its own n: sqrt(n) there would read it.
        ("for (long long i = 1; i <= sqrt_n; i++)", "for (long long n = 1; n <= sqrt_n; n++)"),
        # A global: any call could change it.
        ("const auto sqrt_n = sqrt(n);", "const auto sqrt_n = sqrt(g);"),
        # A macro spells the name.
        ("#define LIMIT 10", "#define LIMIT sqrt_n"),
        # A do-while tests its condition after the body: not a loop the forward rule hoists from.
        ("for (long long i = 1; i <= sqrt_n; i++) c++;", "long long i = 1; do c++; while (++i <= sqrt_n);"),
    ],
)
def test_recompute_invariant_silent(old: str, new: str) -> None:
    assert old in SAFE
    _silent(RecomputeInvariant(), SAFE.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # int, not size_t: i < n and i < strlen(s) compare differently for a negative i.
        ("const size_t s_len", "const int s_len"),
        # The loop writes the string.
        ("c += s[i];", "s[i] = 'x';"),
        # The length is read after the loop too.
        ("cout << c", "cout << s_len << c"),
        # The program's own strlen.
        ("long long g;", "long long g; size_t strlen(const char* p) { return 3; }"),
    ],
)
def test_recompute_strlen_silent(old: str, new: str) -> None:
    assert old in SAFE
    _silent(RecomputeStrlen(), SAFE.replace(old, new))


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["loops.recompute_invariant"].inverts == "loops.hoist_invariant_call"
    assert names["loops.recompute_strlen"].inverts == "strings.strlen_hoist"

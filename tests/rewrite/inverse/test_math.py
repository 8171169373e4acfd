"""math inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from perfopt.rewrite import Parsed, all_rewrites, inverse
from perfopt.rewrite.inverse import math
from perfopt.rewrite.inverse.math import PowNotCube, SqrtLoopBound
from tests.rewrite.harness import check_inverse, inverted

#: Sums of cubes over counted loops, and the volume of a byte-sized cube: exact in a double either way.
CUBES = r"""
#include <iomanip>
#include <iostream>
using namespace std;
int main() {
    int n;
    cin >> n;
    double every = 0, odd = 0;
    for (int i = 1; i <= 1000; i++) {
        double c = (double)i * i * i;
        if (n > 0 && i % n == 0) every += c;
    }
    for (int k = -40; k < 40; k += 3) {
        if (k % 2 != 0) odd += k * k * k;
        else odd -= 1.0 * k * k * k;
    }
    unsigned char b = n % 256;
    double volume = (double)b * b * b;
    cout << fixed << setprecision(1) << every << ' ' << odd << ' ' << volume << '\n';
}
"""
CUBE_INPUTS = ["1\n", "7\n", "255\n", "-3\n", "0\n"]


def test_pow_not_cube(tmp_path: Path) -> None:
    result = check_inverse(PowNotCube(), CUBES, CUBE_INPUTS, tmp_path)
    assert "        double c = pow(i, 3);\n" in result
    assert "        if (k % 2 != 0) odd += pow(k, 3);\n" in result
    assert "        else odd -= pow(k, 3);\n" in result
    assert "    double volume = pow(b, 3);\n" in result
    assert result.startswith("\n#include <iomanip>\n#include <iostream>\n#include <cmath>\nusing namespace std;")


def test_pow_not_cube_spells_std(tmp_path: Path) -> None:
    source = CUBES.replace("using namespace std;\n", "using std::cin; using std::cout; using std::fixed;\n")
    source = source.replace("<< setprecision(1)", "<< std::setprecision(1)")
    result = check_inverse(PowNotCube(), source, CUBE_INPUTS[:2], tmp_path)
    assert "double c = std::pow(i, 3);" in result


POW_FRAME = r"""
#include <cmath>
#include <iostream>
using namespace std;
int main() {
    int x;
    double y;
    float f;
    long long big;
    cin >> x >> y >> f >> big;
    double out = 0;
    long long sum = 0;
    BODY
    cout << out << ' ' << sum << '\n';
}
"""


def test_pow_not_cube_stays_silent_where_unsafe() -> None:
    silent = {
        # pow rounds once where these products round twice (or not at all).
        "double": "out = y * y * y;",
        "double cast of a double": "out = (double)y * y * y;",
        "float": "out = (double)f * f * f;",
        # No bound on x: the int cube overflows, the double one is inexact past 2**53.
        "unbounded int": "out = x * x * x;",
        "unbounded cast": "out = (double)x * x * x;",
        "unbounded long long": "out = (double)big * big * big;",
        # Bounded, but beyond what an int cube (1290) or an exact double cube (208063) holds.
        "int past 1290": "for (int i = 0; i < 2000; i++) out += i * i * i;",
        "double past 208063": "for (int i = 0; i <= 300000; i++) out += (double)i * i * i;",
        # An int cube kept as an int, or inside a larger int expression.
        "int context": "for (int i = 0; i < 100; i++) sum += i * i * i;",
        "part of a sum": "for (int i = 0; i < 100; i++) out = i * i * i + 1;",
        # The counter changes in the body, or is not the loop's own.
        "written counter": "for (int i = 0; i < 100; i++) { out += (double)i * i * i; i += x; }",
        "outside counter": "int i; for (i = 0; i < 100; i++) out += (double)i * i * i;",
        "unsigned down": "for (unsigned i = 10; i >= 0; i--) { out += (double)i * i * i; if (out > 1e9) break; }",
        # Not a cube of one variable.
        "two variables": "for (int i = 0; i < 9; i++) for (int j = 0; j < 9; j++) out += (double)i * j * i;",
        "fourth power": "for (int i = 0; i < 9; i++) out += (double)i * i * i * i;",
    }
    for why, body in silent.items():
        assert PowNotCube().find(Parsed(POW_FRAME.replace("BODY", body))) == [], why
    bounded = POW_FRAME.replace("BODY", "for (int i = 0; i < 100; i++) out += (double)i * i * i;")
    assert len(PowNotCube().find(Parsed(bounded))) == 1
    # pow of the program's own, or a macro.
    assert (
        PowNotCube().find(Parsed(bounded.replace("int main", "double pow(int a, int b) { return a; }\nint main"))) == []
    )
    assert PowNotCube().find(Parsed("#define pow(a, b) 0\n" + bounded)) == []


#: Trial division with the bound written as a square in 64 bits, on int n (the forward rule's own output too).
FACTORS = r"""
#include <iostream>
using namespace std;
typedef long long ll;
int main() {
    int q;
    cin >> q;
    while (q--) {
        int n;
        cin >> n;
        int distinct = 0, m = n;
        for (int p = 2; (long long)p * p <= m; p++) {
            if (m % p == 0) {
                distinct++;
                while (m % p == 0) m /= p;
            }
        }
        if (m > 1) distinct++;
        int below = 0;
        for (long long i = 1; i * i < n; i++) below++;
        int odd = 0;
        for (int d = 1; n >= 1LL * d * d; d += 2) odd++;
        int squares = 0;
        for (int r = 0; (ll)r * r <= n && r < 100000; r++) squares++;
        cout << distinct << ' ' << below << ' ' << odd << ' ' << squares << '\n';
    }
}
"""
FACTOR_INPUTS = [
    "6\n0 1 36 37 1000000007 -5\n",
    "4\n2147483647 2147395600 2147395599 2147483646\n",
    "3\n99980001 99980000 99980002\n",
]


def test_sqrt_loop_bound(tmp_path: Path) -> None:
    result = check_inverse(SqrtLoopBound(), FACTORS, FACTOR_INPUTS, tmp_path)
    assert "        for (int p = 2; p <= sqrt(m); p++) {\n" in result
    assert "        for (long long i = 1; i < sqrt(n); i++) below++;\n" in result
    assert "        for (int d = 1; d <= sqrt(n); d += 2) odd++;\n" in result
    assert "        for (int r = 0; r <= sqrt(n) && r < 100000; r++) squares++;\n" in result
    assert "#include <iostream>\n#include <cmath>\n" in result


def test_sqrt_loop_bound_spells_std() -> None:
    source = FACTORS.replace("using namespace std;\n", "using std::cin; using std::cout;\n")
    result = inverted(SqrtLoopBound(), source)
    assert "for (int p = 2; p <= std::sqrt(m); p++) {" in result


SQRT_FRAME = r"""
#include <cmath>
#include <iostream>
using namespace std;
int main() {
    int n, k = 0;
    long long big;
    unsigned u;
    cin >> n >> big >> u;
    BODY
    cout << k << '\n';
}
"""


def test_sqrt_loop_bound_stays_silent_where_unsafe() -> None:
    silent = {
        # int * int overflows for n near INT_MAX (the loop runs on to 46341), where sqrt(n) does not.
        "int square": "for (int i = 1; i * i <= n; i++) k++;",
        # sqrt would round a long long n; an unsigned cast makes a negative n huge.
        "long long n": "for (long long i = 1; i * i <= big; i++) k++;",
        "unsigned cast": "for (int i = 1; (unsigned long long)i * i <= n; i++) k++;",
        # The counter may be negative, counts down, changes in the body, or is not the loop's own.
        "negative start": "for (int i = -3; (long long)i * i <= n; i++) k++;",
        "down": "for (int i = 100; (long long)i * i <= n; i--) k++;",
        "written": "for (int i = 1; (long long)i * i <= n; i++) { k++; i += k % 2; }",
        "outside": "int i; for (i = 1; (long long)i * i <= n; i++) k++;",
        # Not a square of the counter.
        "two names": "for (int i = 1, j = 2; (long long)i * j <= n; i++) k++;",
        "not a variable": "for (int i = 1; (long long)i * i <= n + 1; i++) k++;",
    }
    for why, body in silent.items():
        assert SqrtLoopBound().find(Parsed(SQRT_FRAME.replace("BODY", body))) == [], why
    fine = SQRT_FRAME.replace("BODY", "for (int i = 1; (long long)i * i <= n; i++) k++;")
    assert len(SqrtLoopBound().find(Parsed(fine))) == 1
    assert SqrtLoopBound().find(Parsed("#define sqrt(x) (x)\n" + fine)) == []
    assert SqrtLoopBound().find(Parsed(fine.replace("int n, k = 0;", "int n, k = 0; double sqrt = 2;"))) == []


def test_discovered() -> None:
    assert "math" in {m.name for m in pkgutil.iter_modules(inverse.__path__)}
    assert [(i.name, i.inverts) for i in (cls() for cls in math.INVERSES)] == [
        ("math.pow_not_cube", "math.pow_small_integer"),
        ("math.sqrt_loop_bound", "math.integer_sqrt_loop_bound"),
    ]
    assert {"math.pow_small_integer", "math.integer_sqrt_loop_bound"} <= {r.name for r in all_rewrites()}

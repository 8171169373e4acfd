"""io_scanf inverse: scanf of plain numbers and words becomes a synchronised cin, same output, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.io_scanf import CinNotScanf
from tests.rewrite.harness import check_inverse, inverted

# Reads n, then n numbers into a vector and a global array; a name; prints sums.
SUMS = r"""
#include <cstdio>
#include <vector>
using namespace std;
typedef long long ll;
const int N = 1000;
int b[N];
int main() {
    int n;
    scanf("%d", &n);
    vector<ll> a(n);
    for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
    for (int i = 0; i < n; i++) {
        scanf("%d", &b[i]);
    }
    char who[32];
    unsigned k;
    double scale;
    scanf("%s %u\n%lf", who, &k, &scale);
    ll s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    printf("%s %lld %u %.3f\n", who, s, k, scale * s);
}
"""
SUMS_INPUTS = [
    "3\n1 2 3\n4 5 6\nalice 7 0.5\n",
    "1\n-9000000000\n-2\nbob 0 1e3",
    "0\n\nzed\t4294967295 -2.25\n",
]


def test_cin_not_scanf(tmp_path: Path) -> None:
    result = check_inverse(CinNotScanf(), SUMS, SUMS_INPUTS, tmp_path)
    lines = result.splitlines()
    assert "#include <iostream>" in lines
    assert "    cin >> n;" in lines
    assert "    for (int i = 0; i < n; i++) cin >> a[i];" in lines
    assert "        cin >> b[i];" in lines
    assert "    cin >> who >> k >> scale;" in lines
    assert "scanf" not in result
    assert '    printf("%s %lld %u %.3f\\n", who, s, k, scale * s);' in lines


# Mixed %d/%lld/%s beside getchar and scanf calls the inverse leaves alone; no using namespace std.
MIXED = r"""
#include <stdio.h>
#include <string.h>
struct Edge { int u, v; };
long long w[100];
char names[100][16];
int main() {
    int n, q;
    scanf("%d%d", &n, &q);
    for (int i = 0; i < n; i++) scanf("%s%lld", names[i], &w[i]);
    getchar();
    char c = getchar();
    long long total = 0;
    while (q--) {
        char op;
        int i;
        scanf(" %c", &op);
        scanf("%d", &i);
        Edge e;
        scanf("%d,%d", &e.u, &e.v);
        if (op == '+') total += w[i] + e.u; else total -= w[i] - e.v;
        printf("%c %s %lld\n", op, names[i], total);
    }
    int extra;
    if (scanf("%d", &extra) == 1) total += extra;
    printf("%c %lld %d\n", c, total, (int)strlen(names[0]));
}
"""
MIXED_INPUTS = [
    "2 3\nab 5\ncd -7\nx\n+ 0 1,2\n- 1 3,4\n+ 1 0,0\n",
    "1 1\nlonger_name 123456789012\n#\n- 0 -5,6\n42\n",
    "3 2\np 1\nq 2\nr 3\n?  + 2 7,7   - 0 1,1",
]


def test_cin_not_scanf_beside_other_stdio(tmp_path: Path) -> None:
    result = check_inverse(CinNotScanf(), MIXED, MIXED_INPUTS, tmp_path)
    lines = result.splitlines()
    assert lines[lines.index("#include <string.h>") + 1] == "#include <iostream>"
    assert "    std::cin >> n >> q;" in lines
    assert "    for (int i = 0; i < n; i++) std::cin >> names[i] >> w[i];" in lines
    assert "        std::cin >> i;" in lines
    # Untouched: %c, a literal comma, a field, and a call whose value is used.
    assert '        scanf(" %c", &op);' in lines
    assert '        scanf("%d,%d", &e.u, &e.v);' in lines
    assert '    if (scanf("%d", &extra) == 1) total += extra;' in lines
    assert "    getchar();" in lines


def test_cin_not_scanf_stays_silent_where_unsafe() -> None:
    one = "#include <cstdio>\nint main() {\n    int n;\n    long long x;\n    char s[9];\n    int a[9];\n    {}\n}\n"

    def body(code: str) -> str:
        return one.replace("    {}\n", f"    {code}\n")

    silent = {
        "unsynchronised": body('std::ios::sync_with_stdio(false); scanf("%d", &n);'),
        "sync true": body('std::ios_base::sync_with_stdio(true); scanf("%d", &n);'),
        "tied": body('std::cin.tie(nullptr); scanf("%d", &n);'),
        "char": body('scanf("%c", s);'),
        "scanset": body('scanf("%[^\\n]", s);'),
        "width": body('scanf("%5d", &n);'),
        "suppressed": body('scanf("%*d%d", &n);'),
        "count": body('scanf("%d%n", &n, &a[0]);'),
        "hex or octal": body('scanf("%i", &n);'),
        "float": body('scanf("%f", &x);'),
        "literal": body('scanf("n=%d", &n);'),
        "trailing space": body('scanf("%d ", &n);'),
        "trailing newline": body('scanf("%d\\n", &n);'),
        "int into long long": body('scanf("%d", &x);'),
        "long long into int": body('scanf("%lld", &n);'),
        "side effect": body('scanf("%d", &a[n++]);'),
        "call in index": body('scanf("%d", &a[abs(n)]);'),
        "index read first": body('scanf("%d%d", &n, &a[n]);'),
        "value used": body('while (scanf("%d", &n) == 1) x += n;'),
        "value kept": body('int r = scanf("%d", &n);'),
        "comma": body('scanf("%d", &n), x = n;'),
        "pointer": body('int* p = &n; scanf("%d", p);'),
        "macro arg": "#define V n\n" + body('scanf("%d", &V);'),
        "renamed int": "#define int long long\n" + body('scanf("%lld", &n);'),
        "renamed scanf": "#define scanf my_scanf\n" + body('scanf("%d", &n);'),
        "own cin": "int cin;\n" + body('scanf("%d", &n);'),
        "own scanf": "int scanf(const char*, ...);\nint scanf(const char* f, ...) { return 0; }\n"
        + body('scanf("%d", &n);'),
        "pointer parameter": '#include <cstdio>\nvoid get(char s[]) { scanf("%s", s); }\n'
        "int main() { char t[9]; get(t); puts(t); }\n",
        "string offset": body('scanf("%s", s + 1);'),
        "locale": body('setlocale(LC_ALL, ""); scanf("%d", &n);'),
        "second input": body('freopen("a", "r", stdin); scanf("%d", &n); freopen("b", "r", stdin); scanf("%d", &x);'),
        "hex stream": body('std::cin >> std::hex; scanf("%d", &n);'),
    }
    for why, source in silent.items():
        assert CinNotScanf().find(Parsed(source)) == [], why
    # The same body with a plain call fires: the cases above are silent for their own reason.
    assert CinNotScanf().find(Parsed(body('scanf("%d", &n);')))
    reopen = 'freopen("in.txt", "r", stdin); freopen("out.txt", "w", stdout); scanf("%d", &n);'
    assert "std::cin >> n;" in inverted(CinNotScanf(), body(reopen))
    assert "std::cin >> x >> s;" in inverted(CinNotScanf(), body('scanf("%lld%s", &x, s);'))


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["io.cin_not_scanf"].inverts == "algorithmic.c_stdio_input"

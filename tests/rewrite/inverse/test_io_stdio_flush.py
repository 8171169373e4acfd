"""io stdio flush inverse: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from perfopt.rewrite import Parsed, all_rewrites, inverse
from perfopt.rewrite.inverse import io_stdio_flush
from perfopt.rewrite.inverse.io_stdio_flush import FflushInLoop
from tests.rewrite.harness import check_inverse, inverted

#: Prefix sums and a triangle, printed with printf/putchar/puts in loops (braced, nested, unbraced, do-while).
SUMS = r"""
#include <cstdio>
#include <vector>
using namespace std;
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    vector<long long> a(n);
    for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
    long long s = 0;
    puts("sums");
    for (int i = 0; i < n; i++) {
        s += a[i];
        printf("%d: %lld\n", i, s);
        if (s < 0) s = 0;
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) printf("%lld ", a[j] * a[i]);
        putchar('\n');
    }
    for (int i = 0; i < n; i++) printf("%lld left\n", a[i] % 7);
    int k = n;
    do {
        fputs("tick", stdout);
        fprintf(stdout, " %d\n", k);
        k /= 2;
    } while (k > 0);
    printf("total %lld\n", s);
}
"""
INPUTS = ["5\n1 2 -30 4 5\n", "1\n-7\n", "0\n", "3\n100 200 300\n"]


def test_fflush_in_loop(tmp_path: Path) -> None:
    result = check_inverse(FflushInLoop(), SUMS, INPUTS, tmp_path)
    assert '        printf("%d: %lld\\n", i, s);\n        fflush(stdout);\n        if (s < 0) s = 0;\n' in result
    assert "        putchar('\\n');\n        fflush(stdout);\n    }" in result  # after the body's last print
    assert '        fprintf(stdout, " %d\\n", k);\n        fflush(stdout);\n        k /= 2;' in result
    assert 'fputs("tick", stdout);\n        fprintf' in result  # one flush per body, after its last print
    assert 'for (int i = 0; i < n; i++) printf("%lld left\\n", a[i] % 7);\n' in result  # unbraced: left alone
    assert 'for (int j = 0; j <= i; j++) printf("%lld ", a[j] * a[i]);\n' in result
    assert result.count("fflush(stdout);") == 3


def test_fflush_in_loop_in_a_function_with_comments(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
void show(const vector<int>& v) {
    for (size_t i = 0; i < v.size(); i++) { printf("%d%c", v[i], i + 1 < v.size() ? ' ' : '\n'); }
    for (int x : v) {
        if (x % 2 == 0) continue;
        std::printf("%d is odd\n", x); // report it
    }
}
int main() {
    int t;
    scanf("%d", &t);
    while (t--) {
        int n;
        scanf("%d", &n);
        vector<int> v(n);
        iota(v.begin(), v.end(), 1);
        show(v);
    }
}
"""
    result = inverted(FflushInLoop(), source)
    assert "{ printf(\"%d%c\", v[i], i + 1 < v.size() ? ' ' : '\\n'); fflush(stdout); }" in result
    assert '        std::printf("%d is odd\\n", x); // report it\n        fflush(stdout);\n    }' in result
    assert result.count("fflush") == 2  # main's loop prints only through show(): no print of its own
    check_inverse(FflushInLoop(), source, ["2\n4\n1\n", "1\n0\n", "3\n7\n2\n5\n"], tmp_path)


def test_fflush_in_loop_stays_silent_where_unsafe() -> None:
    silent = {
        # Interactive: a question, then a read, in the loop (a judge waits for the line).
        "interactive": SUMS.replace("s += a[i];", 's += a[i]; printf("? %d\\n", i); int r; scanf("%d", &r);'),
        # iostreams or stderr beside stdio.
        "cout": SUMS.replace('puts("sums");', 'std::cout << "sums\\n";').replace("<cstdio>", "<iostream>"),
        "cerr": SUMS.replace("if (s < 0) s = 0;", 'if (s < 0) cerr << "neg\\n";'),
        "stderr": SUMS.replace("if (s < 0) s = 0;", 'if (s < 0) fprintf(stderr, "neg\\n");'),
        "raw write": SUMS.replace('puts("sums");', 'write(1, "sums\\n", 5);'),
        # stdout rebuffered or redirected, flushed already, or handed to a child.
        "setvbuf": SUMS.replace("long long s = 0;", "long long s = 0; setvbuf(stdout, nullptr, _IOFBF, 1 << 16);"),
        "freopen": SUMS.replace("int n;", 'freopen("out.txt", "w", stdout); int n;'),
        "fflush": SUMS.replace('printf("total', 'fflush(stdout); printf("total'),
        "child": SUMS.replace("if (s < 0) s = 0;", 'if (s < -100) system("echo");'),
        # Exits that skip stdio's buffers.
        "abort": SUMS.replace("if (s < 0) s = 0;", "if (s < -100) abort();"),
        "_exit": SUMS.replace("if (s < 0) s = 0;", "if (s < -100) _exit(0);"),
        "assert": SUMS.replace("if (s < 0) s = 0;", "assert(s < 1000000);"),
        # Names the program owns, or hides in macros.
        "own fflush": SUMS.replace("int main", "void fflush(FILE*) {}\nint main"),
        "macro": "#define OUT(x) cout << x\n" + SUMS,
    }
    for why, source in silent.items():
        assert FflushInLoop().find(Parsed(source)) == [], why
    # Prints that are not to stdout, not directly in a braced loop body, or not in a loop at all.
    others = r"""
#include <cstdio>
int main() {
    FILE* f = fopen("log.txt", "w");
    char buf[32];
    for (int i = 0; i < 3; i++) {
        fprintf(f, "%d\n", i);
        sprintf(buf, "%d", i);
        if (i) printf("%d\n", i);
        { puts(buf); }
    }
    puts("done");
    fclose(f);
}
"""
    assert FflushInLoop().find(Parsed(others)) == []


def test_discovered() -> None:
    # The package's own discovery, for this module (all_inverses() reads every module, finished or not).
    assert "io_stdio_flush" in {m.name for m in pkgutil.iter_modules(inverse.__path__)}
    assert [(i.name, i.inverts) for i in (cls() for cls in io_stdio_flush.INVERSES)] == [
        ("io.fflush_in_loop", "io.no_flush_in_loop")
    ]
    assert "io.no_flush_in_loop" in {r.name for r in all_rewrites()}

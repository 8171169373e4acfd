"""io flush inverse: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from perfopt.rewrite import Parsed, all_rewrites, inverse
from perfopt.rewrite.inverse import io_flush
from perfopt.rewrite.inverse.io_flush import FlushInLoop
from tests.rewrite.harness import check_inverse, inverted

#: Running sums and a table, printed line by line in loops (braced, unbraced, range-for), and once outside.
SUMS = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long s = 0;
    cout << "sums\n";
    for (int i = 0; i < n; i++) {
        s += a[i];
        cout << i << ": " << s << '\n';
        if (s < 0) s = 0;
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) cout << a[j] * a[i] << ' ';
        cout << "\n";
    }
    for (long long x : a) cout << x % 7 << " left\n";
    cout << "total " << s << '\n';
}
"""
INPUTS = ["5\n1 2 -30 4 5\n", "1\n-7\n", "0\n", "3\n100 200 300\n"]


def test_flush_in_loop(tmp_path: Path) -> None:
    result = check_inverse(FlushInLoop(), SUMS, INPUTS, tmp_path)
    assert "        cout << i << \": \" << s << '\\n' << flush;\n" in result
    assert '        cout << "\\n";\n        cout.flush();\n    }' in result  # the last line of a braced body
    assert 'for (long long x : a) cout << x % 7 << " left\\n" << flush;' in result
    assert "cout << a[j] * a[i] << ' ';" in result  # no newline: not a whole line
    assert 'cout << "sums\\n";' in result and "cout << \"total \" << s << '\\n';" in result  # not in a loop


def test_flush_in_loop_spells_std(tmp_path: Path) -> None:
    source = SUMS.replace("using namespace std;\n", "").replace("cout", "std::cout").replace("cin", "std::cin")
    source = source.replace("vector<", "std::vector<")
    result = check_inverse(FlushInLoop(), source, INPUTS[:2], tmp_path)
    assert "std::cout << i << \": \" << s << '\\n' << std::flush;" in result
    assert "std::cout.flush();" in result
    assert " flush" not in result.replace("std::flush", "")


def test_flush_in_loop_stays_silent_where_unsafe() -> None:
    silent = {
        # Interactive: a question, then a read, in the loop (a judge waits for the line).
        "interactive": SUMS.replace("s += a[i];", 's += a[i]; cout << "more?\\n"; int r; cin >> r;'),
        # C stdio beside iostreams, or the console handed elsewhere, or an exit that skips the buffers.
        "printf": SUMS.replace('cout << "sums\\n";', 'printf("sums\\n");'),
        "stdout": SUMS.replace("long long s = 0;", "long long s = 0; setvbuf(stdout, nullptr, _IOFBF, 1 << 16);"),
        "macro": '#define OUT(x) printf("%lld\\n", x)\n' + SUMS,
        "abort": SUMS.replace("if (s < 0) s = 0;", "if (s < -100) abort();"),
        "child": SUMS.replace("if (s < 0) s = 0;", 'if (s < -100) system("echo");'),
        "rdbuf": SUMS.replace("long long s = 0;", "long long s = 0; auto* buf = cout.rdbuf();"),
        # flush is the program's own name.
        "own flush": SUMS.replace("int main", "void flush() {}\nint main"),
        "macro flush": "#define flush endl\n" + SUMS,
    }
    for why, source in silent.items():
        assert FlushInLoop().find(Parsed(source)) == [], why
    # Lines that flush already, other streams, and a line printed outside any loop.
    others = r"""
#include <iostream>
#include <sstream>
using namespace std;
int main() {
    ostringstream os;
    for (int i = 0; i < 3; i++) {
        cout << i << endl;
        cout << i << '\n' << flush;
        cerr << i << '\n';
        os << i << '\n';
        cout << i << L'\n';
    }
    cout << os.str() << '\n';
}
"""
    assert FlushInLoop().find(Parsed(others)) == []


def test_flush_in_loop_in_a_function(tmp_path: Path) -> None:
    source = r"""
#include <bits/stdc++.h>
using namespace std;
void show(const vector<int>& v) {
    for (size_t i = 0; i < v.size(); i++) cout << v[i] << (i + 1 < v.size() ? " " : "\n");
    for (int x : v)
        if (x % 2 == 0) cout << x << " is even\n";
}
int main() {
    int n;
    cin >> n;
    vector<int> v(n);
    iota(v.begin(), v.end(), 1);
    show(v);
}
"""
    result = inverted(FlushInLoop(), source)
    assert 'if (x % 2 == 0) cout << x << " is even\\n" << flush;' in result
    assert result.count("flush") == 1  # a ?: of two strings is not a newline literal
    check_inverse(FlushInLoop(), source, ["4\n", "1\n"], tmp_path)


def test_discovered() -> None:
    # The package's own discovery, for this module (all_inverses() reads every module, finished or not).
    assert "io_flush" in {m.name for m in pkgutil.iter_modules(inverse.__path__)}
    assert [(i.name, i.inverts) for i in (cls() for cls in io_flush.INVERSES)] == [
        ("io.flush_in_loop", "io.no_flush_in_loop")
    ]
    assert "io.no_flush_in_loop" in {r.name for r in all_rewrites()}

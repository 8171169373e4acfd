"""io rewrites: R4 on a real program, left alone where unsafe, and compiling after rewriting."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten

NUMBERS = "20000\n" + " ".join(str(random.Random(7).randint(-(10**9), 10**9)) for _ in range(20000)) + "\n"

READ_SUM = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long s = 0;
    for (long long x : a) s += x;
    cout << s << '\n';
}
"""

PREFIX_ENDL = r"""
#include <iostream>
int main() {
    int n;
    std::cin >> n;
    long long s = 0;
    for (int i = 0; i < n; i++) {
        s += i % 7;
        std::cout << s << std::endl;
    }
}
"""

PREFIX_FLUSH = r"""
#include <iostream>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long s = 0;
    for (int i = 0; i < n; i++) {
        s += i % 7;
        cout << s << '\n';
        cout.flush();
    }
}
"""

#: A judge-interactive binary search: the query must leave before the answer is read.
INTERACTIVE = r"""
#include <iostream>
using namespace std;
int ask(int x) {
    cout << "? " << x << endl;
    int r;
    cin >> r;
    return r;
}
int main() {
    int lo = 1, hi = 1000000;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ask(mid)) hi = mid; else lo = mid + 1;
        cout << flush;
    }
    cout << "! " << lo << endl;
}
"""

#: A prompt before a read, in main itself.
PROMPT = r"""
#include <iostream>
int main() {
    int n = 0;
    do {
        std::cout << "number? " << std::flush;
        std::cin >> n;
        std::cout << n * 2 << std::endl;
    } while (n != 0);
}
"""


def test_sync_with_stdio_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("io.sync_with_stdio", READ_SUM, [NUMBERS, "3\n1 2 3\n"], tmp_path, sandbox))


def test_sync_with_stdio_leaves_unsafe_programs_alone() -> None:
    mixed = READ_SUM.replace("cout << s << '\\n';", 'printf("%lld\\n", s);')
    assert matches("io.sync_with_stdio", mixed) == []
    mixed_read = READ_SUM.replace("cin >> n;", 'scanf("%d", &n);')
    assert matches("io.sync_with_stdio", mixed_read) == []
    # C stdio hidden in a macro, or in a helper called from main.
    macro = '#define OUT(x) printf("%d\\n", x)\n' + READ_SUM
    assert matches("io.sync_with_stdio", macro) == []
    helper = READ_SUM.replace("int main() {", "int rd() { return getchar(); }\nint main() {")
    assert matches("io.sync_with_stdio", helper) == []
    # Already set, either call, even through a macro.
    for already in ("ios::sync_with_stdio(0);", "cin.tie(0);", "std::ios_base::sync_with_stdio(false);"):
        assert matches("io.sync_with_stdio", READ_SUM.replace("int n;", f"{already} int n;")) == []
    fast = "#define FAST ios::sync_with_stdio(0)\n" + READ_SUM.replace("int n;", "FAST; int n;")
    assert matches("io.sync_with_stdio", fast) == []
    # The console handed to a child process, stdin reopened, no main.
    assert matches("io.sync_with_stdio", READ_SUM.replace("int n;", 'system("date"); int n;')) == []
    assert matches("io.sync_with_stdio", READ_SUM.replace("int n;", 'freopen("a", "r", stdin); int n;')) == []
    assert matches("io.sync_with_stdio", READ_SUM.replace("int main()", "int solve()")) == []
    # Nothing repeated: a couple of reads and one line out gain nothing worth a candidate.
    few = "#include <iostream>\nint main() { int a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n"
    assert matches("io.sync_with_stdio", few) == []


def test_sync_with_stdio_keeps_the_tie_of_an_interactive_program() -> None:
    (found,) = matches("io.sync_with_stdio", INTERACTIVE)
    assert [e.text.strip() for e in found.edits] == ["ios::sync_with_stdio(false);"]


def test_endl_to_newline_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("io.endl_to_newline", PREFIX_ENDL, ["30000\n", "3\n"], tmp_path, sandbox))


def test_endl_to_newline_leaves_unsafe_programs_alone() -> None:
    assert matches("io.endl_to_newline", INTERACTIVE) == []
    assert matches("io.endl_to_newline", PROMPT) == []
    # cerr and an ostream of unknown target; the program's own endl.
    other_streams = r"""
#include <iostream>
void show(std::ostream& os, int x) { os << x << std::endl; }
int main() {
    for (int i = 0; i < 3; i++) { std::cerr << i << std::endl; std::clog << i << std::endl; show(std::cout, i); }
}
"""
    assert matches("io.endl_to_newline", other_streams) == []
    own = PREFIX_ENDL.replace("std::endl", "endl").replace("int main", "const char endl = '\\n';\nint main")
    assert matches("io.endl_to_newline", own) == []
    # Output must be flushed before an exit that skips the buffers, or before a child writes.
    quick = PREFIX_ENDL.replace("s += i % 7;", "s += i % 7; if (s > 100) _Exit(0);")
    assert matches("io.endl_to_newline", quick) == []
    child = PREFIX_ENDL.replace("s += i % 7;", 's += i % 7; if (i == 5) system("echo hi");')
    assert matches("io.endl_to_newline", child) == []
    # Unsynchronised cout mixed with printf keeps its order only through the flushes.
    mixed = PREFIX_ENDL.replace("std::cin >> n;", 'std::ios::sync_with_stdio(false); std::cin >> n; printf("go\\n");')
    assert matches("io.endl_to_newline", mixed) == []
    # A file that the program reads back while it is open.
    reread = r"""
#include <fstream>
#include <iostream>
int main() {
    std::ofstream f("t.txt"); std::ifstream g("t.txt");
    for (int i = 0; i < 3; i++) { f << i << std::endl; int x; g >> x; std::cout << x; }
}
"""
    assert matches("io.endl_to_newline", reread) == []
    # One endl at the very end: a single flush, nothing to gain.
    once = "#include <iostream>\nint main() { int a; std::cin >> a; std::cout << a * 2 << std::endl; }\n"
    assert matches("io.endl_to_newline", once) == []


def test_endl_to_newline_takes_buffered_streams() -> None:
    source = r"""
#include <fstream>
#include <sstream>
#include <iostream>
using namespace std;
int main() {
    ostringstream os; ofstream f("out.txt");
    for (int i = 0; i < 3; i++) { os << i << endl; f << i << endl; }
    cout << os.str() << endl;
}
"""
    assert len(matches("io.endl_to_newline", source)) == 3
    assert "endl" not in rewritten("io.endl_to_newline", source)


def test_no_flush_in_loop_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("io.no_flush_in_loop", PREFIX_FLUSH, ["30000\n", "3\n"], tmp_path, sandbox))


def test_no_flush_in_loop_leaves_unsafe_programs_alone() -> None:
    assert matches("io.no_flush_in_loop", INTERACTIVE) == []
    assert matches("io.no_flush_in_loop", PROMPT) == []
    # Not in a loop; the body of an unbraced if; stderr; mixed C and C++ output.
    once = PREFIX_FLUSH.replace("        cout.flush();\n", "").replace("    }\n}", "    }\n    cout.flush();\n}")
    assert matches("io.no_flush_in_loop", once) == []
    unbraced = PREFIX_FLUSH.replace("cout.flush();", "if (i % 100 == 0) cout.flush();")
    assert matches("io.no_flush_in_loop", unbraced) == []
    assert matches("io.no_flush_in_loop", PREFIX_FLUSH.replace("cout.flush();", "fflush(stderr);")) == []
    assert matches("io.no_flush_in_loop", PREFIX_FLUSH.replace("cout.flush();", "cerr.flush();")) == []
    mixed = PREFIX_FLUSH.replace("cout.flush();", 'fflush(stdout); printf("-\\n");')
    assert matches("io.no_flush_in_loop", mixed) == []
    quick = PREFIX_FLUSH.replace("cout.flush();", "cout.flush(); if (s > 1000) quick_exit(0);")
    assert matches("io.no_flush_in_loop", quick) == []


VARIED = [
    # std:: spelling, main on one line with the first statement.
    r"""
#include <iostream>
#include <string>
int main() { int n; std::cin >> n; for (int i = 0; i < n; i++) std::cout << i << std::endl << std::flush; }
""",
    # using namespace std, auto, a template and a second function, fflush of a printf-only program.
    r"""
#include <bits/stdc++.h>
using namespace std;
template <class T> void put(const T& x) { cout << x << endl; }
auto twice(int x) { return 2 * x; }
int main()
{
    int n;
    cin >> n;
    for (int i = 0; i < n; i++) {
        put(twice(i));
        cout << flush;
    }
    while (n--) { cout << n << endl; std::cout.flush(); }
}
""",
    r"""
#include <cstdio>
int main() {
    int n; if (scanf("%d", &n) != 1) return 1;
    for (int i = 0; i < n; i++) { printf("%d\n", i); fflush(stdout); }
}
""",
]


@pytest.mark.parametrize("source", VARIED)
def test_io_rewrites_compile_and_keep_output(source: str, tmp_path: Path) -> None:
    for name in ("io.sync_with_stdio", "io.endl_to_newline", "io.no_flush_in_loop"):
        if not matches(name, source):
            continue
        outputs = []
        for label, text in (("before", source), ("after", rewritten(name, source))):
            (tmp_path / f"{label}.cpp").write_text(text)
            subprocess.run(
                ["g++", "-std=c++17", "-o", str(tmp_path / label), str(tmp_path / f"{label}.cpp")], check=True
            )
            run = subprocess.run([str(tmp_path / label)], input=b"4\n", capture_output=True, check=True, timeout=20)
            outputs.append(run.stdout)
        assert outputs[0] == outputs[1], name

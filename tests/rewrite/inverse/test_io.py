"""io inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.io import DropSyncWithStdio, NewlineToEndl
from tests.rewrite.harness import check_inverse, inverted

PREFIX = r"""
#include <iostream>
#include <vector>
using namespace std;
void row(int i, long long s) { cout << "row " << i << ": " << s << "\n"; }
int main() {
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long s = 0;
    cout << "sums\n";
    for (int i = 0; i < n; i++) {
        s += a[i];
        cout << s << ' ' << '\n';
        if (i % 2 == 0) row(i, s);
    }
    cout << '\n' << "total" << ' ' << s << '\n';
}
"""
INPUTS = ["5\n1 2 3 4 5\n", "1\n-7\n", "0\n"]


def test_newline_to_endl(tmp_path: Path) -> None:
    result = check_inverse(NewlineToEndl(), PREFIX, INPUTS, tmp_path)
    assert '"\\n"' not in result and "'\\n'" not in result
    assert 'cout << "sums" << endl;' in result
    assert "cout << endl << \"total\" << ' ' << s << endl;" in result
    assert "<< ' ' << endl;" in result  # a space is not a newline


def test_newline_to_endl_spells_std_without_using() -> None:
    source = PREFIX.replace("using namespace std;\n", "").replace("cout", "std::cout").replace("cin", "std::cin")
    source = source.replace("vector<", "std::vector<")
    result = inverted(NewlineToEndl(), source)
    assert "std::cout << s << ' ' << std::endl;" in result
    assert " endl" not in result.replace("std::endl", "")


def test_newline_to_endl_compiles_without_using(tmp_path: Path) -> None:
    source = PREFIX.replace("using namespace std;\n", "using std::cin; using std::cout; using std::vector;\n")
    check_inverse(NewlineToEndl(), source, INPUTS[:1], tmp_path)


def test_newline_to_endl_stays_silent_where_unsafe() -> None:
    silent = {
        # Other streams: cerr, a stream handed in, a string stream.
        "cerr": PREFIX.replace("cout", "cerr"),
        "ostream param": "#include <iostream>\nvoid out(std::ostream& os, int x) { os << x << '\\n'; }\n"
        "int main() { for (int i = 0; i < 3; i++) out(std::cout, i); }\n",
        "stringstream": PREFIX.replace("#include <vector>", "#include <sstream>\n#include <vector>")
        .replace("cout", "os")
        .replace("long long s = 0;", "long long s = 0; ostringstream os;"),
        # endl is the program's own, or hides in a macro.
        "own endl": PREFIX.replace("int main", "const char endl = '\\n';\nint main"),
        "macro": "#define NL endl\n" + PREFIX,
        "macro name": "#define endl '\\n'\n" + PREFIX,
        # Output whose flush timing shows: a hard exit, a child, printf beside unsynchronised cout.
        "hard exit": PREFIX.replace("s += a[i];", "s += a[i]; if (s > 100) _Exit(0);"),
        "child": PREFIX.replace("s += a[i];", 's += a[i]; if (i == 3) system("echo hi");'),
        "mixed": PREFIX.replace("cin >> n;", 'ios::sync_with_stdio(false); cin >> n; printf("go\\n");'),
        # Interactive: a question then a read in a loop.
        "interactive": PREFIX.replace("s += a[i];", 's += a[i]; cout << "?\\n"; int r; cin >> r;'),
    }
    for why, source in silent.items():
        assert NewlineToEndl().find(Parsed(source)) == [], why
    # Only wide or escaped-differently literals: not a newline the way cout prints it.
    others = r"""
#include <iostream>
using namespace std;
int main() { for (int i = 0; i < 3; i++) cout << i << L'\n' << "\\n" << '\12' << u8"x\n" << "a\nb"; }
"""
    assert NewlineToEndl().find(Parsed(others)) == []
    # A newline printed once in main: the forward rule would not bother with one flush.
    once = "#include <iostream>\nint main() { int a; std::cin >> a; std::cout << a * 2 << '\\n'; }\n"
    assert NewlineToEndl().find(Parsed(once)) == []


FAST = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    ios_base::sync_with_stdio(false);
    cin.tie(NULL);
    int n;
    cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long best = 0, cur = 0;
    for (long long x : a) {
        cur = max(x, cur + x);
        best = max(best, cur);
        cout << cur << '\n';
    }
    cout << best << '\n';
}
"""
FAST_INPUTS = ["6\n3 -5 4 -1 2 1\n", "1\n-3\n", "0\n"]


def test_drop_sync_with_stdio(tmp_path: Path) -> None:
    result = check_inverse(DropSyncWithStdio(), FAST, FAST_INPUTS, tmp_path)
    assert "sync_with_stdio" not in result and "tie" not in result
    assert "int main() {\n    int n;" in result  # the lines go, not just the statements


def test_drop_sync_with_stdio_takes_every_spelling(tmp_path: Path) -> None:
    for i, setup in enumerate(
        (
            "std::ios::sync_with_stdio(0); std::cin.tie(nullptr); // fast io",
            "ios::sync_with_stdio(false), cin.tie(0), cout.tie(0);",
            "cin.sync_with_stdio(false);",
            "std::ios_base::sync_with_stdio(false);\n    cin.tie(0);\n    cout.tie(0);",
        )
    ):
        source = FAST.replace("ios_base::sync_with_stdio(false);\n    cin.tie(NULL);", setup)
        result = check_inverse(DropSyncWithStdio(), source, FAST_INPUTS[:1], tmp_path / str(i))
        assert "sync_with_stdio" not in result and "tie" not in result and "fast io" not in result, setup
        assert "int main() {\n    int n;" in result, result
    # After a plain declaration, still before any I/O.
    late = FAST.replace("    int n;\n", "").replace("int main() {\n", "int main() {\n    int n;\n")
    check_inverse(DropSyncWithStdio(), late, FAST_INPUTS[:1], tmp_path / "late")


def test_drop_sync_with_stdio_stays_silent_where_unsafe() -> None:
    silent = {
        # C stdio beside iostreams, or the console handed elsewhere.
        "printf": FAST.replace("cout << best << '\\n';", 'printf("%lld\\n", best);'),
        "scanf": FAST.replace("cin >> n;", 'scanf("%d", &n);'),
        "stdout": FAST.replace("int n;", "int n; setvbuf(stdout, nullptr, _IOFBF, 1 << 16);"),
        "macro printf": '#define OUT(x) printf("%lld\\n", x)\n' + FAST,
        "hard exit": FAST.replace("best = max(best, cur);", "best = max(best, cur); if (best > 100) abort();"),
        # The setup itself in a macro, another function, a nested block, or after the first read.
        "macro": "#define FAST ios::sync_with_stdio(0); cin.tie(0)\n"
        + FAST.replace("ios_base::sync_with_stdio(false);\n    cin.tie(NULL);", "FAST;"),
        "function": FAST.replace("ios_base::sync_with_stdio(false);\n    cin.tie(NULL);", "fast();").replace(
            "int main", "void fast() { ios::sync_with_stdio(false); cin.tie(0); }\nint main"
        ),
        "block": FAST.replace("ios_base::sync_with_stdio(false);", "{ ios_base::sync_with_stdio(false); }"),
        "unbraced if": FAST.replace("ios_base::sync_with_stdio(false);", "if (1) ios_base::sync_with_stdio(false);"),
        "after a read": FAST.replace("    int n;\n    cin >> n;\n", "").replace(
            "int main() {\n", "int main() {\n    int n;\n    cin >> n;\n"
        ),
        "constructor": FAST.replace("int main() {\n", "int main() {\n    Hello h;\n").replace(
            "int main", 'struct Hello { Hello() { cout << "hi\\n"; } };\nint main'
        ),
        # A tie to a real stream, a value kept, a true, rdbuf: not only the forward rule's own setup.
        "tie to cout": FAST.replace("cin.tie(NULL);", "cin.tie(NULL); cerr.tie(&cout);"),
        "kept": FAST.replace("ios_base::sync_with_stdio(false);", "bool was = ios_base::sync_with_stdio(false);"),
        "true": FAST.replace("ios_base::sync_with_stdio(false);", "ios_base::sync_with_stdio(true);"),
        "rdbuf": FAST.replace("int n;", "auto* buf = cout.rdbuf(); int n;"),
        # Too little I/O for the forward rule to add the setup back.
        "few": "#include <iostream>\nusing namespace std;\nint main() {\n    ios::sync_with_stdio(false);\n"
        "    cin.tie(0);\n    int a, b;\n    cin >> a >> b;\n    cout << a + b << '\\n';\n}\n",
    }
    for why, source in silent.items():
        assert DropSyncWithStdio().find(Parsed(source)) == [], why


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["io.newline_to_endl"].inverts == "io.endl_to_newline"
    assert names["io.drop_sync_with_stdio"].inverts == "io.sync_with_stdio"

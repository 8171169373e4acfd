"""Loop macros (``rep(i, n)``): functions that use them are parsed, rewritten inside, never in the header."""

from __future__ import annotations

from pathlib import Path

from perfopt.rewrite import Parsed
from perfopt.rewrite.macros import apply
from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten, same_output
from tests.rewrite.test_io import NUMBERS

READ_SUM = r"""
#include <iostream>
#include <vector>
using namespace std;
#define rep(i, n) for (int i = 0; i < (int)(n); i++)
#define REP(i,a,b) for(int i=(a);i<(b);++i)
int main() {
    int n;
    cin >> n;
    vector<long long> a(n);
    rep(i, n) cin >> a[i];
    long long s = 0;
    REP(i,0,n) {
        s += a[i];
    }
    cout << s << '\n';
}
"""


def test_uses_parse_as_loops_of_the_same_length() -> None:
    parsed = Parsed(READ_SUM)
    main = next(c for c in parsed.root.children if c.type == "function_definition")
    assert not main.has_error
    assert [m.text for m in parsed.masks] == [b"for(i;;n)", b"for(i;0;n)"]
    assert len(apply(parsed.data, parsed.masks)) == len(parsed.data)
    # Text always comes from the real source.
    loop = next(n for n in parsed.walk() if n.type == "for_statement")
    assert parsed.text(loop) == "rep(i, n) cin >> a[i];"


def test_a_rewrite_inside_a_macro_loop_function_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("io.sync_with_stdio", READ_SUM, [NUMBERS, "3\n1 2 3\n"], tmp_path, sandbox))


def test_the_names_in_macro_arguments_still_count_as_uses(tmp_path: Path) -> None:
    # v is read by the later loop's header: moving it into w first would empty it.
    source = r"""
#include <iostream>
#include <vector>
using namespace std;
#define rep(i, n) for (int i = 0; i < (int)(n); i++)
int main() {
    vector<long long> v(1000, 3);
    vector<long long> w = v;
    long long t = w.size();
    rep(i, v.size()) t += i;
    cout << t << '\n';
}
"""
    assert matches("copies.move_last_use", source) == []
    # Without the later use the move is found: the function is not simply off limits.
    alone = source.replace("    rep(i, v.size()) t += i;\n", "")
    same_output(alone, rewritten("copies.move_last_use", alone), tmp_path, "")


def test_the_masked_header_is_never_rewritten() -> None:
    # strlen in a classic loop's condition is hoisted; in a macro's argument it is not touched.
    classic = r"""
#include <cstdio>
#include <cstring>
char s[200000];
int main() {
    scanf("%s", s);
    int vowels = 0;
    for (int i = 0; i < (int)strlen(s); i++) vowels += s[i] == 'a';
    printf("%d\n", vowels);
}
"""
    assert matches("strings.strlen_hoist", classic)
    macro = classic.replace("char s[", "#define rep(i, n) for (int i = 0; i < (int)(n); i++)\nchar s[").replace(
        "for (int i = 0; i < (int)strlen(s); i++)", "rep(i, strlen(s))"
    )
    assert Parsed(macro).masks
    assert matches("strings.strlen_hoist", macro) == []


def test_only_counting_for_macros_are_masked() -> None:
    # A range-for macro binds a reference into the container: reading it as a counting loop would hide writes.
    each = "#define each(x, v) for (auto& x : v)\nint main() { int a[3] = {}; each(x, a) x++; }\n"
    assert Parsed(each).masks == []
    # Too short for "for", spanning lines, or with one argument and no space to spare: left as they were.
    assert Parsed("#define R(i,n) for(int i=0;i<n;i++)\nint main() { R(i,3) {} }\n").masks == []
    assert Parsed("#define rep(i,n) for(int i=0;i<n;i++)\nint main() { rep(i,3){} }\n").masks == []
    spaced = Parsed("#define rep(i,n) for(int i=0;i<n;i++)\nint main() { rep(i,3) {} }\n")
    assert [m.text for m in spaced.masks] == [b"for(i;3;)"]

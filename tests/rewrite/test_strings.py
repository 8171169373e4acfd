"""Strings rewrites: R4 on a real program, and left alone where unsafe."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten

CONCAT = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    int n; cin >> n;
    string s;
    for (int i = 0; i < n; i++) s = s + char('a' + i % 26);
    cout << s.size() << ' ' << s[n / 2] << '\n';
}
"""


def test_append_not_concat_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("strings.append_not_concat", CONCAT, ["3000\n", "5\n"], tmp_path, sandbox))


def test_append_not_concat_leaves_other_types_alone() -> None:
    # An int, and a user type whose operator+ need not mean append.
    source = """
struct V { int x; V operator+(int y) const { return {x * 2 + y}; } };
int main() { int k = 0; V v{1}; k = k + 1; v = v + 3; return k + v.x; }
"""
    assert matches("strings.append_not_concat", source) == []
    # Only the clean part of a file tree-sitter parses partly.
    broken = CONCAT + '\nint broken( { s = s + "x"; \n'
    assert len(matches("strings.append_not_concat", broken)) == 1


#: putchar may write any global, so g++ itself cannot hoist strlen out of this loop.
STRLEN = r"""
#include <cctype>
#include <cstdio>
#include <cstring>
char s[6001];
int main() {
    if (scanf("%6000s", s) != 1) return 0;
    int vowels = 0;
    for (int i = 0; i < strlen(s); i++) {
        if (s[i] == 'a' || s[i] == 'e') vowels++;
        putchar(toupper(s[i]));
    }
    printf("\n%d\n", vowels);
}
"""


def test_strlen_hoist_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    text = "".join(random.Random(3).choice("abcde0123456789") for _ in range(6000))
    assert_r4(r4("strings.strlen_hoist", STRLEN, [text + "\n", "ae1\n"], tmp_path, sandbox))


def test_strlen_hoist_leaves_changing_strings_alone() -> None:
    for body in (
        "s[i] = 'x';",  # written by index
        "s[i]++;",
        "if (s[i] == 'a') s[i + 1] = 0;",
        'strcat(s, "a");',  # handed to a function that writes
        'scanf("%s", s + i);',
        "char* p = s; p[i] = 0;",  # through an alias
        "char& c = s[i]; c = 0;",
        "fix();",  # s is global: any other function may write it
    ):
        source = STRLEN.replace("vowels++;", f"vowels++; {body}").replace(
            "int main", "void fix() { s[0] = 0; }\nint main"
        )
        assert matches("strings.strlen_hoist", source) == [], body
    # Not a char array or pointer: a std::string's c_str, an unbraced loop body of an if.
    unbraced = STRLEN.replace(
        "    for (int i = 0; i < strlen(s); i++) {", "    if (s[0]) for (int i = 0; i < strlen(s); i++) {"
    )
    assert matches("strings.strlen_hoist", unbraced) == []
    other = STRLEN.replace("char s[6001];", "struct S { char x[9]; } t; char s[6001];").replace(
        "strlen(s)", "strlen(t.x)"
    )
    assert matches("strings.strlen_hoist", other) == []
    # Behind && the loop may never call strlen (here on a null pointer); hoisted, it always would.
    guarded = r"""
#include <cstring>
int count(const char* p) { int n = 0; for (int i = 0; p && i < strlen(p); i++) n += p[i] == 'a'; return n; }
int main() { return count(nullptr); }
"""
    assert matches("strings.strlen_hoist", guarded) == []


def test_strlen_hoist_takes_nested_loops_and_body_calls_once() -> None:
    source = r"""
#include <cstdio>
#include <cstring>
int main() {
    char s[200];
    if (scanf("%199s", s) != 1) return 0;
    long long pairs = 0;
    for (int i = 0; i < strlen(s); i++)
        for (int j = i + 1; j < strlen(s); j++)
            if (s[i] == s[j] && j + 1 < strlen(s)) pairs++;
    printf("%lld\n", pairs);
}
"""
    assert len(matches("strings.strlen_hoist", source)) == 1
    text = rewritten("strings.strlen_hoist", source)
    assert text.count("strlen(s)") == 1 and text.count("s_len") == 4


def test_strlen_hoist_local_array_allows_other_calls() -> None:
    source = r"""
#include <algorithm>
#include <cstring>
#include <cstdio>
#include <vector>
int twice(int x) { return 2 * x; }
int main() {
    char s[100], t[100];
    scanf("%s %s", s, t);
    std::vector<int> v;
    int total = 0;
    for (int i = 0; i < strlen(s); i++) { total += twice(s[i]); v.push_back(s[i]); strcpy(t, "x"); }
    for (int i = 0; i < std::min(strlen(s), strlen(t)); i++) total += t[i];
    printf("%d %zu\n", total, v.size());
}
"""
    found = matches("strings.strlen_hoist", source)
    assert len(found) == 2
    text = rewritten("strings.strlen_hoist", source)
    assert "const size_t s_len = strlen(s);" in text and "const size_t s_len2 = strlen(s);" in text
    assert "i < std::min(s_len2, t_len)" in text


SUBSTR = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    string s, t;
    cin >> s >> t;
    int count = 0;
    for (size_t i = 0; i + t.size() <= s.size(); i++)
        if (s.substr(i, t.size()) == t) count++;
    cout << count << '\n';
}
"""


def test_substr_compare_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    text = "".join(random.Random(5).choice("ab") for _ in range(20000))
    assert_r4(r4("strings.substr_compare", SUBSTR, [text + "\n" + "ab" * 10 + "\n", "abab ab\n"], tmp_path, sandbox))


def test_substr_compare_leaves_other_types_alone() -> None:
    source = r"""
#include <string>
#include <string_view>
struct Text { std::string substr(int a, int b) const { return std::string(b, 'x'); } };
int main() {
    std::string_view v = "abc"; Text t; std::string s = "abc"; int i = 0;
    bool a = v.substr(0, 1) == "a";        // string_view: substr is already free
    bool b = t.substr(0, 1) == "x";        // a user type's substr
    bool c = s.substr(i++, 1) == "b";      // side effect in an argument
    bool d = s.substr(0, 1) == std::string(1, 'a');  // a comparand compare() may not take as is
    return a + b + c + d;
}
"""
    assert matches("strings.substr_compare", source) == []


CHARS = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    int n;
    cin >> n;
    string s;
    for (int i = 0; i < n; i++) {
        char c = 'a' + (i * 7) % 26;
        s += string(1, c);
    }
    long long h = 0;
    for (char c : s) h = h * 31 + c;
    cout << s.size() << ' ' << h << '\n';
}
"""


def test_char_not_string_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4("strings.char_not_string", CHARS, ["50000\n", "3\n"], tmp_path, sandbox))


def test_char_not_string_leaves_unsafe_forms_alone() -> None:
    source = r"""
#include <string>
#include <vector>
using namespace std;
struct Buf { Buf& operator+=(const string& x) { return *this; } };
int main() {
    string s; Buf b; vector<string> v(1); char c = 'x';
    s += string{1, c};        // brace form: the two characters '\1' and c
    s += string(2, c);        // two of them
    s += string(1, 0);        // s += 0 would be ambiguous
    b += string(1, c);        // not a std::string
    s = string(1, c) + s;     // a prepend
    return s.size();
}
"""
    assert matches("strings.char_not_string", source) == []


PREFIXES = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    string s;
    int q;
    cin >> s >> q;
    int hits = 0;
    for (int i = 0; i < q; i++) {
        string p;
        cin >> p;
        if (s.find(p) == 0) hits++;
    }
    cout << hits << '\n';
}
"""


def test_starts_with_rfind_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    rng = random.Random(1)
    s = "".join(rng.choice("ab") for _ in range(5000))
    queries = [s[: rng.randint(1, 10)] if rng.random() < 0.3 else "ab" * rng.randint(1, 3) + "c" for _ in range(300)]
    big = f"{s}\n300\n" + "\n".join(queries) + "\n"
    assert_r4(r4("strings.starts_with_rfind", PREFIXES, [big, "abc 2\nab\nb\n"], tmp_path, sandbox))


def test_starts_with_rfind_leaves_other_forms_alone() -> None:
    source = r"""
#include <string>
#include <vector>
int main() {
    std::string s = "abc"; std::vector<int> v;
    bool a = s.find("b", 1) == 0;   // a start position
    bool b = s.find("b") == 1;      // not a starts-with test
    bool c = s.find("b") != std::string::npos;
    const char* p = "abc";
    bool d = std::string(p).find("a") == 0;  // not a named string
    return a + b + c + d;
}
"""
    assert matches("strings.starts_with_rfind", source) == []


VARIED = r"""
#include <bits/stdc++.h>
using namespace std;
template <class T> bool same(const T& a, const T& b) { return a == b; }
auto pick(const std::string& s, size_t i) { return s.substr(i, 2) == "ab" || std::string("x") != s.substr(i); }
int main() {
    std::string s, t = "ab";
    char buf[64];
    cin >> s >> buf;
    int n = 0;
    for (size_t i = 0; i < std::strlen(buf); i++) n += buf[i] == 'a';
    while (n < (int)strlen(buf)) n++;
    for (size_t i = 0; i + 2 <= s.size(); i++) { n += pick(s, i); n += s.substr(i, 1) != t.substr(0, 1); }
    std::string u;
    for (char c : s) { u += std::string(1, c); u = u + string(1, c); u.append(std::string(1, c)).append("-"); }
    n += !s.find(t) + (0 == u.find('a'));
    cout << n << ' ' << u << ' ' << same(s, t) << '\n';
}
"""


def test_strings_rewrites_compile_and_keep_output(tmp_path: Path) -> None:
    names = ["strings.strlen_hoist", "strings.substr_compare", "strings.char_not_string", "strings.starts_with_rfind"]
    outputs = []
    for label, text in [("before", VARIED)] + [(n, rewritten(n, VARIED)) for n in names]:
        (tmp_path / f"{label}.cpp").write_text(text)
        subprocess.run(["g++", "-std=c++17", "-o", str(tmp_path / label), str(tmp_path / f"{label}.cpp")], check=True)
        run = subprocess.run([str(tmp_path / label)], input=b"abcab aab\n", capture_output=True, check=True, timeout=20)
        outputs.append(run.stdout)
    assert len(set(outputs)) == 1

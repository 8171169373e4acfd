"""strings.append_chain: R4 on a real program, silent where unsafe, and compiling output."""

from __future__ import annotations

import subprocess
from pathlib import Path

from perfopt.sandbox import Sandbox
from tests.rewrite.harness import assert_r4, matches, r4, rewritten

NAME = "strings.append_chain"

#: Every s + c copies the whole of s: quadratic, where += is linear.
CHAIN = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    int n;
    cin >> n;
    string s;
    for (int i = 0; i < n; i++) {
        char c = 'a' + i % 26;
        s = s + c + ",";
    }
    cout << s.size() << ' ' << s.substr(s.size() / 2, 6) << '\n';
}
"""


def test_append_chain_is_r4(tmp_path: Path, sandbox: Sandbox) -> None:
    assert_r4(r4(NAME, CHAIN, ["3000\n", "4\n"], tmp_path, sandbox))


def test_append_chain_leaves_unsafe_chains_alone() -> None:
    for body in (
        's = s + "a" + s;',  # appending first changes what the last piece reads
        "s = s + t + s.substr(0, 1);",
        "s = s + 'a' + 1;",  # string + int is no append (+= would take it as a char)
        "s = s + t + k;",
        "s = s + p + t;",  # a pointer may point into s, which appending can move
        's = s + "x" + rs;',  # rs is a reference to s
        'rs = rs + "x" + t;',  # rs may be t
        's = s + cr + "x";',
        "s = s + f() + t;",  # a call that may change s
        's = s + (t + "a") + "b";',  # a parenthesised piece: not part of the chain
        's = t + "a" + "b";',  # s is not the first operand
        "v = v + t + t;",  # not a std::string
        's = s + "x";',  # one piece: strings.append_not_concat's
        's = s + to_string(s.size()) + "x";',
    ):
        source = f"""
#include <string>
using namespace std;
struct V {{ V operator+(const string&) const {{ return *this; }} }};
string s, t = "q";
string f() {{ s += "!"; return "f"; }}
int main() {{
    string& rs = s; const string& cr = t; const char* p = s.c_str(); int k = 1; V v;
    {body}
    return (int)s.size() + k + (p != nullptr) + (int)cr.size() + (int)rs.size();
}}
"""
        assert matches(NAME, source) == [], body


VARIED = r"""
#include <iostream>
#include <string>
std::string label(std::string name, int k) {
    name = name + ":" + std::to_string(k) + ';';
    return name;
}
template <class T>
std::string join(const T& parts) {
    std::string out;
    for (const auto& p : parts)
        out = out + "[" + "]";
    return out;
}
int main() {
    std::string s, t = "ab";
    char c = 'z';
    char buf[8] = "hi";
    int n = 3;
    for (int i = 0; i < n; i++)
        if (i % 2) s = s + t[i % 2] + c;
        else s = s + buf + t.substr(0, 1) + "-";
    auto word = label("w", n);
    std::cout << s << word << join(std::string("xy")) << '\n';
}
"""


def test_append_chain_output_compiles(tmp_path: Path) -> None:
    assert len(matches(NAME, VARIED)) == 4
    out = rewritten(NAME, VARIED)
    assert "name += \":\"; name += std::to_string(k); name += ';';" in out
    assert "if (i % 2) (s += t[i % 2]) += c;" in out  # an unbraced body stays one statement
    src = tmp_path / "varied.cpp"
    src.write_text(out)
    subprocess.run(["g++", "-std=c++17", "-fsyntax-only", str(src)], check=True)
    binary = tmp_path / "varied"
    for label, text in (("before", VARIED), ("after", out)):
        (tmp_path / f"{label}.cpp").write_text(text)
        subprocess.run(["g++", "-std=c++17", "-o", str(binary) + label, str(tmp_path / f"{label}.cpp")], check=True)
    runs = [subprocess.run([str(binary) + x], capture_output=True, check=True).stdout for x in ("before", "after")]
    assert runs[0] == runs[1]

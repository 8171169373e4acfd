"""strings inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.strings import ConcatNotAppend, StringNotChar
from tests.rewrite.harness import check_inverse

#: Every kind of x the inverses take: literals, a char variable, a string's character, strings, to_string, substr.
BUILD = r"""
#include <iostream>
#include <string>
using namespace std;
string out;
void emit(string& acc, const string& word) { acc += word; acc += ' '; }
int main() {
    int n;
    cin >> n;
    string w;
    cin >> w;
    string s;
    for (int i = 0; i < n; i++) {
        char c = 'a' + i % 26;
        s += c;
        s += w[i % w.size()];
        s += "-";
        s += '\n';
        s += R"(|)";
        s += to_string(i * i);
        s += w.substr(0, 2);
        if (i % 3 == 0) emit(out, w);
    }
    for (char c : w) out += c;
    out += s;
    cout << out << '\n' << s.size() << '\n';
}
"""
INPUTS = ["5 hello\n", "1 x\n", "0 abc\n", "30 zebra\n"]


def test_concat_not_append(tmp_path: Path) -> None:
    result = check_inverse(ConcatNotAppend(), BUILD, INPUTS, tmp_path)
    for line in (
        "acc = acc + word;",
        "acc = acc + ' ';",
        "s = s + c;",
        "s = s + w[i % w.size()];",
        's = s + "-";',
        "s = s + '\\n';",
        's = s + R"(|)";',
        "s = s + to_string(i * i);",
        "s = s + w.substr(0, 2);",
        "out = out + c;",
        "out = out + s;",
    ):
        assert line in result, line
    assert "+=" not in result


def test_concat_not_append_spells_std(tmp_path: Path) -> None:
    source = BUILD.replace("using namespace std;\n", "using std::cin; using std::cout; using std::to_string;\n")
    source = source.replace("string ", "std::string ").replace("string&", "std::string&")
    result = check_inverse(ConcatNotAppend(), source, INPUTS[:1], tmp_path)
    assert "s = s + c;" in result


def test_concat_not_append_stays_silent_where_unsafe() -> None:
    source = r"""
#include <string>
#include <vector>
using namespace std;
struct Box { string s; };
int main() {
    string s, t[3];
    vector<string> v(2);
    string* p = &s;
    Box b;
    unsigned char u = 'x';
    int k = 65;
    const char* q = "q";
    wchar_t wc = L'w';
    s += 65;            // an int: + would not compile, or mean another overload
    s += k;
    s += u;             // s + u would not deduce
    s += 'ab';          // a multi-character literal is an int
    s += q;             // a pointer of unknown provenance: kept simple
    s += k > 0 ? "a" : "b";
    s += {'a', 'b'};
    t[0] += "x";        // not a plain variable
    v[1] += "x";
    *p += "x";
    b.s += "x";
    int n = 0;
    n += 3;             // not a string at all
    if (n) s += "y", n++;
    return (int)s.size() + n + wc;
}
"""
    assert ConcatNotAppend().find(Parsed(source)) == []
    # A string type of the program's own, and an unparsed region.
    own = "#include <string>\nstruct string { string& operator+=(char) { return *this; } };\n"
    own += "int main() { string s; s += 'a'; }\n"
    assert ConcatNotAppend().find(Parsed(own)) == []
    broken = "#include <string>\nint main() { std::string s; s += 'a'; s += ( }\n"
    assert ConcatNotAppend().find(Parsed(broken)) == []


def test_string_not_char(tmp_path: Path) -> None:
    result = check_inverse(StringNotChar(), BUILD, INPUTS, tmp_path)
    for line in (
        "acc += string(1, ' ');",
        "s += string(1, c);",
        "s += string(1, w[i % w.size()]);",
        "s += string(1, '\\n');",
        "out += string(1, c);",
    ):
        assert line in result, line
    assert 's += "-";' in result and "out += s;" in result  # strings stay as they are


def test_string_not_char_spells_std(tmp_path: Path) -> None:
    source = BUILD.replace("using namespace std;\n", "using std::cin; using std::cout; using std::to_string;\n")
    source = source.replace("string ", "std::string ").replace("string&", "std::string&")
    result = check_inverse(StringNotChar(), source, INPUTS[:2], tmp_path)
    assert "s += std::string(1, c);" in result


def test_string_not_char_stays_silent_where_unsafe() -> None:
    source = r"""
#include <string>
using namespace std;
int main() {
    string s;
    int k = 66;
    unsigned char u = 'x';
    s += 65;
    s += k;
    s += u;
    s += L'w';
    s += "c";
    s += ('a');
    return (int)s.size();
}
"""
    assert StringNotChar().find(Parsed(source)) == []
    # The program's own `string` (a macro or a name), where string(1, c) would mean something else.
    for own in ("#define string std::string\n", "namespace my { int string; }\n"):
        program = own + "#include <string>\nusing namespace std;\nint main() { std::string s; s += 'a'; }\n"
        assert StringNotChar().find(Parsed(program)) == [], own


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["strings.concat_not_append"].inverts == "strings.append_not_concat"
    assert names["strings.string_not_char"].inverts == "strings.char_not_string"

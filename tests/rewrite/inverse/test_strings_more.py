"""More strings inverses: same output after de-optimizing, undone by the forward rule, silent where unsafe."""

from __future__ import annotations

import pkgutil
from pathlib import Path

from perfopt.rewrite import Parsed, all_rewrites, inverse
from perfopt.rewrite.inverse import strings_more
from perfopt.rewrite.inverse.strings_more import ConcatChain, FindNotRfind, SubstrNotCompare
from tests.rewrite.harness import check_inverse

#: A label per word, built piece by piece: neighbouring appends, and a sum of strings in one append.
LABELS = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    int n;
    cin >> n;
    string all;
    for (int i = 0; i < n; i++) {
        string w;
        cin >> w;
        char first = w[0];
        string label;
        label += first;
        label += ':';
        label += to_string(w.size());
        label += "/";
        label += w.substr(1);
        string tag;
        tag += w + "!";
        all += label;
        all += '\n';
        all += "<" + tag + ">";
    }
    cout << all << '\n';
}
"""
WORDS = ["3 apple kiwi fig\n", "1 x\n", "0\n", "4 aaaaaaaaaaaaaaaaaaaa b cc ddd\n"]


def test_concat_chain(tmp_path: Path) -> None:
    result = check_inverse(ConcatChain(), LABELS, WORDS, tmp_path)
    assert "        label = label + first + ':' + to_string(w.size()) + \"/\" + w.substr(1);\n" in result
    assert '        tag = tag + w + "!";\n' in result
    assert '        all = all + label + \'\\n\' + "<" + tag + ">";\n' in result
    assert "+=" not in result


CHAIN_FRAME = r"""
#include <string>
using namespace std;
struct Text { string s; };
int main() {
    string s, t = "ab";
    char c = 'a', d = 'b';
    int k = 7;
    Text box;
    BODY
    return (int)s.size() + k;
}
"""


def test_concat_chain_stays_silent_where_unsafe() -> None:
    silent = {
        "two chars add up as an int": "s += c + d;",
        "s itself as a piece": "s += t; s += s;",
        "an int piece": "s += t; s += 65;",
        "not neighbours": 's += t; k++; s += "q";',
        "a comment between": 's += t; /* and */ s += "q";',
        "one piece": "s += t;",
        "a member": 'box.s += t; box.s += "!";',
        "an int": "k += 1; k += 2;",
        "a parenthesised sum": 's += (t + "x");',
    }
    for why, body in silent.items():
        assert ConcatChain().find(Parsed(CHAIN_FRAME.replace("BODY", body))) == [], why
    # Two references that may be one string: appending t first would change what s + t reads.
    refs = '#include <string>\nvoid add(std::string& s, std::string& t) { s += t; s += "x"; }\n'
    assert ConcatChain().find(Parsed(refs)) == []
    # The frame itself is fine: the same appends on their own strings fire.
    assert ConcatChain().find(Parsed(CHAIN_FRAME.replace("BODY", 's += t; s += "q";')))


#: Prefix and suffix checks on words read from the input, in place with compare.
AFFIXES = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    string pre, suf;
    int n;
    cin >> pre >> suf >> n;
    char mark[] = "ing";
    int starts = 0, ends = 0, ing = 0, twins = 0;
    for (int i = 0; i < n; i++) {
        string w;
        cin >> w;
        if (w.size() < 3) continue;
        if (w.compare(0, pre.size(), pre) == 0) starts++;
        if (0 != w.compare(w.size() - suf.size() < w.size() ? w.size() - suf.size() : 0, suf.size(), suf)) ends++;
        if (w.compare(w.size() - 3, 3, mark) == 0) ing++;
        if (w.compare(0, 1, w, w.size() - 1, 1) == 0) twins++;
        if (w.compare(0, 2, "ab") == 0) cout << w << " starts with ab\n";
    }
    cout << starts << ' ' << ends << ' ' << ing << ' ' << twins << '\n';
}
"""
AFFIX_INPUTS = ["ab ing 4 abacus sing abba ring\n", "x yz 2 xyz abc\n", "q q 0\n", "long word 3 ab abc abcd\n"]


def test_substr_not_compare(tmp_path: Path) -> None:
    result = check_inverse(SubstrNotCompare(), AFFIXES, AFFIX_INPUTS, tmp_path)
    assert "if (w.substr(0, pre.size()) == pre) starts++;" in result
    assert "if (w.substr(w.size() - suf.size() < w.size() ? w.size() - suf.size() : 0, suf.size()) != suf)" in result
    assert "if (w.substr(w.size() - 3, 3) == mark) ing++;" in result
    assert "if (w.substr(0, 1) == w.substr(w.size() - 1, 1)) twins++;" in result
    assert 'if (w.substr(0, 2) == "ab") cout' in result
    assert "compare" not in result


def test_substr_not_compare_stays_silent_where_unsafe() -> None:
    source = r"""
#include <cstring>
#include <string>
using namespace std;
int next_pos(int& i) { return i++; }
int main() {
    string s = "abcdef", t = "cd";
    char buf[8] = "abc";
    const char* p = buf;
    int i = 0;
    int r = 0;
    r += s.compare(0, 2, "ab") < 0;
    r += s.compare(0, 2, "ab") == 1;
    r += s.compare(i++, 2, t) == 0;
    r += s.compare(next_pos(i), 2, t) == 0;
    r += s.compare(0, 2, t.c_str()) == 0;
    r += s.compare(0, 2, p, 1) == 0;
    r += s.compare(t) == 0;
    r += string(buf).compare(0, 1, "a") == 0;
    return r;
}
"""
    # Another comparison than with 0, arguments with side effects, a comparand the forward rule does not take,
    # the four-argument (count) form, the whole-string form, a temporary string.
    assert SubstrNotCompare().find(Parsed(source)) == []
    fine = source.replace("    return r;", "    r += s.compare(0, 2, t) == 0;\n    return r;")
    assert len(SubstrNotCompare().find(Parsed(fine))) == 1
    # A program that catches out_of_range could print which function threw it.
    caught = AFFIXES.replace("int starts", 'try { string("a").substr(5); } catch (...) {}\n    int starts')
    assert SubstrNotCompare().find(Parsed(caught)) == []


#: Starts-with tests written with rfind(x, 0), compared with 0 or npos.
PREFIXES = r"""
#include <iostream>
#include <string>
using namespace std;
int main() {
    string p;
    int n;
    cin >> p >> n;
    int yes = 0, no = 0, hash = 0, plain = 0;
    for (int i = 0; i < n; i++) {
        string w;
        cin >> w;
        if (w.rfind(p, 0) == 0) yes++;
        if (w.rfind(p, 0) == string::npos) no++;
        if (!w.rfind('#', 0)) hash++;
        if (w.rfind("re", 0) != std::string::npos) cout << w << " again\n";
        if (0 != w.rfind(p, 0)) plain++;
    }
    cout << yes << ' ' << no << ' ' << hash << ' ' << plain << '\n';
}
"""
PREFIX_INPUTS = ["ab 5 abc xab ab #x redo\n", "z 1 y\n", "q 0\n", "aaaa 3 aaa aaaa aaaaa\n"]


def test_find_not_rfind(tmp_path: Path) -> None:
    result = check_inverse(FindNotRfind(), PREFIXES, PREFIX_INPUTS, tmp_path)
    assert "if (w.find(p) == 0) yes++;" in result
    assert "if (w.find(p) != 0) no++;" in result
    assert "if (!w.find('#')) hash++;" in result
    assert 'if (w.find("re") == 0) cout << w << " again\\n";' in result
    assert "if (0 != w.find(p)) plain++;" in result
    assert "rfind" not in result


def test_find_not_rfind_stays_silent_where_unsafe() -> None:
    source = r"""
#include <string>
using namespace std;
int main() {
    string s = "abcab", t = "ab";
    char buf[4] = "ab";
    int r = 0;
    r += s.rfind(t, 1) == 0;
    r += s.rfind(t) == 0;
    r += s.rfind(t, 0) == 3;
    size_t at = s.rfind(t, 0);
    r += s.rfind(t, 0) < 5;
    r += string(buf).rfind("a", 0) == 0;
    return r + (int)at;
}
"""
    # Another start than 0, no start, another value than 0 or npos, the position kept, a temporary string.
    assert FindNotRfind().find(Parsed(source)) == []
    fine = source.replace("    return r +", "    r += s.rfind(t, 0) == 0;\n    return r +")
    assert len(FindNotRfind().find(Parsed(fine))) == 1


def test_discovered() -> None:
    assert "strings_more" in {m.name for m in pkgutil.iter_modules(inverse.__path__)}
    assert [(i.name, i.inverts) for i in (cls() for cls in strings_more.INVERSES)] == [
        ("strings.concat_chain", "strings.append_chain"),
        ("strings.substr_not_compare", "strings.substr_compare"),
        ("strings.find_not_rfind", "strings.starts_with_rfind"),
    ]
    forward = {r.name for r in all_rewrites()}
    assert {"strings.append_chain", "strings.substr_compare", "strings.starts_with_rfind"} <= forward

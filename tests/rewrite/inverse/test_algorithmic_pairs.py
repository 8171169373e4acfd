"""algorithmic_pairs inverse: same output comparing every pair instead of sorting, silent where unsafe."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.rewrite import Parsed
from perfopt.rewrite.inverse import all_inverses
from perfopt.rewrite.inverse.algorithmic_pairs import SortedDuplicateScanToPairs
from tests.rewrite.harness import check_inverse

#: A flag set (then break) after sorting an array per test case; strings in a vector scanned from 1, with a
#: print and return on a hit; a char array scanned with i < n - 1 setting two flags.
DUPLICATES = r"""
#include <bits/stdc++.h>
using namespace std;
int main() {
    int t;
    cin >> t;
    while (t--) {
        int n;
        cin >> n;
        long long a[100];
        for (int i = 0; i < n; i++) cin >> a[i];
        sort(a, a + n);
        bool dup = false;
        for (int i = 0; i + 1 < n; i++)
            if (a[i] == a[i + 1]) {
                dup = true;
                break;
            }
        char s[101];
        cin >> s;
        int len = strlen(s);
        sort(s, s + len);
        int unique_letters = 1, seen_twice = 0;
        for (int i = 0; i < len - 1; ++i) {
            if (s[i] == s[i + 1]) {
                unique_letters = 0;
                seen_twice = 1;
            }
        }
        cout << (dup ? "YES" : "NO") << ' ' << unique_letters << '\n';
    }
    vector<string> words(3);
    for (auto& w : words) cin >> w;
    sort(words.begin(), words.end());
    for (int i = 1; i < words.size(); i++) {
        if (words[i - 1] == words[i]) {
            cout << "REPEAT\n";
            return 0;
        }
    }
    cout << "ALL DIFFERENT\n";
}
"""
INPUTS = [
    "1\n1\n5\nz\nx y z\n",
    "3\n4\n1 2 3 1\nabcd\n3\n-7 -7 -7\naab\n5\n5 4 3 2 1\nbaa\nb a b\n",
    "2\n2\n1000000000000 999999999999\nzz\n6\n0 1 0 1 0 1\nabcdef\nsame same other\n",
]


def test_sorted_duplicates_to_pairs(tmp_path: Path) -> None:
    result = check_inverse(SortedDuplicateScanToPairs(), DUPLICATES, INPUTS, tmp_path)
    assert "sort(" not in result
    assert (
        "        for (int i = 0; i < n; i++)\n            for (int j = i + 1; j < n; j++)\n"
        "                if (a[i] == a[j]) {\n                    dup = true;\n                    break;\n"
        "                }\n" in result
    )
    assert "for (int j = i + 1; j < words.size(); j++)\n            if (words[i] == words[j]) {" in result
    assert "for (int j = i + 1; j < len; j++)\n" in result


def _silent(source: str) -> None:
    assert SortedDuplicateScanToPairs().find(Parsed(source)) == [], source


#: Each case replaces BODY; a is read before.
UNSAFE = r"""
#include <bits/stdc++.h>
using namespace std;
int g[10];
int main() {
    int n, cnt = 0;
    bool dup = false;
    cin >> n;
    int a[10];
    for (int i = 0; i < n; i++) cin >> a[i];
    BODY
    cout << dup << cnt;
}
"""
SAFE = "sort(a, a + n);\n    for (int i = 0; i + 1 < n; i++)\n        if (a[i] == a[i + 1]) dup = true;"


def test_fires_on_the_safe_program() -> None:
    assert len(SortedDuplicateScanToPairs().find(Parsed(UNSAFE.replace("BODY", SAFE)))) == 1


@pytest.mark.parametrize(
    "body",
    [
        # The sorted order is used afterwards.
        SAFE + "\n    cout << a[0];",
        # A count of neighbours is not a count of pairs.
        SAFE.replace("dup = true;", "cnt++;"),
        SAFE.replace("dup = true;", "dup = a[i] > 0;"),
        # A print without a return would print once per hit: as many as neighbours, or as pairs.
        SAFE.replace("dup = true;", 'cout << "dup";'),
        # A comparator, or another range than the scan's.
        SAFE.replace("sort(a, a + n);", "sort(a, a + n, greater<int>());"),
        SAFE.replace("sort(a, a + n);", "sort(a, a + n - 1);"),
        SAFE.replace("i + 1 < n", "i + 1 < n - 1"),
        # The bound changes between the sort and the scan.
        SAFE.replace("sort(a, a + n);", "sort(a, a + n);\n    n--;"),
        # Another comparison than equality of neighbours.
        SAFE.replace("a[i] == a[i + 1]", "a[i] + 1 == a[i + 1]"),
        # An alias may read the sorted order later.
        "int* p = a;\n    " + SAFE + "\n    cout << p[0];",
        # A lambda may read it whenever it is called.
        "auto first = [&] { return a[0]; };\n    " + SAFE + "\n    cout << first();",
    ],
)
def test_silent_on_unsafe_scans(body: str) -> None:
    _silent(UNSAFE.replace("BODY", body))


def test_silent_on_globals_and_doubles() -> None:
    # A global may be read by any function after the sort; doubles have NaN, equal to nothing.
    _silent(UNSAFE.replace("BODY", SAFE.replace("a", "g")))
    _silent(UNSAFE.replace("int a[10];", "double a[10];").replace("BODY", SAFE))


def test_silent_when_sorted_again_on_the_next_pass() -> None:
    # a is declared outside the loop: a pass reading fewer elements keeps part of the last pass's sorted order.
    body = "for (int k = 0; k < 2; k++) {\n        " + SAFE + "\n    }"
    _silent(UNSAFE.replace("BODY", body))


def test_discovered() -> None:
    names = {i.name: i for i in all_inverses()}
    assert names["algorithmic.sorted_duplicates_to_pairs"].inverts == "algorithmic.sort_then_scan"


def test_silent_when_the_bound_may_wrap() -> None:
    # v.size() - 1 is huge for an empty v: the scan would read past the end, the pairs would not.
    _silent(
        "#include <bits/stdc++.h>\nusing namespace std;\nint main() {\n    vector<int> v;\n    int x;\n"
        "    while (cin >> x) v.push_back(x);\n    bool dup = false;\n    sort(v.begin(), v.end());\n"
        "    for (int i = 0; i < v.size() - 1; i++)\n        if (v[i] == v[i + 1]) dup = true;\n    cout << dup;\n}\n"
    )

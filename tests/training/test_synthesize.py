from __future__ import annotations

import subprocess
from pathlib import Path

from training.data.synthesize import copies, deoptimize, endl, no_reserve, sync_stdio

FAST = """#include <bits/stdc++.h>
using namespace std;
long long total(const vector<long long>& v, int k) {
    long long s = 0;
    for (auto x : v) s += x * k;
    return s;
}
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    int n; cin >> n;
    vector<long long> v;
    v.reserve(n);
    for (int i = 0; i < n; i++) { long long x; cin >> x; v.push_back(x); }
    for (int k = 1; k <= 3; k++) cout << total(v, k) << '\\n';
    cout << "done" << "\\n";
}
"""


def test_each_rule() -> None:
    assert "sync_with_stdio" not in (sync_stdio(FAST) or "") and "cin.tie" not in (sync_stdio(FAST) or "")
    assert (endl(FAST) or "").count("<< endl") == 2
    assert "total(vector<long long> v, int k)" in (copies(FAST) or "")
    assert "reserve" not in (no_reserve(FAST) or "")


def test_rules_that_do_not_apply_say_so() -> None:
    plain = "int main() { return 0; }\n"
    assert all(rule(plain) is None for rule in (sync_stdio, endl, copies, no_reserve))
    assert deoptimize(plain) == {}


def test_every_variant_compiles_and_prints_the_same(tmp_path: Path) -> None:
    variants = deoptimize(FAST)
    assert set(variants) == {"sync_stdio", "endl", "copies", "no_reserve", "sync_stdio+endl+copies+no_reserve"}
    outputs = set()
    for name, code in {"original": FAST, **variants}.items():
        src = tmp_path / f"{name}.cpp"
        src.write_text(code)
        binary = tmp_path / name
        subprocess.run(["g++", "-O2", "-o", str(binary), str(src)], check=True)
        outputs.add(subprocess.run([str(binary)], input="3\n1 2 3\n", capture_output=True, text=True).stdout)
    assert len(outputs) == 1

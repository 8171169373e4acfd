"""Corpus synthesis: only programs without tests, only variants that compile, tagged as untested."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

from tests.training.test_tests_amplify import fake_shared
from training.data.corpus_pairs import CorpusPairsConfig, run

UNTESTED = """#include <bits/stdc++.h>
using namespace std;
int main() {
    ios::sync_with_stdio(false);
    cin.tie(nullptr);
    string s;
    cin >> s;
    cout << s.size() << '\\n';
}
"""
#: endl works, but dropping sync_with_stdio leaves a program that no longer compiles (it used the
#: statement's value): the variant must be thrown away.
FRAGILE = """#include <iostream>
int main() {
    auto keep = std::ios::sync_with_stdio(false);
    std::cout << keep << '\\n';
}
"""


def test_only_compiling_variants_of_untested_programs_become_pairs(tmp_path: Path) -> None:
    shared = fake_shared(tmp_path / "shared")
    corpus = shared / "cpp-corpus" / "corpus.jsonl.xz"
    rows = [json.loads(line) for line in lzma.decompress(corpus.read_bytes()).decode().splitlines()]
    rows += [
        {"repo": "someone/misc", "path": "a.cpp", "license": "MIT", "code": UNTESTED},
        {"repo": "someone/misc", "path": "b.cpp", "license": "MIT", "code": FRAGILE},
    ]
    corpus.write_bytes(lzma.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    out = tmp_path / "corpus_pairs.jsonl.xz"
    pairs = run(CorpusPairsConfig(shared=shared, out=out, programs=10, jobs=1))
    origins = {p["origin"] for p in pairs}
    # The mined AtCoder files have tests, so training.data.pairs judges them instead.
    assert origins <= {"someone/misc:a.cpp", "someone/misc:b.cpp"}
    by_origin = {(p["origin"], p["source"]) for p in pairs}
    assert ("someone/misc:a.cpp", "synthetic-corpus:sync_stdio") in by_origin
    assert ("someone/misc:a.cpp", "synthetic-corpus:endl") in by_origin
    assert ("someone/misc:b.cpp", "synthetic-corpus:sync_stdio") not in by_origin
    for p in pairs:
        assert p["split"] == "train" and p["verified"]["tests"] is None and p["verified"]["compiles"]
        assert p["slow"] != p["fast"]
    with lzma.open(out, "rt") as f:
        assert len([json.loads(line) for line in f]) == len(pairs)

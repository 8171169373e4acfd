"""Library Checker pairs on a tiny fake corpus (stand-in headers, one pair, one skip), and the real corpus's layout."""

from __future__ import annotations

import json
import lzma
import subprocess
from pathlib import Path

import pytest

from training.data.library_checker import find_problems, library_checker_pairs, repository
from training.data.library_checker_headers import REPO, Sources, constants, params_h, value
from training.data.pairs import split_of

REAL_SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"

# Upstream's convention: the seed is argv[1], sizes come from ../params.h, Random from common/random.h, none
# of which the fake corpus holds: the code must provide them.
GEN = """\
#include "random.h"
#include "../params.h"
#include <cstdio>
#include <cstdlib>

int main(int, char* argv[]) {
    long long seed = atoll(argv[1]);
    auto gen = Random(seed);
    int n = gen.uniform<int>(N_MAX / 2, N_MAX);
    printf("%d\\n", n);
    for (int i = 0; i < n; i++) printf("%d%c", gen.uniform<int>(0, A_MAX), i + 1 == n ? '\\n' : ' ');
}
"""

READ = """\
#include <cstdio>
#include <vector>

int main() {
    int n;
    scanf("%d", &n);
    std::vector<long long> a(n);
    for (auto& x : a) scanf("%lld", &x);
"""

NAIVE_LOOP = """\
    for (int i = 0; i < n; i++) {
        long long s = 0;
        for (int j = 0; j <= i; j++) s += a[j];
        printf("%lld\\n", s);
    }
}
"""

CORRECT_LOOP = """\
    long long s = 0;
    for (int i = 0; i < n; i++) {
        s += a[i];
        printf("%lld  \\n", s);  // trailing blanks are no difference
    }
}
"""

NAIVE_SUMS, CORRECT_SUMS = READ + NAIVE_LOOP, READ + CORRECT_LOOP

# "Print any element": both are right, and they differ.
FIRST = READ + '    printf("%lld\\n", a[0]);\n}\n'
LAST = READ + '    printf("%lld\\n", a[n - 1]);\n}\n'


def fake_shared(root: Path) -> Path:
    files = {
        "sample/prefix_sums/gen/random.cpp": GEN,
        "sample/prefix_sums/sol/naive.cpp": NAIVE_SUMS,
        "sample/prefix_sums/sol/correct.cpp": CORRECT_SUMS,
        "sample/any_element/gen/random.cpp": GEN,
        "sample/any_element/sol/naive.cpp": FIRST,
        "sample/any_element/sol/correct.cpp": LAST,
        "sample/any_element/checker.cpp": '#include "testlib.h"\nint main() {}\n',
    }
    rows = [{"repo": REPO, "path": path, "license": "Apache-2.0", "code": code} for path, code in files.items()]
    rows.append({"repo": "someone/else", "path": "x/sol/naive.cpp", "license": "MIT", "code": FIRST})
    (root / "cpp-corpus").mkdir(parents=True)
    corpus = "".join(json.dumps(r) + "\n" for r in rows)
    (root / "cpp-corpus" / "corpus.jsonl.xz").write_bytes(lzma.compress(corpus.encode()))
    return root


def test_pairs_from_a_fake_corpus(tmp_path: Path) -> None:
    shared = fake_shared(tmp_path / "shared")
    pairs, outcomes = library_checker_pairs(shared, tmp_path / "work", seeds=2, budget_s=600)
    assert outcomes == {"pair": 1, "outputs differ (several answers possible)": 1}
    [pair] = pairs
    problem = "library-checker:sample/prefix_sums"
    assert pair["problem"] == problem and pair["split"] == split_of(problem, 10)
    assert pair["origin"] == f"{REPO}:sample/prefix_sums/sol/naive.cpp -> sample/prefix_sums/sol/correct.cpp"
    assert pair["source"] == "mined.library_checker" and pair["kind"] == "program"
    assert pair["rule"] is None and pair["problem_id"] is None
    assert pair["slow"] == NAIVE_SUMS and pair["fast"] == CORRECT_SUMS
    assert pair["lines_changed"] >= 3
    # O(n^2) against O(n) on n of at least 1,500: measurably slower.
    assert pair["verified"] == "timed" and pair["speedup"] >= 1.10
    assert json.loads((tmp_path / "work" / "outcomes.json").read_text())["sample/prefix_sums"]["outcome"] == "pair"


def test_headers_flatten_with_stand_ins_and_deduplicated_copies() -> None:
    sources = Sources(
        {
            "tree/a/gen/g.cpp": '#include "random.h"\n#include "../params.h"\n#include "../lib/h.hpp"\nint main() {}\n',
            "tree/b/lib/h.hpp": "#pragma once\nint h = N_MAX + MOD;\n",
            "graph/c/lib/h.hpp": "#pragma once\nint wrong;\n",
        }
    )
    code, missing = sources.flatten("tree/a/gen/g.cpp")
    # The header kept under the sibling problem (same category) is inlined; params.h is not there yet.
    assert "int h = N_MAX + MOD;" in code and "int wrong" not in code and "struct Random" in code
    assert missing == ["../params.h"]
    assert constants(code) == {"N_MAX", "MOD"}
    params = params_h({"N_MAX", "MOD"}, 300)
    code, missing = sources.flatten("tree/a/gen/g.cpp", {"tree/a/params.h": params})
    assert not missing and "#define N_MAX (long long)300" in code and "(long long)998244353" in code


def test_parameter_values_by_name() -> None:
    assert value("N_AND_Q_MAX", 300) == 300
    assert value("N_SMALL_MAX", 300) == 30
    assert value("A_ABS_MAX", 300) == value("X_AND_Y_MAX", 300) == 10**6
    assert value("N_MIN", 300) == 1 and value("P_MIN", 300) == 2
    assert constants("#include <climits>\nint main() { int x = LLONG_MAX - INT_MAX + N_MAX; }") == {"N_MAX"}


@pytest.mark.skipif(not REAL_SHARED.exists(), reason="needs the real shared data")
def test_real_corpus_problems_and_headers(tmp_path: Path) -> None:
    files = repository(REAL_SHARED)
    problems = find_problems(files)
    assert len(problems) >= 80
    problem = next(p for p in problems if p.folder == "data_structure/range_affine_range_sum")
    assert problem.gens
    sources = Sources(files)
    names = constants(sources.flatten(problem.gens[0])[0])
    assert names and "MOD" in names
    code, missing = sources.flatten(problem.gens[0], {f"{problem.folder}/params.h": params_h(names, 300)})
    assert not missing
    (tmp_path / "gen.cpp").write_text(code)
    check = subprocess.run(["g++", "-std=gnu++20", "-fsyntax-only", str(tmp_path / "gen.cpp")], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()[:500]

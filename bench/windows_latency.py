"""How long windowing a long file takes before the model generates (issue 18: <= 5 s for 20,000 lines).

    .venv/bin/python bench/windows_latency.py [--lines 20000]

Builds a C++ file of about ``--lines`` lines (many functions of loops, one long ``main``), then times what
``perfopt suggest`` does between the profile and the first token: counting every line's tokens with the
bundled model's tokenizer, splitting into windows, and ranking them by a profile. The profile itself is a
cachegrind run of the program on its tests, whose cost is the program's, not the file's length: it is
timed by the instruction timer's benchmarks (bench/README.md), not here.
"""

from __future__ import annotations

import argparse
import random
import time

from perfopt.generation.model import BUNDLED
from perfopt.profile import Profile
from perfopt.windows import ranked, tokens_per_line, windows


def program(lines: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    out = ["#include <bits/stdc++.h>", "using namespace std;", "long long table[1000];"]
    f = 0
    while len(out) < lines * 0.7:
        out += [
            f"long long f{f}(int n) {{",
            "    long long s = 0;",
            f"    for (int i = 0; i < n; i++) {{ s += table[i % 1000] * {rng.randint(1, 9)}; }}",
            "    if (s > 100) {",
            "        s -= 100;",
            "    }",
            "    return s;",
            "}",
        ]
        f += 1
    out.append("int main() {")
    out.append("    long long total = 0;")
    i = 0
    while len(out) < lines - 2:
        out.append(f"    total += f{i % f}({i});")
        i += 1
    out += ['    printf("%lld\\n", total);', "}"]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20_000)
    args = parser.parse_args()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(BUNDLED), local_files_only=True)

    def count(lines: list[str]) -> list[int]:
        return tokens_per_line(tokenizer, lines)

    source = program(args.lines)
    n = source.count("\n")
    profile = Profile({i: (i * 7919) % 1000 for i in range(1, n + 1)})
    started = time.perf_counter()
    found = windows(source, 512, count, numbered=True)
    split = time.perf_counter()
    order = ranked(found, profile)
    done = time.perf_counter()
    print(f"{n:,} lines -> {len(found):,} windows; windows {split - started:.2f} s, ranking {done - split:.2f} s")
    print(f"hottest: {order[0].describe()}")


if __name__ == "__main__":
    main()

"""How long the rules generator takes on a long file: the issue's budget is 0.3 s for 1,000 lines.

    python bench/rules_speed.py                 # a 1,000-line file made of corpus programs (../shared)
    python bench/rules_speed.py FILE.cpp        # your own file

Reports the whole generator (parse + every rewrite) and the slowest rewrites,
median of 5 runs, in one process on this machine.
"""

from __future__ import annotations

import argparse
import lzma
import statistics
import sys
import time
from pathlib import Path

from perfopt.generation.rules import RulesGenerator
from perfopt.rewrite import Parsed, all_rewrites

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "cpp-corpus" / "corpus.jsonl.xz"


def corpus_file(lines: int) -> str:
    """Competitive programs from the corpus, each with its own main renamed, until ``lines`` lines."""
    import json

    out: list[str] = []
    with lzma.open(CORPUS, "rt") as f:
        for i, row in enumerate(f):
            text = json.loads(row)["code"]
            if "int main" not in text or "#define" in text:
                continue
            out.append(text.replace("int main", f"int main_{i}"))
            if sum(t.count("\n") for t in out) >= lines:
                break
    return "\n".join(out) + "\nint main() { return 0; }\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    source = args.file.read_text() if args.file else corpus_file(args.lines)
    gen = RulesGenerator()
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        found = gen.find(source)
        runs.append(time.perf_counter() - t)
    parsed = Parsed(source)
    per_rule = []
    for rewrite in all_rewrites():
        t = time.perf_counter()
        rewrite.find(parsed)
        per_rule.append((time.perf_counter() - t, rewrite.name))
    print(f"{source.count(chr(10))} lines, {len(found)} rewrites apply")
    print(f"rules generator (parse + all {len(all_rewrites())} rewrites): median {statistics.median(runs):.3f} s of 5")
    for seconds, name in sorted(per_rule, reverse=True)[:5]:
        print(f"  {name}: {seconds:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

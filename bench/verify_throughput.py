"""How many candidates per second the reward model verifies.

Eight candidates of a 60-line program (bench/programs/word_stats.cpp), verified
serial vs parallel and cold vs cached, on this machine. Run:

    python bench/verify_throughput.py [--timer wall|instructions] [--words N]

Numbers are throughput ratios from one run on one machine: compare rows, not runs.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from perfopt.config import Config
from perfopt.reward import reward_model_for
from perfopt.reward.levels import Level

PROGRAM = Path(__file__).parent / "programs" / "word_stats.cpp"

#: Rewrites a model might propose: faster, equivalent, wrong, or broken.
EDITS: list[list[tuple[str, str]]] = [
    [("int main() {\n", "int main() {\n    ios::sync_with_stdio(false);\n    cin.tie(nullptr);\n")],
    [("<< endl", "<< '\\n'")],
    [("int main() {\n", "int main() {\n    ios::sync_with_stdio(false);\n"), ("<< endl", "<< '\\n'")],
    [("int total_length(vector<string> words)", "int total_length(const vector<string>& words)")],
    [("string normalize(string w)", "string normalize(const string& w)")],
    [("if (a.second != b.second) return a.second > b.second;", "")],
    [("return 0;\n}", "return 0\n}")],
    [("// Word statistics", "// Word stats")],
]


def candidates(source: str) -> list[str]:
    out = []
    for edits in EDITS:
        text = source
        for old, new in edits:
            text = text.replace(old, new)
        out.append(text)
    return out


def write_tests(folder: Path, words: int) -> None:
    rng = random.Random(5)
    vocab = ["".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    folder.mkdir()
    (folder / "input.1.txt").write_text("6\nThe cat, the DOG and the cat\n")
    text = " ".join(rng.choice(vocab) for _ in range(words))
    (folder / "input.2.txt").write_text(f"{words}\n{text}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timer", default="wall", choices=["wall", "instructions", "cost"])
    parser.add_argument("--words", type=int, default=100_000)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="perfopt-bench-"))
    work.chmod(0o755)
    target = work / "word_stats.cpp"
    source = PROGRAM.read_text()
    target.write_text(source)
    write_tests(work / "word_stats.tests", args.words)
    # Expected outputs come from the original itself, as for a regression test.
    import subprocess

    binary = work / "ref"
    subprocess.run(["g++", "-std=c++17", "-O2", "-o", str(binary), str(target)], check=True)
    for inp in sorted((work / "word_stats.tests").glob("input.*.txt")):
        out = inp.with_name(inp.name.replace("input", "output"))
        with inp.open() as fi:
            out.write_bytes(subprocess.run([str(binary)], stdin=fi, capture_output=True, check=True).stdout)

    cands = candidates(source)
    rows = []
    cores = os.cpu_count() or 1
    for mode, jobs in (("serial", 1), ("parallel", cores)):
        cache_dir = work / f"cache-{mode}"
        for temperature in ("cold", "cached"):
            config = Config(timer=args.timer, jobs=jobs, cache=True, cache_dir=cache_dir)
            model = reward_model_for(config, target)
            model.evaluate(source, cands[:0])  # build and check the original outside the clock
            started = time.perf_counter()
            verdicts = model.evaluate(source, cands)
            seconds = time.perf_counter() - started
            model.close()
            levels = "".join(str(int(v.level)) for v in verdicts)
            rows.append((mode, jobs, temperature, seconds, len(cands) / seconds, levels))
    print(f"perfopt verify throughput: {len(cands)} candidates of {PROGRAM.name} ({len(source.splitlines())} lines),")
    print(f"timer={args.timer}, {args.words} words, {cores} cores\n")
    print("| mode | jobs | cache | seconds | candidates/s | levels (R0-R4) |")
    print("|---|---|---|---|---|---|")
    for mode, jobs, temperature, seconds, rate, levels in rows:
        print(f"| {mode} | {jobs} | {temperature} | {seconds:.2f} | {rate:.2f} | {levels} |")
    faster = sum(lvl == "4" for lvl in rows[0][5])
    print(f"\n{faster} of {len(cands)} candidates verified R4 ({Level.FASTER.label}).")


if __name__ == "__main__":
    main()

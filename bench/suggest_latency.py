"""How long ``perfopt suggest`` takes, end to end and stage by stage.

The shipped 56-line example (examples/word_counts/slow.cpp, 477 tokens) with
8 candidates, on this machine. Run:

    python bench/suggest_latency.py [--file F] [--candidates 8] [--model DIR] [--generators G] [--compare-enough N]

1. End to end: ``perfopt suggest FILE --json`` in a fresh process, as a user
   runs it (Python start-up and imports included), with the stage times it reports.
2. The stages alone, one after another, in this process: importing torch and
   transformers, loading the model, generating the candidates, compiling one
   candidate, running one candidate's tests, and generating the stress tests
   (perfopt.testgen.differential) as checking the original does by default. Compile and run are measured on
   the original with a distinct comment (the model's outputs may not compile,
   which would time nothing): what verifying a real candidate of this file costs.

The sum of the stages exceeds the end-to-end time by what perfopt overlaps.

3. With ``--compare-enough N``: end to end with one sampling batch against
   ``--enough N`` (rounds that can stop early), alternating, 3 runs each.
Times are from one run on a shared machine: compare rows within a run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perfopt import config as configuration
from perfopt.reward import reward_model_for

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "word_counts" / "slow.cpp"


def end_to_end(
    file: Path, n: int, model: str | None, enough: int = 0, generators: str | None = None
) -> tuple[float, dict[str, float], dict[str, int], str]:
    extra = ["--model", model] if model else []
    extra += ["--generators", generators] if generators else []
    extra += ["--enough", str(enough)] if enough else []
    cmd = [sys.executable, "-m", "perfopt", "suggest", str(file), "-n", str(n), "--json", "--no-cache", "-q", *extra]
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"perfopt suggest failed ({done.returncode}): {done.stderr.strip()}")
    report = json.loads(done.stdout)
    return wall, report["seconds"], report["counts"], report["generator"]


def stages(file: Path, n: int, model: str | None) -> dict[str, float]:
    out: dict[str, float] = {}
    from perfopt.generation.clang_tidy import ClangTidyGenerator
    from perfopt.generation.rules import RulesGenerator

    for name, gen in (("rules", RulesGenerator()), ("clang-tidy", ClangTidyGenerator())):
        t = time.perf_counter()
        gen.prepare()
        made = list(gen.generate(file.read_text(), n))
        out[f"{name}: {len(made)} candidates"] = time.perf_counter() - t
    t = time.perf_counter()
    import torch  # noqa: F401
    import transformers  # noqa: F401

    out["import torch + transformers"] = time.perf_counter() - t
    from perfopt.generation.sampler import ModelGenerator, SamplingSettings

    source = file.read_text()
    generator = ModelGenerator(model, SamplingSettings())
    t = time.perf_counter()
    generator.prepare()
    out["load the model"] = time.perf_counter() - t
    t = time.perf_counter()
    produced = list(generator.generate(source, n))
    out[f"generate {len(produced)} candidates"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as cache:
        config = configuration.load(start=file).replace(cache=False, cache_dir=Path(cache))
        reward = reward_model_for(config, file)
        try:
            compile_times, run_times = [], []
            for i in range(3):
                t = time.perf_counter()
                build = reward.harness.build(source + f"\n// variant {i}\n")
                compile_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                reward.harness.check(build)
                run_times.append(time.perf_counter() - t)
                reward.harness.release(build)
        finally:
            reward.close()
    out["compile one candidate (median of 3)"] = sorted(compile_times)[1]
    out["run one candidate's tests (median of 3)"] = sorted(run_times)[1]
    out.update(amplification(file, source))
    return out


def amplification(file: Path, source: str) -> dict[str, float]:
    """What generating the stress tests adds to checking the original (issue 15's budget: 5 s)."""
    times = {}
    for amplify in (False, True):
        with tempfile.TemporaryDirectory() as cache:
            config = configuration.load(start=file).replace(cache=False, cache_dir=Path(cache), amplify=amplify)
            reward = reward_model_for(config, file)
            try:
                t = time.perf_counter()
                reward.check_original(source)
                times[amplify] = time.perf_counter() - t
                described = reward.harness.describe()
            finally:
                reward.close()
    return {
        "check the original, given tests only": times[False],
        f"... and generate tests ({described.split(' + ')[-1].split(' (')[0]})": times[True],
        "generating tests alone (the difference)": times[True] - times[False],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=EXAMPLE)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--model", default=None, help="model folder (default: the bundled one)")
    parser.add_argument("--generators", default=None, help="as perfopt suggest's (default: all)")
    parser.add_argument(
        "--compare-enough", type=int, default=0, metavar="N", help="also time --enough N against one batch"
    )
    args = parser.parse_args()
    wall, seconds, counts, generators = end_to_end(args.file, args.candidates, args.model, 0, args.generators)
    print(f"perfopt suggest {args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file}")
    print(f"  -n {args.candidates}; generators: {generators}")
    print(f"  outcome: {counts['generated']} generated, {counts['verified']} verified, {counts['faster']} faster\n")
    print("| end to end (fresh process) | seconds |\n|---|---|")
    print(f"| wall time, start-up included | {wall:.2f} |")
    for key in ("load", "check", "generate", "verify", "total"):
        if key in seconds:
            print(f"| reported: {key} | {seconds[key]:.2f} |")
    print("\n| stage alone | seconds |\n|---|---|")
    for name, value in stages(args.file, args.candidates, args.model).items():
        print(f"| {name} | {value:.2f} |")
    if args.compare_enough:
        compare_enough(args.file, args.candidates, args.model, args.compare_enough)


def compare_enough(file: Path, n: int, model: str | None, enough: int) -> None:
    walls: dict[int, list[float]] = {0: [], enough: []}
    generated: dict[int, list[int]] = {0: [], enough: []}
    for _ in range(3):
        for e in (0, enough):
            wall, _, counts, _ = end_to_end(file, n, model, e)
            walls[e].append(wall)
            generated[e].append(counts["generated"])
    base, rounds = sorted(walls[0])[1], sorted(walls[enough])[1]
    print("\n| sampling | wall s (median of 3) | candidates generated | vs one batch |\n|---|---|---|---|")
    print(f"| one batch | {base:.2f} | {generated[0]} | 1.00 |")
    print(f"| rounds, --enough {enough} | {rounds:.2f} | {generated[enough]} | {rounds / base:.2f} |")


if __name__ == "__main__":
    main()

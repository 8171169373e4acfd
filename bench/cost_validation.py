"""Does the cost timer's speedup agree with wall time better than instruction counts do? (issue 16)

    python bench/cost_validation.py [--limit N] [--repeats 7] [--out bench/results/cost-validation]

Pairs (slow, fast), each timed on the same invocations (all of the pair's tests)
by the wall, instructions and cost timers:

- the shipped examples and bench/data/sample.jsonl.xz (src_code -> tgt_code);
- per validation program (training/data/valid.jsonl, with its amplified tests):
  the rules engine's rewrites ("io rewrite" when every rule is io.*, else "rules rewrite"),
  an I/O de-optimization ("io: flush every line": '\\n' in cout chains -> endl), and
  the control "compute: -O0 -> -O2" (same system calls, so cost should equal instructions).

A pair is kept only when both sides compile and print the expected output on every test.
Rows go to OUT/rows.jsonl as they are measured; OUT/summary.md is written at the end
(and printed). Run it on an otherwise idle machine: wall time is the reference here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import math
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from perfopt.generation.rules import RulesGenerator
from perfopt.reward.compiler import Compiler
from perfopt.reward.judge import compare as judge
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing import CostTimer, InstructionTimer, Invocation, WallTimer, weights

ROOT = Path(__file__).resolve().parents[1]
ACL = ROOT / "runs" / "acl"
FLAGS = ("-std=gnu++20", "-O2", f"-I{ACL}")  # bench/README.md's FLAGS
COUT = re.compile(r"\b(?:std::)?cout\s*<<[^;]*;")
NEWLINE = re.compile(r"""<<\s*(?:'\\n'|"((?:[^"\\\n]|\\.)*)\\n")(?=\s*(?:<<|;))""")


class Skip(Exception):
    """Why a pair or program is left out."""


#: A source and the flags it is compiled with.
Build = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Case:
    stdin: Path
    expected: bytes


def endl_every_line(source: str) -> str | None:
    """The source with line ends in cout chains flushed by endl, or None when nothing changes."""
    if "cout" not in source or re.search(r"#\s*define\s+endl\b", source):
        return None

    def line(m: re.Match[str]) -> str:
        text = m.group(1)
        return f'<< "{text}" << std::endl' if text else "<< std::endl"

    out = COUT.sub(lambda chain: NEWLINE.sub(line, chain.group(0)), source)
    return out if out != source else None


def same(got: bytes, want: bytes, exact: bool) -> bool:
    if exact:
        return got == want
    return got.strip() == want.strip() or judge(got, want) is None


class Lab:
    def __init__(self, sandbox: Sandbox, repeats: int, rows: TextIO) -> None:
        self.sandbox = sandbox
        self.limits = Limits()
        self.wall = WallTimer(sandbox, self.limits, repeats=repeats, warmup=1)
        self.instr = InstructionTimer(sandbox, self.limits)
        self.cost = CostTimer(sandbox, self.limits, weights.builtin())
        self.compilers: dict[tuple[str, ...], Compiler] = {}
        self.builds: dict[tuple[str, tuple[str, ...]], Path | str] = {}
        self.outs: dict[tuple[Path, tuple[Path, ...]], list[bytes] | str] = {}
        self.folders: list[Path] = []
        self.rows = rows
        self.records: list[dict[str, Any]] = []
        #: What each pair timed (sources, flags, inputs), so that a pair listed twice is timed once.
        self.seen: dict[tuple[Build, Build, tuple[str, ...]], str] = {}

    def folder(self) -> Path:
        path = self.sandbox.make_workdir("costval-")
        self.folders.append(path)
        return path

    def cases(self, tests: Sequence[tuple[str | bytes, str | bytes]]) -> list[Case]:
        folder = self.folder()
        out = []
        for i, (given, want) in enumerate(tests):
            path = folder / f"input.{i}.txt"
            path.write_bytes(given.encode() if isinstance(given, str) else given)
            path.chmod(0o644)
            out.append(Case(path, want.encode() if isinstance(want, str) else want))
        return out

    def build(self, source: str, flags: tuple[str, ...]) -> Path:
        key = (source, flags)
        if key not in self.builds:
            compiler = self.compilers.setdefault(flags, Compiler(self.sandbox, "g++", flags))
            done = compiler.compile(source, self.folder())
            first = done.log.strip().splitlines()[:1]
            self.builds[key] = done.binary if done.ok and done.binary else f"does not compile: {first}"
        built = self.builds[key]
        if isinstance(built, str):
            raise Skip(built)
        return built

    def outputs(self, binary: Path, cases: Sequence[Case]) -> list[bytes]:
        key = (binary, tuple(c.stdin for c in cases))
        if key not in self.outs:
            got: list[bytes] = []
            for i, case in enumerate(cases):
                result = self.sandbox.run([str(binary)], self.limits, stdin=case.stdin)
                if not result.ok:
                    self.outs[key] = f"test {i}: {result.reason}"
                    break
                got.append(result.stdout)
            self.outs.setdefault(key, got)
        out = self.outs[key]
        if isinstance(out, str):
            raise Skip(out)
        return out

    def checked(self, binary: Path, cases: Sequence[Case], want: Sequence[bytes] | None, exact: bool) -> list[bytes]:
        got = self.outputs(binary, cases)
        wanted = want if want is not None else [c.expected for c in cases]
        for i, (g, w) in enumerate(zip(got, wanted, strict=True)):
            if not same(g, w, exact):
                raise Skip(f"test {i}: wrong output")
        return got

    def record(self, row: dict[str, Any]) -> None:
        self.records.append(row)
        self.rows.write(json.dumps(row) + "\n")
        self.rows.flush()
        what = row.get("skipped") or " ".join(f"{k} {row[k]:.3f}" for k in ("wall", "instructions", "cost"))
        print(f"[{len(self.records)}] {row['name']} ({row['kind']}): {what}", file=sys.stderr, flush=True)

    def pair(
        self,
        name: str,
        kind: str,
        slow: Build,
        fast: Build,
        cases: Sequence[Case],
        want: Sequence[bytes] | None = None,
        exact: bool = False,
        **extra: Any,
    ) -> None:
        row: dict[str, Any] = {"name": name, "kind": kind, "tests": len(cases), **extra}
        start = time.perf_counter()
        key = (slow, fast, tuple(hashlib.sha256(c.stdin.read_bytes()).hexdigest() for c in cases))
        try:
            if key in self.seen:
                raise Skip(f"the same pair as {self.seen[key]}")
            self.seen[key] = name
            a, b = self.build(*slow), self.build(*fast)
            for side, binary in (("slow", a), ("fast", b)):
                try:
                    self.checked(binary, cases, want, exact)
                except Skip as e:
                    raise Skip(f"{side} side: {e}") from e
            base = [Invocation((str(a),), stdin=c.stdin) for c in cases]
            cand = [Invocation((str(b),), stdin=c.stdin) for c in cases]
            wall = self.wall.compare(base, cand)
            instr = self.instr.compare(base, cand)
            cost = self.cost.compare(base, cand)
            row |= {
                "wall": wall.speedup,
                "wall_noise": wall.noise,
                "wall_ms": [wall.baseline * 1e3, wall.candidate * 1e3],
                "instructions": instr.speedup,
                "cost": cost.speedup,
                "cost_unit": cost.unit,
                "cost_detail": cost.detail,
            }
        except Skip as e:
            row["skipped"] = str(e)
        except Exception as e:  # one pair's failure must not end the run
            row["skipped"] = f"{type(e).__name__}: {e}"
        row["seconds"] = round(time.perf_counter() - start, 2)
        self.record(row)


def examples(lab: Lab) -> None:
    for folder in sorted((ROOT / "examples").glob("*/slow.tests")):
        ins = sorted(folder.glob("input.*.txt"))
        tests = [(p.read_bytes(), (folder / p.name.replace("input", "output")).read_bytes()) for p in ins]
        slow, fast = ((folder.parent / f"{side}.cpp").read_text() for side in ("slow", "fast"))
        lab.pair(f"examples/{folder.parent.name}", "example", (slow, FLAGS), (fast, FLAGS), lab.cases(tests))


def samples(lab: Lab) -> None:
    with lzma.open(ROOT / "bench" / "data" / "sample.jsonl.xz", "rt") as f:
        for line in f:
            r = json.loads(line)
            cases = lab.cases([(t["input"], t["output"]) for t in r["tests"]])
            lab.pair(f"sample/{r['problem_id']}", "sample", (r["src_code"], FLAGS), (r["tgt_code"], FLAGS), cases)


def amplified(ids: set[str]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    with lzma.open(ROOT / "training" / "data" / "amplified_tests.jsonl.xz", "rt") as f:
        for line in f:
            r = json.loads(line)
            if r["problem_id"] in ids:
                found.setdefault(r["problem_id"], []).extend((t["input"], t["output"]) for t in r["tests"])
    return found


def valid(lab: Lab, pid: str, source: str, tests: list[tuple[str, str]]) -> None:
    cases = lab.cases(tests)
    try:
        want = lab.checked(lab.build(source, FLAGS), cases, None, exact=False)
    except Skip as e:
        lab.record({"name": pid, "kind": "program", "tests": len(cases), "skipped": f"original: {e}"})
        return
    original: Build = (source, FLAGS)
    try:
        candidates = [c for c in RulesGenerator().generate(source, 8) if c.program and c.program != source]
    except Exception as e:  # a rewrite bug costs this program its rewrites, not the run
        lab.record({"name": pid, "kind": "rules rewrite", "tests": len(cases), "skipped": f"rules failed: {e!r}"})
        candidates = []
    for c in candidates:
        assert c.program is not None
        io = all(name.startswith("io.") for name in c.rewrite.split("+"))
        kind = "io rewrite" if io else "rules rewrite"
        lab.pair(f"{pid} {c.rewrite}", kind, original, (c.program, FLAGS), cases, want, rewrite=c.rewrite)
    flushed = endl_every_line(source)
    if flushed is not None:
        lab.pair(f"{pid} endl", "io: flush every line", (flushed, FLAGS), original, cases, want, exact=True)
    o0 = tuple("-O0" if flag == "-O2" else flag for flag in FLAGS)
    lab.pair(f"{pid} -O0", "compute: -O0 -> -O2", (source, o0), original, cases, want)


def ranks(xs: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the average of the ranks they span."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Correlation; None with fewer than 3 points or no spread."""
    if len(xs) < 3:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    cov = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in xs) * sum((b - my) ** 2 for b in ys))
    return cov / var if var else None


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation of the ranks."""
    return pearson(ranks(xs), ranks(ys))


def moved(r: dict[str, Any]) -> bool:
    """Wall time changed beyond its own noise (3x the spread) and by more than 5%."""
    return bool(abs(math.log(r["wall"])) > max(3 * r["wall_noise"], math.log(1.05)))


def err(r: dict[str, Any], timer: str) -> float:
    return abs(math.log2(r[timer]) - math.log2(r["wall"]))


def fmt(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def summary(records: Sequence[dict[str, Any]], args: argparse.Namespace, seconds: float, note: str) -> str:
    timed = [r for r in records if "skipped" not in r]
    skipped = [r for r in records if "skipped" in r]
    n_timed, n_skipped = Counter(r["kind"] for r in timed), Counter(r["kind"] for r in skipped)

    def median_err(rows: Sequence[dict[str, Any]], timer: str) -> str:
        return fmt(statistics.median(err(r, timer) for r in rows) if rows else None)

    limit = f" --limit {args.limit}" if args.limit is not None else ""
    lines = [
        "# Cost timer against wall time (issue 16)",
        "",
        f"`python bench/cost_validation.py{limit} --repeats {args.repeats}`: {seconds:.0f} s; "
        f"weights: {weights.builtin().source}. {note}",
        "",
        "Speedups are slow/fast on the same tests; a timer's error is |log2(its speedup) - log2(wall speedup)|.",
        "",
        "| kind | pairs timed | skipped | median abs log2 err, instructions | median abs log2 err, cost |",
        "|---|---|---|---|---|",
    ]
    for kind in sorted(n_timed | n_skipped):
        rows = [r for r in timed if r["kind"] == kind]
        lines.append(
            f"| {kind} | {n_timed[kind]} | {n_skipped[kind]} | {median_err(rows, 'instructions')} | "
            f"{median_err(rows, 'cost')} |"
        )
    lines += [
        "",
        "| pairs | timer | Spearman rho of log ratios | Pearson r of log ratios | median abs log2 error |"
        " mean abs log2 error |",
        "|---|---|---|---|---|---|",
    ]
    # Most pairs change wall time by less than its noise, and their ranks are the noise's: the pairs
    # where wall time moved say more about which timer follows it.
    for label, rows in (
        (f"all {len(timed)}", timed),
        (f"{sum(map(moved, timed))} where wall time moved", [r for r in timed if moved(r)]),
    ):
        wall = [math.log(r["wall"]) for r in rows]
        for timer in ("instructions", "cost"):
            mine = [math.log(r[timer]) for r in rows]
            mean_err = fmt(statistics.fmean(err(r, timer) for r in rows) if rows else None)
            lines.append(
                f"| {label} | {timer} | {fmt(spearman(wall, mine))} | {fmt(pearson(wall, mine))} | "
                f"{median_err(rows, timer)} | {mean_err} |"
            )
    for timer in ("instructions", "cost"):
        lines += ["", f"Worst disagreements, {timer} vs wall:", "", "| pair | kind | wall | instructions | cost |"]
        lines.append("|---|---|---|---|---|")
        for r in sorted(timed, key=lambda r: -err(r, timer))[:5]:
            lines.append(
                f"| {r['name']} | {r['kind']} | {r['wall']:.3f} ±{r['wall_noise'] * 100:.0f}% | "
                f"{r['instructions']:.3f} | {r['cost']:.3f} |"
            )
    compute = [r for r in timed if r["kind"].startswith("compute")]
    diff = max((abs(r["cost"] - r["instructions"]) / r["instructions"] for r in compute), default=None)
    lines += ["", f"Compute-only pairs ({len(compute)}): max |cost - instructions| / instructions = {fmt(diff, 5)}"]
    if skipped:
        lines += ["", "Skipped:", ""]
        lines += [f"- {r['name']} ({r['kind']}): {str(r['skipped'])[:160]}" for r in skipped]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="at most N validation programs")
    parser.add_argument("--repeats", type=int, default=7, help="paired wall-time rounds per pair")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "cost-validation")
    parser.add_argument(
        "--summarize", action="store_true", help="only rewrite OUT/summary.md from OUT/rows.jsonl and OUT/run.json"
    )
    args = parser.parse_args()
    if args.summarize:
        records = [json.loads(line) for line in (args.out / "rows.jsonl").read_text().splitlines() if line]
        run = json.loads((args.out / "run.json").read_text())
        args.limit, args.repeats = run["limit"], run["repeats"]
        text = summary(records, args, run["seconds"], run.get("note", ""))
        (args.out / "summary.md").write_text(text)
        print(text)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    if not (ACL / "atcoder").is_dir():  # bench/README.md's set-up step
        sys.path.insert(0, str(ROOT))
        from training.config import SHARED
        from training.data.problems import acl_headers

        acl_headers(SHARED, ACL)
    start = time.perf_counter()
    note = ""
    with (args.out / "rows.jsonl").open("w") as rows:
        lab = Lab(Sandbox(), args.repeats, rows)
        try:
            examples(lab)
            samples(lab)
            lines = (ROOT / "training" / "data" / "valid.jsonl").read_text().splitlines()[: args.limit]
            programs = [(r["problem_id"], r["src_code"]) for r in map(json.loads, lines)]
            tests = amplified({pid for pid, _ in programs})
            for pid, source in programs:
                if tests.get(pid):
                    valid(lab, pid, source, tests[pid])
                else:
                    lab.record({"name": pid, "kind": "program", "tests": 0, "skipped": "no tests"})
        except KeyboardInterrupt:
            note = "**Interrupted: partial results.**"
        finally:
            for folder in lab.folders:
                shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - start
    run = {"limit": args.limit, "repeats": args.repeats, "seconds": round(seconds, 1), "note": note}
    (args.out / "run.json").write_text(json.dumps(run) + "\n")
    text = summary(lab.records, args, seconds, note)
    (args.out / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

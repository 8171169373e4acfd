"""Would a parse check pick the model's outputs that compile? Measures before building one (issue 18).

    PYTHONPATH=. python bench/syntax_filter.py [--model perfopt/models/perfopt-t5-small] [--programs 20] [--k 8]

For the first ``--programs`` validation programs (training/data/valid.jsonl), the model samples ``--k``
outputs for each program's first window (temperature 0.8, as ``perfopt suggest``). Every output that
applies is parsed with tree-sitter (perfopt.rewrite's parser) and syntax-checked with ``g++
-fsyntax-only``. It prints how many compile among the outputs the parse finds no worse than the
original (no more ERROR or MISSING nodes) and among the rest: a filter is worth building when the
rest never compile and the kept ones compile more often than all of them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from perfopt.rewrite import Parsed
from perfopt.window_io import Prompt, windows_for
from training.config import SHARED
from training.data.problems import acl_headers
from training.data.render import TokenCounter
from training.evaluate import Sampling, generate_many, target_format

ROOT = Path(__file__).resolve().parents[1]


def syntax_errors(source: str) -> int:
    """ERROR and MISSING nodes in the tree-sitter parse of ``source``."""
    found, stack = 0, [Parsed(source).root]
    while stack:
        node = stack.pop()
        found += node.type == "ERROR" or node.is_missing
        stack.extend(node.children)
    return found


def compiles(program: str, include: Path) -> bool:
    run = subprocess.run(
        ["g++", "-std=gnu++20", f"-I{include}", "-fsyntax-only", "-x", "c++", "-"],
        input=program.encode(),
        capture_output=True,
        check=False,
    )
    return run.returncode == 0


def main() -> None:
    import torch
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "perfopt" / "models" / "perfopt-t5-small")
    parser.add_argument("--programs", type=int, default=20)
    parser.add_argument("--k", type=int, default=8)
    args = parser.parse_args()
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(str(args.model))
    model = T5ForConditionalGeneration.from_pretrained(args.model)
    fmt, count = target_format(model), TokenCounter(tokenizer)
    rows = [json.loads(line) for line in (ROOT / "training" / "data" / "valid.jsonl").read_text().splitlines()]
    tally = {"applied": 0, "compile": 0, "kept": 0, "kept and compile": 0, "dropped and compile": 0}
    with tempfile.TemporaryDirectory() as work:
        include = acl_headers(SHARED, Path(work))  # half the validation programs include <atcoder/all>
        for row in rows[: args.programs]:
            source = row["src_code"]
            before = syntax_errors(source)
            prompt = Prompt(source, windows_for(source, fmt, 512, count.lines)[0], fmt)
            for output in generate_many(model, tokenizer, [prompt], Sampling(args.k, 0.8, 0.95, 256, 512), "cpu")[0]:
                program, _ = prompt.outcome(output)
                if program is None:
                    continue
                kept, ok = syntax_errors(program) <= before, compiles(program, include)
                tally["applied"] += 1
                tally["compile"] += ok
                tally["kept"] += kept
                tally["kept and compile" if kept else "dropped and compile"] += ok
    print(json.dumps(tally))
    among_applied = tally["compile"] / max(1, tally["applied"])
    among_kept = tally["kept and compile"] / max(1, tally["kept"])
    print(f"compile among applied: {among_applied:.1%}; among kept: {among_kept:.1%}")


if __name__ == "__main__":
    main()

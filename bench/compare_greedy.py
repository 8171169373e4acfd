"""Do two models write the same greedy outputs? For weight-format changes (float16 storage, int8).

    python bench/compare_greedy.py MODEL_A MODEL_B [--programs 12] [--max-new-tokens 128]

Both models read the shipped examples and the first ``--programs`` programs of
the validation split (training/data/valid.jsonl), truncated to 512 tokens, and
decode greedily. Prints how many of the outputs are identical.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from perfopt.generation.model import load_model
from perfopt.testsources.pie import read_rows

ROOT = Path(__file__).resolve().parents[1]


def greedy(model_dir: str, sources: list[str], max_new_tokens: int) -> list[str]:
    m = load_model(model_dir)
    outputs = []
    for source in sources:
        ids = torch.tensor([m.tokenizer(source, verbose=False).input_ids[: m.max_input_tokens]])
        with torch.no_grad():
            out = m.model.generate(
                input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=max_new_tokens, do_sample=False
            )
        outputs.append(m.tokenizer.decode(out[0], skip_special_tokens=True))
    return outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--programs", type=int, default=12)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    args = parser.parse_args()
    sources = [p.read_text() for p in sorted((ROOT / "examples").glob("*/slow.cpp"))]
    sources += [row["src_code"] for row in list(read_rows(ROOT / "training" / "data" / "valid.jsonl"))[: args.programs]]
    a = greedy(args.a, sources, args.max_new_tokens)
    b = greedy(args.b, sources, args.max_new_tokens)
    same = sum(x == y for x, y in zip(a, b, strict=True))
    print(f"{same} of {len(sources)} greedy outputs identical")


if __name__ == "__main__":
    main()

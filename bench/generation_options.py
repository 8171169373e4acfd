"""CPU generation options for ``perfopt suggest``, measured side by side in one run.

    python bench/generation_options.py [--rounds 3]

The bundled model writes 8 candidates (1 greedy + 7 sampled) for the shipped
56-line example, as fp32 and with torchao's int8 quantization of its Linear
layers (dynamic activations, or weights only), alternating the variants each
round so that machine load hits all alike. Reports the median time of each, their
ratio, and whether int8 changes the greedy output (the quality proxy we can
afford: the bundled model's validation %opt is 0 either way; see bench/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from perfopt.generation.sampler import ModelGenerator, SamplingSettings

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "word_counts" / "slow.cpp"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=8)
    args = parser.parse_args()
    source = EXAMPLE.read_text()
    variants: dict[str, ModelGenerator] = {}
    for name in ("fp32", "int8 dynamic (torchao)", "int8 weight-only (torchao)"):
        gen = ModelGenerator(None, SamplingSettings())
        gen.prepare()
        assert gen.loaded is not None
        if name != "fp32":
            try:
                from torchao.quantization import Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig, quantize_
            except ImportError:
                raise SystemExit("this benchmark needs torchao: pip install torchao") from None

            config = Int8DynamicActivationInt8WeightConfig() if "dynamic" in name else Int8WeightOnlyConfig()
            quantize_(gen.loaded.model, config)
        variants[name] = gen
    times: dict[str, list[float]] = {name: [] for name in variants}
    greedy: dict[str, str | None] = {}
    with torch.no_grad():
        for _ in range(args.rounds):
            for name, gen in variants.items():
                t = time.perf_counter()
                out = list(gen.generate(source, args.candidates))
                times[name].append(time.perf_counter() - t)
                greedy[name] = out[0].program
    base = statistics.median(times["fp32"])
    print(f"| weights | generate {args.candidates} (median s) | vs fp32 | greedy output as fp32 |\n|---|---|---|---|")
    for name in variants:
        t = statistics.median(times[name])
        print(f"| {name} | {t:.2f} | {t / base:.2f} | {greedy[name] == greedy['fp32']} |")


if __name__ == "__main__":
    main()

"""CPU generation options for ``perfopt suggest``, measured side by side in one run.

    python bench/generation_options.py [--rounds 3] [--variants fp32 torch.ao ...]

The bundled model writes 8 candidates (1 greedy + 7 sampled) for the shipped
56-line example, as fp32 and with int8 quantization of its Linear layers:
torchao's (dynamic activations, or weights only; needs ``pip install torchao``)
and torch's own, deprecated ``torch.ao.quantization.quantize_dynamic``
(``torch.ao``), alternating the variants each
round so that machine load hits all alike. Reports the median time of each, their
ratio, and whether int8 changes the greedy output (the quality proxy we can
afford: the bundled model's validation %opt is 0 either way; see bench/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch

from perfopt.generation.sampler import ModelGenerator, SamplingSettings

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "word_counts" / "slow.cpp"


def _torchao(dynamic: bool) -> Callable[[torch.nn.Module], torch.nn.Module]:
    def apply(model: torch.nn.Module) -> torch.nn.Module:
        try:
            from torchao.quantization import Int8DynamicActivationInt8WeightConfig, Int8WeightOnlyConfig, quantize_
        except ImportError:
            raise SystemExit("the torchao variants need torchao: pip install torchao") from None
        quantize_(model, Int8DynamicActivationInt8WeightConfig() if dynamic else Int8WeightOnlyConfig())
        return model

    return apply


def _torch_ao(model: torch.nn.Module) -> torch.nn.Module:
    # Deprecated in favour of torchao, but built into torch: nothing more to install.
    quantized: torch.nn.Module = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
        model, {torch.nn.Linear}, dtype=torch.qint8
    )
    return quantized


VARIANTS: dict[str, Callable[[torch.nn.Module], torch.nn.Module] | None] = {
    "fp32": None,
    "torchao-dynamic": _torchao(dynamic=True),
    "torchao-weight-only": _torchao(dynamic=False),
    "torch.ao": _torch_ao,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()
    source = EXAMPLE.read_text()
    variants: dict[str, ModelGenerator] = {}
    for name in dict.fromkeys(["fp32", *args.variants]):
        gen = ModelGenerator(None, SamplingSettings())
        gen.prepare()
        assert gen.loaded is not None
        quantize = VARIANTS[name]
        if quantize is not None:
            gen.loaded.model = quantize(gen.loaded.model)
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

"""Stage: T5 span-corruption pretraining from random init on the C++ corpus.

    python -m training.pretrain --scale tiny|cpu|gpu [--config pretrain.toml]

Resumable: the latest checkpoint in ``out/checkpoint`` (weights, optimizer,
step) is picked up by a rerun. Losses go to ``out/log.jsonl``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from training.config import Scale, apply_toml
from training.data.problems import corpus
from training.modeling import load_tokenizer, new_model, sentinel_id, train_tiny_tokenizer
from training.pretrain_config import PretrainConfig


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` as ``parts`` positive integers, uniformly at random."""
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def span_corrupt(
    ids: Sequence[int], sentinels: Sequence[int], eos: int, rng: random.Random, density: float, mean_span: float
) -> tuple[list[int], list[int]]:
    """T5's objective: drop ~``density`` of the tokens in spans; the target spells out what each sentinel hides."""
    n = len(ids)
    noise = max(1, round(n * density))
    spans = max(1, min(round(noise / mean_span), n - noise, len(sentinels)))
    if n < 2 or noise >= n:
        return [*ids, eos], [eos]
    noise_lengths = _split(noise, spans, rng)
    keep_lengths = _split(n - noise, spans, rng)
    source: list[int] = []
    target: list[int] = []
    pos = 0
    for i, (keep, drop) in enumerate(zip(keep_lengths, noise_lengths, strict=True)):
        source += ids[pos : pos + keep]
        pos += keep
        source.append(sentinels[i])
        target.append(sentinels[i])
        target += ids[pos : pos + drop]
        pos += drop
    return [*source, eos], [*target, eos]


def load_texts(config: PretrainConfig) -> list[str]:
    texts = []
    for row in corpus(config.corpus.parents[1]):
        texts.append(row["code"])
        if config.max_files is not None and len(texts) >= config.max_files:
            break
    return texts


def train(config: PretrainConfig) -> Path:
    """Run (or resume) pretraining; returns the checkpoint folder."""
    rng = random.Random(config.seed)
    texts = load_texts(config)
    tokenizer = load_tokenizer(config.tokenizer) if config.tokenizer else train_tiny_tokenizer(texts)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out, ckpt = config.out, config.out / "checkpoint"
    out.mkdir(parents=True, exist_ok=True)
    model = new_model(tokenizer, config.architecture, config.seed)
    step = 0
    if (ckpt / "state.json").exists():
        from transformers import T5ForConditionalGeneration

        model = T5ForConditionalGeneration.from_pretrained(ckpt)
        step = json.loads((ckpt / "state.json").read_text())["step"]
    model.to(device).train()  # type: ignore[arg-type]  # transformers types .to() as a decorator wrapper
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=0.01)
    if (ckpt / "optimizer.pt").exists():
        optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", map_location=device))

    def lr_at(s: int) -> float:
        warm = min(1.0, (s + 1) / max(1, config.warmup))
        return config.lr * warm * max(0.05, 1 - s / max(1, config.steps))

    encoded = [tokenizer(t, add_special_tokens=False).input_ids[: config.max_len - 1] for t in texts]
    encoded = [e for e in encoded if len(e) >= 8]
    sentinels = [sentinel_id(tokenizer, i) for i in range(100)]
    eos, pad = int(tokenizer.eos_token_id), int(tokenizer.pad_token_id)
    log = (out / "log.jsonl").open("a")
    started = time.monotonic()
    while step < config.steps:
        batch = [
            span_corrupt(rng.choice(encoded), sentinels, eos, rng, config.noise_density, config.mean_span)
            for _ in range(config.batch_size)
        ]
        src_len = max(len(s) for s, _ in batch)
        tgt_len = max(len(t) for _, t in batch)
        input_ids = torch.tensor([s + [pad] * (src_len - len(s)) for s, _ in batch], device=device)
        labels = torch.tensor([t + [-100] * (tgt_len - len(t)) for _, t in batch], device=device)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step)
        loss = model(input_ids=input_ids, attention_mask=(input_ids != pad).long(), labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad()
        step += 1
        if step % config.log_every == 0 or step == config.steps:
            record = {"step": step, "loss": round(loss.item(), 4), "seconds": round(time.monotonic() - started, 1)}
            log.write(json.dumps(record) + "\n")
            log.flush()
        if step % config.checkpoint_every == 0 or step == config.steps:
            model.save_pretrained(str(ckpt))
            tokenizer.save_pretrained(str(ckpt))
            torch.save(optimizer.state_dict(), ckpt / "optimizer.pt")
            (ckpt / "state.json").write_text(json.dumps({"step": step}))
    log.close()
    return ckpt


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=Scale, default=Scale.TINY)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    config = apply_toml(PretrainConfig.for_scale(args.scale), args.config)
    if args.out is not None:
        from dataclasses import replace

        config = replace(config, out=args.out)
    print(train(config))


if __name__ == "__main__":
    main()

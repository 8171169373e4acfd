"""Stage: T5 span-corruption pretraining from random init on the C++ corpus.

    python -m training.pretrain --scale tiny|cpu|gpu [--config pretrain.toml]

Resumable: the latest checkpoint in ``out/checkpoint`` (weights, optimizer,
step) is picked up by a rerun. Losses go to ``out/log.jsonl``. Reads the
corpus as text and tokenizes it, or, with ``tokens``, pre-tokenized shards
(training.device.pretokenize).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from pathlib import Path

from training.config import stage_main
from training.data.problems import read_corpus
from training.data.tokens import Documents, load_documents
from training.distributed import world
from training.loop import Run, finished, pad_batch
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
    for row in read_corpus(config.corpus):
        texts.append(row["code"])
        if config.max_files is not None and len(texts) >= config.max_files:
            break
    return texts


def train(config: PretrainConfig) -> Path:
    """Run (or resume) pretraining; returns the checkpoint folder."""
    if finished(config.out, config.steps):
        return config.out / "checkpoint"
    rng = random.Random(config.seed + world().rank)
    if config.tokens is not None:
        if config.tokenizer is None:
            raise SystemExit("pre-tokenized shards need the tokenizer that made them (tokenizer = ...)")
        tokenizer = load_tokenizer(config.tokenizer)
        documents = load_documents(config.tokens)
    else:
        texts = load_texts(config)
        tokenizer = load_tokenizer(config.tokenizer) if config.tokenizer else train_tiny_tokenizer(texts)
        documents = Documents.from_lists([tokenizer(t, add_special_tokens=False).input_ids for t in texts])
    documents = documents.at_least(8)
    run = Run(
        config.out,
        tokenizer,
        lambda: new_model(tokenizer, config.architecture, config.seed, config.shape),
        config.lr,
        config.steps,
        config.warmup,
        config.budget_seconds,
    )
    run.model.train()
    sentinels = [sentinel_id(tokenizer, i) for i in range(100)]
    eos, pad = int(tokenizer.eos_token_id), int(tokenizer.pad_token_id)
    while not run.done:
        batch = [
            span_corrupt(
                documents.window(rng, config.max_len - 1),
                sentinels,
                eos,
                rng,
                config.noise_density,
                config.mean_span,
            )
            for _ in range(config.batch_size)
        ]
        input_ids = pad_batch([s for s, _ in batch], pad, run.device)
        labels = pad_batch([t for _, t in batch], -100, run.device)
        with run.precision():
            loss = run.model(input_ids=input_ids, attention_mask=(input_ids != pad).long(), labels=labels).loss
        run.update(loss, tokens=int((input_ids != pad).sum()) + int((labels != -100).sum()))
        if run.step % config.log_every == 0 or run.done:
            run.log(loss=round(loss.item(), 4))
        if run.step % config.checkpoint_every == 0 or run.done:
            run.save()
    return run.ckpt


def main(argv: list[str] | None = None) -> None:
    stage_main(__doc__, PretrainConfig, train, ("out",), argv)


if __name__ == "__main__":
    main()

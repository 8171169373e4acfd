"""Stage: supervised fine-tuning on (slow, fast) pairs, starting from the pretrained checkpoint.

    python -m training.sft --scale tiny|cpu|gpu [--config sft.toml]

Trains on the ``train`` split and logs the loss on the ``valid`` split, which is
split by problem so that no problem's programs are on both sides.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import replace
from itertools import chain
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, T5ForConditionalGeneration

from perfopt.edits import TargetFormat
from training.config import stage_main
from training.data import read_jsonl
from training.data.render import TokenCounter, examples
from training.data.tier_names import rank, tier
from training.distributed import world
from training.loop import Run, pad_batch
from training.sft_config import SFTConfig

Example = tuple[list[int], list[int], str]


def encode(
    tokenizer: Any,
    pairs: list[dict[str, Any]],
    max_len: int,
    fmt: TargetFormat = TargetFormat.PROGRAM,
    limit: int | None = None,
) -> list[Example]:
    """Token ids of (window, target) and the pair's tier for each example of the pairs
    (training.data.render: the windows and edits of inference), dropping what does not fit: a cut window
    teaches nothing. Rows already rendered (with ``prompt`` and ``target``) are taken as they are, first.
    ``limit`` stops at that many examples, rendering and tokenizing no more than it takes."""
    skipped: Counter[str] = Counter()
    rendered = (p for p in pairs if "prompt" in p)
    rows = chain(
        rendered, examples((p for p in pairs if "prompt" not in p), fmt, TokenCounter(tokenizer), max_len, skipped)
    )
    out: list[Example] = []
    for row in rows:
        if limit is not None and len(out) >= limit:
            break
        if not row["target"].strip():
            continue
        src = tokenizer(row["prompt"]).input_ids
        tgt = tokenizer(row["target"]).input_ids
        if len(src) <= max_len and len(tgt) <= max_len:
            out.append((src, tgt, tier(row.get("verified"))))
    return out


def once(train: list[dict[str, Any]], valid: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each training example once, with the surest tier of its copies, and none that is also a validation
    example. The corpus holds copies of programs (forks, re-submissions), and a window can read the same
    in two problems' programs: a fifth of the rendered examples repeat, and a few hundred cross the split."""
    held_out = {_key(p) for p in valid}
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for row in train:
        key = _key(row)
        if key in held_out:
            continue
        if key not in best or rank(tier(row.get("verified"))) > rank(tier(best[key].get("verified"))):
            best[key] = row
    return list(best.values())


def _key(row: dict[str, Any]) -> tuple[str, str]:
    """What makes two rows the same example: the pair's sides, or a rendered row's prompt and target."""
    return (row["prompt"], row["target"]) if "prompt" in row else (row["slow"], row["fast"])


def validation_loss(model: T5ForConditionalGeneration, data: list[Example], pad: int, device: str) -> float:
    model.eval()  # type: ignore[no-untyped-call]
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(data), 8):
            chunk = data[i : i + 8]
            input_ids = pad_batch([s for s, _, _ in chunk], pad, device)
            labels = pad_batch([t for _, t, _ in chunk], -100, device)
            loss = model(input_ids=input_ids, attention_mask=(input_ids != pad).long(), labels=labels).loss
            total += loss.item() * len(chunk)
            count += len(chunk)
    model.train()
    return total / max(1, count)


def train(config: SFTConfig) -> Path:
    rng = random.Random(config.seed + world().rank)
    tokenizer = AutoTokenizer.from_pretrained(str(config.init))
    fmt = TargetFormat(config.target_format)
    pairs = read_jsonl(config.pairs)
    train_pairs = [p for p in pairs if p.get("split", "train") == "train"]
    if config.extra_pairs is not None:
        train_pairs += [p for p in read_jsonl(config.extra_pairs) if p.get("split", "train") == "train"]
    valid_pairs = [p for p in pairs if p.get("split") == "valid"]
    train_set = encode(tokenizer, once(train_pairs, valid_pairs), config.max_len, fmt)
    valid_set = encode(tokenizer, valid_pairs, config.max_len, fmt, limit=config.valid_limit)
    if not train_set:
        raise SystemExit(f"{config.pairs}: no training pairs fit in {config.max_len} tokens")
    run = Run(
        config.out,
        tokenizer,
        lambda: T5ForConditionalGeneration.from_pretrained(config.init),
        config.lr,
        config.steps,
        config.warmup,
        config.budget_seconds,
    )
    run.model.train()
    run.model.config.perfopt_target_format = fmt.value
    pad = int(tokenizer.pad_token_id)
    weights = tier_weights(train_set, config.tier_weights)
    print(f"SFT on {len(train_set)} examples, {len(valid_set)} validation; by tier: {_tiers(train_set, weights)}")
    while not run.done:
        batch = rng.choices(train_set, weights=weights, k=config.batch_size)
        input_ids = pad_batch([s for s, _, _ in batch], pad, run.device)
        labels = pad_batch([t for _, t, _ in batch], -100, run.device)
        with run.precision():
            loss = run.model(input_ids=input_ids, attention_mask=(input_ids != pad).long(), labels=labels).loss
        run.update(loss, tokens=int((input_ids != pad).sum()) + int((labels != -100).sum()))
        record: dict[str, Any] = {}
        if run.step % config.log_every == 0 or run.done:
            record["loss"] = round(loss.item(), 4)
        evaluating = run.step % config.eval_every == 0 or run.done
        if valid_set and evaluating:
            record["valid_loss"] = round(validation_loss(run.model, valid_set, pad, run.device), 4)
        if run.step % config.checkpoint_every == 0 or run.done or (evaluating and config.validate.max_programs):
            run.save()
        if evaluating and config.validate.max_programs:
            record.update(judged(config, run.ckpt, run.step))
        if record:
            run.log(**record)
    return run.ckpt


def judged(config: SFTConfig, checkpoint: Path, step: int) -> dict[str, float]:
    """The saved checkpoint's apply, compile, pass and %opt@k on the first ``validate.max_programs``
    validation programs, judged by the reward model (training.evaluate); the report goes to ``out/evals``."""
    from training.evaluate import evaluate

    chosen = replace(
        config.validate, checkpoint=checkpoint, out=config.out / "evals" / f"step-{step}.json", max_len=config.max_len
    )
    (config.out / "evals").mkdir(parents=True, exist_ok=True)
    found = json.loads(evaluate(chosen).read_text())
    keys = ("apply", "compile", "pass", f"opt@{chosen.k}")
    return {key: round(float(found[key]), 4) for key in keys} | {"judged_programs": found["programs"]}


def tier_weights(data: list[Example], weights: dict[str, float]) -> list[float]:
    """Each example's draw weight by its tier; a tier ``weights`` does not name weighs 1."""
    out = [float(weights.get(name, 1.0)) for _, _, name in data]
    if not any(w > 0 for w in out):
        raise SystemExit(f"tier_weights {weights} give every training example weight 0")
    return out


def _tiers(data: list[Example], weights: list[float]) -> str:
    """Each tier's examples and the share of draws it gets."""
    count: Counter[str] = Counter()
    mass: dict[str, float] = {}
    for (_, _, name), weight in zip(data, weights, strict=True):
        count[name] += 1
        mass[name] = mass.get(name, 0.0) + weight
    total = sum(mass.values()) or 1.0
    return ", ".join(f"{t} {count[t]} ({mass[t] / total:.1%} of draws)" for t in sorted(count))


def main(argv: list[str] | None = None) -> None:
    stage_main(__doc__, SFTConfig, train, ("pairs", "init", "out"), argv)


if __name__ == "__main__":
    main()

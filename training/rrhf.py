"""Stage: RRHF with unit-test rewards from perfopt's own reward model.

    python -m training.rrhf --scale tiny|cpu|gpu [--config rrhf.toml]

Each RL step samples k responses per prompt (greedy, sampled, plus the known
faster reference and up to ``experts`` of the rewrite engine's candidates for
the same window, :mod:`training.experts`), grades them R0-R4 with :mod:`perfopt.reward` (imported, not
copied), and minimises ``w * L_rank + L_tuning``: a hinge over pairs on
length-normalised log-probabilities, ordered by reward, plus cross-entropy on
the best response. After each step the compile, pass and optimisation rates on
the validation prompts go to ``out/curve.jsonl`` (PerfRL's Figure 2).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, T5ForConditionalGeneration

from perfopt.edits import EditError, TargetFormat
from perfopt.generation.rules import RulesGenerator
from perfopt.reward import Level, Verdict
from perfopt.reward.levels import rates
from perfopt.window_io import Prompt, place, target, windows_for
from perfopt.windows import NoWindow
from training.config import stage_main
from training.data import read_jsonl
from training.data.render import TokenCounter
from training.evaluate import Judge, Sampling, generate_many, target_format
from training.experts import expert_outputs
from training.loop import Run, pad_batch
from training.rrhf_config import RRHFConfig


@dataclass(frozen=True)
class Task:
    """One RL prompt: a window of a program, and the known faster reference's output for it, if any."""

    problem_id: str
    prompt: Prompt
    reference: str | None


def _prompts(rows: list[dict[str, Any]], fmt: TargetFormat, max_len: int, count: TokenCounter) -> list[Task]:
    """Each pair's window that holds its change (the first, when it spans several), with the reference's
    output there; a program without a fast side gets its first window (validation prompts)."""
    tasks = []
    for row in rows:
        try:
            found = windows_for(row["slow"], fmt, max_len, count.lines)
        except NoWindow:
            continue
        if not found:
            continue
        if not row.get("fast"):
            tasks.append(Task(row["problem_id"], Prompt(row["slow"], found[0], fmt), None))
            continue
        placed, lost = place(row["slow"], row["fast"], found)
        if lost or not placed:
            continue
        window, edits = placed[0]
        try:
            reference = target(row["slow"], window, edits, fmt)
        except EditError:
            continue
        tasks.append(Task(row["problem_id"], Prompt(row["slow"], window, fmt), reference))
    return tasks


def _score(judge: Judge, problem_id: str, prompt: Prompt, outputs: list[str]) -> list[Verdict] | None:
    made = [prompt.outcome(o) for o in outputs]
    return judge.score(problem_id, prompt.source, [m for m, _ in made], [r for _, r in made])


@dataclass
class Scored:
    prompt: str
    responses: list[str]
    rewards: list[float]
    levels: list[Level]


def rank_loss(scores: torch.Tensor, rewards: torch.Tensor) -> torch.Tensor:
    """RRHF's L_rank: sum over pairs with r_i < r_j of max(0, p_i - p_j)."""
    diff = scores.unsqueeze(1) - scores.unsqueeze(0)  # p_i - p_j
    worse = (rewards.unsqueeze(1) < rewards.unsqueeze(0)).float()  # r_i < r_j
    return (torch.relu(diff) * worse).sum()


def sequence_scores(
    model: T5ForConditionalGeneration, input_ids: torch.Tensor, responses: torch.Tensor, pad: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Length-normalised log-probability of each response, and each response's summed log-probability."""
    repeated = input_ids.expand(responses.size(0), -1)
    labels = responses.masked_fill(responses == pad, -100)
    logits = model(input_ids=repeated, attention_mask=(repeated != pad).long(), labels=labels).logits
    logp = torch.log_softmax(logits, dim=-1)
    mask = labels != -100
    token_logp = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
    total = token_logp.sum(-1)
    return total / mask.sum(-1).clamp(min=1), total


def rrhf_loss(
    model: T5ForConditionalGeneration, tokenizer: Any, item: Scored, weight: float, max_len: int, device: str
) -> torch.Tensor:
    pad = int(tokenizer.pad_token_id)
    input_ids = torch.tensor([tokenizer(item.prompt).input_ids[:max_len]], device=device)
    responses = pad_batch([tokenizer(r).input_ids[:max_len] for r in item.responses], pad, device)
    normalised, total = sequence_scores(model, input_ids, responses, pad)
    rewards = torch.tensor(item.rewards, device=device)
    best = int(torch.argmax(rewards))
    tuning = -total[best] / (responses[best] != pad).sum().clamp(min=1)
    return weight * rank_loss(normalised, rewards) + tuning


def _generate_all(
    model: T5ForConditionalGeneration,
    tokenizer: Any,
    prompts: list[Prompt],
    sampling: Sampling,
    device: str,
    config: RRHFConfig,
) -> list[list[str]]:
    out: list[list[str]] = []
    for at in range(0, len(prompts), config.batch_prompts):
        out += generate_many(model, tokenizer, prompts[at : at + config.batch_prompts], sampling, device)
    return out


def train(config: RRHFConfig) -> Path:
    """Run (or resume) RRHF. Under torchrun each process samples and grades its share of each step's prompts."""
    # The same seed everywhere, so that every process draws the same prompts and takes its own share.
    rng = random.Random(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(config.init))
    pairs = read_jsonl(config.pairs)
    valid_rows = read_jsonl(config.valid) if config.valid is not None else pairs
    run = Run(
        config.out,
        tokenizer,
        lambda: T5ForConditionalGeneration.from_pretrained(config.init),
        config.lr,
        config.rl_steps * config.updates_per_step,
        0,
        config.budget_seconds,
        # RL steps alternate sampling and grading with a few updates: no steady pace to calibrate on.
        calibrate=False,
    )
    if config.prompts_per_step < run.world.size:
        raise SystemExit(
            f"prompts_per_step ({config.prompts_per_step}) must be at least the {run.world.size} processes"
        )
    fmt = target_format(run.model)
    count = TokenCounter(tokenizer)
    prompts = _prompts([p for p in pairs if p.get("split", "train") == "train"], fmt, config.max_len, count)
    valid_programs = [
        {"problem_id": p["problem_id"], "slow": p.get("src_code") or p["slow"]}
        for p in valid_rows
        if p.get("split") == "valid"
    ]
    valid = _prompts(valid_programs, fmt, config.max_len, count)[: config.valid_prompts]
    if not prompts:
        raise SystemExit(f"{config.pairs}: no training pair has a window within {config.max_len} tokens")
    sampling = Sampling(config.k, config.temperature, config.top_p, config.max_new_tokens, config.max_len)
    greedy_only = Sampling(1, config.temperature, config.top_p, config.max_new_tokens, config.max_len)
    judge = Judge(config.tests, config.timer, config.out / f"judge-{run.world.rank}", config.acl)
    curve = config.out / "curve.jsonl"
    rules = RulesGenerator()
    try:
        while not run.done:
            rl_step = run.step // config.updates_per_step + 1
            batch: list[Scored] = []
            expert_levels: list[Level] = []
            drawn = rng.sample(prompts, min(config.prompts_per_step, len(prompts)))
            mine = run.world.shard(drawn)
            written = _generate_all(run.model, tokenizer, [p.prompt for p in mine], sampling, run.device, config)
            for p, responses in zip(mine, written, strict=True):
                if p.reference is not None:
                    responses.append(p.reference)
                sampled = len(responses)
                responses += [e for e in expert_outputs(p.prompt, config.experts, rules) if e not in responses]
                verdicts = _score(judge, p.problem_id, p.prompt, responses)
                if verdicts is None:
                    continue
                expert_levels += [v.level for v in verdicts[sampled:]]
                batch.append(
                    Scored(p.prompt.text, responses, [v.reward for v in verdicts], [v.level for v in verdicts])
                )
            losses = []
            for _ in range(config.updates_per_step):
                # A zero that touches every weight: a process whose prompts could all not be judged
                # still joins the gradient all-reduce.
                nothing = sum((p.sum() * 0 for p in run.model.parameters()), torch.zeros((), device=run.device))
                with run.precision():
                    loss = nothing + sum(
                        (
                            rrhf_loss(run.model, tokenizer, item, config.rank_weight, config.max_len, run.device)
                            for item in batch
                        ),
                        torch.zeros((), device=run.device),
                    ) / max(1, len(batch))
                run.update(loss)
                losses.append(loss.item())
            sampled_levels = run.world.gather([lvl for item in batch for lvl in item.levels])
            expert_levels = run.world.gather(expert_levels)
            valid_levels = []
            mine = run.world.shard(valid)
            greedies = _generate_all(run.model, tokenizer, [p.prompt for p in mine], greedy_only, run.device, config)
            for p, greedy in zip(mine, greedies, strict=True):
                graded = _score(judge, p.problem_id, p.prompt, greedy)
                valid_levels += [v.level for v in graded or []]
            valid_levels = run.world.gather(valid_levels)
            record = {
                "rl_step": rl_step,
                "loss": round(sum(losses) / len(losses), 4),
                "train": rates(sampled_levels),
                "valid": rates(valid_levels),
                # The rules' responses alone, and how many there were: what the model was shown.
                "experts": {"responses": len(expert_levels), **rates(expert_levels)},
            }
            run.log(**record)
            if run.world.main:
                with curve.open("a") as f:
                    f.write(json.dumps(record) + "\n")
            run.save()
    finally:
        judge.close()
    return run.ckpt


def main(argv: list[str] | None = None) -> None:
    stage_main(__doc__, RRHFConfig, train, ("pairs", "tests", "init", "out"), argv)


if __name__ == "__main__":
    main()

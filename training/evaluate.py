"""Stage: measure a checkpoint the way PerfRL reports it, with perfopt's own reward model.

    python -m training.evaluate --scale tiny|cpu|gpu [--checkpoint DIR] [--config eval.toml]

For each program of the validation split, k candidates are drawn (one greedy,
k-1 sampled) and graded R0-R4. Reported: the compile, pass and optimisation
rates over all candidates, pass@1 and %opt@1 (the greedy candidate), pass@k
and %opt@k (any of the k), and PIE's mean speedup (the best R4 speedup of each
program, 1.0 when there is none, averaged over all programs). Under torchrun
each process grades its share of the programs. Writes ``eval.json`` beside the
checkpoint's stage folder.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, StoppingCriteriaList, T5ForConditionalGeneration

from perfopt.config import Config
from perfopt.edits import EditError, TargetFormat, program_from
from perfopt.errors import BadInputError, BaselineFailsError
from perfopt.generation.guard import dead_end_stopper
from perfopt.reward import Level, RewardModel, Verdict, reward_model_for
from perfopt.reward.levels import rates
from training.config import SHARED, stage_main
from training.data import read_jsonl
from training.data.problems import acl_headers
from training.distributed import world
from training.evaluate_config import EvalConfig
from training.loop import precision


@dataclass(frozen=True)
class Sampling:
    k: int
    temperature: float
    top_p: float
    max_new_tokens: int
    max_len: int


def target_format(model: T5ForConditionalGeneration) -> TargetFormat:
    """The output format SFT taught this model (models from before formats existed write programs)."""
    return TargetFormat(getattr(model.config, "perfopt_target_format", TargetFormat.PROGRAM.value))


def generate_many(
    model: T5ForConditionalGeneration, tokenizer: Any, prompts: list[str], sampling: Sampling, device: str
) -> list[list[str]]:
    """For each prompt, one greedy output, then k-1 sampled ones, as the model wrote them (programs or
    edit scripts). Prompts share one batch: a GPU decodes 100 sequences about as fast as one."""
    was_training = model.training
    model.eval()  # type: ignore[no-untyped-call]
    encoded = [tokenizer(p).input_ids[: sampling.max_len] for p in prompts]
    pad = int(tokenizer.pad_token_id)
    width = max(len(e) for e in encoded)
    ids = torch.tensor([e + [pad] * (width - len(e)) for e in encoded], device=device)
    common: dict[str, Any] = {
        "input_ids": ids,
        "attention_mask": (ids != pad).long(),
        "max_new_tokens": sampling.max_new_tokens,
    }
    edits = target_format(model) is TargetFormat.EDITS
    # Untyped on purpose: transformers' typing of the generation mixin changes between releases.
    untyped: Any = model
    decode = untyped.generate
    with torch.no_grad(), precision(device):
        # The same early stop as perfopt suggest: a script that cannot apply stops being written.
        stop = StoppingCriteriaList([dead_end_stopper(tokenizer, prompts)]) if edits else None
        greedy = list(decode(**common, do_sample=False, stopping_criteria=stop))
        sampled = []
        if sampling.k > 1:
            stop = StoppingCriteriaList([dead_end_stopper(tokenizer, prompts, sampling.k - 1)]) if edits else None
            sampled = list(
                decode(
                    **common,
                    stopping_criteria=stop,
                    do_sample=True,
                    temperature=sampling.temperature,
                    top_p=sampling.top_p,
                    num_return_sequences=sampling.k - 1,
                )
            )
    if was_training:
        model.train()
    per = sampling.k - 1
    outputs = [[greedy[i], *sampled[i * per : (i + 1) * per]] for i in range(len(prompts))]
    return [[tokenizer.decode(o, skip_special_tokens=True) for o in row] for row in outputs]


class Judge:
    """One perfopt reward model per problem, built on first use.

    ``acl`` puts the AtCoder Library headers from the corpus on the include
    path: half the held-out AtCoder programs include ``<atcoder/all>``.
    """

    def __init__(self, tests: Path, timer: str, workdir: Path, acl: bool = False) -> None:
        self.tests, self.timer, self.workdir = tests.resolve(), timer, workdir
        self.flags: tuple[str, ...] = ("-std=gnu++20", "-O2")
        if acl:
            include = acl_headers(SHARED, workdir / "acl")
            include.chmod(0o755)
            self.flags += (f"-I{include}",)
        self.models: dict[str, RewardModel] = {}

    def score(
        self, problem_id: str, original: str, outputs: list[str], fmt: TargetFormat = TargetFormat.PROGRAM
    ) -> list[Verdict] | None:
        """Grade model outputs; an edit script that does not apply is graded R0 without compiling.

        None when the original itself cannot be judged (it does not compile or fails its tests here).
        """
        if problem_id not in self.models:
            # amplify off: this judge grades many originals per problem, against training's amplified tests.
            settings = Config(
                tests=self.tests, problem_id=problem_id, timer=self.timer, repeats=3, flags=self.flags, amplify=False
            )
            self.models[problem_id] = reward_model_for(settings, self.workdir / f"{problem_id}.cpp")
        model = self.models[problem_id]
        try:
            return self._grade(model, original, outputs, fmt)
        except (BadInputError, BaselineFailsError):
            return None

    @staticmethod
    def _grade(model: RewardModel, original: str, outputs: list[str], fmt: TargetFormat) -> list[Verdict]:
        programs: list[str | None] = []
        for out in outputs:
            try:
                programs.append(program_from(original, out, fmt))
            except EditError:
                programs.append(None)
        return model.grade(original, programs, ["the edit script does not apply"] * len(programs))

    def close(self) -> None:
        for m in self.models.values():
            m.close()


def summarize(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    n = max(1, len(rows))
    levels = [Level(lvl) for r in rows for lvl in r["levels"]]
    return {
        "programs": len(rows),
        "k": k,
        **rates(levels),
        "pass@1": sum(r["levels"][0] >= Level.NOT_FASTER for r in rows) / n,
        "opt@1": sum(r["levels"][0] == Level.FASTER for r in rows) / n,
        f"pass@{k}": sum(max(r["levels"]) >= Level.NOT_FASTER for r in rows) / n,
        f"opt@{k}": sum(max(r["levels"]) == Level.FASTER for r in rows) / n,
        "mean_speedup": sum(r["best_speedup"] for r in rows) / n,
    }


def evaluate(config: EvalConfig) -> Path:
    if not (config.checkpoint / "config.json").exists():
        raise SystemExit(f"{config.checkpoint}: no model checkpoint there")
    me = world()
    torch.manual_seed(config.seed + me.rank)
    random.seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(config.checkpoint))
    model = T5ForConditionalGeneration.from_pretrained(config.checkpoint).to(me.device)  # type: ignore[arg-type]
    fmt = target_format(model)
    programs: dict[str, str] = {}  # program -> problem id; a program paired with several fast ones counts once
    for row in read_jsonl(config.programs):
        if row.get("split") == config.split:
            programs.setdefault(row.get("src_code") or row["slow"], row["problem_id"])
    # A program longer than the model's input cannot be rewritten whole; perfopt suggest refuses it too.
    fitting = [(code, pid) for code, pid in programs.items() if len(tokenizer(code).input_ids) <= config.max_len]
    chosen = fitting[: config.max_programs]
    sampling = Sampling(config.k, config.temperature, config.top_p, config.max_new_tokens, config.max_len)
    out = config.out or config.checkpoint.parent / "eval.json"
    judge = Judge(config.tests, config.timer, out.parent / f"judge-{me.rank}", config.acl)
    rows = []
    unjudged = []
    mine = me.shard(chosen)
    started, cut = time.monotonic(), 0
    try:
        for at in range(0, len(mine), config.batch_prompts):
            if config.budget_seconds is not None and time.monotonic() - started >= config.budget_seconds:
                cut = len(mine) - at
                break
            chunk = mine[at : at + config.batch_prompts]
            outputs = generate_many(model, tokenizer, [p for p, _ in chunk], sampling, me.device)
            for (program, problem_id), written in zip(chunk, outputs, strict=True):
                verdicts = judge.score(problem_id, program, written, fmt)
                if verdicts is None:
                    unjudged.append(problem_id)
                    continue
                best = max((v.speedup or 1.0 for v in verdicts if v.level == Level.FASTER), default=1.0)
                rows.append(
                    {
                        "problem_id": problem_id,
                        "levels": [int(v.level) for v in verdicts],
                        "reasons": [v.reason for v in verdicts],
                        "best_speedup": best,
                    }
                )
    finally:
        judge.close()
    cut = sum(me.gather([cut]))
    rows = me.gather(rows)
    unjudged = me.gather(unjudged)
    if me.main:
        report = {
            "checkpoint": str(config.checkpoint),
            "format": fmt.value,
            "split": config.split,
            "timer": config.timer,
            "programs_in_split": len(programs),
            "longer_than_max_len": len(programs) - len(fitting),
            "unjudged": unjudged,
            # Programs left out because the time budget ran out: the rates are over fewer programs.
            "not_reached": cut,
            **summarize(rows, config.k),
            "rows": rows,
        }
        out.write_text(json.dumps(report, indent=1) + "\n")
    me.barrier()
    return out


def main(argv: list[str] | None = None) -> None:
    stage_main(__doc__, EvalConfig, evaluate, ("checkpoint", "programs", "tests", "out"), argv)


if __name__ == "__main__":
    main()

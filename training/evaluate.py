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
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer, LogitsProcessorList, StoppingCriteriaList, T5ForConditionalGeneration

from perfopt.config import Config
from perfopt.edits import TargetFormat
from perfopt.errors import BadInputError, BaselineFailsError, PerfoptError
from perfopt.generation.constrain import HeaderConstraint, header_processor
from perfopt.generation.guard import stopper
from perfopt.generation.sampler import allot
from perfopt.profile import Profile
from perfopt.reward import Level, RewardModel, Verdict, reward_model_for
from perfopt.reward.levels import rates
from perfopt.window_io import Prompt, windows_for
from perfopt.windows import NoWindow, ranked
from training.config import SHARED, stage_main
from training.data import read_jsonl
from training.data.problems import acl_headers
from training.data.render import TokenCounter
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
    model: T5ForConditionalGeneration, tokenizer: Any, prompts: list[Prompt], sampling: Sampling, device: str
) -> list[list[str]]:
    """For each prompt, one greedy output, then k-1 sampled ones, as the model wrote them. Prompts share
    one batch: a GPU decodes 100 sequences about as fast as one."""
    was_training = model.training
    model.eval()  # type: ignore[no-untyped-call]
    encoded = [tokenizer(p.text).input_ids[: sampling.max_len] for p in prompts]
    pad = int(tokenizer.pad_token_id)
    width = max(len(e) for e in encoded)
    ids = torch.tensor([e + [pad] * (width - len(e)) for e in encoded], device=device)
    common: dict[str, Any] = {
        "input_ids": ids,
        "attention_mask": (ids != pad).long(),
        "max_new_tokens": sampling.max_new_tokens,
    }
    judges = [p.judge() for p in prompts]
    # The same header grammar as perfopt suggest keeps to (perfopt.generation.constrain).
    constraints = [HeaderConstraint(tokenizer, p.window.lines) for p in prompts if p.fmt is TargetFormat.LINES]
    if len(constraints) == len(prompts):
        common["logits_processor"] = LogitsProcessorList([header_processor(tokenizer, constraints, 1)])
    # Untyped on purpose: transformers' typing of the generation mixin changes between releases.
    untyped: Any = model
    decode = untyped.generate
    with torch.no_grad(), precision(device):
        # The same early stop as perfopt suggest: an output that cannot apply stops being written.
        greedy = list(
            decode(**common, do_sample=False, stopping_criteria=StoppingCriteriaList([stopper(tokenizer, judges)]))
        )
        sampled = []
        if sampling.k > 1:
            stop = StoppingCriteriaList([stopper(tokenizer, judges, sampling.k - 1)])
            if constraints:
                common["logits_processor"] = LogitsProcessorList(
                    [header_processor(tokenizer, constraints, sampling.k - 1)]
                )
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


def prompts_for(
    source: str, fmt: TargetFormat, max_len: int, count: TokenCounter, profile: Callable[[], Profile | None], k: int
) -> list[tuple[Prompt, int]] | str:
    """The windows the model gets for ``source`` and how many candidates each, as ``perfopt suggest`` plans
    them (hottest first by the profile); or why there are none."""
    try:
        found = windows_for(source, fmt, max_len, count.lines)
    except NoWindow as e:
        return str(e)
    if not found:
        return f"longer than {max_len} tokens, for a whole-program model"
    hot = profile() if len(found) > 1 else None
    return [(Prompt(source, w, fmt), n) for w, n in allot(ranked(found, hot), hot, k)]


def candidates(
    model: T5ForConditionalGeneration,
    tokenizer: Any,
    source: str,
    plan: list[tuple[Prompt, int]],
    sampling: Sampling,
    device: str,
) -> tuple[list[str | None], list[str]]:
    """The programs (None: unusable, with the reason) the model writes for each window of ``plan``, k each."""
    programs: list[str | None] = []
    reasons: list[str] = []
    for prompt, k in plan:
        written = generate_many(model, tokenizer, [prompt], replace(sampling, k=k), device)[0]
        for output in written:
            program, reason = prompt.outcome(output)
            programs.append(program)
            reasons.append(reason)
    return programs, reasons


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
            # Absolute: the compiles and the profile run in sandbox work folders, not here.
            self.flags += (f"-I{include.resolve()}",)
        self.models: dict[str, RewardModel] = {}

    def score(
        self, problem_id: str, original: str, programs: list[str | None], reasons: list[str]
    ) -> list[Verdict] | None:
        """Grade candidate programs; an unusable one (None) is graded R0 with its reason, without compiling.

        None when the original itself cannot be judged (it does not compile or fails its tests here).
        """
        try:
            return self._model(problem_id).grade(original, programs, reasons)
        except (BadInputError, BaselineFailsError):
            return None

    def profile(self, problem_id: str, original: str) -> Profile | None:
        """The original's profile, as perfopt suggest ranks windows by it (None where it cannot be had)."""
        try:
            return self._model(problem_id).profile(original)
        except PerfoptError:
            return None

    def _model(self, problem_id: str) -> RewardModel:
        if problem_id not in self.models:
            # amplify off: this judge grades many originals per problem, against training's amplified tests.
            settings = Config(
                tests=self.tests, problem_id=problem_id, timer=self.timer, repeats=3, flags=self.flags, amplify=False
            )
            self.models[problem_id] = reward_model_for(settings, self.workdir / f"{problem_id}.cpp")
        return self.models[problem_id]

    def close(self) -> None:
        for m in self.models.values():
            m.close()


def summarize(rows: list[dict[str, Any]], k: int) -> dict[str, Any]:
    n = max(1, len(rows))
    levels = [Level(lvl) for r in rows for lvl in r["levels"]]
    return {
        "programs": len(rows),
        "k": k,
        # The share of candidates whose output applied (a program to compile), over all candidates.
        "apply": sum(a for r in rows for a in r.get("applied", [])) / max(1, len(levels)),
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
    chosen = list(programs.items())[: config.max_programs]
    sampling = Sampling(config.k, config.temperature, config.top_p, config.max_new_tokens, config.max_len)
    out = config.out or config.checkpoint.parent / "eval.json"
    judge = Judge(config.tests, config.timer, out.parent / f"judge-{me.rank}", config.acl)
    count = TokenCounter(tokenizer)
    rows = []
    unjudged = []
    not_generated: list[dict[str, str]] = []
    mine = me.shard(chosen)
    started, cut = time.monotonic(), 0
    try:
        for at, (program, problem_id) in enumerate(mine):
            if config.budget_seconds is not None and time.monotonic() - started >= config.budget_seconds:
                cut = len(mine) - at
                break
            hot = partial(judge.profile, problem_id, program)
            plan = prompts_for(program, fmt, config.max_len, count, hot, config.k)
            if isinstance(plan, str):
                not_generated.append({"problem_id": problem_id, "reason": plan})
                continue
            made, reasons = candidates(model, tokenizer, program, plan, sampling, me.device)
            verdicts = judge.score(problem_id, program, made, reasons)
            if verdicts is None:
                unjudged.append(problem_id)
                continue
            best = max((v.speedup or 1.0 for v in verdicts if v.level == Level.FASTER), default=1.0)
            rows.append(
                {
                    "problem_id": problem_id,
                    "levels": [int(v.level) for v in verdicts],
                    "applied": [m is not None for m in made],
                    "reasons": [v.reason for v in verdicts],
                    "best_speedup": best,
                }
            )
    finally:
        judge.close()
    cut = sum(me.gather([cut]))
    rows = me.gather(rows)
    unjudged = me.gather(unjudged)
    not_generated = me.gather(not_generated)
    if me.main:
        report = {
            "checkpoint": str(config.checkpoint),
            "format": fmt.value,
            "split": config.split,
            "timer": config.timer,
            "programs_in_split": len(programs),
            # Programs the model wrote nothing for (no window fits, no function body): 0 is the goal.
            "not_generated": len(not_generated),
            "not_generated_reasons": not_generated,
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

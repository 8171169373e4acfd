"""Candidates from a seq2seq model, window by window: one greedy output, then sampled ones.

The model reads a window of the file (:mod:`perfopt.windows`): the whole file when it fits its context,
else a function or a run of statements with the declarations it uses. Windows are tried hottest first by
the original's profile, and the candidate budget is shared among the hot ones. Whatever the model writes
(line-anchored edits, search/replace hunks, a whole program: :mod:`perfopt.window_io`) becomes a program
of the whole file before verification; an output that does not apply is kept as an unusable candidate,
with the reason, so that reports count it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from perfopt import window_io
from perfopt.edits import TargetFormat
from perfopt.errors import BadInputError
from perfopt.generation.interface import Candidate, KeepGoing, ProfileSource
from perfopt.generation.model import LoadedModel, load_model
from perfopt.notices import warn_once
from perfopt.profile import Profile
from perfopt.windows import NoWindow, Window, ranked, tokens_per_line

#: Rounds the sampled candidates of a window are split into when generation may stop early.
ROUNDS = 2
#: Windows worth candidates: the hottest ones that together hold this share of the instructions.
HOT_SHARE = 0.9


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 512
    seed: int = 0


def allot(order: Sequence[Window], profile: Profile | None, n: int) -> list[tuple[Window, int]]:
    """How many of ``n`` candidates each window gets: the hottest windows holding ``HOT_SHARE`` of the
    instructions, in proportion to their shares; without a profile, the first windows two each. Every chosen
    window gets at least one (the greedy one)."""
    if n <= 0 or not order:
        return []
    shares = [w.share(profile) for w in order]
    if profile is None or any(s is None for s in shares):
        chosen = list(order[: max(1, n // 2)])
        weights = [1.0] * len(chosen)
    else:
        chosen, weights, held = [], [], 0.0
        for w, share in zip(order, shares, strict=True):
            if len(chosen) >= max(1, n // 2) or (chosen and held >= HOT_SHARE):
                break
            chosen.append(w)
            weights.append(max(share or 0.0, 1e-9))
            held += share or 0.0
    total = sum(weights)
    counts = [max(1, int(n * x / total)) for x in weights]
    while sum(counts) > n:
        counts[counts.index(max(counts))] -= 1
    counts[0] += n - sum(counts)
    return [(w, k) for w, k in zip(chosen, counts, strict=True) if k > 0]


class ModelGenerator:
    def __init__(self, spec: str | None, settings: SamplingSettings, offline: bool = True) -> None:
        self.spec = spec
        self.settings = settings
        self.offline = offline
        self.name = spec or "bundled perfopt-t5-small"
        self.loaded: LoadedModel | None = None
        self.profile: ProfileSource | None = None

    def use_profile(self, profile: ProfileSource | None) -> None:
        self.profile = profile

    def prepare(self) -> None:
        if self.loaded is None:
            self.loaded = load_model(self.spec, self.offline)

    def _model(self) -> LoadedModel:
        self.prepare()
        assert self.loaded is not None
        return self.loaded

    def _count(self, lines: list[str]) -> list[int]:
        return tokens_per_line(self._model().tokenizer, lines)

    def windows(self, source: str) -> list[Window]:
        """The file's windows for this model (raises BadInputError when it has none)."""
        m = self._model()
        try:
            found = window_io.windows_for(source, m.target_format, m.max_input_tokens, self._count)
        except NoWindow as e:
            raise BadInputError(str(e)) from None
        if not found:
            tokens = len(m.tokenizer(source, verbose=False).input_ids)
            raise BadInputError(
                f"{tokens} tokens long; this model writes whole programs and reads at most {m.max_input_tokens} "
                "(pass --model with one trained on windows)"
            )
        return found

    def check(self, source: str) -> None:
        self.windows(source)

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        """Candidates for the hottest windows in turn, each window's greedy one first."""
        found = self.windows(source)
        profile = self.profile() if self.profile is not None and len(found) > 1 else None
        if len(found) > 1 and profile is None:
            warn_once("no profile of the original: the model's windows are tried in file order")
        for i, (window, k) in enumerate(allot(ranked(found, profile), profile, n)):
            if i and keep_going is not None and not keep_going():
                return
            yield from self._window(source, window, k, keep_going)

    def _window(self, source: str, window: Window, k: int, keep_going: KeepGoing | None) -> Iterator[Candidate]:
        import torch

        m = self._model()
        s = self.settings
        torch.manual_seed(s.seed)
        prompt = window_io.Prompt(source, window, m.target_format)
        ids = torch.tensor([m.tokenizer(prompt.text).input_ids])
        common: dict[str, object] = {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "max_new_tokens": s.max_new_tokens,
        }
        from transformers import StoppingCriteriaList

        from perfopt.generation.guard import stopper

        common["stopping_criteria"] = StoppingCriteriaList([stopper(m.tokenizer, [prompt.judge()])])
        if m.target_format is TargetFormat.LINES:
            from transformers import LogitsProcessorList

            from perfopt.generation.constrain import HeaderConstraint, header_processor

            constraint = HeaderConstraint(m.tokenizer, window.lines)
            common["logits_processor"] = LogitsProcessorList([header_processor(m.tokenizer, [constraint])])
        where = "" if window.label == "whole file" else f", {window.describe()}"
        with torch.no_grad():
            greedy = m.model.generate(**common, do_sample=False)
            yield self._candidate(f"greedy{where}", prompt, greedy[0])
            sampled = k - 1
            size = sampled if keep_going is None else -(-sampled // ROUNDS)
            done = 0
            while done < sampled:
                if keep_going is not None and not keep_going():
                    return
                batch = min(size, sampled - done)
                outputs = m.model.generate(
                    **common,
                    do_sample=True,
                    temperature=s.temperature,
                    top_p=s.top_p,
                    num_return_sequences=batch,
                )
                for i, out in enumerate(outputs, start=done + 1):
                    yield self._candidate(f"sample {i}{where}", prompt, out)
                done += batch

    def _candidate(self, origin: str, prompt: window_io.Prompt, output: object) -> Candidate:
        program, problem = prompt.outcome(self._model().tokenizer.decode(output, skip_special_tokens=True))
        return Candidate(origin, program, problem, generator="model")

"""Candidates from a seq2seq model: one greedy output, then sampled ones in a single batch.

The model writes either whole programs or edit scripts (perfopt.edits); either
way a candidate is the program the output stands for. An edit script that does
not apply is kept as an unusable candidate, so that reports count it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from perfopt.edits import EditError, TargetFormat, dead_end, program_from
from perfopt.errors import BadInputError
from perfopt.generation.interface import Candidate, KeepGoing
from perfopt.generation.model import LoadedModel, load_model

#: Rounds the sampled candidates are split into when generation may stop early.
ROUNDS = 2


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 512
    seed: int = 0


class ModelGenerator:
    def __init__(self, spec: str | None, settings: SamplingSettings, offline: bool = True) -> None:
        self.spec = spec
        self.settings = settings
        self.offline = offline
        self.name = spec or "bundled perfopt-t5-small"
        self.loaded: LoadedModel | None = None

    def prepare(self) -> None:
        if self.loaded is None:
            self.loaded = load_model(self.spec, self.offline)

    def _model(self) -> LoadedModel:
        self.prepare()
        assert self.loaded is not None
        return self.loaded

    def check(self, source: str) -> None:
        m = self._model()
        tokens = len(m.tokenizer(source, verbose=False).input_ids)
        if tokens > m.max_input_tokens:
            raise BadInputError(
                f"{tokens} tokens long; the model reads at most {m.max_input_tokens}, "
                "so it cannot rewrite this file whole (split it, or pass --model with a larger one)"
            )

    def generate(self, source: str, n: int, keep_going: KeepGoing | None = None) -> Iterator[Candidate]:
        """The greedy candidate, then n-1 sampled ones: in one batch, or with ``keep_going`` in rounds.

        Rounds cost some batching efficiency, and ``keep_going`` is asked before each one, so that
        sampling can stop once the candidates so far are good enough.
        """
        import torch

        m = self._model()
        s = self.settings
        torch.manual_seed(s.seed)
        ids = torch.tensor([m.tokenizer(source).input_ids])
        common: dict[str, object] = {
            "input_ids": ids,
            "attention_mask": torch.ones_like(ids),
            "max_new_tokens": s.max_new_tokens,
        }
        if m.target_format is TargetFormat.EDITS:
            from transformers import StoppingCriteriaList

            from perfopt.generation.guard import dead_end_stopper

            common["stopping_criteria"] = StoppingCriteriaList([dead_end_stopper(m.tokenizer, source)])
        with torch.no_grad():
            greedy = m.model.generate(**common, do_sample=False)
            yield self._candidate("greedy", source, greedy[0])
            sampled = n - 1
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
                    yield self._candidate(f"sample {i}", source, out)
                done += batch

    def _candidate(self, origin: str, source: str, output: object) -> Candidate:
        m = self._model()
        text = m.tokenizer.decode(output, skip_special_tokens=True)
        # A script stopped at a dead end is cut short: its reason is the dead end, not the cut.
        dead = dead_end(source, text + "\n") if m.target_format is TargetFormat.EDITS else None
        if dead is not None:
            return Candidate(origin, None, f"the edit script does not apply: {dead}", generator="model")
        try:
            return Candidate(origin, program_from(source, text, m.target_format), generator="model")
        except EditError as e:
            return Candidate(origin, None, f"the edit script does not apply: {e}", generator="model")

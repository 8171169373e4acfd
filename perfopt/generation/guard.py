"""Stop decoding an edit script as soon as it can no longer apply.

A weak model's edit scripts go wrong early (a search line the input does not
have, a stray line after a hunk) and then run on to the token limit: the
bundled model spent five seconds of a `perfopt suggest` writing 500 tokens
after its first hunk closed. A judge (``perfopt.edits.dead_end``,
``perfopt.line_edits.dead_end``) says when no continuation can mend a
script; this stops each sequence there, which changes no usable candidate, only how long the unusable ones take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from perfopt.edits import dead_end

#: Why a partial output can no longer become a usable one; None while it still can.
Judge = Callable[[str], "str | None"]


def dead_end_stopper(tokenizer: Any, sources: str | Sequence[str], per_source: int = 1) -> Any:
    """A transformers stopping criterion, per sequence, for search/replace scripts of whole ``sources``.

    Row ``r`` of a batch edits ``sources[r // per_source]``: generate's layout
    for several prompts with ``num_return_sequences=per_source``. One source
    (a string) is what every row edits.
    """
    inputs = [sources] if isinstance(sources, str) else list(sources)
    judges: list[Judge] = [partial(_whole, s) for s in inputs]
    return stopper(tokenizer, judges, 1 << 30 if isinstance(sources, str) else per_source)


def _whole(source: str, output: str) -> str | None:
    return dead_end(source, output)


def stopper(tokenizer: Any, judges: Sequence[Judge], per_prompt: int = 1) -> Any:
    """A transformers stopping criterion: row ``r`` of a batch stops once ``judges[r // per_prompt]``
    finds its output dead (perfopt.window_io.judge makes them for each format)."""
    import torch
    from transformers import StoppingCriteria

    class DeadEnd(StoppingCriteria):
        def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
            stop = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
            for row, ids in enumerate(input_ids):
                # Only a finished line can settle anything, so most steps decode one token per row.
                if "\n" not in tokenizer.decode(ids[-1:]):
                    continue
                # One prompt: every row is one of its samples, however many generate returns.
                judge = judges[0] if len(judges) == 1 else judges[row // per_prompt]
                stop[row] = judge(tokenizer.decode(ids, skip_special_tokens=True)) is not None
            return stop

    return DeadEnd()

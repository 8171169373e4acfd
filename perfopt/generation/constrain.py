"""Decode line-anchored edits whose headers are always valid for their window.

A small model learns the shape of ``@@12-14`` long before it learns to read the numbers its window shows:
after 300 SFT steps, 51 of 72 outputs broke on a header (a hidden line, a backwards range, ``@@9-a``;
training/README.md). The header is a tiny grammar over the window's shown lines, so the decoder can keep
to it: at the start of the output only ``@@`` may come; inside a header only the digits, ``-``, ``+`` and
newline that continue some valid header (shown lines, ascending, after the previous edit) may. Code lines
are the model's own. This is grammar-constrained decoding; the parser (:mod:`perfopt.line_edits`) stays
strict, and judges what comes out as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from perfopt import line_edits
from perfopt.edits import EditError

_HEADER_CHARS = frozenset("0123456789-+\n")


def valid_headers(shown: Sequence[int], after: int, inserted: bool = False) -> frozenset[str]:
    """Every header line (with its newline) an edit may start with once the previous one ended at line
    ``after`` (``inserted``: it was an insertion there, which a second one may not repeat): ``@@a-b`` over
    shown lines a..b, ``@@a+`` after a shown line."""
    visible = sorted(set(shown))
    out = set()
    for i, a in enumerate(visible):
        if a > after:
            b = a
            for j in range(i, len(visible)):
                if visible[j] != a + (j - i):
                    break
                b = visible[j]
                out.add(f"@@{a}-{b}\n")
        if a > after or (a == after and not inserted):
            out.add(f"@@{a}+\n")
    # An insertion before the first shown line (``@@0+`` when line 1 is shown, as the parser allows).
    before = visible[0] - 1 if visible else -1
    if before >= 0 and (before > after or (before == after and not inserted)):
        out.add(f"@@{before}+\n")
    return frozenset(out)


def _after(edits: Sequence[line_edits.LineEdit]) -> tuple[int, bool]:
    """Where the last edit ended, and whether it was an insertion."""
    return (edits[-1].last, edits[-1].insertion) if edits else (-1, False)


class HeaderConstraint:
    """The allowed next tokens of an output for one window, from the text so far."""

    def __init__(self, tokenizer: Any, shown: Sequence[int]) -> None:
        self.shown = tuple(shown)
        self.tokenizer = tokenizer
        self.header_tokens, self.at_start = _vocabulary(tokenizer)
        self.eos = int(tokenizer.eos_token_id)

    @cache  # noqa: B019 - one constraint lives for one generate call
    def _prefixes(self, after: tuple[int, bool]) -> tuple[frozenset[str], frozenset[str]]:
        headers = valid_headers(self.shown, *after)
        return frozenset(h[:k] for h in headers for k in range(2, len(h) + 1)), headers

    def allowed(self, text: str) -> list[int] | None:
        """Token ids the output may continue with; None when any token may come (inside code lines)."""
        lines = text.split("\n")
        current = lines[-1]
        if not text.strip():
            # The output opens with an edit's header (a tokenizer without an ``@@`` token is not constrained).
            return self.at_start or None
        if not current.startswith("@@"):
            return None
        try:
            done = line_edits.parse("\n".join(lines[:-1]), self.shown) if len(lines) > 1 else []
        except EditError:
            return None  # already broken elsewhere: the stopper deals with it
        prefixes, headers = self._prefixes(_after(done))
        allowed = [token for token, piece in self.header_tokens if current + piece in prefixes]
        if current + "\n" in headers:
            allowed.append(self.eos)  # a complete header may end the output (a deletion)
        return allowed or [self.eos]


#: Per tokenizer: the tokens that can be part of a header's numbers, and the ``@@`` token(s).
_VOCAB: dict[int, tuple[tuple[tuple[int, str], ...], list[int]]] = {}


def _vocabulary(tokenizer: Any) -> tuple[tuple[tuple[int, str], ...], list[int]]:
    key = id(tokenizer)
    if key not in _VOCAB:
        pieces = [(i, tokenizer.decode([i])) for i in range(len(tokenizer))]
        header = tuple((i, p) for i, p in pieces if p and set(p) <= _HEADER_CHARS)
        _VOCAB[key] = (header, [i for i, p in pieces if p == "@@"])
    return _VOCAB[key]


def header_processor(tokenizer: Any, constraints: Sequence[HeaderConstraint], per_prompt: int = 1 << 30) -> Any:
    """A transformers logits processor: row ``r`` keeps to ``constraints[r // per_prompt]`` (one
    constraint: every row)."""
    import torch
    from transformers import LogitsProcessor

    class Headers(LogitsProcessor):
        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            for row, ids in enumerate(input_ids):
                constraint = constraints[0] if len(constraints) == 1 else constraints[row // per_prompt]
                allowed = constraint.allowed(tokenizer.decode(ids, skip_special_tokens=True))
                if allowed is not None:
                    keep = scores[row, allowed].clone()
                    scores[row, :] = -float("inf")
                    scores[row, allowed] = keep
            return scores

    return Headers()

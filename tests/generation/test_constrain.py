"""Header-constrained decoding: at every step, only tokens that keep a header valid for the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
import transformers

from perfopt.edits import TargetFormat
from perfopt.generation import BUNDLED
from perfopt.generation.constrain import HeaderConstraint, header_processor, valid_headers
from perfopt.line_edits import parse
from tests.generation.tiny import tiny_model

SHOWN = (1, 2, 3, 7, 8)


def _tokenizer() -> Any:
    return transformers.AutoTokenizer.from_pretrained(str(BUNDLED), local_files_only=True)


def test_valid_headers_are_shown_ranges_after_the_previous_edit() -> None:
    headers = valid_headers(SHOWN, -1)
    assert {"@@1-3\n", "@@2-2\n", "@@7-8\n", "@@3+\n", "@@0+\n"} <= headers
    # Never across the gap 4..6, never backwards, never a hidden line.
    assert not {"@@3-7\n", "@@2-1\n", "@@5-5\n", "@@4+\n"} & headers
    assert all(parse(h, SHOWN) for h in headers)
    # After an edit that ended on line 3, only what comes later.
    assert valid_headers(SHOWN, 3) == {"@@7-7\n", "@@7-8\n", "@@8-8\n", "@@3+\n", "@@7+\n", "@@8+\n"}
    # After an insertion after line 3, not a second one there (the parser refuses it: overlapping edits).
    assert "@@3+\n" not in valid_headers(SHOWN, 3, inserted=True)
    assert "@@0+\n" not in valid_headers(SHOWN, 0, inserted=True)


def test_allowed_tokens_continue_only_valid_headers() -> None:
    tokenizer = _tokenizer()
    c = HeaderConstraint(tokenizer, SHOWN)
    start = c.allowed("")
    assert start is not None and [tokenizer.decode([t]) for t in start] == ["@@"]
    after_at = c.allowed("@@")
    assert after_at is not None
    pieces = {tokenizer.decode([t]) for t in after_at}
    assert {"1", "7", "8"} <= pieces and not {"4", "5", "9", "a"} & pieces
    # "@@7-" may only go on to 7 or 8; a finished header may end the output or go on to its lines.
    assert {tokenizer.decode([t]) for t in c.allowed("@@7-") or []} <= {"7", "8", "7\n", "8\n"}
    assert tokenizer.eos_token_id in (c.allowed("@@7-8") or [])
    # Code lines are the model's own.
    assert c.allowed("@@7-8\n    x += 1;") is None


def test_every_sampled_output_of_a_random_model_has_valid_headers(tmp_path: Path) -> None:
    """Random weights write anything; constrained, every header they write parses against the window."""
    folder = tiny_model(tmp_path / "m", TargetFormat.LINES)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = transformers.T5ForConditionalGeneration.from_pretrained(folder)
    ids = torch.tensor([tokenizer("1|int main() {\n2|int x;\n3|x++;\n...\n7|return x;\n8|}").input_ids])
    processors = transformers.LogitsProcessorList([header_processor(tokenizer, [HeaderConstraint(tokenizer, SHOWN)])])
    torch.manual_seed(0)
    out = model.generate(
        input_ids=ids, do_sample=True, num_return_sequences=6, max_new_tokens=24, logits_processor=processors
    )
    for row in out:
        text = str(tokenizer.decode(row, skip_special_tokens=True))
        assert text.startswith("@@")
        headers = [line for line in text.split("\n")[:-1] if line.startswith("@@")]
        for h in headers:
            assert h + "\n" in valid_headers(SHOWN, -1), text

"""Decoding stops where an edit script can no longer apply, inside transformers' real generate loop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from perfopt.edits import TargetFormat
from perfopt.generation.guard import dead_end_stopper, stopper
from perfopt.window_io import Prompt
from perfopt.windows import Window
from tests.conftest import PREFIX_SLOW
from tests.generation.tiny import tiny_model

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

SOURCE = "int main() {\n    int n;\n    return 0;\n}\n"


def _tokenizer(folder: Path) -> Any:
    return transformers.AutoTokenizer.from_pretrained(str(folder), local_files_only=True)


def _rows(tokenizer: Any, texts: list[str]) -> Any:
    # Decoder ids as generate holds them: the start token, then what was written so far.
    encoded = [[tokenizer.pad_token_id, *tokenizer(t, add_special_tokens=False).input_ids] for t in texts]
    width = max(map(len, encoded))
    return torch.tensor([[tokenizer.pad_token_id] * (width - len(e)) + e for e in encoded])


def test_each_row_stops_at_its_own_dead_end(tmp_path: Path) -> None:
    tokenizer = _tokenizer(tiny_model(tmp_path / "m", TargetFormat.EDITS))
    rows = _rows(
        tokenizer,
        [
            "<<<\n    int n;\n",  # alive: the search line is in the source
            "<<<\n    int n;\n===\n    long n;\n>>>\n>>>\n",  # dead: a stray line after the hunk
            "<<<\n    invented();\n",  # dead: the search line is nowhere
            "<<<\n    invented(",  # not judged yet: the line is unfinished
        ],
    )
    stop = dead_end_stopper(tokenizer, SOURCE)(rows, None)
    assert stop.tolist() == [False, True, True, False]


def test_one_windows_judge_serves_every_sampled_row(tmp_path: Path) -> None:
    """The sampler passes one judge for a window and samples several rows from it."""
    tokenizer = _tokenizer(tiny_model(tmp_path / "m", TargetFormat.LINES))
    rows = _rows(tokenizer, ["@@3-3\n", "@@99-99\n", "oops\n"])
    judge = Prompt(SOURCE, Window((1, 2, 3, 4), 1, 4, "whole file"), TargetFormat.LINES).judge()
    assert stopper(tokenizer, [judge])(rows, None).tolist() == [False, True, True]


class _Script(transformers.LogitsProcessor):  # type: ignore[misc,name-defined]
    """Forces row i to write ``scripts[i]`` over and over, whatever the model's weights say."""

    def __init__(self, tokenizer: Any, scripts: list[str]) -> None:
        self.ids = [tokenizer(s, add_special_tokens=False).input_ids for s in scripts]
        self.start: int | None = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        self.start = input_ids.shape[1] if self.start is None else self.start
        step = input_ids.shape[1] - self.start
        forced = torch.full_like(scores, -float("inf"))
        for row, ids in enumerate(self.ids):
            forced[row, ids[step % len(ids)]] = 0.0
        return forced


def test_generate_ends_a_dead_script_early_and_lets_a_live_one_run(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", TargetFormat.EDITS)
    tokenizer = _tokenizer(folder)
    model = transformers.T5ForConditionalGeneration.from_pretrained(folder)
    ids = torch.tensor([tokenizer(PREFIX_SLOW).input_ids] * 2)
    scripts = [">>>\n", "\n"]  # row 0 dies at its first newline; blank lines are never wrong
    out = model.generate(
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        max_new_tokens=40,
        do_sample=False,
        logits_processor=transformers.LogitsProcessorList([_Script(tokenizer, scripts)]),
        stopping_criteria=transformers.StoppingCriteriaList([dead_end_stopper(tokenizer, PREFIX_SLOW)]),
    )
    lengths = [int((row != tokenizer.pad_token_id).sum()) for row in out]
    assert lengths[0] == 2  # ">>>" and the newline that settled it
    assert lengths[1] == 40

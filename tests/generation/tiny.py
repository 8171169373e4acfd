"""A tiny random T5 with the bundled model's tokenizer, built in the test (no ../shared needed)."""

from __future__ import annotations

from pathlib import Path

from perfopt.edits import TargetFormat
from perfopt.generation import BUNDLED


def tiny_model(folder: Path, fmt: TargetFormat = TargetFormat.PROGRAM, n_positions: int = 512) -> Path:
    import torch
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    tokenizer = AutoTokenizer.from_pretrained(str(BUNDLED), local_files_only=True)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_ff=64,
        d_kv=8,
        num_heads=2,
        num_layers=1,
        num_decoder_layers=1,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    # Not T5Config parameters in every transformers version: set as attributes, which save all the same.
    config.decoder_start_token_id = tokenizer.pad_token_id
    config.n_positions = n_positions
    config.perfopt_target_format = fmt.value
    torch.manual_seed(0)
    model = T5ForConditionalGeneration(config)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder

"""Tokenizer and model construction, shared by every stage.

No pretrained weights exist here: models start from random init with the
codet5-small architecture (or a tiny one for tests), and the real CodeT5
tokenizer when it is available.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

SENTINELS = 100


def load_tokenizer(path: Path) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


def train_tiny_tokenizer(texts: Iterable[str], vocab_size: int = 600) -> PreTrainedTokenizerFast:
    """A small byte-level BPE with T5's special tokens, for tests that must not need ../shared."""
    from tokenizers import ByteLevelBPETokenizer

    bpe = ByteLevelBPETokenizer()
    specials = ["<pad>", "<s>", "</s>", "<unk>"]
    bpe.train_from_iterator(list(texts), vocab_size=vocab_size, min_frequency=1, special_tokens=specials)
    # T5 numbers its sentinels from the top of the vocabulary down.
    bpe.add_special_tokens([f"<extra_id_{i}>" for i in reversed(range(SENTINELS))])
    tok = PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=bpe._tokenizer, pad_token="<pad>", bos_token="<s>", eos_token="</s>", unk_token="<unk>"
    )
    return tok


def sentinel_id(tokenizer: PreTrainedTokenizerBase, i: int) -> int:
    found = tokenizer.convert_tokens_to_ids(f"<extra_id_{i}>")
    assert isinstance(found, int)
    return found


#: A narrower, shallower codet5-small for the ``cpu`` scale: about 4x cheaper a step.
CPU_SHAPE = {"d_model": 256, "d_ff": 1024, "num_heads": 4, "num_layers": 4, "num_decoder_layers": 4}


def new_model(
    tokenizer: PreTrainedTokenizerBase,
    architecture: Path | None,
    seed: int = 0,
    shape: dict[str, int] | None = None,
) -> T5ForConditionalGeneration:
    """A randomly initialised T5: codet5-small's config from ``architecture`` (or a tiny one), resized by ``shape``."""
    import torch

    torch.manual_seed(seed)
    if architecture is not None:
        config = T5Config.from_pretrained(str(architecture))
    else:
        config = T5Config(d_model=64, d_ff=128, d_kv=16, num_heads=4, num_layers=2, num_decoder_layers=2)
    for key, value in (shape or {}).items():
        setattr(config, key, value)
    config.vocab_size = len(tokenizer)
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.eos_token_id
    config.decoder_start_token_id = tokenizer.pad_token_id
    return T5ForConditionalGeneration(config)

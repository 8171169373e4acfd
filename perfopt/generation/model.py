"""Finding and loading the model: the bundled one by default, offline; a folder or hub id on request.

transformers and torch are imported only here and only when a model is
actually loaded, so that commands which need no model start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfopt.edits import TargetFormat
from perfopt.errors import ExitCode, PerfoptError

#: The model training/export.py writes into the package.
BUNDLED = Path(__file__).resolve().parents[1] / "models" / "perfopt-t5-small"


class ModelError(PerfoptError):
    exit_code = ExitCode.NO_MODEL


@dataclass
class LoadedModel:
    model: Any
    tokenizer: Any
    #: What the model writes: whole programs or edit scripts (set by training.sft).
    target_format: TargetFormat
    #: The longest input it was trained on, in tokens.
    max_input_tokens: int
    source: str


def resolve_model(spec: str | None) -> str:
    """A local folder for ``spec`` (None: the bundled model), or ``spec`` itself as a hub id."""
    if spec is None:
        if not (BUNDLED / "config.json").exists():
            raise ModelError(f"no bundled model in {BUNDLED}; reinstall perfopt or pass --model DIR_OR_HUB_ID")
        return str(BUNDLED)
    path = Path(spec).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise ModelError(f"{spec}: not a model folder (no config.json)")
        return str(path.resolve())
    if spec.startswith((".", "/", "~")) or spec.count("/") > 1:
        raise ModelError(f"{spec}: no such model folder")
    return spec


def load_model(spec: str | None = None, offline: bool = True) -> LoadedModel:
    """Load a seq2seq model and its tokenizer; offline (the default) never touches the network."""
    source = resolve_model(spec)
    try:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=offline)
        # The bundled weights are stored in float16 to halve the package; CPUs compute in float32.
        # safetensors only: a model folder can come from a repository's config, and a pickled
        # checkpoint can run code when loaded; safetensors holds nothing but arrays.
        model = AutoModelForSeq2SeqLM.from_pretrained(
            source, local_files_only=offline, dtype=torch.float32, use_safetensors=True
        )
    except (OSError, ValueError) as e:
        where = "offline; pass a local folder, or allow downloads" if offline else "from the hub"
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ModelError(f"cannot load model {spec or source} ({where}): {first}") from None
    model.eval()
    fmt = TargetFormat(getattr(model.config, "perfopt_target_format", TargetFormat.PROGRAM.value))
    max_input = int(getattr(model.config, "n_positions", 512) or 512)
    return LoadedModel(model, tokenizer, fmt, max_input, source)

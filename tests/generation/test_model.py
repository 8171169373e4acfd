"""Loading models: a pipeline-exported folder, the bundled default, and clear errors otherwise."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from perfopt.edits import TargetFormat
from perfopt.errors import ExitCode
from perfopt.generation import BUNDLED, ModelError, load_model, resolve_model
from tests.training.test_pretrain import fake_corpus
from training.config import Scale
from training.export import export
from training.pretrain import train as pretrain
from training.pretrain_config import PretrainConfig


def test_an_exported_model_loads_offline_with_its_format(tmp_path: Path) -> None:
    corpus = fake_corpus(tmp_path)
    runs = tmp_path / "runs"
    ckpt = pretrain(replace(PretrainConfig.for_scale(Scale.TINY), corpus=corpus, out=runs / "pretrain", steps=2))
    folder = export(ckpt, "tiny", runs, "test", into=tmp_path / "models")
    loaded = load_model(str(folder))
    assert loaded.target_format is TargetFormat.PROGRAM  # never fine-tuned: no format recorded
    assert loaded.tokenizer("int main() {}").input_ids


@pytest.mark.parametrize("spec", ["/no/such/folder", "./missing-model"])
def test_a_missing_folder_is_a_model_error(spec: str) -> None:
    with pytest.raises(ModelError) as e:
        resolve_model(spec)
    assert e.value.exit_code is ExitCode.NO_MODEL


def test_a_folder_that_is_not_a_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model folder"):
        resolve_model(str(tmp_path))


def test_a_hub_id_while_offline_fails_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty cache
    with pytest.raises(ModelError, match="offline"):
        load_model("someone/some-model-that-is-not-cached")


def test_the_bundled_model_is_the_default_and_loads_offline() -> None:
    loaded = load_model(None)
    assert Path(loaded.source) == BUNDLED
    # Line-anchored edits on windows (issue 18): the bundled model reads any file.
    assert loaded.target_format is TargetFormat.LINES
    assert (BUNDLED / "model.safetensors").stat().st_size < 130 * 10**6
    card = (BUNDLED / "MODEL_CARD.md").read_text()
    assert "| after sft | 20 | lines |" in card and "%opt@k" in card


def test_importing_the_package_does_not_import_torch() -> None:
    code = "import sys, perfopt.generation, perfopt.cli; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0

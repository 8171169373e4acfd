"""The lent-device run, rehearsed here: ``run_gpu.sh --dry-run`` drives the same calls at tiny scale."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from training.config import SHARED
from training.device.pretokenize import CARRY_LIMIT, sent_bytes

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(
    not (SHARED / "codet5-tokenizer").exists() or not (SHARED / "cpp-corpus").exists(),
    reason="needs ../shared/data (the CodeT5 tokenizer and the corpus to pre-tokenize)",
)
def test_dry_run_pauses_resumes_and_brings_the_model_back() -> None:
    env = {**os.environ, "STOP_AFTER": "25"}
    done = subprocess.run(
        ["bash", "training/device/run_gpu.sh", "--dry-run"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the brought-back model loads" in done.stdout
    dry = ROOT / "runs" / "device-dry"
    # The late corpus part was absent in the first call and present in the next.
    assert "corpus: 1 of 2 parts here" in done.stdout and "corpus: 2 of 2 parts here" in done.stdout
    assert "paused:" in done.stderr
    # Every call handed its logs back, and the last one's hold every stage.
    outs = sorted(dry.glob("out-*"))
    assert len(outs) >= 2 and all((o / "logs.tar.gz").exists() for o in outs)
    times = json.loads((dry / "runs" / "pipeline.json").read_text())["seconds"]
    assert set(times) == {"pretrain", "sft", "evaluate sft", "rrhf", "evaluate rrhf"}
    pretrain_log = (dry / "runs" / "pretrain" / "log.jsonl").read_text()
    assert "calibrated_steps" in pretrain_log
    received = dry / "received" / "perfopt-tiny"
    assert (received / "MODEL_CARD.md").exists()
    assert (received / "model.safetensors").read_bytes() == (
        dry / "runs" / "models" / "perfopt-tiny" / "model.safetensors"
    ).read_bytes()


def test_the_checkout_leaves_room_for_the_real_corpus_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    # Measured with `python -m training.device.pretokenize --out runs/device` on the whole corpus
    # (2 parts): 12.6 MiB a part, 3.2 MiB of tokenizer and library slice with the first. Model-sized
    # files in the working tree (a training snapshot, say) push the first call over the limit; the
    # dry run's tiny parts alone would not notice.
    first_call = sent_bytes() + int((12.6 + 3.2) * 2**20)
    assert first_call <= CARRY_LIMIT, f"the checkout is {sent_bytes() / 2**20:.1f} MiB: keep large files out of it"

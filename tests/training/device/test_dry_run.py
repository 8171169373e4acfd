"""The lent-device run, rehearsed here: ``run_gpu.sh --dry-run`` drives the same calls at tiny scale."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from training.config import SHARED
from training.device.pretokenize import CARRY_LIMIT, sent_bytes
from training.device.sft_subset import RENDERED, SFT_BYTES

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(
    not (SHARED / "codet5-tokenizer").exists() or not (SHARED / "cpp-corpus").exists(),
    reason="needs ../shared/data (the CodeT5 tokenizer and the corpus to pre-tokenize)",
)
def test_dry_run_pauses_resumes_and_brings_the_model_back() -> None:
    # One thread: on cores busy with other training, torch's threads contend, a tiny step takes seconds,
    # and the budgets run out before the step count is calibrated.
    env = {"OMP_NUM_THREADS": "1", **os.environ, "STOP_AFTER": "25"}
    done = subprocess.run(
        ["bash", "training/device/run_gpu.sh", "--dry-run"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the brought-back model loads" in done.stdout
    dry = ROOT / "runs" / "device-dry"
    # The late corpus parts were absent in the first call and present in the next.
    assert "corpus: 1 of 3 parts here" in done.stdout and "corpus: 3 of 3 parts here" in done.stdout
    # The SFT file came with the first call, cut from the data engine's examples where this machine has them.
    sft = json.loads((dry / "manifest.json").read_text())["sft"]
    source = str(RENDERED) if (ROOT / RENDERED).exists() else "runs/device-dry-rendered.jsonl.xz"
    assert sft["source"] == source
    first_call = done.stdout[: done.stdout.index("corpus: 1 of 3 parts here")]
    assert f"sft: {dry.relative_to(ROOT) / sft['file']}, {sft['rows']:,} rows of {source}" in first_call
    # SFT trained on that file's rows (the old pairs would give other counts and tiers); a row or two may
    # be over max_len by SFT's count of tokens.
    train = {k.split("/")[1]: n for k, n in sft["by_split_and_tier"].items() if k.startswith("train/")}
    used = re.search(r"SFT on (\d+) examples, \d+ validation; by tier: (.*)", done.stdout)
    assert used is not None and 0.95 * sum(train.values()) <= int(used[1]) <= sum(train.values()), used
    assert set(re.findall(r"(\w+) \d+ \(", used[2])) == set(train), used[2]
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
    # Measured with `python -m training.device.pretokenize` on the whole corpus (3 parts): 8.4 MiB a
    # part, 3.2 MiB of tokenizer and library slice and the SFT file (at most SFT_BYTES) with the first.
    # Model-sized files in the working tree (a training snapshot, say) push the first call over the
    # limit; the dry run's tiny parts alone would not notice.
    first_call = sent_bytes() + int((8.4 + 3.2) * 2**20) + SFT_BYTES
    assert first_call <= CARRY_LIMIT, f"the checkout is {sent_bytes() / 2**20:.1f} MiB: keep large files out of it"

"""The SFT file a lent device trains on: the rendered examples cut to a byte budget, carried with the first call."""

from __future__ import annotations

import json
import lzma
import random
from pathlib import Path
from typing import Any

import pytest

from training.data.tokens import sha256
from training.device import check, sft_subset
from training.device.pretokenize import CARRY_LIMIT, carry_plan
from training.device.sft_subset import subsample

MiB = 2**20


def noise(rng: random.Random, n: int) -> str:
    """Text xz cannot squeeze much, so that a budget of a few KiB holds a known handful of rows."""
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz;{}()\n ") for _ in range(n))


def rendered(tmp_path: Path) -> Path:
    rng = random.Random(1)
    rows: list[dict[str, Any]] = []
    for i in range(300):
        verified: Any = "construction"
        if i % 50 == 0:
            verified = ("compiled", "timed", {"tests": "pie"})[i // 50 % 3]
        split = "valid" if i % 10 == 9 else "train"
        rows.append(
            {"prompt": noise(rng, 400), "target": f"@@{i}-{i}\n  x;", "split": split, "verified": verified}
            | {"id": f"{i:016x}", "window": "part of main", "rule": "io.sync", "problem_id": None}
        )
    rows.append(rows[1] | {"verified": "timed", "id": "another pair's"})  # the same example, better checked
    rows.append({"prompt": "p", "target": "t", "split": "test", "verified": "timed"})
    rows.append({"slow": "a", "fast": "b", "split": "train"})  # not rendered: SFT would render it itself
    path = tmp_path / "rendered.jsonl.xz"
    with lzma.open(path, "wt", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    return path


def read(path: Path) -> list[dict[str, Any]]:
    with lzma.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_the_checked_rows_all_come_then_a_seeded_sample_up_to_the_budget(tmp_path: Path) -> None:
    source = rendered(tmp_path)
    entry = subsample(source, tmp_path / "a" / "sft.jsonl.xz", budget=40_000)
    kept = read(tmp_path / "a" / "sft.jsonl.xz")
    assert entry["bytes"] == (tmp_path / "a" / "sft.jsonl.xz").stat().st_size <= 40_000
    assert entry["sha256"] == sha256(tmp_path / "a" / "sft.jsonl.xz") and entry["rows"] == len(kept)
    assert entry["source_rows"] == 301 and entry["duplicates"] == 1 and 40 < len(kept) < 300
    # Every pair checked beyond its construction is there, once; the test split and unrendered pairs are not.
    assert sum(r["verified"] != "construction" for r in kept) == 7
    assert [r["target"] for r in kept].count("@@1-1\n  x;") == 1
    assert {r["split"] for r in kept} == {"train", "valid"}
    assert entry["by_split_and_tier"]["train/tested"] == 2
    # Only what SFT reads, in the source's order.
    assert set(kept[0]) == {"prompt", "target", "split", "verified", "rule"}
    order = [int(r["target"].split("-")[0][2:]) for r in kept]
    assert order == sorted(order)
    # The same seed picks the same rows, byte for byte; another seed, others.
    again = subsample(source, tmp_path / "b" / "sft.jsonl.xz", budget=40_000)
    assert again["sha256"] == entry["sha256"]
    other = subsample(source, tmp_path / "c" / "sft.jsonl.xz", budget=40_000, seed=1)
    assert other["sha256"] != entry["sha256"]


def test_a_budget_over_the_whole_keeps_everything_but_spare_validation_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sft_subset, "VALID_CONSTRUCTED", 5)
    entry = subsample(rendered(tmp_path), tmp_path / "sft.jsonl.xz", budget=10 * MiB)
    assert entry["by_split_and_tier"]["valid/construction"] == 5
    assert entry["rows"] == 300 - 30 + 5
    with pytest.raises(SystemExit, match="not even one row"):
        subsample(rendered(tmp_path), tmp_path / "sft.jsonl.xz", budget=100)


def manifest(folder: Path, sft_bytes: int | None, part_mib: float = 10) -> None:
    shard = {"file": "s", "documents": 1, "tokens": 1, "bytes": int(part_mib * MiB), "sha256": ""}
    data: dict[str, Any] = {
        "shared": [{"file": "t", "bytes": 3 * MiB, "sha256": ""}],
        "parts": [{"folder": f"corpus/part-{i}", "shards": [shard]} for i in (1, 2, 3)],
    }
    if sft_bytes is not None:
        data["sft"] = {"file": "sft-lines.jsonl.xz", "bytes": sft_bytes, "sha256": "", "rows": 1, "source": "x"}
    (folder / "manifest.json").write_text(json.dumps(data))


def test_the_first_call_carries_the_sft_file_and_later_calls_as_many_parts_as_fit(tmp_path: Path) -> None:
    manifest(tmp_path, 6 * MiB)
    plan = carry_plan(tmp_path, 40 * MiB)
    paths = [p for p, _ in plan]
    assert paths[0] == [str(tmp_path / p) for p in ("shared", "manifest.json", "sft-lines.jsonl.xz", "corpus/part-1")]
    # 40 + 10 + 10 fits the second call; the third part needs a call of its own.
    assert paths[1:] == [[str(tmp_path / "corpus/part-2"), str(tmp_path / "corpus/part-3")]]
    assert all(size <= CARRY_LIMIT for _, size in plan)
    assert plan[1][1] == 60 * MiB and plan[0][1] > 59 * MiB
    manifest(tmp_path, None, part_mib=5)
    # Parts that fit go with the first call: pretraining starts on more of the corpus.
    plan = carry_plan(tmp_path, 40 * MiB)
    assert len(plan) == 1 and plan[0][0][-3:] == [str(tmp_path / f"corpus/part-{i}") for i in (1, 2, 3)]
    manifest(tmp_path, 12 * MiB)
    with pytest.raises(SystemExit, match=r"call 1 would send 65\.0 MiB.*smaller --sft-mib"):
        carry_plan(tmp_path, 40 * MiB)


def test_the_check_refuses_to_start_without_the_sft_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "_compiler", lambda: [])
    sft = tmp_path / "sft-lines.jsonl.xz"
    sft.write_bytes(b"rows")
    entry = {"file": sft.name, "bytes": 4, "sha256": sha256(sft), "rows": 1, "source": "rendered"}
    base: dict[str, Any] = {"shared": [], "parts": []}
    (tmp_path / "manifest.json").write_text(json.dumps(base | {"sft": entry}))
    assert check.check(tmp_path, need_gpu=False) == []
    sft.write_bytes(b"rowz")
    assert any("sft-lines.jsonl.xz: missing or damaged" in p for p in check.check(tmp_path, need_gpu=False))
    (tmp_path / "manifest.json").write_text(json.dumps(base))
    assert any("names no SFT file" in p for p in check.check(tmp_path, need_gpu=False))

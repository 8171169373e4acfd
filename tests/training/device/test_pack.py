"""Bringing a model back in pieces small enough for the device's returns, and refusing damaged ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from training.device import pack
from training.device.pretokenize import carry_plan

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    folder = tmp_path / "perfopt-x"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(os.urandom(70_000))
    (folder / "MODEL_CARD.md").write_text("# card\n")
    return folder


def send_all(model: Path, tmp_path: Path) -> list[Path]:
    staging = tmp_path / "staging"
    outs = [tmp_path / "out-1"]
    pack.send(model, outs[0], 1, staging)
    parts = json.loads((outs[0] / "pack.json").read_text())["parts"]
    for part in range(2, parts + 1):
        outs.append(tmp_path / f"out-{part}")
        pack.send(model, outs[-1], part, staging)
    return outs


def test_parts_reassemble_into_the_same_files(model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack, "PIECE_BYTES", 10_000)
    outs = send_all(model, tmp_path)
    pieces = json.loads((outs[0] / "pack.json").read_text())["pieces"]
    assert len(pieces) >= 8 and len(outs) == -(-len(pieces) // pack.PIECES_PER_CALL)
    assert all(len(list(o.glob("model.tar.*"))) <= pack.PIECES_PER_CALL for o in outs)
    installed = pack.receive(outs, tmp_path / "models")
    for name in ("config.json", "model.safetensors", "MODEL_CARD.md"):
        assert (installed / name).read_bytes() == (model / name).read_bytes()


def test_a_missing_or_damaged_piece_leaves_the_installed_model_alone(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pack, "PIECE_BYTES", 10_000)
    outs = send_all(model, tmp_path)
    into = tmp_path / "models"
    (into / "perfopt-x").mkdir(parents=True)
    (into / "perfopt-x" / "config.json").write_text("old")
    with pytest.raises(SystemExit, match="missing: fetch every part"):
        pack.receive(outs[:1], into)
    piece = next(outs[1].glob("model.tar.*"))
    piece.write_bytes(piece.read_bytes()[:-1] + b"\0")
    with pytest.raises(SystemExit, match="damaged"):
        pack.receive(outs, into)
    assert (into / "perfopt-x" / "config.json").read_text() == "old"
    with pytest.raises(SystemExit, match="no such part"):
        pack.send(model, tmp_path / "out-9", 9, tmp_path / "staging")


def test_the_carry_plan_refuses_a_call_over_64_mib(tmp_path: Path) -> None:
    shard = {"file": "s", "documents": 1, "tokens": 1, "bytes": 10 * 2**20, "sha256": ""}
    manifest = {
        "shared": [{"file": "t", "bytes": 3 * 2**20, "sha256": ""}],
        "parts": [{"folder": "corpus/part-1", "shards": [shard]}, {"folder": "corpus/part-2", "shards": [shard]}],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    plan = carry_plan(tmp_path, 45 * 2**20)
    assert plan[0][0][-1].endswith("corpus/part-1") and plan[0][0][0].endswith("shared")
    assert plan[1] == ([str(tmp_path / "corpus/part-2")], 55 * 2**20)
    with pytest.raises(SystemExit, match=r"call 1 would send 65\.0 MiB"):
        carry_plan(tmp_path, 52 * 2**20)


def test_the_device_stages_import_without_packages_the_device_image_lacks() -> None:
    # The image has torch and transformers but no gitpython, unidiff or tomli (KINDS.md).
    code = (
        "import sys\n"
        "for name in ('git', 'unidiff', 'tomli', 'pre_commit'):\n"
        "    sys.modules[name] = None\n"
        "import training.pipeline, training.device.check, training.device.pack, training.device.pretokenize\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)

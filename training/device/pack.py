"""Bring a trained model back from a lent device, whose calls return at most 64 MiB in 8 files of 16 MiB.

On the device (each call hands over the pieces of one part):

    python -m training.device.pack send MODEL_DIR --out $OUT --part 1

Here, with the folders the calls' files landed in:

    python -m training.device.pack receive DIR [DIR ...] --into perfopt/models

``send`` archives the folder once (under ``runs/device/bring-back``, which
outlives a call while the machine is held) and copies part N's pieces to
``--out`` with ``pack.json``: every piece's sha256 and the whole archive's.
``receive`` checks them all before it touches ``--into``, so a missing or
damaged piece leaves the installed model as it was.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from training.data.tokens import sha256

PIECE_BYTES = 15 * 2**20
#: Pieces a call returns: 4 x 15 MiB leaves room under the 64 MiB for the logs and pack.json.
PIECES_PER_CALL = 4
STAGING = Path("runs/device/bring-back")


def archive(model: Path, staging: Path = STAGING) -> dict[str, Any]:
    """Tar ``model`` and cut it into pieces, once; a later call reuses them so that every part matches."""
    index = staging / "pack.json"
    if index.exists():
        return dict(json.loads(index.read_text()))
    if not (model / "config.json").exists():
        raise SystemExit(f"{model}: not a model folder (no config.json)")
    staging.mkdir(parents=True, exist_ok=True)
    tar = staging / "model.tar"
    with tarfile.open(tar, "w") as t:
        t.add(model, arcname=model.name)
    pieces = []
    with tar.open("rb") as f:
        for i, block in enumerate(iter(lambda: f.read(PIECE_BYTES), b"")):
            piece = staging / f"model.tar.{i:02d}"
            piece.write_bytes(block)
            pieces.append({"file": piece.name, "bytes": len(block), "sha256": sha256(piece)})
    parts = -(-len(pieces) // PIECES_PER_CALL)
    info = {"name": model.name, "bytes": tar.stat().st_size, "sha256": sha256(tar), "pieces": pieces, "parts": parts}
    tar.unlink()
    index.write_text(json.dumps(info, indent=1) + "\n")
    return info


def send(model: Path, out: Path, part: int, staging: Path = STAGING) -> list[Path]:
    info = archive(model, staging)
    if not 1 <= part <= info["parts"]:
        raise SystemExit(f"part {part} of {info['parts']}: there is no such part")
    out.mkdir(parents=True, exist_ok=True)
    chosen = info["pieces"][(part - 1) * PIECES_PER_CALL : part * PIECES_PER_CALL]
    sent = [Path(shutil.copy2(staging / p["file"], out / p["file"])) for p in chosen]
    shutil.copy2(staging / "pack.json", out / "pack.json")
    return sent


def receive(folders: list[Path], into: Path) -> Path:
    """Reassemble the model from the calls' folders, check every hash, then install it into ``into``."""
    indexes = [f / "pack.json" for f in folders if (f / "pack.json").exists()]
    if not indexes:
        raise SystemExit("no pack.json in the folders given")
    info = json.loads(indexes[0].read_text())
    if any(json.loads(i.read_text())["sha256"] != info["sha256"] for i in indexes):
        raise SystemExit("the folders hold pieces of different archives (a rerun on a new machine?)")
    found = {p.name: p for f in folders for p in f.glob("model.tar.*")}
    with tempfile.TemporaryDirectory(dir=into.parent if into.parent.exists() else None) as tmp:
        tar = Path(tmp) / "model.tar"
        with tar.open("wb") as whole:
            for piece in info["pieces"]:
                path = found.get(piece["file"])
                if path is None:
                    raise SystemExit(f"{piece['file']} is missing: fetch every part (there are {info['parts']})")
                if sha256(path) != piece["sha256"]:
                    raise SystemExit(f"{path}: damaged (sha256 differs from pack.json)")
                whole.write(path.read_bytes())
        if sha256(tar) != info["sha256"]:
            raise SystemExit("the reassembled archive's sha256 differs from pack.json")
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tar) as t:
            t.extractall(unpacked, filter="data")
        target: Path = into / str(info["name"])
        into.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(unpacked / info["name"]), target)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = parser.add_subparsers(dest="verb", required=True)
    s = verbs.add_parser("send", help="on the device: copy one part's pieces to --out")
    s.add_argument("model", type=Path)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--part", type=int, default=1)
    s.add_argument("--staging", type=Path, default=STAGING, help="where the archive waits between calls")
    r = verbs.add_parser("receive", help="here: check and reassemble the pieces, then install the model")
    r.add_argument("folders", type=Path, nargs="+")
    r.add_argument("--into", type=Path, default=Path("perfopt/models"))
    args = parser.parse_args(argv)
    if args.verb == "send":
        sent = send(args.model, args.out, args.part, args.staging)
        total = json.loads((args.out / "pack.json").read_text())["parts"]
        print(f"part {args.part} of {total}: {', '.join(p.name for p in sent)}")
        if args.part < total:
            print(f"NEXT: bash training/device/bring_back.sh send {args.part + 1}  (in the next call, within 30 s)")
    else:
        print(receive(args.folders, args.into))


if __name__ == "__main__":
    main()

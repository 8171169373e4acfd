"""Fail fast on a lent device, before any training: is everything the run reads there, and intact?

    python -m training.device.check [--data runs/device] [--need-gpu]

Checks the carried data against the manifest pretokenize wrote (sha256 of
every file present; a corpus part not carried yet is reported, not an
error, but the SFT file must come with the first call, because the pipeline
refuses to start without it), that the packages the stages import are
there, and that g++ works.
Prints one line per finding; exits 1 when something needed is missing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from training.data.tokens import sha256

#: What the pipeline imports on the device (whose image lacks gitpython, unidiff and pre-commit).
PACKAGES = ("torch", "transformers", "tokenizers", "safetensors", "numpy")


def check(data: Path, need_gpu: bool) -> list[str]:
    problems: list[str] = []
    manifest_path = data / "manifest.json"
    if not manifest_path.exists():
        return [f"{manifest_path}: missing (carry it with the first call)"]
    manifest = json.loads(manifest_path.read_text())
    for f in manifest["shared"]:
        path = data / "shared" / f["file"]
        if not path.exists() or sha256(path) != f["sha256"]:
            problems.append(f"{path}: missing or damaged")
    sft = manifest.get("sft")
    if sft is None:
        problems.append(f"{manifest_path} names no SFT file: make runs/data first (README.md, step 1)")
    elif not (data / sft["file"]).exists() or sha256(data / sft["file"]) != sft["sha256"]:
        problems.append(f"{data / sft['file']}: missing or damaged (carry it with the first call)")
    else:
        print(f"sft: {data / sft['file']}, {sft['rows']:,} rows of {sft['source']}")
    carried = 0
    for part in manifest["parts"]:
        folder = data / part["folder"]
        if not folder.exists():
            print(f"{folder}: not carried yet")
            continue
        carried += 1
        for shard in part["shards"]:
            path = folder / shard["file"]
            if not path.exists() or sha256(path) != shard["sha256"]:
                problems.append(f"{path}: missing or damaged")
    print(f"corpus: {carried} of {len(manifest['parts'])} parts here")
    for name in PACKAGES:
        try:
            module = importlib.import_module(name)
            print(f"{name} {getattr(module, '__version__', '?')}")
        except ImportError:
            problems.append(f"python package {name} is missing")
    import torch

    if torch.cuda.is_available():
        print(f"gpu: {torch.cuda.get_device_name(0)}")
    elif need_gpu:
        problems.append("no GPU visible to torch")
    problems += _compiler()
    print(f"valgrind: {'yes' if shutil.which('valgrind') else 'no (the wall timer is used)'}")
    return problems


def _compiler() -> list[str]:
    if shutil.which("g++") is None:
        return ["g++ is missing: the reward model cannot compile candidates"]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "a.cpp"
        source.write_text("#include <bits/stdc++.h>\nint main() { std::vector<int> v(3); return v.size() - 3; }\n")
        built = subprocess.run(["g++", "-std=gnu++20", "-O2", str(source), "-o", str(Path(tmp) / "a")], check=False)
        if built.returncode != 0:
            return ["g++ cannot build a test program with -std=gnu++20"]
    return []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("runs/device"))
    parser.add_argument("--need-gpu", action="store_true")
    args = parser.parse_args(argv)
    problems = check(args.data, args.need_gpu)
    for p in problems:
        print(f"MISSING: {p}", file=sys.stderr)
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()

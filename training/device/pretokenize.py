"""Prepare, on this machine, everything a lent GPU needs that does not travel with the checkout.

    python -m training.device.pretokenize [--shared ../shared/data] [--out runs/device]

Writes (all under the git-ignored ``runs/``):

- ``OUT/corpus/part-N/*.tokens.npz.xz``: the C++ corpus tokenized with the
  CodeT5 tokenizer (training.data.tokens), in ``--parts`` parts of about equal
  size, one carried per device call, because the whole corpus and the tracked
  tree together exceed the 64 MiB a call may carry;
- ``OUT/shared/``: the slice of ``../shared/data`` the stages read, laid out
  the same way (the tokenizer and architecture config, the PIE tests, and
  the corpus rows of the AtCoder Library headers that some judged programs
  include), so that ``PERFOPT_SHARED_DATA=OUT/shared`` stands in for it;
- ``OUT/manifest.json``: counts, sizes and sha256 of everything above; the
  device checks it before spending time (training.device.check).

No device time then goes to tokenizing: loading the shards takes seconds.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from training.config import SHARED
from training.data.problems import read_corpus
from training.data.tokens import SUFFIX, sha256, write_shard
from training.modeling import load_tokenizer

OUT = Path("runs/device")
#: Documents per shard: small enough to tokenize and compress in memory, few enough files to carry.
SHARD_DOCUMENTS = 6_000
#: The device's per-call budget for the working tree; the tracked files take the rest.
CARRY_LIMIT = 64 * 2**20
ACL_REPO = "atcoder/ac-library"


def pretokenize(shared: Path, out: Path, parts: int = 2, max_files: int | None = None) -> dict[str, Any]:
    tokenizer_dir = shared / "codet5-tokenizer"
    tokenizer = load_tokenizer(tokenizer_dir)
    if out.exists():
        shutil.rmtree(out)
    rows = list(read_corpus(shared / "cpp-corpus" / "corpus.jsonl.xz"))
    acl = [r for r in rows if r["repo"] == ACL_REPO]
    if max_files is not None:
        rows = rows[:max_files]
    # Balanced by documents, not tokens: the corpus is shuffled, so parts come out about equal.
    per_part = -(-len(rows) // parts)
    manifest: dict[str, Any] = {"tokenizer": str(tokenizer_dir.name), "vocab": len(tokenizer), "parts": []}
    for p in range(parts):
        part_rows = rows[p * per_part : (p + 1) * per_part]
        folder = out / "corpus" / f"part-{p + 1}"
        folder.mkdir(parents=True)
        shards = []
        for i in range(0, len(part_rows), SHARD_DOCUMENTS):
            chunk = [r["code"] for r in part_rows[i : i + SHARD_DOCUMENTS]]
            encoded = tokenizer(chunk, add_special_tokens=False, verbose=False).input_ids
            path = folder / f"shard-{i // SHARD_DOCUMENTS:03d}{SUFFIX}"
            digest = write_shard(path, encoded)
            tokens, size = sum(len(e) for e in encoded), path.stat().st_size
            shards.append(
                {"file": path.name, "documents": len(encoded), "tokens": tokens, "bytes": size, "sha256": digest}
            )
            print(f"{path}: {tokens:,} tokens, {size / 2**20:.1f} MiB", flush=True)
        manifest["parts"].append({"folder": str(folder.relative_to(out)), "shards": shards})
    manifest["shared"] = _shared_slice(shared, out / "shared", acl)
    manifest["documents"] = sum(s["documents"] for p in manifest["parts"] for s in p["shards"])
    manifest["tokens"] = sum(s["tokens"] for p in manifest["parts"] for s in p["shards"])
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def _shared_slice(shared: Path, into: Path, acl: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Copy what the stages read from ../shared, in its own layout; returns the files with their hashes."""
    shutil.copytree(shared / "codet5-tokenizer", into / "codet5-tokenizer")
    (into / "pie").mkdir(parents=True)
    shutil.copy2(shared / "pie" / "public_tests.jsonl.xz", into / "pie" / "public_tests.jsonl.xz")
    (into / "cpp-corpus").mkdir()
    with lzma.open(into / "cpp-corpus" / "corpus.jsonl.xz", "wt", encoding="utf-8") as f:
        for row in acl:
            f.write(json.dumps(row) + "\n")
    for path in into.rglob("*"):
        if path.is_file():
            path.chmod(0o644)  # ../shared is read-only; copies must be replaceable by a rerun
    return [
        {"file": str(p.relative_to(into)), "bytes": p.stat().st_size, "sha256": sha256(p)}
        for p in sorted(into.rglob("*"))
        if p.is_file()
    ]


def carry_plan(out: Path, tracked_bytes: int) -> list[list[str]]:
    """The ``carry`` list of each call: the shared slice with part 1, then one part a call.

    Raises SystemExit when any call would exceed the device's working-tree limit.
    """
    manifest = json.loads((out / "manifest.json").read_text())
    shared_bytes = sum(f["bytes"] for f in manifest["shared"])
    plan = []
    for i, part in enumerate(manifest["parts"]):
        size = tracked_bytes + sum(s["bytes"] for s in part["shards"]) + (shared_bytes if i == 0 else 0)
        if size > CARRY_LIMIT:
            raise SystemExit(
                f"call {i + 1} would send {size / 2**20:.1f} MiB, over the device's 64 MiB: use more --parts"
            )
        paths = [str(out / part["folder"])]
        if i == 0:
            paths = [str(out / "shared"), str(out / "manifest.json"), *paths]
        plan.append(paths)
    return plan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--parts", type=int, default=2, help="corpus parts, one carried per device call")
    parser.add_argument("--max-files", type=int, help="only the first N corpus files (dry runs)")
    args = parser.parse_args(argv)
    if not (args.shared / "cpp-corpus" / "corpus.jsonl.xz").exists():
        raise SystemExit(f"{args.shared}: no cpp-corpus/corpus.jsonl.xz (pass --shared)")
    manifest = pretokenize(args.shared, args.out, args.parts, args.max_files)
    print(f"{manifest['documents']:,} documents, {manifest['tokens']:,} tokens in {len(manifest['parts'])} parts")
    sent = sent_bytes()
    print(f"each call also sends the checkout: {sent / 2**20:.1f} MiB")
    for i, paths in enumerate(carry_plan(args.out, sent), start=1):
        print(f"call {i} carries: {json.dumps(paths)}")


def sent_bytes() -> int:
    """What every device call sends besides ``carry``: tracked files and untracked ones git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    return sum(Path(os.fsdecode(name)).stat().st_size for name in listed if name and Path(os.fsdecode(name)).is_file())


if __name__ == "__main__":
    main()

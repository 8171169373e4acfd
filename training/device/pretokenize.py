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
- ``OUT/sft-lines.jsonl.xz``: the SFT examples, the data engine's rendered
  rows (``--sft-from``, made by training.data.render) cut to a byte budget
  by training.device.sft_subset; gpu.toml's [sft] reads it;
- ``OUT/manifest.json``: counts, sizes and sha256 of everything above; the
  device checks it before spending time (training.device.check).

It then prints the carry plan: what each device call carries, computed from
these sizes and what the checkout sends, and refuses a plan with a call over
the limit.

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
from training.device.sft_subset import RENDERED, SFT_BYTES, SFT_FILE, subsample
from training.modeling import load_tokenizer

OUT = Path("runs/device")
#: Documents per shard: small enough to tokenize and compress in memory, few enough files to carry.
SHARD_DOCUMENTS = 6_000
#: The device's per-call budget for the working tree; the tracked files take the rest.
CARRY_LIMIT = 64 * 2**20
#: The device tool's limit on ``carry`` paths in one call.
CARRY_PATHS = 8
ACL_REPO = "atcoder/ac-library"


def pretokenize(
    shared: Path,
    out: Path,
    parts: int = 3,
    max_files: int | None = None,
    sft_from: Path | None = RENDERED,
    sft_bytes: int = SFT_BYTES,
) -> dict[str, Any]:
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
    if sft_from is not None and sft_from.exists():
        manifest["sft"] = subsample(sft_from, out / SFT_FILE, sft_bytes)
        print(f"{out / SFT_FILE}: {manifest['sft']['rows']:,} of {manifest['sft']['source_rows']:,} rows", flush=True)
    else:
        print(
            f"WARNING: no {sft_from}, so no {SFT_FILE}: gpu.toml's [sft] reads it, and the device's check will "
            "refuse to start (make it first: training/device/README.md, step 1)",
            flush=True,
        )
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


def carry_plan(out: Path, tracked_bytes: int) -> list[tuple[list[str], int]]:
    """Each call's ``carry`` list and the bytes it sends, checkout included.

    The first call carries what every stage needs from the start (the shared
    slice, the manifest, the SFT file: the pipeline refuses to start without
    its data files) with corpus part 1, so that pretraining has shards; each
    later call then carries as many of the remaining parts as fit. Raises
    SystemExit when a call would exceed the device's limits.
    """
    manifest = json.loads((out / "manifest.json").read_text())
    first = [str(out / "shared"), str(out / "manifest.json")]
    size = tracked_bytes + sum(f["bytes"] for f in manifest["shared"]) + (out / "manifest.json").stat().st_size
    if "sft" in manifest:
        first.append(str(out / manifest["sft"]["file"]))
        size += manifest["sft"]["bytes"]
    plan: list[tuple[list[str], int]] = []
    paths = first
    for i, part in enumerate(manifest["parts"]):
        part_bytes = sum(s["bytes"] for s in part["shards"])
        if i > 0 and (size + part_bytes > CARRY_LIMIT or len(paths) == CARRY_PATHS):
            plan.append((paths, size))
            paths, size = [], tracked_bytes
        paths = [*paths, str(out / part["folder"])]
        size += part_bytes
        if size > CARRY_LIMIT:
            call = len(plan) + 1
            raise SystemExit(
                f"call {call} would send {size / 2**20:.1f} MiB, over the device's 64 MiB: use more --parts"
                + (" or a smaller --sft-mib" if call == 1 and "sft" in manifest else "")
            )
    plan.append((paths, size))
    return plan


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--parts", type=int, default=3, help="corpus parts, carried as many a call as fit")
    parser.add_argument("--max-files", type=int, help="only the first N corpus files (dry runs)")
    parser.add_argument(
        "--sft-from", type=Path, default=RENDERED, help=f"rendered SFT examples (training.data.render; {RENDERED})"
    )
    parser.add_argument("--sft-mib", type=float, default=SFT_BYTES / 2**20, help="the SFT file's budget, MiB of xz")
    args = parser.parse_args(argv)
    if not (args.shared / "cpp-corpus" / "corpus.jsonl.xz").exists():
        raise SystemExit(f"{args.shared}: no cpp-corpus/corpus.jsonl.xz (pass --shared)")
    sft_bytes = int(args.sft_mib * 2**20)
    manifest = pretokenize(args.shared, args.out, args.parts, args.max_files, args.sft_from, sft_bytes)
    print(f"{manifest['documents']:,} documents, {manifest['tokens']:,} tokens in {len(manifest['parts'])} parts")
    sent = sent_bytes()
    print(f"each call also sends the checkout: {sent / 2**20:.1f} MiB")
    for i, (paths, size) in enumerate(carry_plan(args.out, sent), start=1):
        print(f"call {i} carries ({size / 2**20:.1f} MiB sent in all): {json.dumps(paths)}")


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

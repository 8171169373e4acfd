"""Pre-tokenized corpus shards: token ids stored once, so that a lent GPU spends no time tokenizing.

A shard is one xz file holding an uncompressed ``.npz`` with two arrays:
``lengths`` (uint32, tokens per document) and ``tokens`` (uint16, every
document's ids back to back; the CodeT5 vocabulary has 32,100 entries). xz
packs code tokens to about 0.40 bytes each (26.4 MB for the corpus's 65.4M), which lets the whole
corpus travel within the device's 64 MiB working tree (in two calls).
"""

from __future__ import annotations

import hashlib
import io
import lzma
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SUFFIX = ".tokens.npz.xz"


class Documents:
    """Tokenized documents held as one flat array, drawn from uniformly as pretraining does."""

    def __init__(self, lengths: np.ndarray, tokens: np.ndarray) -> None:
        if int(lengths.sum()) != len(tokens):
            raise ValueError(f"lengths add up to {int(lengths.sum())} tokens, but {len(tokens)} are stored")
        self.lengths = lengths.astype(np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.tokens = tokens

    @classmethod
    def from_lists(cls, encoded: Sequence[Sequence[int]]) -> Documents:
        lengths = np.array([len(e) for e in encoded], dtype=np.uint32)
        flat = np.fromiter((t for e in encoded for t in e), dtype=np.int64, count=int(lengths.sum()))
        return cls(lengths, flat)

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def total(self) -> int:
        return int(self.lengths.sum())

    def at_least(self, n: int) -> Documents:
        """Only the documents of ``n`` tokens or more (shorter ones teach span corruption nothing)."""
        keep = self.lengths >= n
        return Documents(self.lengths[keep], self.tokens[np.repeat(keep, self.lengths)])

    def __getitem__(self, i: int) -> list[int]:
        start = int(self.starts[i])
        return list(self.tokens[start : start + int(self.lengths[i])].tolist())

    def window(self, rng: random.Random, width: int) -> list[int]:
        """A random document's random ``width``-token slice: always the head would teach mostly #includes."""
        i = rng.randrange(len(self))
        length, start = int(self.lengths[i]), int(self.starts[i])
        if length > width:
            start += rng.randrange(length - width + 1)
            length = width
        return list(self.tokens[start : start + length].tolist())


def write_shard(path: Path, encoded: Sequence[Sequence[int]]) -> str:
    """Write one shard; returns its sha256, which the manifest records."""
    documents = Documents.from_lists(encoded)
    if documents.total and int(documents.tokens.max()) > np.iinfo(np.uint16).max:
        raise ValueError(f"{path}: token id {int(documents.tokens.max())} does not fit in 16 bits")
    buffer = io.BytesIO()
    np.savez(buffer, lengths=documents.lengths.astype(np.uint32), tokens=documents.tokens.astype(np.uint16))
    path.write_bytes(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    return sha256(path)


def read_shard(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(io.BytesIO(lzma.decompress(path.read_bytes()))) as data:
        return data["lengths"], data["tokens"]


def load_documents(folder: Path) -> Documents:
    """Every shard under ``folder`` (the parts carried so far), as one set of documents."""
    shards = sorted(folder.rglob(f"*{SUFFIX}"))
    if not shards:
        raise SystemExit(f"{folder}: no token shards (*{SUFFIX}); run python -m training.device.pretokenize")
    parts = [read_shard(s) for s in shards]
    return Documents(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

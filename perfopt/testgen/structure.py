"""Infer the token structure of a problem's input from its samples, and generate more like it.

A structure is a list of segments, read line by line:

- a ``Line`` of fixed tokens (``N M``);
- a ``List``: one line whose token count is an integer seen earlier (``N`` then N numbers);
- a ``Block``: as many lines as an integer seen earlier, each of the same shape
  (``M`` then M edges ``u v``).

Integers that announce a list or block are *counts*: scaling them up is what
makes an input large. Element values keep the range seen in the samples; where
every sample value lies within 1..N (or 0..N-1) of a count, it is tied to that
count, so that indices stay valid when N grows.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")

#: A count is named by where it appears: (segment index, token index).
Ref = tuple[int, int]


def kind_of(token: str) -> str:
    if _INT.match(token):
        return "int"
    if _FLOAT.match(token):
        return "float"
    return "str"


@dataclass
class Slot:
    """One token position: its kind and the values seen there."""

    kind: str
    values: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    chars: set[str] = field(default_factory=set)
    decimals: int = 0
    #: Set when this position's values all lie within 0..count (or 1..count).
    bound: Ref | None = None
    bound_offset: int = 0

    def observe(self, token: str) -> None:
        if self.kind == "str":
            self.lengths.append(len(token))
            self.chars.update(token)
        else:
            self.values.append(float(token))
            if self.kind == "float" and "." in token:
                self.decimals = max(self.decimals, len(token.split(".")[1]))

    def merge(self, other: Slot) -> None:
        if other.kind != self.kind:
            # An int slot that once held a float is a float slot.
            self.kind = "float" if {self.kind, other.kind} == {"int", "float"} else "str"
        self.values += other.values
        self.lengths += other.lengths
        self.chars |= other.chars
        self.decimals = max(self.decimals, other.decimals)


@dataclass
class Segment:
    """``line``: fixed tokens; ``list``: one line of ``count`` tokens; ``block``: ``count`` lines of ``slots``."""

    kind: str
    slots: list[Slot]
    count: Ref | None = None
    #: For string slots whose length is a count (grids of ``#.#``): slot index -> count.
    length_of: dict[int, Ref] = field(default_factory=dict)

    def signature(self) -> tuple[object, ...]:
        width = len(self.slots) if self.kind != "list" else 1
        return (self.kind, self.count, width, tuple(sorted(self.length_of.items())))


@dataclass
class Structure:
    segments: list[Segment]
    #: The value of each count in each sample, to bind element ranges.
    counts_seen: dict[Ref, list[int]] = field(default_factory=dict)

    def signature(self) -> tuple[object, ...]:
        return tuple(s.signature() for s in self.segments)

    @property
    def counts(self) -> list[Ref]:
        return sorted(self.counts_seen)


def _slots(tokens: Sequence[str]) -> list[Slot]:
    slots = []
    for t in tokens:
        s = Slot(kind_of(t))
        s.observe(t)
        slots.append(s)
    return slots


def _shape(tokens: Sequence[str]) -> tuple[str, ...]:
    return tuple(kind_of(t) for t in tokens)


def infer_one(text: str) -> Structure | None:
    """The structure of one sample input, or None if it has no recognisable shape."""
    lines = [line.split() for line in text.strip("\n").split("\n")]
    if not lines or not any(lines):
        return None
    segments: list[Segment] = []
    counts: dict[Ref, list[int]] = {}
    known: list[tuple[Ref, int]] = []  # counts announced so far, usable by later lines
    i = 0
    while i < len(lines):
        tokens = lines[i]
        seg_index = len(segments)
        matched = False
        # A block: the next k lines share one shape, k an announced count.
        for ref, k in reversed(known):
            if k >= 1 and i + k <= len(lines) and ref not in counts:
                shape = _shape(lines[i])
                if (
                    shape
                    and all(_shape(lines[j]) == shape for j in range(i, i + k))
                    and (k >= 2 or len(lines) == i + 1)
                ):
                    slots = _slots(lines[i])
                    for j in range(i + 1, i + k):
                        for slot, other in zip(slots, _slots(lines[j]), strict=True):
                            slot.merge(other)
                    segments.append(Segment("block", slots, count=ref))
                    counts[ref] = [k]
                    i += k
                    matched = True
                    break
        if matched:
            continue
        # A list: this line has exactly k tokens of one kind, k an announced count.
        for ref, k in reversed(known):
            if k >= 2 and len(tokens) == k and ref not in counts and len(set(_shape(tokens))) == 1:
                slot = _slots(tokens[:1])[0]
                for t in tokens[1:]:
                    slot.observe(t)
                segments.append(Segment("list", [slot], count=ref))
                counts[ref] = [k]
                i += 1
                matched = True
                break
        if matched:
            continue
        segment = Segment("line", _slots(tokens))
        segments.append(segment)
        for j, t in enumerate(tokens):
            if kind_of(t) == "int" and 1 <= int(t) <= 10**6:
                known.append(((seg_index, j), int(t)))
        i += 1
    # Grids: a block of single strings whose length is another announced count.
    for seg in segments:
        if seg.kind == "block" and len(seg.slots) == 1 and seg.slots[0].kind == "str":
            lengths = set(seg.slots[0].lengths)
            if len(lengths) == 1:
                width = lengths.pop()
                for ref, k in known:
                    if k == width and ref != seg.count and ref not in counts:
                        seg.length_of[0] = ref
                        counts[ref] = [k]
                        break
    return Structure(segments, counts)


def infer(samples: Sequence[str]) -> Structure | None:
    """One structure for all samples: the most common shape, with value ranges merged."""
    found = [s for s in (infer_one(text) for text in samples) if s is not None]
    if not found:
        return None
    common, _ = Counter(s.signature() for s in found).most_common(1)[0]
    agreeing = [s for s in found if s.signature() == common]
    base = agreeing[0]
    for other in agreeing[1:]:
        for seg, oseg in zip(base.segments, other.segments, strict=True):
            for slot, oslot in zip(seg.slots, oseg.slots, strict=True):
                slot.merge(oslot)
        for ref, values in other.counts_seen.items():
            base.counts_seen.setdefault(ref, []).extend(values)
    _bind_ranges(base, agreeing)
    return base


def _bind_ranges(structure: Structure, samples: list[Structure]) -> None:
    """Tie element values that look like indices (1..N or 0..N-1) to their count."""
    for s_index, seg in enumerate(structure.segments):
        if seg.kind == "line":
            continue
        for slot_index, slot in enumerate(seg.slots):
            if slot.kind != "int" or not slot.values:
                continue
            for ref in structure.counts:
                for offset in (0, 1):  # 1..N, then 0..N-1
                    ok = True
                    for sample in samples:
                        limit = sample.counts_seen.get(ref, [None])[0]
                        values = sample.segments[s_index].slots[slot_index].values
                        low = 1 - offset
                        if limit is None or not all(low <= v <= limit - offset for v in values):
                            ok = False
                            break
                    if ok and max(slot.values) > 1:
                        slot.bound, slot.bound_offset = ref, offset
                        break
                if slot.bound is not None:
                    break


@dataclass(frozen=True)
class _Span:
    """A slot's ranges, computed once per input: a slot keeps every sample value, so min() and max()
    on each draw made a 200,000-token input cost minutes."""

    alphabet: list[str]
    short: int
    long: int
    lo: float
    hi: float


def _span(slot: Slot) -> _Span:
    lengths = slot.lengths or [1]
    values = slot.values or [0.0]
    return _Span(sorted(slot.chars) or ["a"], min(lengths), max(lengths), min(values), max(values))


def _draw(slot: Slot, rng: random.Random, sizes: dict[Ref, int], stretch: float, spans: dict[int, _Span]) -> str:
    span = spans.get(id(slot))
    if span is None:
        span = spans[id(slot)] = _span(slot)
    if slot.kind == "str":
        n = rng.randint(span.short, span.long)
        return "".join(rng.choice(span.alphabet) for _ in range(max(1, n)))
    if slot.bound is not None and slot.bound in sizes:
        top = sizes[slot.bound] - slot.bound_offset
        return str(rng.randint(1 - slot.bound_offset, max(1 - slot.bound_offset, top)))
    lo, hi = span.lo, span.hi
    # Mostly the sample's range; now and then past it, where bugs and slow paths live.
    if rng.random() < 0.2 and hi > 0:
        hi = hi * stretch
    if slot.kind == "int":
        return str(rng.randint(int(lo), int(max(lo, min(hi, 10**18)))))
    value = rng.uniform(lo, hi)
    return f"{value:.{slot.decimals}f}" if slot.decimals else f"{value:g}"


def generate(structure: Structure, scale: float, rng: random.Random, max_count: int = 200_000) -> str:
    """An input shaped like the samples, with every count multiplied by ``scale``."""
    sizes = {ref: max(1, min(max_count, round(max(values) * scale))) for ref, values in structure.counts_seen.items()}
    stretch = max(1.0, scale**0.5)
    # With no counts to grow, the input's numbers are the problem's size ("N" alone).
    value_mode = not sizes
    spans: dict[int, _Span] = {}
    out: list[str] = []
    for s_index, seg in enumerate(structure.segments):
        if seg.kind == "line":
            tokens = []
            for t_index, slot in enumerate(seg.slots):
                ref = (s_index, t_index)
                if ref in sizes:
                    tokens.append(str(sizes[ref]))
                elif value_mode and slot.kind == "int" and slot.values and min(slot.values) > 0:
                    tokens.append(str(max(1, min(10**18, round(max(slot.values) * scale)))))
                else:
                    tokens.append(_draw(slot, rng, sizes, stretch, spans))
            out.append(" ".join(tokens))
        elif seg.kind == "list":
            assert seg.count is not None
            out.append(" ".join(_draw(seg.slots[0], rng, sizes, stretch, spans) for _ in range(sizes[seg.count])))
        else:
            assert seg.count is not None
            width = sizes.get(seg.length_of[0]) if 0 in seg.length_of else None
            for _ in range(sizes[seg.count]):
                if width is not None:
                    alphabet = sorted(seg.slots[0].chars) or ["."]
                    out.append("".join(rng.choice(alphabet) for _ in range(width)))
                else:
                    out.append(" ".join(_draw(slot, rng, sizes, stretch, spans) for slot in seg.slots))
    return "\n".join(out) + "\n"

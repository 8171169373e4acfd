from __future__ import annotations

import random

from perfopt.testgen.structure import generate, infer


def lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().split("\n")]


def test_count_then_list_scales_the_list() -> None:
    s = infer(["5\n1 2 3 4 5\n", "3\n9 9 9\n"])
    assert s is not None
    out = lines(generate(s, 100, random.Random(0)))
    n = int(out[0][0])
    assert n == 500
    assert len(out[1]) == n
    assert all(1 <= int(v) <= 10**9 for v in out[1])


def test_count_then_block_of_rows_with_indices_tied_to_n() -> None:
    s = infer(["5 4\n1 2\n2 3\n3 4\n3 5\n1 2 1 2 4\n"])
    assert s is not None
    out = lines(generate(s, 1000, random.Random(1)))
    n, m = int(out[0][0]), int(out[0][1])
    assert (n, m) == (5000, 4000)
    edges = out[1 : 1 + m]
    assert len(edges) == m and all(len(e) == 2 for e in edges)
    # Edge endpoints were 1..N in the sample, so they stay valid node numbers.
    assert all(1 <= int(v) <= n for e in edges for v in e)
    assert len(out[1 + m]) == n


def test_grid_of_strings_scales_both_sides() -> None:
    s = infer(["3 4\n#..#\n....\n##.#\n"])
    assert s is not None
    out = generate(s, 10, random.Random(2)).split()
    h, w = int(out[0]), int(out[1])
    assert (h, w) == (30, 40)
    assert len(out[2:]) == h and all(len(row) == w and set(row) <= {"#", "."} for row in out[2:])


def test_single_numbers_are_scaled_as_values() -> None:
    s = infer(["12\n"])
    assert s is not None
    assert generate(s, 1000, random.Random(3)) == "12000\n"


def test_counts_are_capped() -> None:
    s = infer(["3\n1 2 3\n"])
    assert s is not None
    assert int(generate(s, 10**9, random.Random(4), max_count=1000).split()[0]) == 1000


def test_empty_input_has_no_structure() -> None:
    assert infer(["\n"]) is None

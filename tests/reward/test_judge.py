from __future__ import annotations

from perfopt.reward.judge import compare


def test_whitespace_does_not_matter() -> None:
    assert compare(b"1  2\n3\r\n", b"1 2 3") is None


def test_a_different_token_is_reported() -> None:
    assert compare(b"1 2 4", b"1 2 3") == "token 3: expected '3', got '4'"


def test_missing_and_extra_tokens_are_wrong() -> None:
    assert compare(b"1 2", b"1 2 3") == "expected 3 tokens, got 2"
    assert compare(b"1 2 3 4", b"1 2 3") == "expected 3 tokens, got 4"


def test_floats_need_a_tolerance() -> None:
    assert compare(b"0.333333", b"0.3333333333") is not None
    assert compare(b"0.333333", b"0.3333333333", float_tolerance=1e-6) is None
    assert compare(b"0.3", b"0.3333333333", float_tolerance=1e-6) is not None


def test_relative_tolerance_for_large_values() -> None:
    assert compare(b"1000000.5", b"1000000.0", float_tolerance=1e-6) is None


def test_tolerance_never_accepts_words() -> None:
    assert compare(b"nan", b"nan", float_tolerance=1e-6) is None
    assert compare(b"yes", b"no", float_tolerance=1.0) is not None

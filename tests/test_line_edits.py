"""Line-anchored edits: the strict parse of ``@@12-14`` / ``@@20+`` scripts, and their round trip."""

from __future__ import annotations

import random

import pytest

from perfopt.edits import EditError
from perfopt.line_edits import LineEdit, apply, between, dead_end, parse, write
from perfopt.windows import windows

SOURCE = "\n".join(f"line{i}" for i in range(1, 13))  # line1 .. line12, no final newline


def every_line(text: str) -> range:
    return range(1, len(text.split("\n")) + 1)


def round_trip(source: str, target: str) -> str:
    """The target as the model's script says it: between, write, parse (against the whole file), apply."""
    script = write(between(source, target))
    return apply(source, parse(script, every_line(source)))


CASES = [
    ("replace a middle line", "a\nb\nc", "a\nB\nc"),
    ("insert at the start", "a\nb\nc", "new\na\nb\nc"),
    ("insert at the end", "a\nb\nc", "a\nb\nc\nnew"),
    ("append a final newline", "a\nb\nc", "a\nb\nc\n"),
    ("drop the final newline", "a\nb\nc\n", "a\nb\nc"),
    ("insert blank lines last", "a\nb", "a\nb\n\n"),
    ("insert a line and a blank line last", "a\nb", "a\nX\n\nb"),
    ("replace the last line by a blank one", "a\nb", "a\n"),
    ("delete the first line", "a\nb\nc", "b\nc"),
    ("delete the last line", "a\nb\nc", "a\nb"),
    ("delete everything", "a\nb\nc", ""),
    ("fill an empty file", "", "int main() {}\n"),
    ("blank lines in and out", "a\n\nb\n\n\nc", "a\nb\n\n\n\nc\n\n"),
    (
        "several hunks",
        SOURCE,
        SOURCE.replace("line2\n", "two\n")
        .replace("line5\nline6\n", "")
        .replace("line9\n", "line9\nnine+\n\n")
        .replace("line12", "twelve"),
    ),
]


@pytest.mark.parametrize(("source", "target"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_between_write_parse_apply_round_trips(source: str, target: str) -> None:
    assert round_trip(source, target) == target


def test_a_final_blank_new_line_survives_the_script_s_optional_final_newline() -> None:
    """parse drops one final newline (a model may end with one): write must not lose a blank last line."""
    script = write([LineEdit(4, 3, ("",))])
    assert parse(script, range(1, 4)) == [LineEdit(4, 3, ("",))]
    assert write([LineEdit(2, 2, ("x",))]) == "@@2-2\nx"  # the common case gets no extra newline


@pytest.mark.parametrize("seed", range(60))
def test_random_rewrites_round_trip_and_never_meet_a_dead_end(seed: int) -> None:
    rng = random.Random(seed)
    pool = ["int a;", "a++;", "}", "{", "", "return 0;", "  x = y;", "@ not a header"]
    lines = [rng.choice(pool) for _ in range(rng.randint(0, 20))]
    source = "\n".join(lines)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(lines))
        op = rng.choice(["insert", "delete", "replace"])
        if op == "insert":
            lines.insert(at, rng.choice([*pool, "new();"]))
        elif at < len(lines):
            if op == "delete":
                del lines[at]
            else:
                lines[at] = "changed();"
    target = "\n".join(lines)
    edits = between(source, target)
    if not edits:
        assert source == target
        return
    script = write(edits)
    shown = every_line(source)
    assert parse(script, shown) == edits
    assert apply(source, parse(script, shown)) == target
    # A decoder stopping at dead ends must never stop a script that would have parsed, nor its ending newline.
    for cut in range(len(script) + 1):
        assert dead_end(script[:cut], shown) is None, script[:cut]
    assert dead_end(script + "\n", shown) is None


def test_between_equal_texts_is_no_edit_and_an_empty_script_is_refused() -> None:
    assert between(SOURCE, SOURCE) == []
    assert write([]) == ""
    with pytest.raises(EditError, match="no edit"):
        parse(write([]), every_line(SOURCE))


def test_the_two_header_forms() -> None:
    edits = parse("@@2-3\nA\nB\nC\n@@5-5\n@@7+\nseven+\n@@12+\nend", every_line(SOURCE))
    assert edits == [
        LineEdit(2, 3, ("A", "B", "C")),
        LineEdit(5, 5, ()),  # no lines below: a deletion
        LineEdit(8, 7, ("seven+",)),
        LineEdit(13, 12, ("end",)),
    ]
    assert [e.insertion for e in edits] == [False, False, True, True]
    assert [e.header() for e in edits] == ["@@2-3", "@@5-5", "@@7+", "@@12+"]
    assert apply(SOURCE, edits).split("\n") == [
        *["line1", "A", "B", "C", "line4", "line6", "line7", "seven+"],
        *["line8", "line9", "line10", "line11", "line12", "end"],
    ]


def test_insert_before_the_first_line_and_after_the_last() -> None:
    edits = parse("@@0+\nfirst\n@@12+\nlast", every_line(SOURCE))
    assert apply(SOURCE, edits) == "first\n" + SOURCE + "\nlast"


def test_a_script_may_end_with_a_newline_and_blank_lines_before_the_first_header() -> None:
    assert parse("\n\n@@2-2\nx\n", every_line(SOURCE)) == [LineEdit(2, 2, ("x",))]
    # One final newline ends the script; a second one is a blank new line.
    assert parse("@@2-2\nx\n\n", every_line(SOURCE)) == [LineEdit(2, 2, ("x", ""))]
    # Blank lines inside a body are new lines too.
    assert parse("@@2-2\n\nx\n\n@@4-4\ny", every_line(SOURCE))[0] == LineEdit(2, 2, ("", "x", ""))


def test_an_edit_after_a_replacement_or_before_an_insertion_point_applies_in_order() -> None:
    edits = parse("@@2-4\nR\n@@4+\nafter\n@@6+\nI\n@@7-7\nS", every_line(SOURCE))
    out = apply(SOURCE, edits).split("\n")
    assert out[:8] == ["line1", "R", "after", "line5", "line6", "I", "S", "line8"]


WINDOW = (1, 2, 3, 10, 11, 12)  # lines 4..9 hidden


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("@@12\nx", "not an edit header: '@@12'"),
        ("@@ 12-13\nx", "not an edit header"),
        ("@@1,2\nx", "not an edit header"),
        ("@@-1+\nx", "not an edit header"),
        ("@@2-3+\nx", "not an edit header"),
        ("@@a-b\nx", "not an edit header"),
        ("@@ -1,3 +1,4 @@\nx", "not an edit header"),  # a unified diff's hunk header is not ours
        ("@@2-2\nx\n@@3\ny", "not an edit header: '@@3'"),
        ("hello\n@@2-2\nx", "text before the first edit: 'hello'"),
        ("  // comment\n@@2-2\nx", "text before the first edit"),
        ("@@5-5\nx", "@@5-5: line 5 is not in the window"),
        ("@@3-10\nx", "@@3-10: line 4 is not in the window"),  # both ends shown, the middle hidden
        ("@@12-13\nx", "@@12-13: line 13 is not in the window"),
        ("@@0-1\nx", "@@0-1: line 0 is not in the window"),
        ("@@5+\nx", "@@5\\+: line 5 is not in the window"),
        ("@@12+\nx", None),  # after the last shown line: allowed
        ("@@13+\nx", "@@13\\+: line 13 is not in the window"),
        ("@@3-2\nx", "@@3-2: the range runs backwards"),
        ("@@11-11\nx\n@@2-2\ny", "@@2-2: overlaps or precedes @@11-11"),
        ("@@2-3\nx\n@@3-3\ny", "@@3-3: overlaps or precedes @@2-3"),
        ("@@2-3\nx\n@@2+\ny", "@@2\\+: overlaps or precedes @@2-3"),  # an insertion inside a replaced range
        ("@@2+\nx\n@@2+\ny", "@@2\\+: overlaps or precedes @@2\\+"),  # two insertions at one place
        ("@@3+\nx\n@@2+\ny", "@@2\\+: overlaps or precedes @@3\\+"),
        ("@@2-2\nx\n@@2-2\ny", "@@2-2: overlaps or precedes @@2-2"),
        ("", "no edit"),
        ("\n\n", "no edit"),
    ],
)
def test_parse_is_strict(script: str, message: str | None) -> None:
    if message is None:
        assert parse(script, WINDOW)
        return
    with pytest.raises(EditError, match=message):
        parse(script, WINDOW)


def test_an_insertion_needs_only_one_shown_neighbour() -> None:
    """Either side of a gap is a place the window shows: after line 3 (4 hidden), before line 10 (9 hidden)."""
    assert parse("@@3+\nx", WINDOW) == [LineEdit(4, 3, ("x",))]
    assert parse("@@9+\nx", WINDOW) == [LineEdit(10, 9, ("x",))]
    assert parse("@@0+\nx", WINDOW) == [LineEdit(1, 0, ("x",))]
    with pytest.raises(EditError, match="line 0 is not in the window"):
        parse("@@0+\nx", (2, 3))
    with pytest.raises(EditError, match="line 6 is not in the window"):
        parse("@@6+\nx", WINDOW)


def test_a_header_may_carry_trailing_whitespace() -> None:
    assert parse("@@2-2  \nx", WINDOW) == [LineEdit(2, 2, ("x",))]


def test_apply_refuses_lines_past_the_end() -> None:
    with pytest.raises(EditError, match="@@12-13: the file has 12 lines"):
        apply(SOURCE, [LineEdit(12, 13, ("x",))])
    with pytest.raises(EditError, match="the file has 12 lines"):
        apply(SOURCE, [LineEdit(14, 13, ("x",))])


def test_write_refuses_a_new_line_that_reads_as_a_header() -> None:
    with pytest.raises(EditError, match="starts with @@"):
        write([LineEdit(2, 2, ("ok",)), LineEdit(5, 5, ('@@ "raw string"',))])
    # Only the line's start counts, as in parse.
    script = write([LineEdit(2, 2, ('  s = "@@";',))])
    assert parse(script, WINDOW) == [LineEdit(2, 2, ('  s = "@@";',))]


def test_dead_end_judges_finished_lines_only() -> None:
    assert dead_end("", WINDOW) is None
    assert dead_end("\n\n", WINDOW) is None
    assert dead_end("hello", WINDOW) is None  # an unfinished line is not judged, even one that cannot mend
    assert dead_end("@@", WINDOW) is None
    assert dead_end("@@1", WINDOW) is None  # may still become @@1-3 or @@1+
    assert dead_end("@@2-2\nx\n@@1", WINDOW) is None  # an unfinished header is not judged yet
    assert dead_end("@@2-2\nx\ny", WINDOW) is None
    assert dead_end("@@2-2\n", WINDOW) is None
    assert dead_end("@@12+\nend\n", WINDOW) is None


@pytest.mark.parametrize(
    ("partial", "message"),
    [
        ("hello\n", "text before the first edit: 'hello'"),
        ("\nhello\n@@2", "text before the first edit"),
        ("hello\n@@2-2\n", "text before the first edit"),
        ("@@1\n", "not an edit header: '@@1'"),
        ("@@2-2\nx\n@@2 -3\n", "not an edit header"),
        ("@@5-5\n", "line 5 is not in the window"),  # hidden: the decoder stops at the header
        ("@@2-2\nx\n@@3-10\ny", "line 4 is not in the window"),
        ("@@3-2\n", "runs backwards"),
        ("@@11-11\nx\n@@2-2\n", "overlaps or precedes @@11-11"),
    ],
)
def test_dead_end_stops_at_the_first_bad_finished_line(partial: str, message: str) -> None:
    reason = dead_end(partial, WINDOW)
    assert reason is not None and message in reason
    # Nothing written after a dead end mends it.
    reason_later = dead_end(partial + "\nmore\n@@12+\nx\n", WINDOW)
    assert reason_later is not None


def test_edits_on_a_window_of_a_long_file_change_exactly_those_lines() -> None:
    """The model edits file lines through its window; applied to the whole file, nothing else moves."""
    body = [f"    s += a[{i}] * {i};" for i in range(60)]
    source = "\n".join(
        [
            "#include <cstdio>",
            "int a[100];",
            "int main() {",
            "    long long s = 0;",
            *body,
            '    printf("%lld\\n", s);',
            "    return 0;",
            "}",
            "",
        ]
    )
    lines = source.split("\n")

    def count(ls: list[str]) -> list[int]:
        return [len(line.split()) + 1 for line in ls]

    found = windows(source, 120, count)
    middle = next(w for w in found if w.label == "part of main" and w.first > 10)
    assert 3 in middle.lines and 4 not in middle.lines  # the head, above a gap
    a, b = middle.first, middle.first + 2
    script = "\n".join(
        [
            "@@3+",
            "    s = 1;",  # after the head, a context line: line 4 is hidden but the place is shown
            f"@@{a}-{b}",
            "    s += a[0] * 0 + a[1] + 2 * a[2];",
            f"@@{middle.last}+",
            "    s %= 7;",
        ]
    )
    out = apply(source, parse(script, middle.lines)).split("\n")
    expected = [
        *lines[:3],
        "    s = 1;",
        *lines[3 : a - 1],
        "    s += a[0] * 0 + a[1] + 2 * a[2];",
        *lines[b : middle.last],
        "    s %= 7;",
        *lines[middle.last :],
    ]
    assert out == expected
    # A line of the same file that this window does not show is refused.
    hidden = next(n for n in range(1, len(lines) + 1) if n not in middle.lines)
    with pytest.raises(EditError, match=f"line {hidden} is not in the window"):
        parse(f"@@{hidden}-{hidden}\nx", middle.lines)

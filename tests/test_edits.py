from __future__ import annotations

import random

import pytest

from perfopt.edits import (
    EditError,
    apply_edits,
    dead_end,
    make_edits,
    parse_edits,
)

SLOW = """#include <iostream>
using namespace std;
int main() {
    int n;
    cin >> n;
    long long s = 0;
    for (int i = 0; i < n; i++) {
        int x;
        cin >> x;
        s += x;
    }
    cout << s << endl;
}
"""

FAST = SLOW.replace(
    "int main() {\n", "int main() {\n    ios::sync_with_stdio(false);\n    cin.tie(nullptr);\n"
).replace("endl", "'\\n'")


def test_an_edit_script_turns_the_slow_program_into_the_fast_one_and_is_shorter() -> None:
    script = make_edits(SLOW, FAST)
    assert apply_edits(SLOW, script) == FAST
    assert len(script) < len(FAST)
    assert "sync_with_stdio" in script and "#include" not in script


def test_repeated_lines_get_enough_context_to_be_unique() -> None:
    source = "a\nx\nb\nx\nc\n"
    target = "a\nx\nb\ny\nc\n"
    script = make_edits(source, target)
    hunk = parse_edits(script)[0]
    assert hunk.old != ["x"]
    assert apply_edits(source, script) == target


@pytest.mark.parametrize("seed", range(40))
def test_random_rewrites_round_trip(seed: int) -> None:
    rng = random.Random(seed)
    pool = ["int a;", "a++;", "}", "{", "cout << a;", "", "return 0;", "x = y;"]
    source = "\n".join(rng.choice(pool) for _ in range(rng.randint(0, 25)))
    lines = source.split("\n")
    for _ in range(rng.randint(0, 6)):
        at = rng.randint(0, len(lines))
        op = rng.choice(["insert", "delete", "replace"])
        if op == "insert":
            lines.insert(at, rng.choice([*pool, "new();"]))
        elif lines and at < len(lines):
            if op == "delete":
                del lines[at]
            else:
                lines[at] = "changed();"
    target = "\n".join(lines)
    script = make_edits(source, target)
    assert apply_edits(source, script) == target
    # A decoder stopping at dead ends must never stop a script that would have applied.
    for cut in range(len(script) + 1):
        assert dead_end(source, script[:cut]) is None, script[:cut]


def test_equal_programs_need_no_edits() -> None:
    assert make_edits(SLOW, SLOW) == ""
    assert apply_edits(SLOW, "") == SLOW


@pytest.mark.parametrize(
    "script",
    [
        "<<<\nint nothing_like_this;\n===\nx\n>>>",  # not in the source
        "<<<\nint main() {\n===\nx\n",  # not closed
        "stray text\n<<<\nint n;\n===\n>>>",
        "<<<\n===\nx\n>>>",  # nothing to search for
    ],
)
def test_a_bad_script_is_an_edit_error(script: str) -> None:
    with pytest.raises(EditError):
        apply_edits(SLOW, script)


@pytest.mark.parametrize(
    ("partial", "reason"),
    [
        # The bundled model's real failure: a closed hunk, then closing lines forever.
        ("<<<\n    cin >> n;\n===\n    cin >> n; cin.tie(0);\n>>>\n>>>\n", "text outside a hunk"),
        # Invented search lines die at the first line that occurs nowhere, before the hunk ends.
        ("<<<\n    cout << x << endl;\n", "search lines not found"),
        # Lines that each occur, but not one after the other.
        ("<<<\n    int n;\n    s += x;\n", "search lines not found"),
        # Hunks apply in order: a search before the previous hunk's place is gone.
        ("<<<\n    s += x;\n===\n    s += x;\n>>>\n<<<\n    int n;\n", "search lines not found"),
        ("<<<\n===\n", "nothing to search for"),
    ],
)
def test_a_dead_end_is_found_as_soon_as_a_line_settles_it(partial: str, reason: str) -> None:
    found = dead_end(SLOW, partial)
    assert found is not None and reason in found
    with pytest.raises(EditError):
        apply_edits(SLOW, partial + ">>>")


def test_an_unfinished_line_is_not_judged() -> None:
    assert dead_end(SLOW, "<<<\n    cout << nothing_yet") is None
    assert dead_end(SLOW, "<<<\n    cout << s << endl;\n===\n    cout << s << '\\n';\n>>") is None

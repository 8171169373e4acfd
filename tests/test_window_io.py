"""What a model reads and writes for a window, in every format: targets made for training apply back to
the fast side at inference, and outputs that reach outside their window are unusable, with the reason."""

from __future__ import annotations

import pytest

from perfopt import window_io
from perfopt.edits import EditError, TargetFormat
from perfopt.window_io import Prompt, place, target, windows_for
from perfopt.windows import Window


def count(lines: list[str]) -> list[int]:
    return [len(line.split()) + 1 for line in lines]


SHORT = """#include <iostream>
using namespace std;
int main() {
    int n;
    cin >> n;
    cout << n * 2 << endl;
}
"""

# Two functions too long to share a window at a budget of 60 counted tokens.
LONG = """#include <cstdio>
#include <vector>
using namespace std;
vector<long long> values;
int unused_global = 7;

long long total(int n) {
    long long s = 0;
    for (int i = 0; i < n; i++) {
        s += values[i];
    }
    return s;
}

int main() {
    int n;
    scanf("%d", &n);
    values.resize(n);
    for (int i = 0; i < n; i++) scanf("%lld", &values[i]);
    printf("%lld\\n", total(n));
    return 0;
}
"""


@pytest.mark.parametrize("fmt", list(TargetFormat))
def test_a_target_applies_back_to_the_fast_side(fmt: TargetFormat) -> None:
    fast = SHORT.replace("endl", "'\\n'")
    (window,) = windows_for(SHORT, fmt, 10_000, count)
    placed, lost = place(SHORT, fast, [window])
    assert lost == 0 and [w for w, _ in placed] == [window]
    written = target(SHORT, window, placed[0][1], fmt)
    assert Prompt(SHORT, window, fmt).outcome(written) == (fast, "")


@pytest.mark.parametrize("fmt", [TargetFormat.LINES, TargetFormat.EDITS])
def test_a_change_in_one_function_of_a_long_file_is_taught_in_that_functions_window(fmt: TargetFormat) -> None:
    fast = LONG.replace("        s += values[i];", "        s += values[i] * 1LL;")
    found = windows_for(LONG, fmt, 60, count)
    assert len(found) >= 2
    placed, lost = place(LONG, fast, found)
    assert lost == 0 and len(placed) == 1
    window, edits = placed[0]
    assert window.label == "function total"
    prompt = Prompt(LONG, window, fmt)
    # The window shows the global the function reads, not the one it does not.
    assert "vector<long long> values;" in prompt.text and "unused_global" not in prompt.text
    assert prompt.outcome(target(LONG, window, edits, fmt)) == (fast, "")


def test_the_numbered_window_shows_file_line_numbers_and_gaps() -> None:
    window = next(w for w in windows_for(LONG, TargetFormat.LINES, 60, count) if w.label == "function total")
    text = Prompt(LONG, window, TargetFormat.LINES).text
    assert "4|vector<long long> values;" in text.split("\n")
    assert "...\n7|long long total(int n) {" in text


def test_line_edits_outside_the_window_are_unusable_with_the_reason() -> None:
    window = next(w for w in windows_for(LONG, TargetFormat.LINES, 60, count) if w.label == "function total")
    prompt = Prompt(LONG, window, TargetFormat.LINES)
    assert prompt.outcome('@@17-17\n    scanf("%d", &n);') == (
        None,
        "the edit script does not apply: @@17-17: line 17 is not in the window",
    )
    program, reason = prompt.outcome("cout << 1;\n@@10-10\n")
    assert program is None and "text before the first edit" in reason


def test_a_search_that_reaches_across_a_gap_is_unusable() -> None:
    window = Window((1, 2, 4, 5), 4, 5, "part of main")
    source = "a\nb\nc\nd\ne"
    # "b" then "d" are adjacent in the rendered text but not in the file: the hunk would also drop "c".
    with pytest.raises(EditError, match="spans a gap"):
        window_io.program(source, window, TargetFormat.EDITS, "<<<\nb\n...\nd\n===\nx\n>>>")
    assert window_io.program(source, window, TargetFormat.EDITS, "<<<\nd\n===\nx\n>>>") == "a\nb\nc\nx\ne"


def test_a_whole_program_model_has_no_window_for_a_long_file() -> None:
    assert windows_for(LONG, TargetFormat.PROGRAM, 60, count) == []


def test_an_edit_of_context_lines_alone_goes_with_the_rest_of_the_change() -> None:
    """An added #include (a context line of every window) is taught beside the edit that needs it."""
    fast = LONG.replace("#include <vector>\n", "#include <vector>\n#include <numeric>\n").replace(
        "    return s;\n}", "    return s + 0;\n}"
    )
    found = windows_for(LONG, TargetFormat.LINES, 60, count)
    placed, lost = place(LONG, fast, found)
    assert lost == 0 and len(placed) == 1
    window, edits = placed[0]
    assert window.label == "function total" and len(edits) == 2
    assert Prompt(LONG, window, TargetFormat.LINES).outcome(target(LONG, window, edits, TargetFormat.LINES)) == (
        fast,
        "",
    )

"""The report's hot spot: the hottest function, or its hottest loop nest when that holds half of it."""

from __future__ import annotations

from perfopt.hotspot import hot_spot, spots
from perfopt.profile import Profile

SOURCE = """int helper(int x) {
    return x * 2;
}
int main() {
    long long s = 0;
    for (int i = 0; i < 100; i++) {
        for (int j = 0; j < 100; j++) s += helper(j);
    }
    while (s > 10) s /= 2;
    return (int)s;
}
"""


def test_a_loop_nest_holding_most_of_its_function_is_the_hot_spot() -> None:
    found = spots(SOURCE, Profile({2: 300, 7: 600, 9: 100}))
    assert [(s.label, s.first, s.last) for s in found][:2] == [("function main", 4, 11), ("loop in main", 6, 8)]
    spot = hot_spot(found)
    assert spot is not None and spot.describe() == "lines 6\u20138 (loop in main), 60% of instructions"
    assert spot.to_json() == {"first": 6, "last": 8, "label": "loop in main", "share": 0.6}


def test_the_function_when_no_loop_holds_half_of_it() -> None:
    spot = hot_spot(spots(SOURCE, Profile({5: 500, 7: 200, 9: 200, 2: 1})))
    assert spot is not None and spot.label == "function main" and spot.first == 4


def test_the_hottest_function_wins_over_a_loop_in_another() -> None:
    spot = hot_spot(spots(SOURCE, Profile({2: 900, 7: 100})))
    assert spot is not None and spot.describe() == "lines 1\u20133 (function helper), 90% of instructions"


def test_no_instructions_no_hot_spot() -> None:
    assert spots(SOURCE, Profile({})) == [] and hot_spot([]) is None
    assert hot_spot(spots("struct S { int x; };\n", Profile({1: 5}))) is None

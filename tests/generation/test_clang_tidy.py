"""ClangTidyGenerator with the real clang-tidy wheel and real g++; fake binaries only for crashes and timeouts."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from perfopt.config import Config
from perfopt.generation.clang_tidy import ClangTidyGenerator, find_binary
from perfopt.generation.interface import Candidate, GeneratorUnavailable
from perfopt.generation.tidy_fixes import Fix, Replacement, apply_replacements, candidates_from
from perfopt.reward import Level, reward_model_for
from perfopt.sandbox import Sandbox

try:
    find_binary()
except GeneratorUnavailable:
    pytest.skip("clang-tidy is not installed", allow_module_level=True)

UNIT = "performance-unnecessary-value-param"
RANGE = "performance-for-range-copy"
ENDL = "performance-avoid-endl"
#: What BITS gets: its three checks one by one, then together.
BITS_REWRITES = [UNIT, RANGE, ENDL, f"{UNIT}+{RANGE}+{ENDL}"]

COPIES = r"""#include <iostream>
#include <string>
#include <vector>

long long total(const std::vector<int> v) {
    long long s = 0;
    for (int x : v) s += x;
    return s;
}

std::size_t width(std::string s) { return s.size(); }

int main() {
    std::vector<std::string> names = {"ada", "grace", "édith"};
    std::size_t t = 0;
    for (std::string name : names) t += width(name);
    std::vector<int> v(100, 3);
    std::cout << total(v) << ' ' << t << '\n';
}
"""

CLEAN = r"""#include <iostream>
int main() {
    int a, b;
    std::cin >> a >> b;
    std::cout << a + b << '\n';
}
"""

BITS = r"""#include <bits/stdc++.h>
using namespace std;
int count_long(vector<string> words) {
    int k = 0;
    for (auto w : words) k += w.size() > 3;
    return k;
}
int main() { cout << count_long({"a", "abcd", "xyzzy"}) << endl; }
"""


def syntax_ok(program: str, tmp_path: Path) -> None:
    src = tmp_path / "candidate.cpp"
    src.write_text(program)
    proc = subprocess.run(["g++", "-std=c++17", "-fsyntax-only", str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def our_temp_folders() -> set[str]:
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith("perfopt-clang-tidy-")}


@pytest.fixture(scope="module")
def generator() -> ClangTidyGenerator:
    g = ClangTidyGenerator()
    g.prepare()
    return g


@pytest.fixture(scope="module")
def copies(generator: ClangTidyGenerator) -> list[Candidate]:
    return list(generator.generate(COPIES, 8))


def test_one_candidate_per_check_then_all(copies: list[Candidate], tmp_path: Path) -> None:
    assert [c.rewrite for c in copies] == [UNIT, RANGE, f"{UNIT}+{RANGE}"]
    by = {c.rewrite: c for c in copies}
    assert by[UNIT].origin == f"clang-tidy/{UNIT}"
    assert all(c.generator == "clang-tidy" for c in copies)
    assert all(c.reason and "\n" not in c.reason for c in copies)
    assert "copied for each invocation" in by[UNIT].reason
    unit, loop = by[UNIT].program, by[RANGE].program
    both = by[f"{UNIT}+{RANGE}"].program
    assert unit is not None and loop is not None and both is not None
    # Both parameters, each in one candidate; the loop in another; all three in the last.
    assert "const std::vector<int>& v" in unit and "const std::string& s" in unit
    assert "for (std::string name" in unit
    assert "const std::string& name" in loop and "std::vector<int> v)" in loop
    for line in ("const std::vector<int>& v", "const std::string& s", "const std::string& name"):
        assert line in both
    assert "édith" in both  # byte offsets past a non-ASCII character still land right
    for c in copies:
        assert c.program is not None
        syntax_ok(c.program, tmp_path)


def test_nothing_to_fix_gives_nothing(generator: ClangTidyGenerator) -> None:
    assert list(generator.generate(CLEAN, 8)) == []
    assert generator.failure is None


def test_n_caps_the_candidates(generator: ClangTidyGenerator) -> None:
    assert [c.rewrite for c in generator.generate(COPIES, 1)] == [UNIT]
    assert list(generator.generate(COPIES, 0)) == []
    # keep_going saying no: clang-tidy is not even run.
    assert list(generator.generate(COPIES, 8, keep_going=lambda: False)) == []


def test_bits_stdcpp_programs(generator: ClangTidyGenerator, tmp_path: Path) -> None:
    found = list(generator.generate(BITS, 8))
    assert [c.rewrite for c in found] == BITS_REWRITES
    assert "<< '\\n'" in (found[2].program or "")
    assert generator.failure is None
    for c in found:
        assert c.program is not None
        syntax_ok(c.program, tmp_path)


def test_leaves_no_temporary_folder(generator: ClangTidyGenerator) -> None:
    before = our_temp_folders()
    candidates = generator.generate(COPIES, 8)
    first = next(candidates)  # the folder is gone before the first candidate comes
    assert first.program is not None
    assert our_temp_folders() == before
    assert len(list(candidates)) == 2


def test_headers_the_compiler_has_but_clang_does_not_find(tmp_path: Path) -> None:
    # A GCC toolchain folder with nothing in it: clang finds no libstdc++, so perfopt hands it g++'s.
    empty = tmp_path / "no-gcc"
    empty.mkdir()
    g = ClangTidyGenerator(flags=("-std=c++17", "-O2", f"--gcc-toolchain={empty}"))
    g.prepare()
    assert [c.rewrite for c in g.generate(BITS, 8)] == BITS_REWRITES
    assert g.failure is None


def test_unparsable_program_says_why(generator: ClangTidyGenerator) -> None:
    assert list(generator.generate('#include "no_such_header.h"\n' + COPIES, 8)) == []
    assert generator.failure is not None and "no_such_header.h" in generator.failure


def test_compile_errors_still_give_fixes(generator: ClangTidyGenerator) -> None:
    # clang-tidy exits 1, but exported what it found in the rest of the file.
    broken = COPIES + "int later() { return undeclared_name; }\n"
    assert [c.rewrite for c in generator.generate(broken, 8)][:2] == [UNIT, RANGE]


def test_in_the_sandbox(sandbox: Sandbox) -> None:
    g = ClangTidyGenerator(sandbox=sandbox)
    g.prepare()
    before = our_temp_folders()
    assert [c.rewrite for c in g.generate(BITS, 8)] == BITS_REWRITES
    assert g.failure is None
    assert our_temp_folders() == before


def test_missing_binary_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(GeneratorUnavailable, match=r"clang-tidy: .*not found"):
        ClangTidyGenerator(binary=str(tmp_path / "clang-tidy")).prepare()
    with pytest.raises(GeneratorUnavailable, match="clang-tidy: "):
        ClangTidyGenerator(binary="no-such-clang-tidy-anywhere").prepare()


def fake(tmp_path: Path, body: str) -> str:
    """A clang-tidy that answers --version, and otherwise runs ``body``."""
    script = tmp_path / "fake-clang-tidy"
    script.write_text(f'#!/bin/sh\nif [ "$1" = --version ]; then echo "LLVM version 0"; exit 0; fi\n{body}\n')
    script.chmod(0o755)
    return str(script)


def test_broken_binary_is_unavailable(tmp_path: Path) -> None:
    script = tmp_path / "clang-tidy"
    script.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
    script.chmod(0o755)
    with pytest.raises(GeneratorUnavailable, match="--version failed: broken"):
        ClangTidyGenerator(binary=str(script)).prepare()


def test_timeout_gives_nothing_and_says_why(tmp_path: Path) -> None:
    g = ClangTidyGenerator(timeout=1.0, binary=fake(tmp_path, "sleep 30"))
    g.prepare()
    before = our_temp_folders()
    assert list(g.generate(COPIES, 8)) == []
    assert g.failure == "timed out after 1 s"
    assert g.seconds is not None and g.seconds < 10
    assert our_temp_folders() == before


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("echo 'Stack dump:' >&2; exit 139", "exit code 139 (SIGSEGV): Stack dump:"),
        ("kill -SEGV $$", "crashed (SIGSEGV)"),
        ("echo 'error: unknown argument' >&2; exit 1", "exit code 1: error: unknown argument"),
    ],
)
def test_crash_gives_nothing_and_says_why(tmp_path: Path, body: str, why: str) -> None:
    g = ClangTidyGenerator(binary=fake(tmp_path, body))
    assert list(g.generate(COPIES, 8)) == []
    assert g.failure == why


def test_a_crash_after_a_good_run_is_not_remembered(generator: ClangTidyGenerator, tmp_path: Path) -> None:
    g = ClangTidyGenerator(binary=fake(tmp_path, "exit 1"))
    assert list(g.generate(COPIES, 8)) == []
    assert g.failure == "exit code 1"
    assert list(generator.generate(COPIES, 1)) and generator.failure is None


def test_overlapping_edits_are_refused() -> None:
    program = b"int f(int x);"
    insert = Replacement(6, 0, b"const ")
    with pytest.raises(ValueError, match="overlapping"):
        apply_replacements(program, [insert, Replacement(6, 3, b"long")])
    with pytest.raises(ValueError, match="overlapping"):
        apply_replacements(program, [insert, Replacement(6, 0, b"volatile ")])
    assert apply_replacements(program, [insert, insert, Replacement(9, 0, b"&")]) == b"int f(const int& x);"


def test_all_candidate_skips_a_fix_that_conflicts() -> None:
    source = "int f(int x);\nint g(int y);\n"
    a = Fix("performance-a", "first", (Replacement(6, 3, b"long"),))
    b = Fix("performance-b", "second", (Replacement(6, 0, b"const "), Replacement(20, 0, b"const ")))
    c = Fix("performance-c", "third", (Replacement(23, 0, b"&"),))
    found = candidates_from(source, [a, b, c], 8)
    assert [x.rewrite for x in found] == [
        "performance-a",
        "performance-b",
        "performance-c",
        "performance-a+performance-c",
    ]
    assert found[-1].program == "int f(long x);\nint g(int& y);\n"
    # A check that changes nothing, or only what another candidate already proposed, adds no candidate.
    same = Fix("performance-d", "again", a.replacements)
    assert [x.rewrite for x in candidates_from(source, [a, same], 8)] == ["performance-a"]


HOT = r"""#include <bits/stdc++.h>
using namespace std;

long long pick(const vector<long long> a, int i) { return a[i]; }

int main() {
    int n, q;
    cin >> n >> q;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long s = 0;
    for (int k = 0; k < q; k++) s += pick(a, (k * 7) % n);
    cout << s << '\n';
}
"""


def test_hot_by_value_vector_parameter_is_r4(tmp_path: Path, sandbox: Sandbox, generator: ClangTidyGenerator) -> None:
    found = [c for c in generator.generate(HOT, 8) if c.rewrite == UNIT]
    assert len(found) == 1 and found[0].program is not None
    assert "const vector<long long>& a" in found[0].program
    tests = tmp_path / "prog.tests"
    tests.mkdir()
    n, q = 3000, 2000
    inputs = [f"{n} {q}\n" + " ".join(str(i * 37 % 1001) for i in range(n)) + "\n", "3 4\n5 6 7\n"]
    outputs = [str(sum(i * 37 % 1001 for i in [(k * 7) % n for k in range(q)])) + "\n", "23\n"]
    for i, (given, expected) in enumerate(zip(inputs, outputs, strict=True), start=1):
        (tests / f"input.{i}.txt").write_text(given)
        (tests / f"output.{i}.txt").write_text(expected)
    target = tmp_path / "prog.cpp"
    target.write_text(HOT)
    model = reward_model_for(Config(cache=False, timer="instructions"), target, sandbox)
    try:
        verdict = model.verify(HOT, found[0].program)
    finally:
        model.close()
    assert verdict.level is Level.FASTER, f"{verdict.level.code}: {verdict.reason}\n{verdict.compile_log}"


def test_never_writes_near_the_user(
    tmp_path: Path, generator: ClangTidyGenerator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It takes source text, not a path: run from a folder holding a file of the same name, which stays as it was.
    (tmp_path / "prog.cpp").write_text(COPIES)
    monkeypatch.chdir(tmp_path)
    assert list(generator.generate(COPIES, 8))
    assert sorted(os.listdir(tmp_path)) == ["prog.cpp"]
    assert (tmp_path / "prog.cpp").read_text() == COPIES

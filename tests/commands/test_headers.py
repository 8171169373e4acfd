"""Headers: rewritten by the generators and verified through project mode's build, tests and benchmark.

A header has no ``main`` and no tests of its own, so outside project mode it
is refused with a clear reason; inside, a rewrite of it is judged by the
project that includes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from perfopt.commands.hook import run_hook
from perfopt.errors import ExitCode
from tests.commands.test_verify import assert_one_line_error, perfopt
from tests.gitrepo import git

HEADER = """#pragma once
#include <vector>

// The sum of the first k weights.
inline long long weigh(std::vector<long long> weights, int k) {
    long long s = 0;
    for (int i = 0; i < k && i < (int)weights.size(); i++) s += weights[i];
    return s;
}
"""
FILES = {
    "weights.h": HEADER,
    "unit.cpp": (
        '#include <cstdio>\n#include "weights.h"\n'
        "int main() { std::vector<long long> w{5, 7, 11};\n"
        '  if (weigh(w, 2) != 12 || weigh(w, 9) != 23) { std::puts("FAIL"); return 1; } }\n'
    ),
    "bench.cpp": (
        '#include <cstdio>\n#include "weights.h"\n'
        "int main() { std::vector<long long> w(20000);\n"
        "  for (int i = 0; i < (int)w.size(); i++) w[i] = i % 97;\n"
        "  long long t = 0; for (int r = 0; r < 3000; r++) t += weigh(w, r % 50);\n"
        '  std::printf("%lld\\n", t); }\n'
    ),
}
PROJECT = """[project]
build = "g++ -O2 -o unit unit.cpp && g++ -O2 -o bench bench.cpp"
test = "./unit"
bench = "./bench"
"""


def _repo(root: Path, project: bool) -> Path:
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text)
    if project:
        (root / "perfopt.toml").write_text(PROJECT)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    return root


def test_a_header_gets_a_verified_rewrite_that_needs_no_main(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", project=True)
    proc = perfopt("suggest", "weights.h", "--timer", "instructions", "--generators", "rules", "--no-cache", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "+inline long long weigh(const std::vector<long long>& weights, int k) {" in proc.stdout
    assert "rules/copies.const_ref_param" in proc.stderr
    assert (repo / "weights.h").read_text() == HEADER


def test_a_header_outside_project_mode_is_a_clear_no_tests_error(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", project=False)
    proc = perfopt("suggest", "weights.h", "--no-cache", cwd=repo)
    assert_one_line_error(proc, ExitCode.NO_TESTS, "a header has no tests of its own: configure project mode")


@pytest.mark.parametrize("project", [True, False])
def test_the_hook_judges_a_staged_header_in_project_mode_and_says_why_not_otherwise(
    tmp_path: Path, project: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path / "repo", project=project)
    (repo / "weights.h").write_text(HEADER.replace("// The sum", "// The running sum"))
    git(repo, "add", "weights.h")
    monkeypatch.chdir(repo)
    out = run_hook(
        files=[],
        config_file=None,
        flags={"timer": "instructions", "cache": False, "generators": ("rules",)},
        max_seconds=None,
        changed_lines_only=False,
        apply=False,
    )
    if project:
        assert out.suggestions == 1, out.stderr
        assert "const std::vector<long long>& weights" in out.stdout
    else:
        assert out.suggestions == 0
        assert "weights.h: skipped: a header has no tests of its own" in out.stderr

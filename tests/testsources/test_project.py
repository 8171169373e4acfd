"""Project mode on a real little repository with a Makefile, unit tests and a benchmark."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from perfopt.config import Config, ProjectConfig
from perfopt.reward import Level, reward_model_for
from perfopt.sandbox import Sandbox

SLOW = r"""
#include "count.h"
// Counts the values below the limit, re-scanning the whole vector per query.
long count_below(const std::vector<int>& v, int limit) {
    long n = 0;
    for (std::size_t i = 0; i < v.size(); i++)
        for (std::size_t j = 0; j < 40; j++)
            if (j == 0 && v[i] < limit) n++;
    return n;
}
"""
FAST = r"""
#include "count.h"
long count_below(const std::vector<int>& v, int limit) {
    long n = 0;
    for (int x : v) n += x < limit;
    return n;
}
"""
WRONG = FAST.replace("x < limit", "x <= limit")

FILES = {
    "count.h": "#include <vector>\nlong count_below(const std::vector<int>& v, int limit);\n",
    "unit_test.cpp": (
        '#include "count.h"\n#include <cstdio>\n'
        "int main(){ std::vector<int> v{1,2,3,4,5}; long c = count_below(v, 3);"
        ' if (c != 2) { printf("FAIL %ld\\n", c); return 1; } puts("ok"); }\n'
    ),
    "bench.cpp": (
        '#include "count.h"\n#include <cstdio>\n'
        "int main(){ std::vector<int> v(3000000); for (std::size_t i=0;i<v.size();i++) v[i]=(int)(i*7919%1000);"
        ' long t=0; for(int r=0;r<3;r++) t+=count_below(v, 500); printf("%ld\\n", t); }\n'
    ),
    "Makefile": (
        "all: unit_test bench\n"
        "unit_test: unit_test.cpp count.cpp count.h\n\tg++ -O2 -o unit_test unit_test.cpp count.cpp\n"
        "bench: bench.cpp count.cpp count.h\n\tg++ -O2 -o bench bench.cpp count.cpp\n"
    ),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name, text in FILES.items():
        (root / name).write_text(text)
    (root / "count.cpp").write_text(SLOW)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def test_project_mode_grades_in_a_copy_and_leaves_the_tree_alone(project: Path, sandbox: Sandbox) -> None:
    before = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    config = Config(
        cache=False,
        timer="instructions",
        project=ProjectConfig(build="make -s", test="./unit_test", bench="./bench", root=project.resolve()),
    )
    model = reward_model_for(config, project / "count.cpp", sandbox)
    verdicts = model.evaluate(SLOW, ["long count_below(", WRONG, FAST])
    model.close()
    assert [v.level for v in verdicts] == [Level.COMPILE_ERROR, Level.WRONG_ANSWER, Level.FASTER]
    assert "build command" in verdicts[0].compile_log
    assert "FAIL" in verdicts[1].reason
    after = {p.name: p.read_bytes() for p in project.iterdir() if p.is_file()}
    assert after == before, "project mode must never touch the user's tree"


def test_target_outside_the_project_is_refused(project: Path, sandbox: Sandbox, tmp_path: Path) -> None:
    from perfopt.errors import BadInputError

    config = Config(project=ProjectConfig(build="true", test="true", bench="true", root=project.resolve()))
    with pytest.raises(BadInputError, match="not inside the project root"):
        reward_model_for(config, tmp_path / "elsewhere.cpp", sandbox)

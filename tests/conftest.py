"""Shared fixtures: a real sandbox, real g++, and small C++ programs written on the fly."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfopt.sandbox import Sandbox

if shutil.which("g++") is None:
    pytest.exit("perfopt's tests need a real g++ on PATH", returncode=4)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("perfopt-cache")


@pytest.fixture(scope="session")
def sandbox(cache_dir: Path) -> Sandbox:
    return Sandbox("g++", cache_dir)


def compile_cpp(source: str, folder: Path, name: str = "prog") -> Path:
    """Compile outside the sandbox, for tests of the sandbox itself."""
    src = folder / f"{name}.cpp"
    src.write_text(source)
    binary = folder / name
    subprocess.run(["g++", "-O2", "-o", str(binary), str(src)], check=True)
    folder.chmod(0o755)
    binary.chmod(0o755)
    return binary


@pytest.fixture
def world_readable_tmp(tmp_path: Path) -> Iterator[Path]:
    """tmp_path opened up so that the sandbox's unprivileged uid can run binaries in it."""
    for p in [tmp_path, *tmp_path.parents]:
        if str(p) in ("/", "/tmp"):
            break
        p.chmod(p.stat().st_mode | 0o755)
    yield tmp_path


PREFIX_SLOW = r"""
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n; cin >> n;
    vector<long long> a(n);
    for (int i = 0; i < n; i++) cin >> a[i];
    long long s = 0;
    for (int i = 0; i < n; i++) { s += a[i]; cout << s << endl; }
}
"""

PREFIX_FAST = r"""
#include <cstdio>
#include <vector>
int main() {
    int n; if (scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (int i = 0; i < n; i++) scanf("%lld", &a[i]);
    long long s = 0;
    for (int i = 0; i < n; i++) { s += a[i]; printf("%lld\n", s); }
}
"""

#: Fast but wrong: the int sum overflows on large inputs.
PREFIX_WRONG = PREFIX_FAST.replace("long long s", "int s").replace('%lld\\n", s', '%d\\n", s')


def write_prefix_tests(folder: Path, n: int, seed: int = 1) -> Path:
    """A CodeNet-layout test folder: the tiny sample plus one input of ``n`` numbers."""
    import random

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "input.1.txt").write_text("5\n1 2 3 4 5\n")
    (folder / "output.1.txt").write_text("1\n3\n6\n10\n15\n")
    if n:
        rng = random.Random(seed)
        values = [rng.randint(-(10**9), 10**9) for _ in range(n)]
        (folder / "input.2.txt").write_text(f"{n}\n" + " ".join(map(str, values)) + "\n")
        sums, s = [], 0
        for v in values:
            s += v
            sums.append(str(s))
        (folder / "output.2.txt").write_text("\n".join(sums) + "\n")
    return folder

"""``perfopt verify`` through the real console entry point, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from perfopt.errors import VERIFY_LEVEL_BASE, ExitCode
from tests.conftest import PREFIX_FAST, PREFIX_SLOW, PREFIX_WRONG, write_prefix_tests


def perfopt(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perfopt", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env
    )


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    write_prefix_tests(tmp_path / "slow.tests", n=2000)
    slow, fast = tmp_path / "slow.cpp", tmp_path / "fast.cpp"
    slow.write_text(PREFIX_SLOW)
    fast.write_text(PREFIX_FAST)
    return slow, fast


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("perfopt: error: ")
    assert fragment in lines[0]


@pytest.mark.slow
def test_million_numbers_fast_io_is_r4_with_both_timers(tmp_path: Path) -> None:
    """The issue's acceptance case: cin/endl vs scanf/printf on 10^6 numbers."""
    write_prefix_tests(tmp_path / "slow.tests", n=1_000_000)
    slow, fast = tmp_path / "slow.cpp", tmp_path / "fast.cpp"
    slow.write_text(PREFIX_SLOW)
    fast.write_text(PREFIX_FAST)
    reports: dict[str, list[dict[str, float]]] = {}
    for timer in ("wall", "instructions", "instructions"):
        proc = perfopt("verify", slow, fast, "--timer", timer, "--json", "--no-cache", "--time-limit", "10")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads(proc.stdout)
        assert report["level"] == "R4"
        reports.setdefault(timer, []).append(report["timing"])
    first, second = reports["instructions"]
    assert first["baseline"] == second["baseline"] and first["candidate"] == second["candidate"]
    assert first["speedup"] >= 1.10


def test_text_report_and_exit_zero_for_r4(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    proc = perfopt("verify", slow, fast, "--timer", "instructions", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert "R4 correct and faster" in proc.stdout
    assert "by instruction count" in proc.stdout


def test_wrong_answer_is_r2(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    fast.write_text(PREFIX_WRONG)
    # Small sums do not overflow an int; this one does.
    (slow.parent / "slow.tests" / "input.3.txt").write_text("2\n2000000000 2000000000\n")
    (slow.parent / "slow.tests" / "output.3.txt").write_text("2000000000\n4000000000\n")
    proc = perfopt("verify", slow, fast, "--json", "--no-cache")
    assert proc.returncode == VERIFY_LEVEL_BASE + 2
    report = json.loads(proc.stdout)
    assert report["level"] == "R2"
    assert report["tests"][-1]["verdict"] == "wrong answer"


def test_non_compiling_candidate_is_r0_with_the_compiler_message(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    fast.write_text("int main() { return x; }\n")
    proc = perfopt("verify", slow, fast, "--no-cache")
    assert proc.returncode == VERIFY_LEVEL_BASE + 0
    assert "R0 does not compile" in proc.stdout
    assert "'x' was not declared" in proc.stdout


def test_hostile_candidate_is_r1_with_the_sandbox_reason(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    fast.write_text("#include <unistd.h>\nint main(){ for(;;) fork(); }\n")
    proc = perfopt("verify", slow, fast, "--json", "--no-cache", "--time-limit", "1")
    assert proc.returncode == VERIFY_LEVEL_BASE + 1
    report = json.loads(proc.stdout)
    assert report["level"] == "R1"
    assert report["tests"][0]["verdict"] in ("wall time limit exceeded", "CPU time limit exceeded")


def test_cached_second_run(pair: tuple[Path, Path], tmp_path: Path) -> None:
    slow, fast = pair
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    perfopt("verify", slow, fast, "--timer", "instructions", env=env)
    proc = perfopt("verify", slow, fast, "--timer", "instructions", env=env)
    assert "cached result" in proc.stdout


def test_missing_file(pair: tuple[Path, Path]) -> None:
    slow, _ = pair
    assert_one_line_error(perfopt("verify", slow, slow.parent / "nope.cpp"), ExitCode.BAD_INPUT, "no such file")


def test_binary_and_non_utf8_files(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    fast.write_bytes(b"\x7fELF\0\0\0")
    assert_one_line_error(perfopt("verify", slow, fast), ExitCode.BAD_INPUT, "binary file")
    fast.write_bytes(b"int main(){} // caf\xe9\n")
    assert_one_line_error(perfopt("verify", slow, fast), ExitCode.BAD_INPUT, "not UTF-8")


def test_huge_file(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    fast.write_text("// " + "x" * (2 << 20))
    assert_one_line_error(perfopt("verify", slow, fast), ExitCode.BAD_INPUT, "too large")


def test_not_cpp(pair: tuple[Path, Path]) -> None:
    slow, _ = pair
    other = slow.parent / "notes.txt"
    other.write_text("hi")
    assert_one_line_error(perfopt("verify", slow, other), ExitCode.BAD_INPUT, "not a C++ source")


def test_no_tests(tmp_path: Path) -> None:
    a, b = tmp_path / "a.cpp", tmp_path / "b.cpp"
    a.write_text(PREFIX_SLOW)
    b.write_text(PREFIX_FAST)
    assert_one_line_error(perfopt("verify", a, b), ExitCode.NO_TESTS, "no tests for")


def test_original_that_does_not_compile(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    slow.write_text("int main( {\n")
    assert_one_line_error(perfopt("verify", slow, fast, "--no-cache"), ExitCode.BAD_INPUT, "original does not compile")


def test_original_failing_its_tests(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    slow.write_text("int main(){}\n")
    assert_one_line_error(perfopt("verify", slow, fast, "--no-cache"), ExitCode.BASELINE_FAILS, "fails its own tests")


def test_no_compiler_on_path(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    assert_one_line_error(perfopt("verify", slow, fast, "--no-cache", env=env), ExitCode.NO_COMPILER, "not found")


def test_unknown_compiler(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    proc = perfopt("verify", slow, fast, "--compiler", "g++-does-not-exist")
    assert_one_line_error(proc, ExitCode.NO_COMPILER, "g++-does-not-exist")


def test_bad_config_value(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    (slow.parent / "perfopt.toml").write_text("timer = 'sundial'\n")
    assert_one_line_error(perfopt("verify", slow, fast), ExitCode.CONFIG, "timer must be one of")


def test_bad_flag_value(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    assert_one_line_error(perfopt("verify", slow, fast, "--min-speedup", "0.5"), ExitCode.CONFIG, "min_speedup")


def test_usage_error_exit_code(pair: tuple[Path, Path]) -> None:
    slow, _ = pair
    assert perfopt("verify", slow).returncode == ExitCode.USAGE


def test_user_files_are_untouched(pair: tuple[Path, Path]) -> None:
    slow, fast = pair
    folder = slow.parent
    before = sorted((p.relative_to(folder), p.read_bytes()) for p in folder.rglob("*") if p.is_file())
    perfopt("verify", slow, fast, "--no-cache")
    after = sorted((p.relative_to(folder), p.read_bytes()) for p in folder.rglob("*") if p.is_file())
    assert before == after


def test_help_is_quick_and_does_not_import_torch() -> None:
    code = "import sys, perfopt.cli; assert 'torch' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0

"""The cost timer: instructions plus weighted system calls, from one valgrind run, deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perfopt.errors import PerfoptError
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing import CostTimer, InstructionTimer, Invocation
from perfopt.timing import weights as cost_weights
from perfopt.timing.syscalls import parse
from tests.conftest import compile_cpp

#: Prints 0..n-1, one per line, ending each line with ``END``.
PRINTS = (
    "#include <iostream>\nint main() {{ int n; std::cin >> n; for (int i = 0; i < n; i++) std::cout << i << {end}; }}\n"
)
#: A compute loop whose count the rewrite divides, with the same output calls on both sides.
LOOP = (
    "#include <cstdio>\n"
    'int main(){{ volatile long x = 0; for (long i = 0; i < {n}; i++) x += i; printf("%ld\\n", (long)x); }}'
)


@pytest.fixture
def thousands(world_readable_tmp: Path) -> Path:
    stdin = world_readable_tmp / "n.txt"
    stdin.write_text("6000\n")
    stdin.chmod(0o644)
    return stdin


def test_endl_to_newline_reads_faster_by_cost_and_the_same_every_run(
    sandbox: Sandbox, world_readable_tmp: Path, thousands: Path
) -> None:
    slow = compile_cpp(PRINTS.format(end="std::endl"), world_readable_tmp, "endl")
    fast = compile_cpp(PRINTS.format(end="'\\n'"), world_readable_tmp, "newline")
    a, b = Invocation((str(slow),), stdin=thousands), Invocation((str(fast),), stdin=thousands)
    weights = cost_weights.builtin()
    first = CostTimer(sandbox, Limits(), weights).compare([a], [b])
    second = CostTimer(sandbox, Limits(), weights).compare([a], [b])
    assert first == second
    assert first.unit == "cost" and first.noise == 0.0
    # 6,000 flushes are 6,000 write calls; a buffered stream makes a handful.
    assert first.speedup >= 1.3
    assert "write 6,0" in first.detail and "built-in weights" in first.detail
    assert "by cost" in first.describe()
    # The calls are what the instruction count misses.
    instructions = InstructionTimer(sandbox, Limits()).compare([a], [b])
    assert first.speedup > instructions.speedup * 1.2


def test_an_algorithmic_rewrite_reads_as_it_does_by_instructions(sandbox: Sandbox, world_readable_tmp: Path) -> None:
    # Runs the size of a stress test (tens of ms): a process's fixed cost (exec, loading; about 7M
    # instruction-equivalents with the built-in weights) is then a small part of either side, as it
    # is of their wall times. On a 2 ms run it would pull the ratio toward 1, as it pulls wall time.
    slow = Invocation((str(compile_cpp(LOOP.format(n=60_000_000), world_readable_tmp, "slow")),))
    fast = Invocation((str(compile_cpp(LOOP.format(n=40_000_000), world_readable_tmp, "fast")),))
    cost = CostTimer(sandbox, Limits(), cost_weights.builtin()).compare([slow], [fast])
    instructions = InstructionTimer(sandbox, Limits()).compare([slow], [fast])
    assert instructions.speedup > 1.4
    # Same calls on both sides: only the fixed part separates the two ratios.
    assert "system calls" in cost.detail
    assert abs(cost.speedup / instructions.speedup - 1) < 0.02


def test_calls_that_cannot_all_be_counted_fall_back_to_instructions_with_a_warning(
    sandbox: Sandbox, world_readable_tmp: Path
) -> None:
    # A child left running when the program ends is killed with the run: its exit is never logged,
    # so the count of its calls may be short.
    leaves_a_child = compile_cpp(
        '#include <unistd.h>\n#include <cstdio>\nint main(){ if (fork() == 0) { pause(); } printf("done\\n"); }',
        world_readable_tmp,
        "orphan",
    )
    plain = compile_cpp(LOOP.format(n=1000), world_readable_tmp, "plain")
    timing = CostTimer(sandbox, Limits(wall_seconds=20), cost_weights.builtin()).compare(
        [Invocation((str(plain),))], [Invocation((str(leaves_a_child),))]
    )
    assert timing.unit == "instructions"
    assert timing.detail.startswith("warning: system calls not counted")
    assert "compared by instructions alone" in timing.describe()


def test_closing_every_descriptor_does_not_hide_calls(sandbox: Sandbox, world_readable_tmp: Path) -> None:
    # valgrind logs through its own copy of the descriptor: the program's copy closing changes nothing.
    closer = compile_cpp(
        "#include <unistd.h>\n#include <cstdio>\n"
        'int main(){ for (int fd = 3; fd < 1000; fd++) close(fd); for (int i = 0; i < 100; i++) printf("%d\\n", i); }',
        world_readable_tmp,
        "closer",
    )
    _, calls = CostTimer(sandbox, Limits(), cost_weights.builtin()).measure(Invocation((str(closer),)))
    assert calls.complete
    assert calls.calls["close"] >= 997


def test_the_log_parser_counts_calls_bytes_and_exits() -> None:
    log = b"""==1== Cachegrind, a cache and branch-prediction profiler
SYSCALL[7,1](0) sys_read ( 0, 0x1ffeffee28, 4096 ) --> [async] ...
SYSCALL[7,1](0) ... [async] --> Success(0x340)
SYSCALL[7,1](1) sys_write ( 1, 0x4047ec0, 5 ) --> [async] ...
SYSCALL[7,1](1) ... [async] --> Success(0x5)
SYSCALL[7,1](9) sys_mmap ( 0x0, 4096, 3, 34, -1, 0 ) --> [pre-success] Success(0x4035000)
SYSCALL[7,1](17) sys_pread64 ( 3, 0x1ffefff0e0, 784, 64 )[sync] --> Success(0x310)
SYSCALL[7,1](257) sys_openat ( 4294967196, 0x4034bb0(/etc/x), 524288 ) --> [async] ...
SYSCALL[7,1](257) ... [async] --> Failure(0x2)
SYSCALL[7,1](9) sys_mmap ( 0x0, 16400, 1, 2050, 4, 0 ) --> [pre-success] Success(0x4837000)
SYSCALL[7,1](12) sys_brk ( 0x0 ) --> [pre-success] Success(0x4035000)
SYSCALL[7,1](12) sys_brk ( 0x4056000 ) --> [pre-success] Success(0x4056000)
SYSCALL[7,1](12) sys_brk ( 0x4046000 ) --> [pre-success] Success(0x4046000)
SYSCALL[7,1](231) exit_group( 0 ) --> [pre-success] Success(0x0)
"""
    calls = parse(log)
    assert calls.calls == {
        "read": 1,
        "write": 1,
        "mmap": 2,
        "pread64": 1,
        "openat": 1,
        "brk": 3,
        "exit_group": 1,
    }
    # Bytes read and written are the results; memory mapped is anonymous mmaps (flags 34, not the
    # file's 2050); brk's heap steps are counted as calls only.
    assert calls.moved == {"read": 0x340, "write": 5, "pread64": 0x310, "mmap": 4096}
    assert calls.process_count == 1 and (calls + calls).process_count == 2
    assert calls.complete
    # A process whose exit the log never records was cut short.
    assert not parse(log.replace(b"exit_group", b"getpid")).complete
    assert list(calls.messages) == ["==1== Cachegrind, a cache and branch-prediction profiler"]


def test_weights_come_from_the_calibration_when_there_is_one(tmp_path: Path) -> None:
    builtin = cost_weights.builtin()
    assert cost_weights.load(tmp_path).source == builtin.source
    assert builtin.source.startswith("built-in weights (")
    # Every call the probe measures has a built-in weight, and an unnamed call the fallback.
    assert builtin.call_instructions("write") > builtin.call_instructions("getpid") > 0
    assert builtin.call_instructions("pwrite64") == builtin.call_instructions("write")
    mine = cost_weights.CostWeights(0.5, {"write": 1000.0}, {"write": 0.5}, 100.0, "calibrated here")
    cost_weights.save(mine, tmp_path)
    loaded = cost_weights.load(tmp_path)
    assert loaded == mine
    assert loaded.call_instructions("write") == 2000.0 and loaded.byte_instructions("writev") == 1.0
    # A damaged calibration is an error that says what to do, never a silent switch to other weights.
    (tmp_path / cost_weights.CALIBRATION_FILE).write_text(json.dumps({"ns_per_instruction": -1}))
    with pytest.raises(PerfoptError, match="perfopt calibrate"):
        cost_weights.load(tmp_path)

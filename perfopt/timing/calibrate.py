"""Measure the ``cost`` timer's weights on this machine: time per instruction, per call and per byte.

One small C++ program does each kind of work many times and times itself
with the monotonic clock (a vDSO read, not a system call), so that process
start-up is not in the figure. It runs in perfopt's own jail, so that calls
meet the same file system, limits and namespaces as a candidate's: ``write``
goes to a regular file, as a candidate's stdout does. Each measurement is
repeated; the weight is the median and the noise the interquartile range
over the median.

A per-call time includes the libc wrapper around the call (a few dozen
instructions, also counted as instructions): a few nanoseconds against the
710 ns of a ``write`` here.
"""

from __future__ import annotations

import math
import platform
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from perfopt.errors import PerfoptError
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing.instructions import InstructionTimer
from perfopt.timing.interface import Invocation
from perfopt.timing.wall import spread
from perfopt.timing.weights import CostWeights

#: ``probe OP N`` prints the nanoseconds N repetitions of OP took.
PROBE = r"""
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <linux/futex.h>
#include <string>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

static char buf[1 << 16];

static void *page() { return mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); }

int main(int argc, char **argv) {
    std::string op = argv[1];
    long n = atol(argv[2]);
    long sink = 0;
    int fd = -1;
    std::vector<void *> maps;
    // The kernels' input, made before the clock starts: n pseudo-random numbers, and as text.
    std::vector<unsigned> v;
    std::string text;
    if (op.rfind("kernel.", 0) == 0) {
        unsigned x = 12345;
        for (long i = 0; i < n; i++) v.push_back(x = x * 1103515245u + 12345u);
        std::ostringstream o;
        for (long i = 0; i < n; i++) o << v[i] % 1000000 << '\n';
        text = o.str();
    }
    if (op == "read1" || op == "read64k") {
        long size = op == "read1" ? n : n << 16;
        fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600);
        for (long left = size; left > 0; left -= sizeof buf) sink += write(fd, buf, std::min<long>(left, sizeof buf));
        lseek(fd, 0, SEEK_SET);
    }
    if (op == "munmap") {
        for (long i = 0; i < n; i++) maps.push_back(page());
    }
    auto start = std::chrono::steady_clock::now();
    if (op == "kernel.sort") { std::sort(v.begin(), v.end()); sink += v[n / 2]; }
    else if (op == "kernel.hash") {
        std::unordered_map<unsigned, int> seen;
        for (long i = 0; i < n; i++) sink += ++seen[v[i] % (n / 4 + 1)];
    }
    else if (op == "kernel.parse") { std::istringstream in(text); long a; while (in >> a) sink += a; }
    else if (op == "kernel.format") {
        std::ostringstream o;
        for (long i = 0; i < n; i++) o << v[i] << '\n';
        sink += o.str().size();
    }
    else if (op == "kernel.scan") {
        std::vector<long> prefix(n + 1);
        for (int round = 0; round < 20; round++) for (long i = 0; i < n; i++) prefix[i + 1] = prefix[i] + v[i] % 7;
        sink += prefix[n];
    }
    else if (op == "kernel.scanf") {
        FILE *f = fmemopen((void *)text.data(), text.size(), "r");
        long a;
        while (fscanf(f, "%ld", &a) == 1) sink += a;
        fclose(f);
    }
    else if (op == "write1") for (long i = 0; i < n; i++) sink += write(1, buf, 1);
    else if (op == "write64k") for (long i = 0; i < n; i++) sink += write(1, buf, sizeof buf);
    else if (op == "read1") for (long i = 0; i < n; i++) sink += read(fd, buf, 1);
    else if (op == "read64k") for (long i = 0; i < n; i++) sink += read(fd, buf, sizeof buf);
    else if (op == "brk") {
        // Grow and shrink by a page, so that the heap (and the kernel's work per call) stays the same.
        for (long i = 0; i < n / 2; i++) sink += ((long)sbrk(4096) & 1) + ((long)sbrk(-4096) & 1);
    }
    else if (op == "mmap") { for (long i = 0; i < n; i++) maps.push_back(page()); }
    else if (op == "munmap") { for (void *p : maps) sink += munmap(p, 4096); }
    else if (op == "futex") {
        int word = 0;
        for (long i = 0; i < n; i++) sink += syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }
    else if (op == "other") for (long i = 0; i < n; i++) sink += syscall(SYS_getppid);
    else if (op == "touch") {
        // n MiB of fresh anonymous memory, one write a page: the page faults and zeroing it costs.
        char *p = (char *)mmap(nullptr, n << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (long i = 0; i < (n << 20); i += 4096) p[i] = 1;
        sink += p[4096];
    }
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    fprintf(stderr, "%lld %ld\n", (long long)ns, sink & 1);
    return 0;
}
"""

#: Each probe: how many repetitions, and which weight it measures.
CALLS = {"write": ("write1", 20_000), "read": ("read1", 50_000), "brk": ("brk", 5_000)}
CALLS |= {"mmap": ("mmap", 5_000), "munmap": ("munmap", 5_000), "futex": ("futex", 50_000)}
OTHER = ("other", 50_000)
#: Per-byte probes: 64 KiB calls against the single-byte ones.
BYTES = {"write": ("write64k", 96), "read": ("read64k", 512)}
#: Mapped memory, touched page by page: MiB per run.
TOUCH = ("touch", 256)
#: Kinds of user-space work whose speed per instruction differs up to 6x (IPC: a mispredicted sort, a
#: hash map's cache misses, parsing and formatting, a streaming scan): the weight is their geometric mean.
KERNELS = ("sort", "hash", "parse", "format", "scan", "scanf")
KERNEL_N = 400_000


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float
    noise: float
    unit: str


def calibrate(
    sandbox: Sandbox, compiler: str = "g++", repeats: int = 7, progress: Callable[[str], None] = lambda _: None
) -> tuple[CostWeights, list[Measurement]]:
    """Measure every weight ``repeats`` times here; returns the weights and what was measured."""
    folder = sandbox.make_workdir("perfopt-calibrate-")
    try:
        binary = _build(sandbox, compiler, folder)
        limits = Limits(cpu_seconds=20, wall_seconds=60, memory_bytes=2 << 30, output_bytes=64 << 20)

        def timed(op: str, n: int) -> tuple[float, float]:
            """Median and noise of the ns one repetition of ``op`` takes, over ``repeats`` runs."""
            per = [_run(sandbox, binary, limits, op, n) / n for _ in range(repeats)]
            return statistics.median(per), spread(per)

        measured: list[Measurement] = []
        progress("instructions")
        counter = InstructionTimer(sandbox, limits)
        per_kernel: list[float] = []
        noise: dict[str, float] = {}
        for kernel in KERNELS:
            op = f"kernel.{kernel}"
            kernel_ns, noise[f"instruction ({kernel})"] = timed(op, KERNEL_N)
            # The kernel's instructions alone: the run's less a run that makes the same input and stops.
            full = counter.count(Invocation((str(binary), op, str(KERNEL_N))))
            setup = counter.count(Invocation((str(binary), "kernel.none", str(KERNEL_N))))
            per_kernel.append(kernel_ns * KERNEL_N / (full - setup))
            measured.append(
                Measurement(f"instruction ({kernel})", per_kernel[-1], noise[f"instruction ({kernel})"], "ns")
            )
        ns_per_instruction = math.exp(statistics.mean(math.log(x) for x in per_kernel))
        # The kernels differ by design; the weight's own noise is that of its least steady kernel.
        noise["instruction"] = max(noise[f"instruction ({k})"] for k in KERNELS)
        measured.append(Measurement("instruction", ns_per_instruction, noise["instruction"], "ns, geometric mean"))
        call_ns: dict[str, float] = {}
        for name, (op, n) in CALLS.items():
            progress(name)
            call_ns[name], noise[name] = timed(op, n)
            measured.append(Measurement(name, call_ns[name], noise[name], "ns/call"))
        progress("other calls")
        other, noise["other"] = timed(*OTHER)
        measured.append(Measurement("other (getppid)", other, noise["other"], "ns/call"))
        byte_ns: dict[str, float] = {}
        for name, (op, n) in BYTES.items():
            progress(f"{name} bytes")
            big, big_noise = timed(op, n)
            byte_ns[name] = max(0.0, (big - call_ns[name]) / ((1 << 16) - 1))
            noise[f"{name} bytes"] = big_noise
            measured.append(Measurement(f"{name} byte", byte_ns[name], big_noise, "ns/byte"))
        progress("mapped bytes")
        touched, noise["map bytes"] = timed(*TOUCH)
        byte_ns["map"] = touched / (1 << 20)
        measured.append(Measurement("mapped byte", byte_ns["map"], noise["map bytes"], "ns/byte"))
        source = f"calibrated on {platform.node() or 'this machine'}, {time.strftime('%Y-%m-%d')}"
        weights = CostWeights(ns_per_instruction, call_ns, byte_ns, other, source, noise)
        progress("process start")
        process, noise["process"] = _process_ns(sandbox, binary, limits, weights, repeats)
        measured.append(Measurement("process", process, noise["process"], "ns"))
        return replace(weights, process_ns=process), measured
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _process_ns(
    sandbox: Sandbox, binary: Path, limits: Limits, weights: CostWeights, repeats: int
) -> tuple[float, float]:
    """A run that does nothing, from exec to exit, less what its instructions and calls account for."""
    # Imported here: the cost timer imports the weights this module makes.
    from perfopt.timing.cost import CostTimer

    idle = Invocation((str(binary), "none", "0"))
    instructions, calls = CostTimer(sandbox, limits, weights).measure(idle)
    counted = (instructions + weights.kernel(calls)) * weights.ns_per_instruction
    runs = [sandbox.run(list(idle.argv), limits) for _ in range(repeats)]
    if not all(r.ok for r in runs):
        raise PerfoptError("calibration probe failed to start and exit")
    walls = [r.wall_seconds * 1e9 for r in runs]
    return max(0.0, statistics.median(walls) - counted), spread(walls)


def _build(sandbox: Sandbox, compiler: str, folder: Path) -> Path:
    # Imported here: perfopt.reward imports the timers, this module among them.
    from perfopt.reward.compiler import Compiler

    built = Compiler(sandbox, compiler, ("-std=c++17", "-O2")).compile(PROBE, folder)
    if built.binary is None:
        raise PerfoptError(f"could not build the calibration probe with {compiler}: {built.log[-300:]}")
    return built.binary


def _run(sandbox: Sandbox, binary: Path, limits: Limits, op: str, n: int) -> float:
    result = sandbox.run([str(binary), op, str(n)], limits)
    if not result.ok:
        raise PerfoptError(f"calibration probe {op} failed: {result.reason}")
    return float(result.stderr.split()[0])

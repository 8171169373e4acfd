"""System calls a run made, read from valgrind's ``--trace-syscalls`` log.

Why valgrind, and not seccomp or ptrace: the ``cost`` timer already runs
every program under cachegrind for its instruction count, and valgrind traces
the client's system calls in that same run. Measured on a program that makes
6,000 ``write`` calls: tracing adds 0.03 s to a 0.31 s cachegrind run (+9%),
while ``strace -c`` (ptrace) is a second run of its own at about 18 us a call
(0.11 s), and needs ptrace where the sandbox may not allow it. seccomp-bpf can
allow or deny a call but cannot count one without handing it to a tracer.

The log arrives through a pipe (``--log-fd``), not a file in the program's
folder: a file there counts against the run's output limit and is the
program's to rewrite. valgrind logs through its own duplicate of the
descriptor, so the program closing its copy hides nothing, and anything it
writes to it can only add calls, never remove them. A process whose exit the
log never records (killed with the run, or outliving it) may have made calls
that were not counted: the log is then incomplete, and the timer says so.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

#: ``SYSCALL[pid,tid](nr) sys_write ( 1, 0x4047ec0, 5 ) --> [async] ...`` opens a call.
_CALL = re.compile(rb"SYSCALL\[(\d+),(\d+)\]\((\d+)\) (?:sys_)?([a-z_0-9]+) ?\(")
#: ``SYSCALL[pid,tid](nr) ... [async] --> Success(0x5)`` ends an asynchronous one.
_ASYNC_END = re.compile(rb"SYSCALL\[(\d+),(\d+)\]\((\d+)\) \.\.\. \[async\] --> Success\(0x([0-9a-f]+)\)")
_SYNC_END = re.compile(rb"--> (?:\[pre-success\] |\[sync\] )?Success\(0x([0-9a-f]+)\)")
#: ``[sync] --> Success`` follows the argument list directly, without a space.
_SYNC_END_TIGHT = re.compile(rb"\)\[sync\] --> Success\(0x([0-9a-f]+)\)")

#: Calls whose result is a count of bytes moved, by the direction they move them.
FAMILIES = {
    "read": "read",
    "pread64": "read",
    "readv": "read",
    "preadv": "read",
    "preadv2": "read",
    "recvfrom": "read",
    "recvmsg": "read",
    "write": "write",
    "pwrite64": "write",
    "writev": "write",
    "pwritev": "write",
    "pwritev2": "write",
    "sendto": "write",
    "sendmsg": "write",
    "sendfile": "write",
    # Memory the process maps: its pages are faulted in and zeroed by the kernel as they are touched.
    # Not brk: malloc grows the heap in 128 KiB steps it mostly leaves untouched, and counting them made
    # sync_with_stdio(false), whose buffers grow the heap once more, read 5% slower on small tests.
    "mmap": "map",
}
#: mmap's flag for memory backed by no file (MAP_ANONYMOUS): a file's pages come from the page cache.
_MAP_ANONYMOUS = 0x20
#: The calls that end a process: a log without one for every process was cut short.
_EXITS = (b"exit_group", b"exit")


@dataclass
class Syscalls:
    """Counts per call name, and bytes per call name (read, written, mapped), over every process."""

    calls: Counter[str] = field(default_factory=Counter)
    moved: Counter[str] = field(default_factory=Counter)
    #: Processes seen in the log, and those whose exit it records.
    processes: set[int] = field(default_factory=set)
    exited: set[int] = field(default_factory=set)
    #: valgrind's own last messages (not call lines), for errors.
    messages: deque[str] = field(default_factory=lambda: deque(maxlen=8))
    #: Processes of other runs summed into this one (pids repeat across runs, so only counts add up).
    merged: int = 0

    @property
    def process_count(self) -> int:
        return len(self.processes) + self.merged

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def complete(self) -> bool:
        return bool(self.processes) and self.processes <= self.exited

    def __add__(self, other: Syscalls) -> Syscalls:
        return Syscalls(
            self.calls + other.calls, self.moved + other.moved, merged=self.process_count + other.process_count
        )


class SyscallLog:
    """Parses the log line by line, as valgrind writes it."""

    def __init__(self) -> None:
        self.result = Syscalls()
        #: The open asynchronous call of each thread: its name, until its result line.
        self._pending: dict[tuple[bytes, bytes], str] = {}

    def feed(self, line: bytes) -> None:
        call = _CALL.search(line)
        if call is None:
            end = _ASYNC_END.search(line)
            if end is not None:
                name = self._pending.pop((end[1], end[2]), None)
                if name is not None and name in FAMILIES:
                    self.result.moved[name] += int(end[4], 16)
            elif b"SYSCALL[" not in line and line.strip() and not line.lstrip().startswith(b"-->"):
                self.result.messages.append(line.decode("utf-8", "replace").rstrip())
            return
        pid, tid, name_bytes = call[1], call[2], call[4]
        name = name_bytes.decode()
        self.result.calls[name] += 1
        self.result.processes.add(int(pid))
        if name_bytes in _EXITS:
            self.result.exited.add(int(pid))
        if name == "mmap":
            self._mmap(line)
            return
        if name not in FAMILIES:
            return
        if b"[async] ..." in line:
            self._pending[(pid, tid)] = name
            return
        done = _SYNC_END_TIGHT.search(line) or _SYNC_END.search(line)
        if done is not None:
            self.result.moved[name] += int(done[1], 16)

    def _mmap(self, line: bytes) -> None:
        """``sys_mmap ( addr, length, prot, flags, fd, offset )``: anonymous lengths only."""
        args = line.partition(b" ( ")[2].partition(b" )")[0].split(b", ")
        try:
            length, flags = int(args[1], 0), int(args[3], 0)
        except (IndexError, ValueError):
            return
        if flags & _MAP_ANONYMOUS:
            self.result.moved["mmap"] += length


def parse(text: bytes) -> Syscalls:
    log = SyscallLog()
    for line in text.splitlines():
        log.feed(line)
    return log.result


class PipeReader:
    """Reads a log from a pipe in a thread while the program runs: a busy program's log is large."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self._log = SyscallLog()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with os.fdopen(self.read_fd, "rb", buffering=1 << 16) as pipe:
            for line in pipe:
                self._log.feed(line)

    def close_writer(self) -> None:
        """Once the program was started (the child holds its copy), or if it never will be."""
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    def result(self, timeout: float = 30.0) -> Syscalls:
        """The counts once every writer closed the pipe: the program and all it started have ended.

        A process that outlives the run (no PID namespace to end it) keeps the pipe open; after
        ``timeout`` the log is taken as it is, and a process without a recorded exit marks it incomplete.
        """
        self.close_writer()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._log.result.processes.add(-1)  # a writer that never closed: a process never recorded as ended
        return self._log.result

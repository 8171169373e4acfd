"""Where the instructions go: a per-line profile of the original program on its tests.

The instructions timer already runs programs under cachegrind; built with
``-g``, the same run charges every instruction to a source line. The profile
keeps, for the user's own file, the instructions executed on each line
(inlined code included, where the compiler kept the line), summed over the
tests. Library code reached through calls (``memmove`` for a copied vector,
``operator>>``) is charged to the library, not to the calling line: this is
an exclusive profile, which says which of the file's lines and functions run
hot, not everything they cause.

Generators use it to put the rewrites of hot code first when the candidate
budget cannot hold them all; the model's windows (issue 18) will rank by it.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from perfopt.reward.compiler import Compiler
from perfopt.sandbox import Limits, Sandbox
from perfopt.timing.instructions import InstructionTimer
from perfopt.timing.interface import Invocation, TimingError

#: The name the source is compiled under (perfopt.reward.compiler writes prog.cpp).
SOURCE_NAME = "prog.cpp"


@dataclass(frozen=True)
class Profile:
    """Instructions per line (1-based) of the profiled source, summed over its tests."""

    lines: Mapping[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.lines.values())

    def cost(self, first: int, last: int) -> int:
        """Instructions on lines ``first``..``last`` inclusive."""
        return sum(n for line, n in self.lines.items() if first <= line <= last)

    def to_json(self) -> str:
        return json.dumps({str(k): v for k, v in sorted(self.lines.items())})

    @classmethod
    def from_json(cls, text: str) -> Profile:
        return cls({int(k): int(v) for k, v in json.loads(text).items()})


def parse_cachegrind(text: str, source: str = SOURCE_NAME) -> dict[int, int]:
    """Per-line instruction counts of ``source`` from one cachegrind output file.

    The format is line based: ``fl=`` names the file of the lines that follow,
    ``fi=``/``fe=`` the file of inlined code within them, ``fn=`` the function,
    and ``LINE COUNT`` charges instructions to a line of the current file.
    """
    lines: dict[int, int] = {}
    current = inlined = ""
    for row in text.splitlines():
        if row.startswith("fl="):
            current, inlined = row[3:], ""
        elif row.startswith(("fi=", "fe=")):
            inlined = row[3:]
        elif row[:1].isdigit():
            name = inlined or current
            if name == source or name.endswith("/" + source):
                number, count = row.split()[:2]
                lines[int(number)] = lines.get(int(number), 0) + int(count)
    return lines


class Profiler:
    """Builds a program with ``-g`` and runs it under cachegrind on each input."""

    def __init__(self, compiler: Compiler, sandbox: Sandbox, limits: Limits, inputs: Sequence[Path]) -> None:
        self.compiler = copy.copy(compiler)
        # -g changes no generated code in g++ or clang; it only adds the line tables the profile reads.
        self.compiler.flags = (*compiler.flags, "-g")
        self.sandbox = sandbox
        self.limits = limits
        self.inputs = list(inputs)

    def run(self, source: str) -> Profile:
        """The profile of ``source`` on every input; raises TimingError when it cannot be had."""
        timer = InstructionTimer(self.sandbox, self.limits)
        workdir = self.sandbox.make_workdir("perfopt-profile-")
        try:
            built = self.compiler.compile(source, workdir)
            if not built.ok or built.binary is None:
                # Say why: on a loaded machine the usual cause is the compile's time limit, not the code.
                why = built.log.splitlines()[0] if built.log else "no binary"
                raise TimingError(f"the original does not compile with -g: {why}")
            totals: dict[int, int] = {}
            stdins: list[Path | None] = [*self.inputs] or [None]
            for stdin in stdins:
                for text in timer.outputs(Invocation((str(built.binary),), stdin=stdin)):
                    for line, n in parse_cachegrind(text).items():
                        totals[line] = totals.get(line, 0) + n
            return Profile(totals)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

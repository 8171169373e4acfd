"""Map corpus files to CodeNet problems, so that their tests can judge them.

AtCoder archives name files ``abc213/abc213_e_34120161_AC.cpp``: task id,
submission id, judge verdict. A task id maps to a CodeNet problem by joining
the AtCoder task list's name with the part of problem_list.csv's name after
" - ", disambiguated by contest where a name repeats.
"""

from __future__ import annotations

import atexit
import csv
import json
import lzma
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from perfopt.reward.compiler import Compiler
from perfopt.sandbox import Sandbox

_FILE = re.compile(r"^(?P<task>[a-z0-9]+_[a-z0-9]+)_(?P<submission>\d+)_(?P<verdict>[A-Z]+)\.cpp$")
_CONTEST = re.compile(r"^AtCoder (Beginner|Regular|Grand) Contest (\d+)")


@dataclass(frozen=True)
class Solution:
    problem_id: str
    repo: str
    path: str
    #: The judge's verdict from the file name: AC, WA, TLE, RE, ...
    verdict: str
    code: str


def corpus(shared: Path) -> Iterator[dict[str, str]]:
    return read_corpus(shared / "cpp-corpus" / "corpus.jsonl.xz")


def read_corpus(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a corpus file (JSONL, xz-compressed or not): ``{"repo", "path", "license", "code"}``."""
    with (lzma.open if path.suffix == ".xz" else open)(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _contest_id(codenet_name: str) -> str | None:
    m = _CONTEST.match(codenet_name)
    if not m:
        return None
    return {"Beginner": "abc", "Regular": "arc", "Grand": "agc"}[m.group(1)] + f"{int(m.group(2)):03d}"


def atcoder_tasks(shared: Path) -> dict[str, str]:
    """AtCoder task id (``abc123_d``) -> CodeNet problem id (``p03033``)."""
    tasks = json.loads((shared / "pie" / "atcoder_problems.json").read_text())
    by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for t in tasks:
        by_name[t["name"]].append(t)
    mapping: dict[str, str] = {}
    with (shared / "pie" / "problem_list.csv").open() as f:
        for row in csv.DictReader(f):
            if row["dataset"] != "AtCoder" or " - " not in row["name"]:
                continue
            prefix, name = row["name"].split(" - ", 1)
            matches = by_name.get(name, [])
            contest = _contest_id(prefix)
            if len(matches) > 1 and contest:
                matches = [t for t in matches if t["contest_id"] == contest]
            if len(matches) == 1:
                mapping[matches[0]["id"]] = row["id"]
    return mapping


def mine(shared: Path) -> dict[str, list[Solution]]:
    """Every corpus file that maps to a CodeNet problem, grouped by problem."""
    tasks = atcoder_tasks(shared)
    found: dict[str, list[Solution]] = defaultdict(list)
    for row in corpus(shared):
        m = _FILE.match(row["path"].rsplit("/", 1)[-1])
        if m and m.group("task") in tasks:
            problem = tasks[m.group("task")]
            found[problem].append(Solution(problem, row["repo"], row["path"], m.group("verdict"), row["code"]))
    return dict(found)


def oracle_compiler(shared: Path, flags: list[str], sandbox: Sandbox) -> Compiler:
    """g++ with the corpus's AtCoder Library headers on the include path, for mined solutions.

    The headers go to a folder the sandbox's unprivileged uid can read (g++
    refuses an unreadable -I), removed when the process exits.
    """
    include = acl_headers(shared, sandbox.make_workdir("perfopt-acl-"))
    atexit.register(shutil.rmtree, include, True)
    return Compiler(sandbox, "g++", [*flags, f"-I{include}"])


def acl_headers(shared: Path, into: Path) -> Path:
    """The AtCoder Library headers from the corpus, so that solutions using it compile.

    They are third-party training data: written to a work folder, never shipped.
    """
    folder = into / "atcoder"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for row in corpus(shared):
        if row["repo"] == "atcoder/ac-library" and row["path"].startswith("atcoder/") and row["path"].endswith(".hpp"):
            (into / row["path"]).write_text(row["code"])
            names.append(row["path"])
            # Upstream ships each header also without ".hpp", and the headers include those.
            (into / row["path"][: -len(".hpp")]).write_text(f'#include "{row["path"]}"\n')
    (folder / "all").write_text("".join(f'#include "{n}"\n' for n in sorted(names)))
    return into

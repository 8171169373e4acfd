"""What each corpus file is to the data engine: a whole program or library code, its problem, its split.

Splits follow what could leak. Competitive programs split by problem: an AtCoder file by its task (the
CodeNet problem where the task maps to one, so that the split agrees with ``training.data.pairs`` and the
validation programs), any other by its own path, the only problem identity it has. Library code splits by a
hash of the file's code, so a file vendored into two repositories lands on one side.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from perfopt.rewrite import Parsed
from training.data.pairs import split_of
from training.data.problems import atcoder_tasks

_ATCODER_FILE = re.compile(r"^(?P<task>[a-z0-9]+_[a-z0-9]+)_(?P<submission>\d+)_(?P<verdict>[A-Z]+)\.cpp$")
#: Above this share of unparsed top-level code a file is skipped; below, rules keep to its clean items anyway.
_UNPARSED_SHARE = 0.9
#: Top-level nodes no C++ file has at file scope: what is left of a file the parser could not follow.
_LOOSE = frozenset(["identifier", "primitive_type", "expression_statement", "number_literal", "string_literal"])


@dataclass(frozen=True)
class Program:
    repo: str
    path: str
    code: str
    #: "program" (has main) or "library" (a library repository's file without main).
    kind: str
    #: What the split keys on: "codenet:p02555", "atcoder:abc213_e", "file:repo:path" or "hash:<sha256>".
    problem: str
    split: str
    #: CodeNet problem whose tests can judge it, or None.
    problem_id: str | None = None
    #: The judge's verdict from an AtCoder file name (AC, TLE, ...), or None.
    verdict: str | None = None

    @property
    def origin(self) -> str:
        return f"{self.repo}:{self.path}"


def normalized_hash(code: str) -> str:
    """Equal for two files that differ only in blanks: a copy of a validation program is one."""
    return hashlib.sha256("".join(code.split()).encode()).hexdigest()


def library_repos(shared: Path) -> frozenset[str]:
    """The repositories SOURCES.md lists under "Libraries and algorithm collections"."""
    text = (shared / "cpp-corpus" / "SOURCES.md").read_text()
    section = text.split("### Libraries", 1)[1] if "### Libraries" in text else ""
    rows = (line.split("|") for line in section.splitlines() if line.startswith("| "))
    return frozenset(cells[1].strip() for cells in rows if "/" in cells[1])


def held_out_codes(valid_programs: Path) -> frozenset[str]:
    """Normalized hashes of the validation programs and their known faster versions."""
    if not valid_programs.exists():
        return frozenset()
    found: set[str] = set()
    for line in valid_programs.read_text().splitlines():
        row = json.loads(line)
        found |= {normalized_hash(row[k]) for k in ("src_code", "tgt_code") if row.get(k)}
    return frozenset(found)


def has_main(parsed: Parsed) -> bool:
    for node in parsed.walk():
        if node.type == "function_definition":
            declarator = node.child_by_field_name("declarator")
            name = declarator.child_by_field_name("declarator") if declarator is not None else None
            if name is not None and parsed.text(name) == "main":
                return True
    return False


def unparsed_share(parsed: Parsed) -> float:
    """The share of the file's bytes in top-level items tree-sitter could not parse."""
    root = parsed.tree.root_node
    # Where the parser gives up on a whole file it leaves loose tokens at the top level, with no error on them.
    bad = sum(
        child.end_byte - child.start_byte
        for child in root.children
        if child.has_error or not child.is_named or child.type in _LOOSE
    )
    return bad / max(1, len(parsed.data))


class Classifier:
    """Turns corpus rows into programs, or a reason to skip them."""

    def __init__(self, shared: Path, valid_programs: Path, valid_percent: int) -> None:
        self.tasks = atcoder_tasks(shared)
        self.libraries = library_repos(shared)
        self.held_out = held_out_codes(valid_programs)
        self.valid_percent = valid_percent

    def classify(self, row: dict[str, str], parsed: Parsed) -> Program | str:
        """A program, or why the file is skipped ("held out", "does not parse", "no main")."""
        code, repo, path = row["code"], row["repo"], row["path"]
        if normalized_hash(code) in self.held_out:
            return "held out: a validation program"
        if unparsed_share(parsed) > _UNPARSED_SHARE:
            return "does not parse"
        if has_main(parsed):
            kind = "program"
        elif repo in self.libraries:
            kind = "library"
        else:
            return "no main"
        problem_id = verdict = None
        if kind == "library":
            problem = f"hash:{normalized_hash(code)}"
        elif m := _ATCODER_FILE.match(path.rsplit("/", 1)[-1]):
            verdict, task = m.group("verdict"), m.group("task")
            problem_id = self.tasks.get(task)
            problem = f"codenet:{problem_id}" if problem_id else f"atcoder:{task}"
        else:
            problem = f"file:{repo}:{path.rsplit('.', 1)[0]}"
        # A CodeNet problem splits by its bare id, exactly as training.data.pairs and valid_set do.
        split = split_of(problem_id or problem, self.valid_percent)
        return Program(repo, path, code, kind, problem, split, problem_id, verdict)


def leaks(pairs: Iterable[dict[str, str]]) -> set[str]:
    """Problems that appear in more than one split: empty for a sound set."""
    seen: dict[str, str] = {}
    both: set[str] = set()
    for pair in pairs:
        if seen.setdefault(pair["problem"], pair["split"]) != pair["split"]:
            both.add(pair["problem"])
    return both

"""The two tests every rewrite has: R4 on a real program, and silence where it would be unsafe.

``r4`` applies one rewrite (every place it matches) to a program, makes the
expected outputs by running the original on the given inputs, and grades the
result with the real reward model and the instruction timer.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from perfopt.config import Config
from perfopt.reward import Level, Verdict, reward_model_for
from perfopt.rewrite import Parsed, all_rewrites, apply_edits
from perfopt.rewrite.interface import Match, Rewrite
from perfopt.rewrite.inverse import Inverse
from perfopt.sandbox import Sandbox


def rewrite(name: str) -> Rewrite:
    return next(r for r in all_rewrites() if r.name == name)


def matches(name: str, source: str) -> list[Match]:
    return rewrite(name).find(Parsed(source))


def rewritten(name: str, source: str) -> str:
    """``source`` with every match of rewrite ``name`` applied; fails when there is none."""
    found = matches(name, source)
    assert found, f"{name} found nothing to rewrite"
    return apply_edits(source, [e for m in found for e in m.edits])


def r4(name: str, source: str, inputs: list[str], folder: Path, sandbox: Sandbox) -> Verdict:
    """The verdict on ``source`` rewritten by ``name``; the caller asserts it is R4."""
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / "original"
    (folder / "original.cpp").write_text(source)
    subprocess.run(["g++", "-std=c++17", "-O2", "-o", str(binary), str(folder / "original.cpp")], check=True)
    tests = folder / "prog.tests"
    tests.mkdir(exist_ok=True)
    for i, text in enumerate(inputs, start=1):
        (tests / f"input.{i}.txt").write_text(text)
        out = subprocess.run([str(binary)], input=text.encode(), capture_output=True, check=True, timeout=60).stdout
        (tests / f"output.{i}.txt").write_bytes(out)
    target = folder / "prog.cpp"
    target.write_text(source)
    # The given inputs only: each rewrite's test chooses inputs that show its gain.
    model = reward_model_for(Config(cache=False, timer="instructions", amplify=False), target, sandbox)
    try:
        return model.verify(source, rewritten(name, source))
    finally:
        model.close()


def assert_r4(verdict: Verdict) -> None:
    assert verdict.level is Level.FASTER, f"{verdict.level.code}: {verdict.reason}\n{verdict.compile_log}"


def same_output(before: str, after: str, folder: Path, stdin: str) -> None:
    """Both versions compile and print the same thing."""
    outputs = []
    for name, text in (("before", before), ("after", after)):
        (folder / f"{name}.cpp").write_text(text)
        binary = folder / name
        subprocess.run(["g++", "-std=c++17", "-O2", "-o", str(binary), str(folder / f"{name}.cpp")], check=True)
        outputs.append(subprocess.run([str(binary)], input=stdin.encode(), capture_output=True, timeout=60).stdout)
    assert outputs[0] == outputs[1], after


def inverted(inverse: Inverse, source: str) -> str:
    """``source`` with every match of ``inverse`` applied (the twin of :func:`rewritten`); fails when there is none."""
    found = inverse.find(Parsed(source))
    assert found, f"{inverse.name} found nothing"
    return apply_edits(source, [e for m in found for e in m.edits])


def check_inverse(inverse: Inverse, source: str, inputs: list[str], folder: Path) -> str:
    """The inverse fires, keeps the output on every input, and the forward rule takes it back.

    An ``algorithmic.*`` inverse has no forward rule in the library (perfopt.rewrite.inverse.interface).
    """
    result = inverted(inverse, source)
    for i, stdin in enumerate(inputs):
        run = folder / str(i)
        run.mkdir(parents=True)
        same_output(source, result, run, stdin)
    if not inverse.inverts.startswith("algorithmic."):
        assert matches(inverse.inverts, result), result
    return result

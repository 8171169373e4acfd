"""Hostile candidates that go after files rather than resources: what they may read, and which jail runs them.

Each case fails on a sandbox that confines only writes, or that runs a helper
a repository chose: the expected outputs, a world-readable file in the user's
home and a planted jail binary are all within reach there.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from importlib import resources
from pathlib import Path

import pytest

from perfopt.config import Config
from perfopt.errors import ExitCode, SandboxError
from perfopt.formats.markdown import MarkdownFormat
from perfopt.reward import Level, reward_model_for
from perfopt.sandbox import Outcome, Sandbox
from perfopt.sandbox.jail import build_jail
from tests.commands.test_verify import assert_one_line_error, perfopt
from tests.conftest import PREFIX_SLOW, compile_cpp, write_prefix_tests
from tests.sandbox.test_hostile import FAST, only

#: The two ways reads are confined: Landlock where the kernel has it, else a private
#: mount namespace; each is tested alone, as the kernel of some user will offer only one.
MECHANISMS = {
    "Landlock": {"private_view": False},
    "mount namespace": {"confined_reads": False},
}


@pytest.fixture(params=MECHANISMS)
def confined(request: pytest.FixtureRequest, sandbox: Sandbox) -> Sandbox:
    weaker = only(sandbox, **MECHANISMS[request.param])
    if not (weaker.isolation.confined_reads or weaker.isolation.private_view):
        pytest.skip(f"{request.param}: not available on this machine (the sandbox line says so in capitals)")
    return weaker


#: Prints a file's first line, or exits 3 when it cannot open it.
READER = """
#include <cstdio>
int main() {{
    FILE* f = fopen("{path}", "r");
    if (!f) return 3;
    char line[256] = {{0}};
    if (fgets(line, sizeof line, f)) printf("%s", line);
    return 0;
}}"""


@pytest.fixture
def home_secret(world_readable_tmp: Path) -> Path:
    """A mode-0644 file in a mode-0755 home, as on most distributions: any uid may read it."""
    home = world_readable_tmp / "home" / "dev"
    home.mkdir(parents=True)
    for folder in (home.parent, home):
        folder.chmod(0o755)
    path = home / f"notes-{secrets.token_hex(4)}.txt"
    path.write_text("LEAK:home-secret\n")
    path.chmod(0o644)
    return path


def test_a_world_readable_file_in_the_home_folder_cannot_be_read(
    confined: Sandbox, world_readable_tmp: Path, home_secret: Path
) -> None:
    binary = compile_cpp(READER.format(path=home_secret), world_readable_tmp)
    result = confined.run([str(binary)], FAST)
    assert result.outcome is Outcome.RUNTIME_ERROR and result.exit_code == 3, result
    assert b"LEAK" not in result.stdout


def test_system_files_and_its_own_folder_stay_readable(confined: Sandbox, world_readable_tmp: Path) -> None:
    """Confinement must not break ordinary programs: the loader, locale data, /proc/self, /dev/urandom."""
    source = """
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
int main() {
    std::ofstream("scratch.txt") << "mine\\n";
    std::ifstream own("scratch.txt"), maps("/proc/self/maps"), zoneinfo("/usr/share/zoneinfo/UTC");
    std::random_device rd;
    std::string line;
    std::getline(own, line);
    std::cout << line << ' ' << bool(maps) << ' ' << (rd() >= 0) << '\\n';
}"""
    binary = compile_cpp(source, world_readable_tmp)
    result = confined.run([str(binary)], FAST)
    assert result.ok, result
    assert result.stdout == b"mine 1 1\n"


def test_a_candidate_that_reads_the_expected_outputs_is_not_certified(
    world_readable_tmp: Path, confined: Sandbox
) -> None:
    """The reward hack of issue 13: find the input equal to stdin, print the matching output.K.txt.

    The test folder is world-readable, as in any checkout: only read confinement stops it.
    """
    tmp_path = world_readable_tmp
    tests = write_prefix_tests(tmp_path / "slow.tests", n=3000)
    tests.chmod(0o755)
    for f in tests.iterdir():
        f.chmod(0o644)
    target = tmp_path / "slow.cpp"
    target.write_text(PREFIX_SLOW)
    cheat = f"""
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
int main() {{
    std::string in((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    for (int k = 1; k <= 9; k++) {{
        std::ifstream i("{tests}/input." + std::to_string(k) + ".txt");
        if (!i) continue;
        std::stringstream s; s << i.rdbuf();
        if (s.str() != in) continue;
        std::ifstream o("{tests}/output." + std::to_string(k) + ".txt");
        std::cout << o.rdbuf();
        return 0;
    }}
    std::cout << "blocked";
}}"""
    model = reward_model_for(Config(cache=False, timer="instructions"), target, confined)
    try:
        verdict = model.verify(PREFIX_SLOW, cheat)
    finally:
        model.close()
    # It ran, found no test file it could open, and printed its fallback.
    assert verdict.level is Level.WRONG_ANSWER, verdict.reason
    assert "got 'blocked'" in verdict.reason
    from perfopt.commands.suggest import Suggestion
    from perfopt.generation.interface import Candidate
    from perfopt.selection import Outcome as Candidacy
    from perfopt.selection import count

    outcome = Candidacy(Candidate("cheat", cheat))
    outcome.verdict = verdict
    report = Suggestion(target, PREFIX_SLOW, [outcome], None, count([outcome]), "files", "t", "s", "i", 1.1)
    # The verdict quotes a short escaped excerpt of the output; a PR comment quotes none of it.
    comment = MarkdownFormat().render(report).stdout
    assert "test 1: wrong answer" in comment and "blocked" not in comment


def test_a_repository_cannot_choose_the_sandbox_helper(tmp_path: Path) -> None:
    """perfopt.toml's cache_dir plus a planted somedir/jail/perfopt-jail-<digest>: refused, never run."""
    (tmp_path / ".git").mkdir()
    write_prefix_tests(tmp_path / "slow.tests", n=0)
    (tmp_path / "slow.cpp").write_text(PREFIX_SLOW)
    (tmp_path / "perfopt.toml").write_text('cache_dir = "somedir"\n')
    marker = tmp_path / "planted-jail-ran"
    digest = hashlib.sha256(resources.files("perfopt.sandbox").joinpath("jail.c").read_bytes()).hexdigest()[:16]
    planted = f"perfopt-jail-{digest}"
    jail_dir = tmp_path / "somedir" / "jail"
    jail_dir.mkdir(parents=True)
    fake = jail_dir / planted
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nshift $#\nexit 0\n")
    fake.chmod(0o755)
    proc = perfopt("verify", "slow.cpp", "slow.cpp", "--no-cache", cwd=tmp_path)
    assert_one_line_error(proc, ExitCode.CONFIG, "cache_dir cannot be set in repository config")
    assert not marker.exists()


def test_a_tampered_helper_is_rebuilt_and_a_changed_one_refused(tmp_path: Path, world_readable_tmp: Path) -> None:
    cache = tmp_path / "cache"
    jail = build_jail(cache_dir=cache)
    marker = tmp_path / "tampered-jail-ran"
    trojan = f"#!/bin/sh\ntouch {marker}\nexit 0\n"
    # Tampered between runs: the next perfopt process finds the hash wrong and builds afresh.
    jail.path.write_text(trojan)
    import perfopt.sandbox.jail as jail_module

    jail_module._built.clear()
    sandbox = Sandbox("g++", cache)
    assert sandbox.run(["/bin/true"], FAST).ok
    assert not marker.exists()
    assert jail.path.read_bytes() != trojan.encode()
    # Tampered while a process holds the helper: that process refuses to run it.
    sandbox.jail.write_text(trojan)
    with pytest.raises(SandboxError, match="changed on disk"):
        sandbox.run(["/bin/true"], FAST)
    assert not marker.exists()


def test_the_helper_lives_in_a_private_folder(tmp_path: Path) -> None:
    jail = build_jail(cache_dir=tmp_path / "cache")
    mode = jail.path.parent.stat().st_mode
    assert stat.S_IMODE(mode) == 0o700
    assert jail.path.parent.stat().st_uid == os.geteuid()


def test_proc_shows_the_jail_and_nothing_else(confined: Sandbox, world_readable_tmp: Path) -> None:
    """Other processes' command lines can hold secrets (tokens passed as flags); a candidate sees none."""
    source = f"""
#include <cstdio>
#include <dirent.h>
#include <cctype>
int main() {{
    int pids = 0;
    if (DIR* d = opendir("/proc")) {{
        while (dirent* e = readdir(d)) pids += isdigit((unsigned char)e->d_name[0]) != 0;
        closedir(d);
    }}
    FILE* f = fopen("/proc/{os.getpid()}/cmdline", "r");
    char buf[64] = {{0}};
    if (f && fread(buf, 1, sizeof buf - 1, f) > 0 && buf[0]) {{ printf("LEAK:%s\\n", buf); return 0; }}
    printf("%d\\n", pids);
    FILE* self = fopen("/proc/self/status", "r");
    return self ? 0 : 4;
}}"""
    binary = compile_cpp(source, world_readable_tmp)
    result = confined.run([str(binary)], FAST)
    assert result.ok, result
    assert b"LEAK" not in result.stdout
    # With a private proc: the jail's init and the program; with /proc/self only: none listed.
    assert int(result.stdout) <= 2


def test_the_sandbox_line_says_in_capitals_when_reads_are_not_confined(sandbox: Sandbox) -> None:
    bare = only(sandbox, confined_reads=False, private_view=False).isolation.describe()
    assert "READS NOT CONFINED" in bare
    assert "READS NOT CONFINED" not in only(sandbox, confined_reads=False, private_view=True).isolation.describe()


def test_the_compiler_cannot_embed_the_expected_outputs(world_readable_tmp: Path, confined: Sandbox) -> None:
    """``.incbin`` makes the assembler copy a file into the binary: a compile-time read, confined as well."""
    tests = write_prefix_tests(world_readable_tmp / "slow.tests", n=0)
    tests.chmod(0o755)
    for f in tests.iterdir():
        f.chmod(0o644)
    target = world_readable_tmp / "slow.cpp"
    target.write_text(PREFIX_SLOW)
    embed = f"""
#include <cstdio>
asm(".section .rodata\\n.global expected\\nexpected:\\n.incbin \\"{tests}/output.1.txt\\"\\n.byte 0\\n.text\\n");
extern "C" const char expected[];
int main() {{ fputs(expected, stdout); }}"""
    model = reward_model_for(Config(cache=False, timer="instructions"), target, confined)
    try:
        verdict = model.verify(PREFIX_SLOW, embed)
    finally:
        model.close()
    assert verdict.level is Level.COMPILE_ERROR, verdict.reason
    assert "output.1.txt" in verdict.compile_log


def test_an_include_folder_is_readable_unless_it_holds_the_tests(world_readable_tmp: Path, confined: Sandbox) -> None:
    """``--flags -I/abs/include`` (the bench's AtCoder Library) reaches the compile; an -I over the tests does not."""
    include = world_readable_tmp / "include"
    include.mkdir()
    (include / "lib.h").write_text("inline int answer() { return 42; }\n")
    tests = write_prefix_tests(world_readable_tmp / "slow.tests", n=0)
    source = '#include "lib.h"\nint main() { return answer() == 42 ? 0 : 1; }\n'
    from perfopt.reward.compiler import Compiler

    work = confined.make_workdir()
    ok = Compiler(confined, flags=("-O2", f"-I{include}"), protect=[tests]).compile(source, work)
    assert ok.ok, ok.log
    over_tests = Compiler(confined, flags=("-O2", f"-I{include}", "-I", str(world_readable_tmp)), protect=[tests])
    assert over_tests.include_dirs == (include.resolve(),)

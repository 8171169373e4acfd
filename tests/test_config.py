from __future__ import annotations

from pathlib import Path

import pytest

from perfopt import config as configuration
from perfopt.config import Config
from perfopt.errors import ConfigError


def test_defaults_match_the_documented_ones() -> None:
    c = Config()
    assert (c.compiler, c.flags, c.min_speedup, c.timer) == ("g++", ("-std=c++17", "-O2"), 1.10, "wall")


def test_pyproject_table_is_found_from_a_nested_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.perfopt]\nflags = "-std=c++20 -O3"\ntimer = "instructions"\ntests = "t"\n'
        "[tool.perfopt.rewards]\nR0 = -1\n"
    )
    (tmp_path / "src").mkdir()
    c = configuration.load(start=tmp_path / "src" / "a.cpp")
    assert c.flags == ("-std=c++20", "-O3")
    assert c.timer == "instructions"
    assert c.tests == (tmp_path / "t").resolve()
    assert c.rewards.r0 == -1.0
    assert "pyproject.toml" in c.origin


def test_perfopt_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.perfopt]\ncandidates = 3\n")
    (tmp_path / "perfopt.toml").write_text("candidates = 5\n")
    assert configuration.load(start=tmp_path).candidates == 5


def test_pyproject_without_our_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 3\n")
    assert configuration.load(start=tmp_path) == Config()


def test_command_line_overrides_the_file(tmp_path: Path) -> None:
    (tmp_path / "perfopt.toml").write_text("timer = 'instructions'\nmin_speedup = 1.5\n")
    c = configuration.load(tmp_path / "perfopt.toml")
    c = configuration.apply(c, {"timer": "wall"}, "command line", tmp_path)
    assert (c.timer, c.min_speedup) == ("wall", 1.5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("timre = 'wall'", "unknown key 'timre'"),
        ("timer = 'stopwatch'", "timer must be one of wall, instructions"),
        ("min_speedup = 0.5", "min_speedup must be at least 1.0"),
        ("candidates = 0", "candidates must be a positive integer"),
        ("candidates = true", "candidates must be a positive integer"),
        ("flags = 3", "flags must be a string or a list of strings"),
        ("[rewards]\nR9 = 1", "unknown reward level 'R9'"),
        ("[rewards]\nR0 = 2", "must not decrease"),
        ("[project]\nbuild = 'make'", "project.test must be a command string"),
        ("timer = ", "invalid TOML"),
        ("flags = '-O2 \"unbalanced'", "No closing quotation"),
    ],
)
def test_bad_values_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "perfopt.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        configuration.load(path)
    assert str(path) in str(info.value)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        configuration.load(tmp_path / "nope.toml")


def test_project_table(tmp_path: Path) -> None:
    (tmp_path / "perfopt.toml").write_text("[project]\nbuild = 'make'\ntest = 'make test'\nbench = './bench'\n")
    c = configuration.load(tmp_path / "perfopt.toml")
    assert c.project is not None
    assert c.project.root == tmp_path.resolve()
    assert c.project.ignore == (".git",)


def test_generation_settings_and_a_model_folder_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "models" / "mine").mkdir(parents=True)
    (tmp_path / "perfopt.toml").write_text(
        'model = "models/mine"\ntemperature = 0.5\ntop_p = 0.9\nmax_new_tokens = 64\nseed = 3\n'
    )
    c = configuration.load(start=tmp_path / "a.cpp")
    assert c.model == str((tmp_path / "models" / "mine").resolve())
    assert (c.temperature, c.top_p, c.max_new_tokens, c.seed) == (0.5, 0.9, 64, 3)
    hub = configuration.apply(c, {"model": "someone/a-model"}, "flags", tmp_path)
    assert hub.model == "someone/a-model"


@pytest.mark.parametrize(("key", "value"), [("top_p", 1.5), ("temperature", 0), ("seed", -1), ("model", "")])
def test_bad_generation_settings(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=key):
        configuration.apply(Config(), {key: value}, "flags", Path.cwd())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('cache_dir = "somedir"', "cache_dir cannot be set in repository config"),
        ('compiler = "./tools/cc"', "compiler must be a compiler's name on your PATH"),
        ('compiler = "bash"', "compiler must be a compiler's name on your PATH"),
        ('flags = "-O2 -B./evil"', "flags may not contain '-B./evil'"),
        ('flags = ["-fplugin=./x.so"]', "flags may not contain '-fplugin=./x.so'"),
        ('flags = "@args.txt"', "flags may not contain '@args.txt'"),
        ('tests = "/etc"', "tests must be inside the repository"),
        ('tests = "../elsewhere"', "tests must be inside the repository"),
        (
            "[project]\nbuild = 'make'\ntest = 't'\nbench = 'b'\nroot = '..'",
            "project.root must be inside the repository",
        ),
    ],
)
def test_repository_config_cannot_choose_what_perfopt_executes_or_reads(
    tmp_path: Path, text: str, message: str
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    path = repo / "perfopt.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message) as info:
        configuration.load(path)
    assert info.value.exit_code == 3


def test_a_model_folder_outside_the_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside-model").mkdir()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "perfopt.toml").write_text('model = "../outside-model"\n')
    with pytest.raises(ConfigError, match="model must be inside the repository"):
        configuration.load(repo / "perfopt.toml")


def test_the_command_line_may_set_what_repository_config_may_not(tmp_path: Path) -> None:
    c = configuration.apply(
        Config(),
        {"cache_dir": "c", "compiler": "/usr/bin/g++", "flags": "-B/opt/x -O2", "tests": "/etc"},
        "command line",
        tmp_path,
    )
    assert c.cache_dir == (tmp_path / "c").resolve()
    assert (c.compiler, c.flags) == ("/usr/bin/g++", ("-B/opt/x", "-O2"))


def test_a_compiler_name_with_a_version_is_fine_in_repository_config(tmp_path: Path) -> None:
    (tmp_path / "perfopt.toml").write_text('compiler = "clang++-17"\nflags = "-std=c++20 -O3 -I include"\n')
    assert configuration.load(tmp_path / "perfopt.toml").compiler == "clang++-17"


@pytest.mark.parametrize(
    ("key", "value"),
    [("candidates", 10000), ("candidates", 65), ("time_limit", 10_000.0), ("jobs", 100_000), ("repeats", 1000)],
)
def test_sizes_have_documented_maxima(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"{key} must be at most"):
        configuration.apply(Config(), {key: value}, "command line", Path.cwd())
    assert configuration.apply(Config(), {"candidates": 64}, "command line", Path.cwd()).candidates == 64


def test_an_include_folder_in_repository_flags_must_be_inside_the_repository(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "include").mkdir()
    (repo / "perfopt.toml").write_text(f'flags = "-O2 -I {tmp_path / "elsewhere"}"\n')
    with pytest.raises(ConfigError, match="an include folder in flags must be inside the repository"):
        configuration.load(repo / "perfopt.toml")
    (repo / "perfopt.toml").write_text(f'flags = "-O2 -I{repo / "include"}"\n')
    assert configuration.load(repo / "perfopt.toml").flags == ("-O2", f"-I{repo / 'include'}")

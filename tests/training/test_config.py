from __future__ import annotations

from pathlib import Path

import pytest

from training.config import apply_toml
from training.tests_amplify import TestsAmplifyConfig


def test_toml_overrides_fields_and_nested_tables(tmp_path: Path) -> None:
    path = tmp_path / "amplify.toml"
    path.write_text('work = "elsewhere"\nlimit = 3\n[amplify]\nkeep = 2\nmin_agree = 3\n')
    config = apply_toml(TestsAmplifyConfig(), path)
    assert config.work == Path("elsewhere") and config.limit == 3
    assert (config.amplify.keep, config.amplify.min_agree) == (2, 3)
    assert config.amplify.max_count == TestsAmplifyConfig().amplify.max_count


@pytest.mark.parametrize(("text", "message"), [("wrok = 1\n", "unknown key 'wrok'"), ("[amplify]\nkepe = 1\n", "kepe")])
def test_unknown_keys_are_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "amplify.toml"
    path.write_text(text)
    with pytest.raises(SystemExit, match=message):
        apply_toml(TestsAmplifyConfig(), path)


def test_an_empty_string_unsets_an_optional_path_and_a_table_sets_a_dict(tmp_path: Path) -> None:
    from training.config import Scale
    from training.sft_config import SFTConfig

    path = tmp_path / "sft.toml"
    path.write_text('extra_pairs = ""\npairs = "p.jsonl"\n[tier_weights]\ntimed = 3.0\n')
    base = SFTConfig.for_scale(Scale.CPU)
    assert base.extra_pairs is not None
    config = apply_toml(base, path)
    assert config.extra_pairs is None and config.pairs == Path("p.jsonl")
    assert config.tier_weights == {"timed": 3.0}

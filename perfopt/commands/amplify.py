"""``perfopt amplify FILE``: write the generated stress tests as a test folder, to inspect or commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfopt import config as configuration
from perfopt.errors import BadInputError, NoTestsError
from perfopt.reward import reward_model_for
from perfopt.sources import read_source
from perfopt.testgen.differential import write_folder


def default_out(file: Path) -> Path:
    """``foo.amplified.tests/`` beside ``foo.cpp``: not a name perfopt looks in, so never read by accident."""
    return file.with_name(f"{file.stem}.amplified.tests")


def run_amplify(file: Path, config_file: Path | None, flags: dict[str, Any], out: Path | None) -> tuple[str, Path]:
    """Generate the tests ``suggest`` would use for ``file`` and write them to ``out``: (summary, folder)."""
    config = configuration.for_command(config_file, file, {**flags, "amplify": True})
    if config.project is not None and config.tests is None:
        raise NoTestsError(
            f"{file}: project mode cannot generate inputs (it runs the project's own commands); "
            "make its bench command large enough instead"
        )
    source = read_source(file, config.max_source_kb)
    folder = out or default_out(file)
    if folder.exists() and any(folder.iterdir()):
        # Stale input.N.txt files from an earlier run would be read back as tests: never mix the two.
        raise BadInputError(f"{folder} exists and is not empty; remove it or pick another --out")
    model = reward_model_for(config, file)
    try:
        model.check_original(source)
        generated = model.generated
        if generated is None or not generated.cases:
            return f"{model.harness.describe()} (nothing written)", folder
        write_folder(generated, folder)
        return model.harness.describe(), folder
    finally:
        model.close()

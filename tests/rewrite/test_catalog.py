"""The README's rewrite list is generated from the code, and must not go stale."""

from __future__ import annotations

from pathlib import Path

from perfopt.rewrite import all_rewrites
from perfopt.rewrite.catalog import main, markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_rewrite_as_the_code_says() -> None:
    assert main(["--check", str(README)]) == 0, "run: python -m perfopt.rewrite.catalog --write README.md"


def test_every_rewrite_is_documented_and_named_by_its_family() -> None:
    text = markdown()
    names = [r.name for r in all_rewrites()]
    assert len(names) == len(set(names))
    for r in all_rewrites():
        assert f"`{r.name}`" in text
        assert r.__doc__ and r.why and r.unsafe_when, r.name
        module = type(r).__module__.rsplit(".", 1)[-1]
        # One module per family; a large family may split into <family>_<part>.py modules.
        assert module == r.family or module.startswith(f"{r.family}_"), f"{r.name} lives in {module}.py"

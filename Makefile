# The two commands the README promises: `make demo` and `make check`.
# Both set up .venv on first use; CI runs `make check` through .ci/run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/perfopt: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# torch is pinned in pyproject.toml; installing it first keeps pip from
	# ever resolving a CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

.PHONY: demo check lint test
demo: $(BIN)/perfopt
	$(BIN)/perfopt suggest examples/word_counts/slow.cpp

lint: $(BIN)/perfopt
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(BIN)/perfopt
	$(BIN)/pytest -q

check: lint test

# The two commands: `make run` and `make test`. Everything else they need, they install.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run sandbox test lint bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/hotline run

sandbox: $(STAMP_RUN)
	$(BIN)/hotline sandbox

lint: $(STAMP_DEV)
	$(BIN)/ruff check .

test: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Benchmarks print their figures; `make bench ONLY=broadcast` runs one of them.
bench: $(STAMP_DEV)
	$(BIN)/python -m bench $(ONLY)

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts

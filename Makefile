# Two commands matter: `make demo` and `make test`. Each sets up everything it needs on a fresh
# Debian machine (system packages via apt when missing, a virtualenv, the project) and then runs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DIR ?= .demo-data

.PHONY: demo test setup system lint sample clean

demo: setup
	DEMO_DIR=$(DEMO_DIR) scripts/demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

setup: system $(STAMP)

system:
	@scripts/setup-system

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check .

# Rebuild assets/sample/bundle from the hand-written sources in assets/sample/source.
sample: setup
	$(BIN)/python scripts/build_sample.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache

# Two commands matter: `make demo` and `make test`. Each sets up everything it needs on a fresh
# Debian machine (system packages via apt when missing, a virtualenv, the project) and then runs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DIR ?= .demo-data

.PHONY: demo test setup system lint sample clean bench bench-full screenshots

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

# The README's screenshots: the real app on the sample catalogue, driven by `kiosk --tour`.
screenshots: setup
	rm -rf $(DEMO_DIR)/tour-data
	$(BIN)/kiosk-admin --data-dir $(DEMO_DIR)/tour-data import assets/sample/bundle
	$(BIN)/kiosk --data-dir $(DEMO_DIR)/tour-data --tour docs/screenshots

# Benchmarks against the budgets in design.md and against SQLite FTS5 (docs/benchmarks.md).
# They report; they never fail on timing. bench-full takes hours on a 2-core machine.
bench: setup
	$(BIN)/python -m bench.run --items 10000

bench-full: setup
	$(BIN)/python -m bench.run --items 100000

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache

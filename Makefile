# The two commands of the README: `make demo` (set up, run the main job) and `make test` (set up, run all tests);
# `make bench` measures performance (bench/run.py; never part of `make test`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint setup bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/amazon-connector demo

lint: setup
	$(BIN)/ruff check --no-cache src tests bench
	$(BIN)/ruff format --no-cache --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Tests run in $(TEST_WORKERS) processes (pytest-xdist; most of a test's time is waiting on sockets, so more
# processes than cores); the ones marked `timing` measure real time, so they run alone afterwards. Bytecode is
# written even under $$PYTHONDONTWRITEBYTECODE: the workers and the processes tests start compile once.
TEST_WORKERS ?= 4
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest

test: lint
	$(PYTEST) -n $(TEST_WORKERS) -m "not timing"
	$(PYTEST) -m timing

$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

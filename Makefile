# The two commands of the README:
#   make run    set everything up and run the whole workflow on the bundled demo data
#   make test   set everything up and run the test suite
# Both start from a bare machine with Python 3.11 and the package registries only.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
CORES ?= 2
CONFIG ?= config/config.yaml
# The bundled demo needs a pseudonymisation key; real runs must set their own secret in the environment.
DRUKMONITOR_PSEUDONYM_KEY ?= demo-key-not-secret-bundled-demo-only
export DRUKMONITOR_PSEUDONYM_KEY
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock pyproject.toml | sha256sum | cut -c1-16)

.PHONY: run test test-fast setup lint bench clean-processed lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Bytecode is compiled at install: every Snakemake job is a fresh interpreter, and some machines set
# PYTHONDONTWRITEBYTECODE, which would make each job compile pandas, scipy, ... again.
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG)
	@$(BIN)/python -m drukmonitor.cli outputs --configfile $(CONFIG)

test: setup
	$(BIN)/python -m pytest

# Only the fast tests (no whole-workflow runs).
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

lint: setup
	$(BIN)/snakemake --lint

bench: setup
	$(BIN)/python benchmarks/benchmark.py

# Regenerate requirements.lock from pyproject.toml (maintainers only; commit the result).
lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements.lock

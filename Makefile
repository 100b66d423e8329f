# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
DB ?= atlas.duckdb

$(BIN)/sanctuary-atlas: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

.PHONY: venv run test lint bench
venv: $(BIN)/sanctuary-atlas

# The main job: build the atlas store from the bundled public releases and summarise it.
run: venv
	$(BIN)/sanctuary-atlas ingest --db $(DB) $(DATA)/ice-lesa/national $(DATA)/ice-lesa/seattle
	$(BIN)/sanctuary-atlas releases --db $(DB)
	$(BIN)/sanctuary-atlas summary --db $(DB)

lint: venv
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

test: venv lint
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python benchmarks/ingest.py

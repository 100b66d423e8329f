# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= ../shared/data
DB ?= atlas.duckdb
FULL_DB ?= atlas-full.duckdb
HOST ?= 127.0.0.1
PORT ?= 8000

# What the atlas needs to run, then what its tests and scripts need: `make run` installs only
# the first (about a minute on a fresh machine), `make test` both. The disclosure audit's
# kernels are compiled once here (8 s), not in the first panel build.
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m sanctuary_atlas.measures.elimination
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

.PHONY: venv run atlas serve-full bundle test lint bench
venv: $(VENV)/.dev

# The main job: serve the web atlas on the bundled default atlas (FY2016-2019 aggregates and the
# policy registry, shipped in the package). The first serve materialises it into $(DB) in about
# a second; open the address it prints.
run: $(VENV)/.runtime
	$(BIN)/sanctuary-atlas serve --db $(DB) --host $(HOST) --port $(PORT)

# A full store built from the public records in $(DATA) (events, so every command works),
# about a minute; then serve it with `make serve-full`.
atlas: $(VENV)/.runtime
	$(BIN)/sanctuary-atlas build --data $(DATA) --db $(FULL_DB)

serve-full: atlas
	$(BIN)/sanctuary-atlas serve --db $(FULL_DB) --host $(HOST) --port $(PORT)

# Rebuild the bundled default atlas from $(DATA) (same records, same bytes).
bundle: $(VENV)/.runtime
	$(BIN)/python scripts/build_default_atlas.py --data $(DATA)

# The same three checks as .pre-commit-config.yaml (`.venv/bin/pre-commit install` runs them
# before each commit).
lint: $(VENV)/.dev
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

# Coverage of src/ is reported (terminal summary, and htmlcov/), not gated.
test: $(VENV)/.dev lint
	$(BIN)/pytest -q --cov --cov-report=term --cov-report=html

bench: $(VENV)/.dev atlas
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/resolve.py
	$(BIN)/python benchmarks/panel.py
	$(BIN)/python benchmarks/estimate.py
	$(BIN)/python benchmarks/default_atlas.py
	$(BIN)/python benchmarks/web_load.py --db $(FULL_DB)

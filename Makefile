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

# The main job: build the atlas store from the public records in $(DATA), then show its
# releases and the claim checks (building the measure panel on the way).
run: venv
	$(BIN)/sanctuary-atlas ingest --db $(DB) $(DATA)/ice-lesa/national $(DATA)/ice-lesa/seattle
	$(BIN)/sanctuary-atlas load-detention --db $(DB) \
		$(DATA)/detention/inc_headcount_fy12-24ytd.csv.gz $(DATA)/detention/facilities.csv.gz
	$(BIN)/sanctuary-atlas policies load-defaults --db $(DB) --data $(DATA)/policies
	$(BIN)/sanctuary-atlas policies load-287g --db $(DB) $(DATA)/policies/287g-sheets
	$(BIN)/sanctuary-atlas releases --db $(DB)
	$(BIN)/sanctuary-atlas claims --db $(DB)

lint: venv
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

test: venv lint
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/resolve.py
	$(BIN)/python benchmarks/panel.py
	$(BIN)/python benchmarks/estimate.py
	$(BIN)/python benchmarks/web_load.py --db $(DB)   # needs the atlas `make run` builds

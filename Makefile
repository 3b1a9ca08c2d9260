# Ordersmith — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help venv dev run test lint format bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/ordersmith: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: pyproject.toml $(BIN)/ordersmith
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

venv: $(BIN)/ordersmith ## create .venv and install Ordersmith

dev: $(VENV)/.dev ## create .venv with the development extras

run: venv ## migrate ./data/ordersmith.db, load demo data if new, serve on http://127.0.0.1:8000
	$(BIN)/ordersmith db upgrade
	$(BIN)/ordersmith demo --if-empty --simulate-fulfilment
	$(BIN)/ordersmith serve --host $(HOST) --port $(PORT)

test: dev ## run the whole test suite (PostgreSQL too when ORDERSMITH_TEST_DATABASE_URL is set)
	$(BIN)/pytest -n 2 --dist loadfile

lint: dev ## ruff (format check + lint), mypy --strict and the float lint
	$(BIN)/ruff format --check src tests migrations tools bench
	$(BIN)/ruff check src tests migrations tools bench
	$(BIN)/mypy
	$(BIN)/python tools/check_no_float.py

format: dev ## apply ruff formatting and safe fixes
	$(BIN)/ruff format src tests migrations tools bench
	$(BIN)/ruff check --fix src tests migrations tools bench

BENCH_VIA ?= service
BENCH_WAREHOUSES ?= 1
BENCH_CLIENTS ?= 8
BENCH_SECONDS ?= 40
BENCH_ARGS = --via $(BENCH_VIA) --warehouses $(BENCH_WAREHOUSES) --clients $(BENCH_CLIENTS) --seconds $(BENCH_SECONDS)
GROWTH_DB ?= sqlite
GROWTH_SIZES ?= 10000,100000,1000000

.PHONY: bench-growth

bench: venv ## benchmark vs raw SQL on SQLite, then PostgreSQL (ORDERSMITH_BENCH_DATABASE_URL); BENCH_VIA=http
	$(BIN)/python -m bench run --db sqlite $(BENCH_ARGS)
	$(BIN)/python -m bench run --db postgresql $(BENCH_ARGS)

bench-growth: venv ## query times at 10^4..10^6 orders (GROWTH_DB=postgresql, GROWTH_SIZES=...)
	$(BIN)/python -m bench growth --db $(GROWTH_DB) --sizes $(GROWTH_SIZES)

.PHONY: bench-pages
bench-pages: venv ## server time of every back-office page on the demo (needs `make run` in another terminal)
	$(BIN)/python -m bench pages --url http://$(HOST):$(PORT)

FORECAST_SERIES ?= 5000
FORECAST_DB ?= sqlite
.PHONY: bench-forecast
bench-forecast: venv ## a forecast run over synthetic series (FORECAST_SERIES=5000, FORECAST_DB=postgresql)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m bench.forecast --series $(FORECAST_SERIES) --db $(FORECAST_DB)

clean: ## remove .venv, caches and the local ./data folder
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache data

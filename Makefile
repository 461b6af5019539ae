# Refrain. `make run` for a local demo, `make test` for everything CI checks.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Touched after a successful install; older than a requirements file means reinstall.
STAMP := $(VENV)/.installed

PORT ?= 8000

# `make test` runs against PostgreSQL and Redis db 15, so it never touches the data of
# `make run` (SQLite under var/, Redis db 0). DATABASE_URL / REDIS_URL override these.
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/refrain)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/15)
# On CI always build the test database from the migrations, so a stale one kept by
# --reuse-db can never hide a broken migration.
CI_ON := $(filter-out 0 false False FALSE no,$(CI))
# Tests run in PYTEST_WORKERS processes at once (pytest-xdist), each with its own test
# database (test_<name>_gw0, _gw1, …) and Redis database (/15, /14, …: tests/conftest.py).
# 0 runs them all in this one process; `auto` is one per CPU core, at most 8.
PYTEST_WORKERS ?= 2
PYTEST_FLAGS := $(if $(CI_ON),--create-db -p no:cacheprovider) \
	$(if $(filter-out 0,$(PYTEST_WORKERS)),--numprocesses=$(PYTEST_WORKERS) --maxprocesses=8)
PYTEST_ARGS ?=

# Compiled translations (.mo) are built from the .po files in locale/ and never committed.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: help install run test lint format bench compilemessages messages

help:
	@echo "make run      set up and start Refrain locally (web, Celery worker and beat) with demo data"
	@echo "make test     lint, check migrations and run every test against PostgreSQL and Redis"
	@echo "make lint     ruff check and ruff format --check"
	@echo "make format   sort imports and format the code with ruff"
	@echo "make install  create .venv, install requirements-dev.txt and compile translations"
	@echo "make messages update locale/*/LC_MESSAGES/django.po from the code and templates"
	@echo "make bench    seed a scale data set and time every page against floors (BENCH_ARGS=--help)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { \
		echo "$(PYTHON) is not on PATH: install Python 3.11, or point at it: make PYTHON=/path/to/python3.11" >&2; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

install: $(STAMP) compilemessages

compilemessages: $(MO_FILES)

%.mo: %.po
	@bash scripts/ensure-gettext.sh
	msgfmt --check --output-file=$@ $<

# After marking new strings: add them to every language's catalogue, then translate the
# empty msgstr lines (tests/test_translations.py fails while a participant's is missing).
messages: install
	$(MANAGE) makemessages --all --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles \
		--ignore=tests --ignore=benchmarks

run: install
	@bash scripts/ensure-services.sh redis
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
		echo "Port $(PORT) is already in use; pick another: make run PORT=8001" >&2; \
		exit 1; fi
	@# Prints the URL and logins once web, worker and beat are up; Ctrl-C exits cleanly.
	@export PATH="$(CURDIR)/$(BIN):$$PATH"; exec python scripts/run_demo.py $(PORT)

test: install
	@DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
		bash scripts/ensure-services.sh postgres redis
	@bash scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Migrations are compared with the models only; no database needs to exist for it.
	DATABASE_URL="sqlite://:memory:" $(MANAGE) makemigrations --check --dry-run
	DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="$(TEST_REDIS_URL)" \
		$(BIN)/pytest $(PYTEST_FLAGS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

# A full-size data set in a throw-away database, every page timed under gunicorn.
# Options: make bench BENCH_ARGS="--participants 500 --years 1 --keep" (see --help).
BENCH_ARGS ?=
bench: install
	@DATABASE_URL="$(TEST_DATABASE_URL)" REDIS_URL="redis://127.0.0.1:6379/10" \
		bash scripts/ensure-services.sh postgres redis
	@bash scripts/ensure-wrk.sh
	DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m benchmarks.pages $(BENCH_ARGS)

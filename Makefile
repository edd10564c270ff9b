# learnorg — the two commands are `make run` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint format install lock chromium bench bench-live bench-search faults backup restore clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The production image installs exactly these pins (with hashes); run after changing the
# dependencies in pyproject.toml and commit requirements.lock.
lock: install
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
		--no-header --quiet -o requirements.lock

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "learnorg: http://127.0.0.1:8000/ (alice, bob, fran, pat, sam, admin / learnorg-demo). Ctrl-C stops it all."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Browser tests drive Debian's Chromium; install it when missing and we may.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
		else \
			echo "The browser tests need Debian's Chromium at $(CHROMIUM)."; \
			echo "Install it with: sudo apt-get install chromium"; \
			exit 1; \
		fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One pytest-xdist worker per core; tests that share a scratch resource share an xdist_group.
PYTEST_WORKERS ?= auto

test: install chromium lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

# PostgreSQL backups in pg_dump's custom format; both read DATABASE_URL. See README "Backups".
backup:
	scripts/backup.sh

restore:
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/learnorg-<timestamp>.dump"; exit 2; }
	scripts/restore.sh "$(FILE)"

# 100,000 interviews on PostgreSQL (DATABASE_URL, default learnorg_bench), gunicorn with 4
# workers, a load generator on loopback; prints p50/p95 per page and one JSON line. See README.
bench: install
	$(BIN)/python bench/run.py

# Only the live review of `make bench`: polling against push, 100 phones. See README.
bench-live: install
	$(BIN)/python bench/run.py live

# Only the interview list and its searches of `make bench`, on the same data. See README.
bench-search: install
	$(BIN)/python bench/run.py search

# Reminder fault test against real Redis and PostgreSQL; not part of `make test`. See README.
faults: install
	$(BIN)/python scripts/fault_reminders.py

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm

# The two README commands: `make run` (start the app on the sample portfolio) and
# `make test` (install everything the tests need, then run lint and the whole test suite).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint bench browser clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the real-browser tests (Playwright drives it; nothing is downloaded at run time).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	fi

run: $(STAMP)
	$(BIN)/python -m streamlit run app.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian's PostgreSQL on 127.0.0.1 for the scenario-store tests (they run against SQLite and PostgreSQL).
test: $(STAMP) browser lint
	eval "$$(bash scripts/start_postgres.sh)" && CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench.solve_speed

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

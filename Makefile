# The two README commands: `make run` (start the app on the sample portfolio) and
# `make test` (install everything the tests need, then run lint and the whole test suite).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint bench browser clean lock

# requirements.lock pins every package, direct or not (pip-compile's output; `make lock` rebuilds it).
$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c requirements.lock
	touch $(STAMP)

# Rebuild the lock after changing requirements*.txt (pip-tools, pinned, in a venv of its own).
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip-tools==7.6.2
	.venv-lock/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock requirements-dev.txt

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
	rm -rf $(VENV) .venv-lock .pytest_cache .ruff_cache .hypothesis

# Clinicdesk: `make run` serves the demo clinic; `make test` runs the whole suite.
# Both start from a machine that has only python3: everything else is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.8
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test test-sqlite test-postgres install install-dev assets static messages browser lint typecheck \
        check-deploy bench-demo clean

run: install assets messages static
	$(BIN)/python -m clinicdesk serve

test: install-dev assets messages browser
	bash scripts/test.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(UV) pip sync --quiet --python $(BIN)/python requirements/base.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(UV) pip install --quiet --python $(BIN)/python uv==$(UV_VERSION)
	rm -f $(VENV)/.dev && touch $@

$(VENV)/.dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(UV) pip sync --quiet --python $(BIN)/python requirements/dev.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(UV) pip install --quiet --python $(BIN)/python uv==$(UV_VERSION)
	touch $(VENV)/.base $@

install: $(VENV)/.base
install-dev: $(VENV)/.dev

# Front-end packages come from the npm registry at install time and are served by the app.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || (echo "npm not found: installing Debian's nodejs and npm" && \
		apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

# Compiled translations (.mo) are build output, made from the committed .po files.
messages: $(VENV)/.base
	@command -v msgfmt >/dev/null || (echo "msgfmt not found: installing Debian's gettext" && \
		apt-get update -qq && apt-get install -y -qq gettext >/dev/null)
	$(BIN)/python -m clinicdesk compilemessages -v0

static: $(VENV)/.base assets
	$(BIN)/python -m clinicdesk collectstatic --noinput -v0

# Browser tests drive Debian's chromium; install it when missing (root on these machines).
browser:
	@command -v chromium >/dev/null || (echo "installing Debian's chromium for the browser tests" && \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "chromium could not be installed: browser tests will skip (and fail under CI=true)")

lint: install-dev
	$(BIN)/ruff check src tests bench

typecheck: install-dev
	$(BIN)/mypy

check-deploy: install
	HTTPS=true DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(60))') \
		ALLOWED_HOSTS=clinic.example.org $(BIN)/python -m clinicdesk check --deploy --fail-level WARNING

bench-demo: install
	bash bench/bench_demo.sh

# Load test: `clinicdesk serve` on PostgreSQL with 100,000 demo patients, locust stepping up the users
# (bench/load/run.sh; results in var/load-results/). Needs a local PostgreSQL.
.PHONY: load
load: install-dev messages
	bash bench/load/run.sh

clean:
	rm -rf $(VENV) node_modules staticfiles var

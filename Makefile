# citybrain: `make run` serves the graph with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
WEB_ASSETS := citybrain/static/vendor/.installed

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

run: install
	$(BIN)/citybrain serve --seed-if-empty

seed: install
	$(BIN)/citybrain seed

test-services:
	scripts/install-test-services

test: install test-services
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) citybrain/static/vendor web/node_modules

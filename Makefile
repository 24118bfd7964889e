# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     ?= $(CURDIR)/.demo/demo.db

.PHONY: run test lint typecheck layers unit bench clean install install-test screenshots \
	bundle bundle-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

$(VENV)/.installed-bundle: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[bundle]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	@mkdir -p $(dir $(DB))
	@test -f $(DB) || $(BIN)/delegations --db $(DB) demo
	$(BIN)/delegations --db $(DB)

lint: install-test
	$(BIN)/ruff check src tests benchmarks db
	$(BIN)/ruff format --check src tests benchmarks db

typecheck: install-test
	$(BIN)/mypy

# The import contracts in pyproject.toml ([tool.importlinter]).
layers: install-test
	$(BIN)/lint-imports

unit: install-test
	$(BIN)/pytest -q

test: lint typecheck layers unit

bench: install
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_store.py --merge
	$(BIN)/python benchmarks/bench_backups.py
	$(BIN)/python benchmarks/bench_exports.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_gui.py

# README screenshots of the main screens (under Xvfb) and of each document's first page.
screenshots: install
	scripts/screenshots.sh
	scripts/document_pictures.sh

# The Linux application folder dist/delegations and dist/delegations-VERSION-linux-ARCH.tar.gz
# (PyInstaller; packaging/README.md), then the check that it works on its own (.ci/run).
bundle: $(VENV)/.installed-bundle
	scripts/build_bundle.sh $(BIN)/python

bundle-check: bundle
	scripts/bundle_check.sh

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache .import_linter_cache build dist

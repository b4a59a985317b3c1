# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint release samples clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test,browser,postgres,hub]"
	touch $(STAMP)

install: $(STAMP)

## Grade the bundled sample cohorts into ./demo-workspace (SQLite gradebook).
demo: install
	$(BIN)/wbcourse demo demo-workspace

## Everything CI runs: lint, generated files up to date, unit + pipeline + security,
## every solution notebook under nbval, real-browser tests, then a real JupyterHub
## (Unix accounts, nbgrader's exchange, Chromium on its login page; skipped unless root).
test: install
	bash scripts/ensure_system_deps.sh
	$(BIN)/ruff check .
	$(BIN)/wbcourse release --check
	$(BIN)/wbcourse samples --check
	$(BIN)/python -m pytest -m "not browser and not hub" -n 2 --dist loadfile --doctest-modules course tests
	$(BIN)/python -m pytest --nbval-lax -n 2 --dist loadfile -p no:cacheprovider solutions
	$(BIN)/python -m pytest -m browser tests/browser
	$(BIN)/python -m pytest -m hub tests/hub

lint: install
	$(BIN)/ruff check .

release: install
	$(BIN)/wbcourse release

samples: install
	$(BIN)/wbcourse samples

bench: install
	$(BIN)/python bench/grade.py
	$(BIN)/python bench/prose.py
	$(BIN)/python bench/hub_load.py

clean:
	rm -rf demo-workspace test-artifacts .pytest_cache

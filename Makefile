# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed


.PHONY: demo test install lint release samples wheel clean bench goldens

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

## Everything CI runs: lint, generated files up to date, the learner wheel built and
## checked for answers, unit + pipeline + security + wheel-install tests, every solution
## notebook under nbval, real-browser tests, then a real JupyterHub running the learner
## wheel (Unix accounts, nbgrader's exchange, Chromium on its login page; root only).
test: install
	bash scripts/ensure_system_deps.sh
	$(BIN)/ruff check .
	$(BIN)/wbcourse release --check
	$(BIN)/wbcourse samples --check
	$(MAKE) wheel
	WBCOURSE_DIST=$(CURDIR)/dist $(BIN)/python -m pytest -m "not browser and not hub" -n 2 \
		--dist loadfile --doctest-modules course tests
	$(BIN)/python -m pytest --nbval-lax -n 2 --dist loadfile -p no:cacheprovider solutions
	$(BIN)/python -m pytest -m browser tests/browser
	WBCOURSE_DIST=$(CURDIR)/dist $(BIN)/python -m pytest -m hub tests/hub

lint: install
	$(BIN)/ruff check .

release: install
	$(BIN)/wbcourse release

samples: install
	$(BIN)/wbcourse samples

## The learner edition to hand out: dist/*.whl (and the sdist), with no solutions, hidden
## tests or sample answers (the leak check fails the target otherwise).
wheel: install
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m course.leakcheck dist/*.whl dist/*.tar.gz
## Regenerate the prose checks' golden files (explain every change in CHANGELOG.md).
goldens: install
	$(BIN)/python -m tests.prose_golden --update

bench: install
	$(BIN)/python bench/grade.py
	$(BIN)/python bench/prose.py
	$(BIN)/python bench/hub_load.py

clean:
	rm -rf demo-workspace test-artifacts .pytest_cache dist build *.egg-info

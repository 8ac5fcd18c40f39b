# One command to try FluxLit, one to test it. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system demo test lint docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,auth,redis,metrics,otel,e2e,docs]"
	touch $(STAMP)

setup: $(STAMP)

system:
	bash tests/setup/system.sh

demo: setup
	cd docs/examples/demo && ../../../$(BIN)/fluxlit run app:app --host 127.0.0.1 --port 8000

test: setup system
	$(BIN)/python -m pytest -q

docs: setup
	$(BIN)/mkdocs serve

lint: setup
	$(BIN)/ruff check fluxlit fluxlit_codegen tests bench templates
	$(BIN)/ruff format --check fluxlit fluxlit_codegen templates
	$(BIN)/mypy

# Everything runs inside .venv, made here from the python3 on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: setup demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Build the sample blog, preview its status updates, post them to outbox/, and rebuild so
# the pages link to where they went. Run it twice: the second run posts nothing new.
demo: setup
	$(BIN)/syndicate build
	$(BIN)/syndicate preview
	$(BIN)/syndicate post --platform outbox
	$(BIN)/syndicate build
	$(BIN)/syndicate status

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/build_overhead.py
	$(BIN)/python bench/fitting_throughput.py
	$(BIN)/python bench/posting.py

clean:
	rm -rf output outbox .syndicate

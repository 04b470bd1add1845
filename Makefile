# Everything runs inside .venv, made here from the python3 on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: setup pds oracles browser demo serve test fuzz readme lint bench clean

# What a blogger installs: the runtime only.
$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -e .
	touch $@

# What the tests need besides: the dev extra (pytest, hypothesis, ruff, mypy, ...).
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_FLAGS) -e '.[dev]'
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.installed

# Build the sample blog, preview its status updates, post them to outbox/, and rebuild so
# the pages link to where they went. Run it twice: the second run posts nothing new.
demo: $(VENV)/.runtime
	$(BIN)/syndicate build
	$(BIN)/syndicate preview
	$(BIN)/syndicate post --platform outbox
	$(BIN)/syndicate build
	$(BIN)/syndicate status

# The site at http://localhost:8000, rebuilt on every change.
serve: $(VENV)/.runtime
	$(BIN)/pelican --autoreload --listen -s pelicanconf.py

# The reference Bluesky PDS the tests post to (npm; cached in .pds/, skipped when current).
pds:
	bash tests/pds/install.sh

# The platforms' own counting code the differential tests compare with (npm twitter-text,
# @atproto/api; cached in .oracles/, skipped when current).
oracles: pds
	bash tests/oracles/install.sh

# Debian's Chromium, for the HTML preview's browser tests (installed once, if missing).
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -q >/dev/null && $$SUDO apt-get install -y -q chromium >/dev/null; }; }

# Wheels of every runtime dependency, so the test that installs the built wheel in a fresh
# venv needs no network.
.wheelhouse/.done: pyproject.toml | setup
	$(BIN)/pip wheel $(PIP_FLAGS) -w .wheelhouse .
	touch $@

test: setup pds oracles browser .wheelhouse/.done
	HYPOTHESIS_PROFILE=repeatable $(BIN)/pytest

# The properties (counting, cutting, fitting) with new random examples, five rounds.
fuzz: setup oracles
	$(BIN)/python tests/oracles/fuzz.py --texts $${FUZZ_TEXTS:-1000000} --seed $${FUZZ_SEED:-1}
	ORACLE_EXAMPLES=$${ORACLE_EXAMPLES:-50000} $(BIN)/pytest -q -p no:cacheprovider tests/test_oracles.py
	for round in 1 2 3 4 5; do \
	  $(BIN)/pytest -q -p no:cacheprovider tests/test_fitting.py tests/test_threads.py \
	    tests/test_bluesky_richtext.py || exit 1; \
	done

# After changing what preview prints: rewrite the README's sample previews, then read the diff.
readme: setup
	$(BIN)/python tests/update_readme.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# One script per question (BENCHMARKS.md); preview_speed.py needs hyperfine.
bench: setup pds
	$(BIN)/python bench/build_cold.py --ledger none
	$(BIN)/python bench/build_cold.py --ledger all-but-5
	$(BIN)/python bench/fitting_throughput.py
	$(BIN)/python bench/preview_speed.py
	$(BIN)/python bench/posting.py

clean:
	rm -rf output outbox .syndicate .wheelhouse

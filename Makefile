# `make demo`, `make test` and `make bench` each build .venv from nothing when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUNTIME := $(VENV)/.installed
BENCH := $(VENV)/.installed-bench

CHROMIUM := /usr/bin/chromium
# Debian's chromium for the browser test, and a Hangul font so Korean reports render in it
BROWSER_PACKAGES := chromium fonts-nanum
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian's GNU time: peak memory of each whole process in benchmarks/whole.py and guard.py
GNU_TIME := /usr/bin/time
# largest whole-process time ratio allocator / raw highspy that `make bench-guard` accepts
BOUND ?= 1.10

.PHONY: demo test bench bench-whole bench-guard bench-batch bench-scaling bench-parallel bench-million bench-tools docs lint format clean browser solvers

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install leaves src/ uncompiled, and where PYTHONDONTWRITEBYTECODE is set no run
# writes the bytecode caches: every `allocator` process would compile its source again (0.05 s).
COMPILE := $(BIN)/python -m compileall -q src

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(COMPILE)
	touch $(STAMP)

$(RUNTIME): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	$(COMPILE)
	touch $(RUNTIME)

$(BENCH): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(COMPILE)
	touch $(BENCH)

demo: $(RUNTIME)
	$(BIN)/allocator solve instances/korea-2026.yaml
	$(BIN)/allocator solve instances/korea-2026-2030.yaml

# the browser test's Chromium; never `playwright install` (it downloads its own browser)
browser:
	@if [ ! -x $(CHROMIUM) ] || ! fc-list :lang=ko 2>/dev/null | grep -q .; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BROWSER_PACKAGES); \
	fi

# CBC and GLPK for the differential tests of `solve(..., solver="cbc" | "glpk")` (through Pyomo)
SOLVER_PACKAGES := coinor-cbc glpk-utils
solvers:
	@if ! command -v cbc >/dev/null || ! command -v glpsol >/dev/null; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SOLVER_PACKAGES); \
	fi

test: $(STAMP) browser solvers
	$(BIN)/ruff check src tests examples benchmarks docs/*.py
	$(BIN)/ruff format --check src tests examples benchmarks docs/*.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

# GNU time for the whole-process benchmarks (/usr/bin/time -v), installed when missing
bench-tools:
	@if [ ! -x $(GNU_TIME) ]; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq time; \
	fi

# allocator, raw highspy and linopy side by side (~5 min), then whole processes against raw
# highspy (~1 h); each writes its section of docs/performance.md
bench: $(BENCH) bench-tools
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/whole.py

# whole processes (CLI, API) against raw highspy on instance files, 1,000 to 100,000 lines
bench-whole: $(BENCH) bench-tools
	$(BIN)/python benchmarks/whole.py

# about a minute: fails when a whole allocator process takes more than BOUND × raw highspy's time
bench-guard: $(BENCH) bench-tools
	$(BIN)/python benchmarks/guard.py --bound $(BOUND)

# Monte Carlo, frontier and near-optimal per point against raw highspy doing the same solves in
# place, on korea-2026-2030 and a synthetic case (~10 min); writes build/batch.json
bench-batch: $(BENCH)
	$(BIN)/python benchmarks/batch.py

bench-scaling: $(BENCH)
	$(BIN)/python benchmarks/scaling.py

# Monte Carlo on 1 worker against 2 (process pool), in alternating pairs; build/parallel.json
bench-parallel: $(BENCH)
	$(BIN)/python benchmarks/parallel.py

# once: a 1,008,506-column LP through the API and through raw highspy (~15 min, ~7 GiB)
bench-million: $(BENCH) bench-tools
	$(BIN)/python benchmarks/million.py

# the documentation site (mkdocs-material) into site/; runs every example; nothing is fetched
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true $(BIN)/mkdocs build --strict

format: $(STAMP)
	$(BIN)/ruff format src tests examples benchmarks docs/*.py
	$(BIN)/ruff check --fix src tests examples benchmarks docs/*.py

clean:
	rm -rf $(VENV) site build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache

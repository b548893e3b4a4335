# ARGO: two commands matter. `make demo` builds the warehouse on the embedded default;
# `make test` runs every check CI runs. Both install what they need first, uv included.
# `make check` is the edit-test loop: lint, types and the tests that run no pipeline.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --locked
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install demo check test test-progress lint typecheck sqllint pytest dbt-check docs bench clean

# pytest in PYTEST_WORKERS processes (pytest-xdist; 0 runs in this process). Three on two
# cores: a worker of the pipeline tests waits (its fakes' sockets, dlt's thread pools,
# the argo processes it starts) a fair part of the time. The fast tests are CPU-bound:
# two. Tests that share a session's work (one source's fault-free history, the demo
# warehouse, the project's own target/) carry one xdist_group: one worker does it once.
PYTEST_WORKERS ?= 3
CHECK_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST = $(RUN) pytest -n $(1) --dist loadgroup $(PYTEST_ARGS)
#: The tests that run no pipeline: no dlt load, no dbt, no argo or make process (tests/markers.py).
FAST_TESTS := not (e2e or pipeline or dbt)

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	@echo "uv not found: installing it into .tools/ (a private virtualenv)"
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

# --compile-bytecode: Python's bytecode of every installed package is written once here, so
# no process (pytest's workers, each argo, dbt and sqlfluff it starts) compiles dlt, dbt and
# botocore from source again where PYTHONDONTWRITEBYTECODE is set (about 2 s per process).
install: $(UV) ## create .venv from uv.lock (exact versions)
	$(UV) sync --locked --compile-bytecode --python $(PYTHON)

demo: install ## run the demo: sandbox -> dlt -> dbt build -> docs -> the day's digest, in data/
	$(RUN) argo demo

# lint and typecheck each use one core: they run side by side (-j), each one's output kept
# together (-O), then pytest takes both cores.
check: install ## the edit-test loop (about 2 min): lint, types, the tests that run no pipeline
	@$(MAKE) --no-print-directory -j2 -O -o install lint typecheck
	$(call PYTEST,$(CHECK_WORKERS)) -m "$(FAST_TESTS)"

# All four side by side: sqllint (about 45 s, mostly sqlfluff parsing the dbt project) and
# mypy would otherwise leave a core idle while pytest waits for them. Each target's output
# is kept together (-O), except pytest's, which shows its progress as it goes (a recursive
# make is not synchronised: test-progress runs pytest in one with -Onone); any failure fails it.
test: install ## every check CI runs
	@$(MAKE) --no-print-directory -j4 -O -o install lint typecheck sqllint test-progress
	@echo "make test: all checks passed"

test-progress:
	@$(MAKE) --no-print-directory -Onone -o install pytest

lint: install ## ruff check and format check
	$(RUN) ruff check ingestion argo tests bench
	$(RUN) ruff format --check ingestion argo tests bench

typecheck: install ## mypy --strict on ingestion/ and argo/
	$(RUN) mypy

# sqlfluff's dbt templater compiles every model on a live connection: it gets a scratch
# warehouse (argo.transform.lint_warehouse), never data/argo.duckdb, which a BI tool
# may hold open. SQLLINT_PATHS=<file> lints one model.
LINT_WAREHOUSE ?= data/lint/argo.duckdb
SQLLINT_PATHS ?= models tests/dbt

sqllint: install ## sqlfluff with the dbt templater (on a scratch warehouse, not yours)
	$(RUN) python -c 'from argo.transform import lint_warehouse; lint_warehouse("$(LINT_WAREHOUSE)")'
	ARGO_TARGET=local ARGO_DUCKDB_PATH=$(LINT_WAREHOUSE) $(RUN) sqlfluff lint $(SQLLINT_PATHS)

pytest: install ## unit, sandbox, source and end-to-end tests, the demo's dbt build and docs
	$(call PYTEST,$(PYTEST_WORKERS))

dbt-check: install ## only the demo on a scratch warehouse: dbt build (data + unit tests), docs
	$(call PYTEST,0) tests/e2e/test_demo.py

docs: install ## build the dbt docs site under target/
	$(RUN) argo docs

BENCH_ARGS ?=
bench: install ## benchmarks, not in make test (~45 min; BENCH_ARGS="--sf 1 --skip scan" to choose)
	$(RUN) python -m bench.run $(BENCH_ARGS)

clean: ## remove built artefacts (keeps .venv)
	rm -rf data target logs .pytest_cache .mypy_cache .ruff_cache

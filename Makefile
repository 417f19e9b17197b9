# madoguchi — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run test lint bench install lock audit clean

# Everything installs from the lock file, pinned and checked by hash; the project itself
# goes in editable on top of it, with nothing more resolved.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

install: $(STAMP)

## Start the whole thing on the embedded default: SQLite under ./var/, simulated devices,
## sample catalog, demo sites, stations and staff (credentials are printed).
run: $(STAMP)
	MADOGUCHI_DEMO=true $(VENV)/bin/madoguchi serve --host 127.0.0.1 --port 8000

## Every test, on SQLite, and on PostgreSQL too when MADOGUCHI_TEST_PG_URL is set.
test: $(STAMP)
	$(PY) -m pytest -q

## Style (ruff), types (mypy) and the layers (import-linter), as CI runs them.
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## Throughput and latency against a plain-SQL baseline measured in the same run.
bench: $(STAMP)
	$(PY) -m benchmarks.run

## Re-resolve the lock after a change of pyproject.toml's dependencies (uses uv in a
## throwaway environment; the lock is for CPython 3.11 on x86_64 Linux, as CI runs).
lock:
	$(PYTHON) -m venv .lock-env && .lock-env/bin/pip install --quiet 'uv>=0.5'
	.lock-env/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o $(LOCK)
	rm -rf .lock-env

## Known vulnerabilities in the locked dependencies (pip-audit), when its database is reachable.
audit: $(STAMP)
	$(PY) tools/audit_deps.py $(LOCK)

clean:
	rm -rf $(VENV) var build *.egg-info

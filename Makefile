# madoguchi — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the whole thing on the embedded default: SQLite under ./var/, simulated devices,
## sample catalog, demo sites, stations and staff (credentials are printed).
run: $(STAMP)
	MADOGUCHI_DEMO=true $(VENV)/bin/madoguchi serve --host 127.0.0.1 --port 8000

## Every test, on SQLite, and on PostgreSQL too when MADOGUCHI_TEST_PG_URL is set.
test: $(STAMP)
	$(PY) -m pytest -q

## Throughput and latency against a plain-SQL baseline measured in the same run.
bench: $(STAMP)
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) var build *.egg-info

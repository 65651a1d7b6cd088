# Two entry points do all set-up on a fresh machine:
#   make run   installs the runtime and starts the dashboard on the bundled data
#   make test  installs everything (test tools, Debian's Chromium, PostgreSQL + PostGIS and QGIS) and runs
#              lint + the whole suite, the store's tests on both back ends
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: run test lint install install-dev chromium postgis assets data bench

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/python -m geo assets

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m geo assets

chromium:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# The PostGIS tests start their own server from these binaries; QGIS opens its tables as a user would.
POSTGIS_PACKAGES := postgresql postgresql-15-postgis-3 python3-qgis qgis-providers
postgis:
	@{ ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 && /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; } || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(POSTGIS_PACKAGES) >/dev/null; }

run: install
	$(BIN)/streamlit run dashboard.py

lint:
	$(BIN)/ruff check .

test: install-dev chromium postgis
	$(BIN)/ruff check .
	FLANKMAP_REQUIRE_POSTGIS=1 $(BIN)/python -m pytest -q

data: install-dev
	$(BIN)/python scripts/build_data.py

bench: install-dev
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

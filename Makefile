# Centrex Portal — `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/centrex/static/vendor
# uv from PATH, else installed once into .tools (pip is all a fresh machine has).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres test-deps lint bench messages clean

install: $(VENV)/.installed messages $(VENDOR)/.installed

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# The design system (Bootstrap, Bootstrap Icons) and the tests' accessibility checker (axe-core),
# pinned by package-lock.json and installed from the npm registry; the pages' files are copied into
# the package's static folder (git-ignored), so they are served by the portal itself, never a CDN.
# Node.js and npm come from Debian's packages when missing.
$(VENDOR)/.installed: package.json package-lock.json Makefile
	@if ! command -v npm >/dev/null; then \
	  echo "installing Node.js and npm"; $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; fi
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	  node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	  node_modules/bootstrap/LICENSE $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/LICENSE $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff $(VENDOR)/bootstrap-icons/fonts/
	# gzip copies beside the stylesheets and the script: WhiteNoise sends them to browsers that accept them.
	gzip -k -9 -f $(VENDOR)/bootstrap/bootstrap.min.css $(VENDOR)/bootstrap/bootstrap.bundle.min.js $(VENDOR)/bootstrap-icons/bootstrap-icons.min.css
	touch $@

# gettext catalogues, compiled with Babel (no system gettext needed) whenever a .po changed.
CATALOGUES := $(wildcard src/centrex/locale/*/LC_MESSAGES/django.po src/centrex/*/locale/*/LC_MESSAGES/django.po)
messages: $(CATALOGUES:.po=.mo)

%.mo: %.po | $(VENV)/.installed
	@$(BIN)/pybabel compile --statistics -i "$<" -o "$@" 2>&1 | tail -n 1

run: install
	$(BIN)/centrex run

# PostgreSQL, Chromium and Kamailio (the SIP registrar, with its SQLite and PostgreSQL modules,
# and sipp) come from Debian's packages when missing.
test-deps:
	@if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
	  echo "installing PostgreSQL"; $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; fi
	@if ! command -v chromium >/dev/null; then \
	  echo "installing Chromium"; $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; fi
	@if ! command -v kamailio >/dev/null && [ ! -x /usr/sbin/kamailio ] \
	  || ! ls /usr/lib/*/kamailio/modules/db_sqlite.so /usr/lib/*/kamailio/modules/db_postgres.so >/dev/null 2>&1 \
	  || ! command -v sipp >/dev/null; then \
	  echo "installing Kamailio"; $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq kamailio \
	    kamailio-sqlite-modules kamailio-postgres-modules sip-tester >/dev/null; fi

test: install test-deps
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	CENTREX_REQUIRE_BROWSER=1 $(BIN)/pytest --db=sqlite $(PYTEST_ARGS)

test-postgres:
	CENTREX_REQUIRE_BROWSER=1 $(BIN)/pytest --db=postgres $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# Every benchmark runs (each prints its table), then the target fails if one missed its goal.
bench: install test-deps
	@status=0; \
	$(BIN)/python benchmarks/run.py || status=1; echo; \
	$(BIN)/python benchmarks/engine.py || status=1; echo; \
	$(BIN)/python benchmarks/send.py || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) .tools var node_modules $(VENDOR)

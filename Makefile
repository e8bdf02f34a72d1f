# Two-command setup: `make run` serves the portal, `make test` runs the suite. `make help` lists targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
DEMO_ENTERPRISES ?= 300
# System libraries WeasyPrint needs (fonts are bundled in portal/static/fonts).
SYSTEM_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: help setup venv system-libs e2e-deps run run-prod test bench bench-load bench-scale worker translations lint clean-db

help: ## List the targets
	@grep -E '^[a-zA-Z0-9_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found. Install it: sudo apt-get install -y python3.11 python3.11-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed ## Create .venv and install the pinned requirements

system-libs: ## Check Pango and HarfBuzz (installs them with apt when run as root)
	@missing=""; \
	ldconfig_bin=$$(command -v ldconfig || echo /sbin/ldconfig); \
	for lib in $(SYSTEM_LIBS); do \
	  $$ldconfig_bin -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$lib"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system libraries:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(APT_PACKAGES); \
	  else \
	    echo "Missing system libraries:$$missing"; \
	    echo "Run:  sudo apt-get install -y $(APT_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi

setup: venv system-libs ## venv + system libraries

e2e-deps: venv ## Debian's Chromium for the e2e tests (apt when run as root; playwright is in requirements.txt)
	@chromium=$${CHROMIUM_PATH:-/usr/bin/chromium}; \
	if [ ! -x "$$chromium" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Chromium for the end-to-end tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else \
	    echo "Chromium is missing: the end-to-end tests will skip (and fail under CI=true)."; \
	    echo "Run:  sudo apt-get install -y chromium"; \
	  fi; \
	fi

run: setup ## Migrate, seed demo data on an empty database, serve on 127.0.0.1:PORT (default 5000)
	$(FLASK) db upgrade
	@if $(FLASK) is-empty; then $(FLASK) seed-demo --enterprises $(DEMO_ENTERPRISES); else $(FLASK) demo-logins; fi
	@echo "Serving on http://127.0.0.1:$${PORT:-5000}"
	$(FLASK) run --host 127.0.0.1 --port $${PORT:-5000}

run-prod: setup ## gunicorn (GUNICORN_WORKERS=2, BIND=127.0.0.1:8000) + one `flask worker`; needs DATABASE_URL, REDIS_URL, SECRET_KEY
	@for var in DATABASE_URL REDIS_URL SECRET_KEY; do \
	  [ -n "$${!var}" ] || { echo "Set $$var (see docs/deployment.md)."; exit 1; }; \
	done
	PORTAL_ENV=production $(FLASK) db upgrade
	@echo "Serving on http://$${BIND:-127.0.0.1:8000} (gunicorn, $${GUNICORN_WORKERS:-2} workers) with one background worker"
	@PORTAL_ENV=production $(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	PORTAL_ENV=production $(BIN)/gunicorn --workers $${GUNICORN_WORKERS:-2} --bind $${BIND:-127.0.0.1:8000} \
	  --access-logfile - --graceful-timeout 30 'portal:create_app()'

test: setup e2e-deps ## The whole suite: unit, integration, e2e in Chromium (SQLite, or TEST_DATABASE_URL)
	$(BIN)/python -m pytest tests $(PYTEST_ARGS)

BENCH_SCRIPTS := bench_scoring.py bench_section_page.py bench_pdf.py load_autosave.py bench_dashboard.py \
  bench_export.py bench_benchmark.py bench_seed_rescore.py

bench: setup ## Run every benchmark (~25 min on 2 cores; PostgreSQL for the load test) and print one table
	@start=$$(date +%s); failed=""; \
	for f in $(BENCH_SCRIPTS); do echo "== bench/$$f"; $(BIN)/python "bench/$$f" || failed="$$failed $$f"; done; \
	$(BIN)/python bench/summary.py --since $$start || true; \
	if [ -n "$$failed" ]; then echo "exited non-zero (a crash, a MISSED goal or lost data; see above):$$failed"; fi

bench-load: setup ## Only the autosave load test (gunicorn + PostgreSQL, ~2.5 min), then the table
	@start=$$(date +%s); $(BIN)/python bench/load_autosave.py; status=$$?; \
	$(BIN)/python bench/summary.py --since $$start || true; exit $$status

bench-scale: setup ## Dashboard at 1M assessments on PostgreSQL (bulk COPY seed, then cold timings), then the table
	@start=$$(date +%s); $(BIN)/python bench/bench_scale.py; status=$$?; \
	$(BIN)/python bench/summary.py --since $$start || true; exit $$status

worker: setup ## Background worker `flask worker`: RQ on REDIS_URL, else runs queued jobs; renders missing PDFs
	@if $(FLASK) --help 2>/dev/null | grep -qE '^\s+worker\b'; then exec $(FLASK) worker; \
	else echo "No worker yet: \`flask --app portal worker\` is not defined."; fi

translations: venv ## Re-extract messages, update and compile the zh catalog
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations -l zh --no-fuzzy-matching --width 110
	$(BIN)/pybabel compile -d portal/translations --statistics

lint: venv ## Ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-db: ## Delete the embedded SQLite database (instance/portal.db)
	rm -f instance/portal.db

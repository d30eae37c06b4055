# Two commands: `make run` serves the portal with demo data, `make test` runs the tests.
# Only python3 and make are needed; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
HOST   ?= 127.0.0.1
PORT   ?= 8000

WHEELHOUSE ?= wheelhouse

.PHONY: run test install browser-deps print-deps print-check lint migrate demo worker clean wheelhouse fuzz

# DEBUG is off unless switched on (the production profile refuses development keys):
# the local demo switches it on. The tests get theirs from tests/settings.py.
run demo migrate print-check: export DEBUG := 1

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The development set: the runtime pins (requirements.txt) plus tests and tools
# (requirements-dev.txt includes requirements.txt). Production installs requirements.txt alone.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# Serves http://$(HOST):$(PORT) with demo data. A Celery worker with embedded beat
# runs beside it on the file-system broker (no Redis needed) and stops with it.
run: demo
	@mkdir -p var
	@$(BIN)/celery -A gigmarket worker -B --pool=solo --loglevel=INFO \
		--schedule=var/celerybeat-schedule > var/celery.log 2>&1 & \
	celery_pid=$$!; \
	trap 'kill $$celery_pid 2>/dev/null' EXIT INT TERM; \
	echo "门户地址: http://$(HOST):$(PORT)/  (Celery 日志: var/celery.log)"; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium (never a downloaded browser) and need a CJK font.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wqy"; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian packages chromium and fonts-wqy-zenhei for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
		else \
			echo "The browser tests need Debian's chromium and fonts-wqy-zenhei: sudo apt-get install chromium fonts-wqy-zenhei"; \
			exit 1; \
		fi; \
	fi

# Print check (docs/exports.md): every export and printable page of the demo data, printed to
# PDF by LibreOffice (workbooks) and Chromium (pages), one PNG per page in $(PRINT_CHECK_DIR)/png/
# for a person to look at. Carlito (metric-compatible with Calibri, the workbooks' default font)
# makes Calc measure column widths as Excel and WPS do. Not needed by `make test`.
PRINT_CHECK_DIR ?= var/print-check
print-deps: browser-deps
	@if ! command -v libreoffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi carlito; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian packages libreoffice-calc-nogui, poppler-utils and fonts-crosextra-carlito for the print check"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito >/dev/null; \
		else \
			echo "The print check needs LibreOffice Calc, poppler and Carlito: sudo apt-get install libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito"; \
			exit 1; \
		fi; \
	fi

print-check: demo print-deps
	CHROMIUM_PATH=$${CHROMIUM_PATH:-$$(command -v chromium)} $(BIN)/python manage.py render_exports --out $(PRINT_CHECK_DIR)

# One process per CPU by default (pytest-xdist `-n auto`: two here). `loadfile` keeps a file on
# one worker, and the demo-data tests together (tests/conftest.py). Override for one test:
#   make test PYTEST_ARGS="tests/core/test_demo.py -k idempotent"
PYTEST_ARGS ?= -n auto --dist loadfile

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The long fuzzing campaign (docs/security.md "Figures"): every fuzzed form and query string,
# FUZZ_EXAMPLES Hypothesis examples each (1,000 x 11 tests = 11,000), 0 x 5xx, 0 partial writes.
FUZZ_EXAMPLES ?= 1000
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider -q tests/security/test_fuzz_forms.py tests/security/test_fuzz_queries.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Wheels of the runtime set (requirements.txt) for an offline install on a machine of the
# same OS and Python version (docs/deployment.md):
#   pip install --no-index --find-links wheelhouse -r requirements.txt
# Any source distribution among them is built into a wheel here, so the target needs no
# compiler and no internet.
wheelhouse: | $(BIN)/python
	rm -rf $(WHEELHOUSE) && mkdir -p $(WHEELHOUSE)
	$(BIN)/python -m pip download --quiet --disable-pip-version-check -r requirements.txt -d $(WHEELHOUSE)
	@set -e; for sdist in $(WHEELHOUSE)/*.tar.gz $(WHEELHOUSE)/*.zip; do \
		[ -e "$$sdist" ] || continue; \
		$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps -w $(WHEELHOUSE) "$$sdist"; \
		rm "$$sdist"; \
	done
	cp requirements.txt $(WHEELHOUSE)/
	@echo "$(WHEELHOUSE)/: $$(ls $(WHEELHOUSE)/*.whl | wc -l) wheels for requirements.txt"

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles $(WHEELHOUSE)

# Two commands: `make run` serves the portal with demo data, `make test` runs the tests.
# Only python3 and make are needed; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-requirements
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install browser-deps lint migrate demo worker clean

# DEBUG is off unless switched on (the production profile refuses development keys):
# the local demo switches it on. The tests get theirs from tests/settings.py.
run demo migrate: export DEBUG := 1

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
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

test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles

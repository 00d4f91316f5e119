# Kontora: `make run` sets up and starts everything; `make test` runs every test (SQLite, then PostgreSQL).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 2>/dev/null || (command -v pyenv >/dev/null && pyenv which python3.13 2>/dev/null) || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/kontora
VENDOR := kontora/web/static/vendor

.PHONY: run test venv assets messages gettext check-messages test-sqlite test-postgres lint chromium clean

run: venv assets messages
	$(BIN)/kontora run

$(BIN)/kontora: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

venv: $(BIN)/kontora

$(VENDOR)/.built: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp frontend/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp frontend/node_modules/alpinejs/dist/cdn.min.js $(VENDOR)/alpine.min.js
	cp frontend/node_modules/sortablejs/Sortable.min.js $(VENDOR)/sortable.min.js
	cp frontend/node_modules/frappe-gantt/dist/frappe-gantt.umd.js $(VENDOR)/frappe-gantt.js
	cp frontend/node_modules/frappe-gantt/dist/frappe-gantt.css $(VENDOR)/frappe-gantt.css
	cp frontend/node_modules/fullcalendar/index.global.min.js $(VENDOR)/fullcalendar.min.js
	cp frontend/node_modules/@fullcalendar/core/locales/ru.global.min.js $(VENDOR)/fullcalendar-ru.js
	cp frontend/node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp frontend/node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-modeler.min.js
	cp frontend/node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/bpmn-viewer.min.js
	rm -rf $(VENDOR)/bpmn-js && cp -r frontend/node_modules/bpmn-js/dist/assets $(VENDOR)/bpmn-js
	touch $@

assets: $(VENDOR)/.built

gettext:
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }

messages: venv gettext
	cd kontora && ../$(BIN)/django-admin compilemessages --ignore=.venv -v 0

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: venv
	$(BIN)/ruff check kontora tests bench
	DJANGO_SETTINGS_MODULE=kontora.settings KONTORA_VAR_DIR=$$(mktemp -d) $(BIN)/kontora makemigrations --check --dry-run >/dev/null

# The two legs run side by side (each prints when it ends); `make test-sqlite` or `make test-postgres` runs one.
test: venv assets messages chromium lint check-messages
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	@echo "== SQLite leg =="; $(BIN)/pytest -p no:cacheprovider

test-postgres:
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL leg =="; DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider; \
	else echo "PostgreSQL is not reachable at $(PG_URL): its leg is skipped"; fi

clean:
	rm -rf $(VENV) frontend/node_modules $(VENDOR) var

# Fails when a Russian message is missing or fuzzy (fuzzy ones are silently ignored at run time).
check-messages: venv gettext
	cd kontora && ../$(BIN)/django-admin makemessages -l ru -l en --ignore=__pycache__ -v 0 && \
	  test -z "$$(msgattrib --untranslated --no-obsolete locale/ru/LC_MESSAGES/django.po | grep '^msgid' | grep -v '^msgid \"\"$$')" && \
	  test -z "$$(msgattrib --only-fuzzy --no-obsolete locale/ru/LC_MESSAGES/django.po | grep '^msgid' | grep -v '^msgid \"\"$$')"

# Webcare: `make run` starts everything, `make test` runs the whole suite.
# Both work from a clean clone; the first run creates .venv and installs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
SANDBOX_PORT ?= 8400

.PHONY: run test bench lock messages compiled-messages check-migrations clean help

help:
	@echo "make run     start Webcare (web, worker, beat, sandbox platform) with demo data"
	@echo "make test    run the whole test suite (what CI runs)"
	@echo "make bench   run the benchmarks and print JSON figures (needs PostgreSQL)"
	@echo "make lock    re-pin requirements*.txt from pyproject.toml"
	@echo "make messages  extract and compile translations"

$(VENV)/.installed-run: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run requirements-test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

compiled-messages: $(VENV)/.installed-run
	if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v0; fi

# Local development: DEBUG on, plain http; the database and broker are embedded
# unless DATABASE_URL / REDIS_URL are set in the environment.
run: export DEBUG ?= true
run: export WEBCARE_HTTPS ?= false
run: export WEBCARE_SANDBOX_URL ?= http://127.0.0.1:$(SANDBOX_PORT)
run: export META_APP_SECRET ?= sandbox-app-secret
run: export META_VERIFY_TOKEN ?= sandbox-verify-token
run: export PORT := $(PORT)
run: export PATH := $(CURDIR)/$(BIN):$(PATH)
run: export SANDBOX_PORT := $(SANDBOX_PORT)
# honcho gives every process its own PORT, so the sandbox is told where the web server is.
run: export SANDBOX_WEBHOOK_URL := http://127.0.0.1:$(PORT)/webhooks/meta
run: $(VENV)/.installed-run compiled-messages
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py demo_data --sandbox-url "$$WEBCARE_SANDBOX_URL"
	@echo
	@echo "  Webcare is starting on http://127.0.0.1:$(PORT)/  (sandbox platform: $$WEBCARE_SANDBOX_URL/)"
	@echo "  Stop with Ctrl-C."
	@echo
	$(BIN)/honcho -f Procfile.dev start

test: $(VENV)/.installed-test compiled-messages
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(PY) -m bench $(BENCH)

messages: $(VENV)/.installed-run
	DEBUG=true $(PY) manage.py makemessages --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=var -l nl -l fr -l da -v0
	DEBUG=true $(PY) manage.py makemessages --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=var -d djangojs -l nl -l fr -l da -v0
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v0

check-migrations: $(VENV)/.installed-run
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet $$($(PYTHON) -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(" ".join(repr(x) for x in d["dependencies"]))' | tr -d "'")
	.lock-venv/bin/pip freeze --exclude-editable | sed '1i # Pinned from pyproject.toml by `make lock`; do not edit by hand.' > requirements.txt
	.lock-venv/bin/pip install --quiet $$($(PYTHON) -c 'import tomllib; d = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["test"]; print(" ".join(repr(x) for x in d))' | tr -d "'")
	.lock-venv/bin/pip freeze --exclude-editable | grep -vxFf requirements.txt | sed '1i # Test-only pins on top of requirements.txt, by `make lock`.' > requirements-test.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) var staticfiles

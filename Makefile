# The README's two commands: `make run` and `make test`. Everything they need is set up here.
VENV ?= .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
PORT ?= 5000
HOST ?= 127.0.0.1
PYTHON ?= python3
PYTEST_ARGS ?=
# The suite runs in 4 worker processes (pytest-xdist; idle workers take tests from busy ones). Many
# tests wait on a browser, a server or a subprocess, so 4 workers keep 2 cores busy. Each worker has
# its own PostgreSQL database (tests/conftest.py). PYTEST_JOBS= runs everything in one process.
PYTEST_JOBS ?= -n 4 --dist worksteal
export FLASK_APP := wsgi

.PHONY: setup run test bench translations extract-messages reset-demo clean

# Three levels of setup, each a stamp file: `make run` needs only the app's own packages; `make test`
# adds pytest, Playwright and the PostgreSQL driver; `make bench` adds psutil and the driver.
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed (this is %s)" % sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	rm -f $(VENV)/.installed-test $(VENV)/.installed-bench
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,postgres]"
	touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[bench,postgres]"
	touch $@

setup: $(VENV)/.installed translations

# Compiled catalogues are build output (not in git): made from the .po files on every setup.
translations: $(VENV)/.installed
	$(PYBABEL) compile --use-fuzzy -d store_app/translations

# For developers: collect new strings from code and templates into the catalogues.
extract-messages: $(VENV)/.installed
	$(PYBABEL) -q extract -F babel.cfg -k _l -k lazy_gettext -o store_app/translations/messages.pot .
	$(PYBABEL) -q update -N -i store_app/translations/messages.pot -d store_app/translations

run: setup
	$(PY) -m store_app.launcher --host $(HOST) --port $(PORT)

test: setup $(VENV)/.installed-test
	$(PY) -m pytest $(PYTEST_JOBS) $(PYTEST_ARGS)

bench: setup $(VENV)/.installed-bench
	@for script in $(wildcard bench/*.py); do echo "== $$script"; $(PY) $$script || exit 1; done

# Back to a fresh demo: the embedded database and uploaded files go; the next `make run` loads the
# demo community again.
reset-demo:
	rm -f instance/store.sqlite3 instance/store.sqlite3-wal instance/store.sqlite3-shm
	rm -rf instance/uploads
	@echo "Demo reset: the next 'make run' loads a fresh demo community."

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis

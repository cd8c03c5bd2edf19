# The README's two commands: `make run` and `make test`. Everything they need is set up here.
VENV ?= .venv
PY := $(VENV)/bin/python
PYBABEL := $(VENV)/bin/pybabel
PORT ?= 5000
HOST ?= 127.0.0.1
PYTHON ?= python3
PYTEST_ARGS ?=
export FLASK_APP := wsgi

.PHONY: setup run test bench translations extract-messages clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,postgres,bench]"
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

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	@for script in $(wildcard bench/*.py); do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis

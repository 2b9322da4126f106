# crmlab — every task starts from nothing but Python 3 and make.
#   make course   set up, execute every chapter, build the HTML course in build/course/ (中文版: build/course/zh/)
#   make test     set up, run ruff, unit tests, doctests, notebook hygiene and strict nbval
#   make test-fast   unit tests and doctests only (no kernel, no site build, no browser, no nbval): the inner loop
#   make student  student copies (no solutions) in build/student/ and build/student/zh/
#   make slides   offline reveal.js decks (lecturer's and student/) in build/slides/ and build/slides/zh/
#   make check-site  open both editions of the built course in headless Chromium with no network
#   make check-numerics  strict nbval again with other BLAS kernels and numpy SIMD paths (also run by make test)
#   make check-slides  measure every slide of every deck (1280x720): no overflow, no solution in student decks
#   make lab      JupyterLab on notebooks/ (make lab EDITION=zh: on the Chinese edition in build/zh/)
#   make bench    benchmarks (speed and memory targets; peers lifetimes/pymc-marketing in .venv-bench)
#   make lint     ruff
#   make lock     re-pin requirements/constraints.txt from the current venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.crmlab-installed
EXTRAS := notebooks,test,bench,dev,scale,spark
# peers for benchmarks/bench_peers.py live in their own venv, so the project's environment stays clean
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.peers-installed

export PYTHONHASHSEED := 0
unexport MPLBACKEND

NBVAL_FLAGS := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=120
# `make test JOBS=2` (or test-fast) runs two pytest-xdist workers; a test file (and a notebook's cells)
# stays on one worker, so module fixtures are built once and nbval runs a notebook in one kernel.
# Default one process: on the shared 2-core machine two workers were slower (more CPU for imports).
# `make course JOBS=2` executes two chapters at a time (each in its own kernel). JOBS >= 1.
JOBS ?= 1
XDIST := $(if $(filter-out 0 1,$(JOBS)),-n $(JOBS) --dist loadfile,)

# Executed chapters (English and Chinese) stored by a key of everything their outputs depend on
# (crmlab/course/cache.py): `make course` runs again only the chapters whose inputs changed. `make clean` empties it.
EXEC_CACHE ?= build/cache/executions

# Which edition `make lab` opens: en (notebooks/, the source) or zh (generated into build/zh/).
EDITION ?= en
LAB_DIR := $(if $(filter zh,$(EDITION)),build/zh,notebooks)
# Jupyter refuses to start as root unless told; containers often run as root.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: install course student slides check-site check-slides check-numerics test test-fast lab bench lint lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip -c requirements/constraints.txt
	PIP_CONSTRAINT=requirements/constraints.txt $(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	@touch $(STAMP)

course: $(STAMP)
	$(BIN)/crmlab course build --out build/course --jobs $(JOBS) --cache $(EXEC_CACHE)

student: $(STAMP)
	$(BIN)/crmlab course student --out build/student
	$(BIN)/crmlab course student --lang zh --out build/student/zh

slides: $(STAMP)
	$(BIN)/crmlab course slides --out build/slides
	$(BIN)/crmlab course slides --student --out build/slides/student
	$(BIN)/crmlab course slides --lang zh --out build/slides/zh
	$(BIN)/crmlab course slides --lang zh --student --out build/slides/zh/student

# Every slide of every deck in headless Chromium at 1280x720: none may overflow; screenshots in build/slides-check/.
check-slides: slides
	$(BIN)/crmlab course check --slides build/slides --screenshots build/slides-check

# Build the site from the stored (nbval-checked) outputs (the Chinese chapters run again for their Chinese figure
# labels) and open both editions in headless Chromium, offline.
check-site: $(STAMP)
	$(BIN)/crmlab course build --no-execute --execute-zh --out build/course --cache $(EXEC_CACHE)
	$(BIN)/crmlab course check --site build/course --screenshots build/site-check

test: $(STAMP)
	$(BIN)/ruff check crmlab tests benchmarks notebooks
	$(BIN)/python -m pytest tests notebooks crmlab --doctest-modules $(NBVAL_FLAGS) $(XDIST)
	$(OTHER_NUMERICS) $(BIN)/python -m pytest notebooks $(NBVAL_FLAGS) -q

# Strict nbval once more with other floating-point code paths: OpenBLAS's oldest x86 kernels on one thread, and
# numpy's SIMD loops held to the x86-64-v2 baseline. A stored output that only this run changes depends on the
# machine's last bits (a value next to a rounding boundary, a -0.0000); print it so it cannot. Part of make test.
OTHER_NUMERICS := OPENBLAS_CORETYPE=Prescott OPENBLAS_NUM_THREADS=1 NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR"
check-numerics: $(STAMP)
	$(OTHER_NUMERICS) $(BIN)/python -m pytest notebooks $(NBVAL_FLAGS) -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests crmlab --doctest-modules -m "not notebooks" $(XDIST)

lab: $(STAMP)
	@if [ "$(EDITION)" = "zh" ]; then $(BIN)/crmlab course translate --out build/zh; fi
	$(if $(filter zh,$(EDITION)),CRMLAB_LANG=zh )$(BIN)/jupyter lab $(LAB_ROOT) $(LAB_DIR)

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

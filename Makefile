# The commands the README names. Everything runs in a virtual environment at .venv, made with
# the machine's python3 and filled from pyproject.toml's extras (pinned) and
# requirements/constraints.txt (their dependencies, frozen). Run `make help` for the list.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The stamp records a finished install; it is redone when the pins change.
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check

BOOK_HTML := _build/html
# Warnings are errors (-W), unresolved references too (-n); --keep-going reports them all.
BOOK_FLAGS ?= -W -n --keep-going
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help install book serve lab test lint format lock clean distclean release
.PHONY: collect autograde feedback grades student-repo
.PHONY: bench bench-course

help:
	@echo "make book       build the web book into $(BOOK_HTML) (executes the lessons; cached)"
	@echo "make serve      serve the built book on http://$(HOST):$(PORT)/ (PORT=... to change)"
	@echo "make lab        JupyterLab in the course environment: lessons open as notebooks (ROLE=instructor: with formgrader)"
	@echo "make test       run the whole test suite (pytest)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make format     apply ruff's fixes and formatting"
	@echo "make release    regenerate the student labs in notebooks/release/ (nbgrader; then commit them)"
	@echo "make collect SUBMISSIONS=path [LAB=lab]   put a folder or .zip of submissions into notebooks/submitted/"
	@echo "make collect EXCHANGE=1 [LAB=lab]         collect what students submitted to nbgrader's exchange (JupyterHub)"
	@echo "make autograde [LABS=...] [JOBS=n]        grade every new submission, in parallel (FORCE=1 regrades)"
	@echo "make autograde SCHEDULER=tcp://host:8786  the same on a Dask cluster's workers (grader/cluster.py)"
	@echo "make feedback   HTML feedback for every graded submission (hidden tests shown as pass/fail only)"
	@echo "make grades     notebooks/reports/grades.csv, canvas.csv, moodle.csv and a per-lab summary with a score plot"
	@echo "make student-repo DEST=path   the repository as students may see it (no solutions), a new git repo"
	@echo "make bench      benchmarks vs HIPS autograd, micrograd, PyTorch, JAX into benchmarks/results.json (~15 min)"
	@echo "make bench-course  the same plus book build times (clean, cached) and autograding throughput (slow)"
	@echo "make install    only create/update the environment in $(VENV)"
	@echo "make lock       re-resolve the pins into $(CONSTRAINTS) (after editing pyproject.toml)"
	@echo "make clean      remove build output and caches; make distclean also removes $(VENV)"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "error: the course environment needs Python 3.11 or newer ($(PYTHON) is" \
	       "$$($(PYTHON) --version 2>&1)); run e.g. 'make PYTHON=python3.12 ...'" >&2; exit 1; }
	@[ -x $(BIN)/python ] || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; \
	  $(PYTHON) -m venv $(VENV); }
	@echo "Installing the course environment into $(VENV) (first time: a few minutes)"
	$(PIP_INSTALL) -c $(CONSTRAINTS) -e ".[all]"
	@touch $@

install: $(STAMP)

# System packages (Graphviz; Chromium for the tests): installed with apt-get when missing and
# no password is needed, else the script says what to install.
SYSTEM_PACKAGES := requirements/system-packages.sh

book: $(STAMP)
	@$(SYSTEM_PACKAGES) book
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "The web book is built: $(CURDIR)/$(BOOK_HTML)/index.html"
	@echo "Open that file in a browser, or serve it with 'make serve'"
	@echo "(http://$(HOST):$(PORT)/; another port: make serve PORT=8080)."

serve:
	@[ -f $(BOOK_HTML)/index.html ] || { echo "error: no book in $(BOOK_HTML); run 'make book' first" >&2; exit 1; }
	@echo "Serving $(BOOK_HTML) on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(PYTHON) -m http.server $(PORT) --bind $(HOST) --directory $(BOOK_HTML)

# JupyterLab in the course environment, configured by the repository's jupyter/ folder, the
# same settings Binder (binder/start) and the conda environment use: the lessons (book/*.md)
# open as notebooks (jupytext), MyST is rendered (jupyterlab-myst), and nbgrader offers the
# students' tools only (assignment list, Validate). ROLE=instructor adds jupyter/instructor/
# (formgrader, Create Assignment, courses) and starts in notebooks/, the course folder.
# Nothing is written to ~/.jupyter. LAB_ARGS passes options, e.g. LAB_ARGS="--no-browser --port 8890".
ROLE ?= student
LAB_ARGS ?=
LAB_CONFIG := $(CURDIR)/jupyter$(if $(filter instructor,$(ROLE)),/instructor:$(CURDIR)/jupyter)
LAB_ROOT := $(CURDIR)$(if $(filter instructor,$(ROLE)),/notebooks)
lab: $(STAMP)
	cd "$(LAB_ROOT)" && JUPYTER_CONFIG_PATH="$(LAB_CONFIG)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  "$(abspath $(BIN))/jupyter" lab --ServerApp.root_dir="$(LAB_ROOT)" \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# The instructor's pipeline (notebooks/tools/course.py, on top of nbgrader; run in the course
# folder notebooks/, gradebook DIFFPROG_DB_URL, else notebooks/gradebook.db). `release` makes
# the student version of every lab from the instructor's source (solutions and hidden tests
# removed) and records each lab in the gradebook.
COURSE_PY := $(BIN)/python notebooks/tools/course.py
release: $(STAMP)
	$(COURSE_PY) release
	@echo "Commit notebooks/release/."

collect: $(STAMP)
	@[ -n "$(SUBMISSIONS)$(EXCHANGE)" ] || { echo "usage: make collect SUBMISSIONS=path/to/folder-or.zip [LAB=lab-id], or make collect EXCHANGE=1 [LAB=lab-id]" >&2; exit 2; }
	$(COURSE_PY) collect $(if $(EXCHANGE),--exchange,"$(SUBMISSIONS)") $(if $(LAB),--lab $(LAB))

autograde: $(STAMP)
	@$(if $(SCHEDULER),true,$(SYSTEM_PACKAGES) grade)  # a cluster's workers sandbox
	$(COURSE_PY) autograde $(LABS) $(if $(JOBS),--jobs $(JOBS)) $(if $(FORCE),--force) \
	  $(if $(SCHEDULER),--scheduler $(SCHEDULER))

feedback: $(STAMP)
	$(COURSE_PY) feedback $(LABS)

grades: $(STAMP)
	$(COURSE_PY) export

# The student-facing repository (notebooks/grader/export.py): the files tracked at HEAD minus
# the labs' sources, generators, grading core and wrong answers; refuses to finish if any file
# left holds a solution or hidden-test marker. Needs only git and Python, not the venv.
student-repo:
	@[ -n "$(DEST)" ] || { echo "usage: make student-repo DEST=path/to/new/folder" >&2; exit 2; }
	$(PYTHON) notebooks/grader/export.py "$(DEST)"

test: $(STAMP)
	@$(SYSTEM_PACKAGES) test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Resolve pyproject.toml's extras afresh in a throwaway venv and freeze every dependency.
# Local version labels (torch's "+cpu") are dropped so the same file works everywhere.
LOCK_VENV := _build/lock-venv
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e ".[all]"
	{ echo "# Generated by 'make lock' from pyproject.toml's extras; do not edit by hand."; \
	  echo "# Used as pip constraints (-c) by the Makefile, environment.yml and binder/."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable --disable-pip-version-check \
	    | grep -v -i '^autodiff[-_]lite' | sed -E 's/^([^=]+==[^+]+)\+.*$$/\1/'; \
	} > $(CONSTRAINTS)
	rm -rf $(LOCK_VENV)
	@echo "Wrote $(CONSTRAINTS)"

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info

# Speed and memory against the peers, all in one process on the same inputs; the book's
# Performance page plots the committed results file (it never runs the benchmarks).
# BENCH_ARGS=--quick for a smoke run, BENCH_ARGS="--only mlp,scalar" for a subset.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

bench-course: $(STAMP)
	$(BIN)/python -m benchmarks.run --course $(BENCH_ARGS)

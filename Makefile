# Copyright (c) 2026, mailops.sendgrid contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# mailops.sendgrid: one command per job.
#   make demo   the emulator, an audit that shows drift, the fix, a clean second audit
#   make test   every quality gate: sanity, units, integration, ansible-lint, changelog lint, reuse lint
# Both set up everything they need in .venv on a fresh machine.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The toolchain runs on Python 3.13 (ansible-core 2.21), found wherever it is installed (PATH,
# pyenv, uv, system directories: tests/utils/find-python.sh), or named with make PYTHON=....
# Every other installed Python 3.9+ is linked into .venv/pythons, so ansible-test also checks the
# modules on those.
FIND_PYTHON := tests/utils/find-python.sh
PYTHON ?= $(shell $(FIND_PYTHON) --quiet 3.13)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(CURDIR)/$(VENV)/pythons:$(PATH)
export ANSIBLE_TEST = $(BIN)/ansible-test
ANSIBLE_TEST_SH := tests/utils/ansible-test.sh
STAMP := $(VENV)/.installed

# The version matrix's second column: the oldest ansible-core requires_ansible claims, on Python 3.11.
PYTHON_OLD ?= $(shell $(FIND_PYTHON) --quiet 3.11)
OLD_VENV := $(VENV)/ansible-2.17
OLD_BIN := $(CURDIR)/$(OLD_VENV)/bin
OLD_STAMP := $(OLD_VENV)/.installed
OLD_ENV := PATH=$(OLD_BIN):$(CURDIR)/$(VENV)/pythons:$(PATH) ANSIBLE_TEST=$(OLD_BIN)/ansible-test PYTHON=$(OLD_BIN)/python

.PHONY: help venv test sanity units integration lint changelog-lint reuse-lint packaging bench-smoke bench demo emulator clean \
	matrix-2.17 sanity-2.17 units-2.17 integration-2.17

help:
	@echo "make demo    run the example against the emulator (audit, enforce, audit)"
	@echo "make test    run every test: sanity, units, integration, ansible-lint, changelog lint, reuse lint"
	@echo "make bench   run the benchmark and write docs/performance.md"
	@echo "make emulator  start the SendGrid emulator on 127.0.0.1:3030 (Ctrl-C stops it)"

$(STAMP): tests/requirements.txt
	@test -n "$(PYTHON)" || { $(FIND_PYTHON) 3.13 >/dev/null; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(BIN)/python -m pip install --disable-pip-version-check -q -r tests/requirements.txt
	tests/utils/link-pythons.sh $(VENV)/pythons
	touch $@

venv: $(STAMP)

$(OLD_STAMP): tests/requirements-2.17.txt $(STAMP)
	@test -n "$(PYTHON_OLD)" || { echo "The ansible-core 2.17 column of the matrix runs on Python 3.11."; $(FIND_PYTHON) 3.11 >/dev/null; exit 1; }
	$(PYTHON_OLD) -m venv $(OLD_VENV)
	$(OLD_BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip
	$(OLD_BIN)/python -m pip install --disable-pip-version-check -q -r tests/requirements-2.17.txt
	touch $@

# The two columns' integration tests run side by side (each on emulators of its own, in a tree of its
# own): most of their time is Ansible starting processes and waiting on the emulator, so the two
# cores are used better than one after the other. Each column's output is shown whole when it ends.
test: $(STAMP) $(OLD_STAMP)
	$(MAKE) --no-print-directory sanity units lint changelog-lint reuse-lint packaging bench-smoke sanity-2.17 units-2.17
	$(MAKE) --no-print-directory -j2 --output-sync=target integration integration-2.17
	@echo "make test: all quality gates passed"

sanity: $(STAMP)
	PYTHON=$(BIN)/python $(ANSIBLE_TEST_SH) sanity --venv --color no

units: $(STAMP)
	PYTHON=$(BIN)/python $(ANSIBLE_TEST_SH) units --local --python 3.13 --color no

integration: $(STAMP)
	PYTHON=$(BIN)/python $(ANSIBLE_TEST_SH) integration --local --python 3.13 --color no

# The same sanity, units and integration on ansible-core 2.17 / Python 3.11.
matrix-2.17: sanity-2.17 units-2.17 integration-2.17

sanity-2.17: $(OLD_STAMP)
	$(OLD_ENV) $(ANSIBLE_TEST_SH) sanity --venv --color no

units-2.17: $(OLD_STAMP)
	$(OLD_ENV) $(ANSIBLE_TEST_SH) units --local --python 3.11 --color no

integration-2.17: $(OLD_STAMP)
	$(OLD_ENV) $(ANSIBLE_TEST_SH) integration --local --python 3.11 --color no

lint: $(STAMP)
	$(BIN)/ansible-lint --profile production

changelog-lint: $(STAMP)
	$(BIN)/antsibull-changelog lint

# Every file has a copyright and a licence (its SPDX header or REUSE.toml), and the licence text ships.
reuse-lint: $(STAMP)
	$(BIN)/reuse lint

# Build the tarball; galaxy-importer, antsibull-docs and ansible-builder on what ships.
packaging: $(STAMP)
	tests/utils/packaging-checks.sh

# The benchmark is not a test: it prints figures. Its smoke run (N = 20, no latency) is in
# make test so that it cannot rot; the full run writes docs/performance.md and its plots.
bench-smoke: $(STAMP)
	$(BIN)/python tests/benchmarks/bench.py --smoke

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/bench.py

demo: $(STAMP)
	tests/utils/demo.sh

emulator:
	python3 tests/emulator/sendgrid_emulator.py --port 3030 --subusers 10

clean:
	rm -rf $(VENV) tests/output

# The README's commands. Each does its own set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp
BENCH_SIZES ?= 10,100,1000
BENCH_WORKLOADS ?= generated,realworld

.PHONY: install test lint typecheck unit unit-later docs demo bench fuzz catalogues clean

# pip >= 25.1 reads the dependency groups (PEP 735) of pyproject.toml: upgrade it first.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[cli,docusign,images]" --group test --group docs
	touch $(STAMP)

install: $(STAMP)

## Every check: lint, format, types, tests, docs (HTML and doctest).
test: lint typecheck unit unit-later docs

lint: $(STAMP)
	$(BIN)/ruff check src tests docs bench
	$(BIN)/ruff format --check src tests docs bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

## The whole suite and every docstring example once more with the wall clock moved years
## ahead, to a leap day: nothing may depend on the day the suite runs (the sample project, DocuSign
## staleness, backup names). tests/conftest.py moves the clock (time-machine).
LATER ?= 2032-02-29T06:00:00+00:00
unit-later: $(STAMP)
	INVOICEBACKUP_TEST_CLOCK=$(LATER) $(BIN)/pytest -q -p no:cacheprovider \
		--doctest-modules src/invoicebackup tests README.md

docs: $(STAMP)
	$(BIN)/sphinx-build -q -W -n --keep-going -b html docs docs/_build/html
	$(BIN)/sphinx-build -q -W -n --keep-going -b doctest docs docs/_build/doctest

## The main job on the embedded sample project, with nothing to provide.
# Exit code 3 means "valid/compiled, with warnings": the sample project has a damaged PDF and a
# spreadsheet attachment on purpose, so 3 is the expected outcome of validate and compile here.
# The sample is written afresh each time: its dates follow the day it is written.
demo: $(STAMP)
	rm -rf demo-output/project
	$(BIN)/invoicebackup sample demo-output/project
	$(BIN)/invoicebackup validate demo-output/project || test $$? -eq 3
	$(BIN)/invoicebackup docusign status demo-output/project --as u-admin
	$(BIN)/invoicebackup plan demo-output/project --as u-admin --contract k-2 || test $$? -eq 3
	$(BIN)/invoicebackup compile demo-output/project --as u-admin -o demo-output \
		--include-certificate || test $$? -eq 3
	$(BIN)/invoicebackup verify "$$(ls -t demo-output/*.pdf | head -n 1)" --project demo-output/project
	$(BIN)/invoicebackup compile demo-output/project --as u-admin -o demo-output \
		--include-certificate --format zip -q || test $$? -eq 3
	$(BIN)/python -m zipfile -l "$$(ls -t demo-output/*.zip | head -n 1)"

$(BENCH_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[cli,docusign,images]" --group test --group bench
	touch $(BENCH_STAMP)

## Ours against pypdf, pikepdf and qpdf on generated backups and on real documents (unique
## copies of ../shared/corpus/realworld; skipped, saying so, without it). Not part of `make test`.
## make bench BENCH_SIZES=10,100 BENCH_WORKLOADS=realworld; workloads are cached in bench-output/.
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --sizes $(BENCH_SIZES) --workloads $(BENCH_WORKLOADS)

## The hostile-input and no-leak properties with the `fuzz` profile's many examples (not in `make test`).
## No per-test time limit: at 20,000 examples a property runs for minutes (the suite's 300 s
## limit cut them off on a busy machine, reported as failures).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest --timeout=0 tests/property/test_hostile_pdfs.py \
		tests/property/test_resource_names.py tests/pdf/test_syntax_properties.py \
		tests/pdf/test_generalized.py tests/property/test_no_leak.py -q \
		--hypothesis-show-statistics

## Compile the message catalogues (src/invoicebackup/locale/*/LC_MESSAGES/invoicebackup.po -> .mo)
## after editing or adding a .po file; tests/test_catalogues.py fails while a .mo is stale.
catalogues: $(STAMP)
	$(BIN)/pybabel compile --domain invoicebackup --directory src/invoicebackup/locale --statistics

clean:
	rm -rf docs/_build demo-output .pytest_cache .mypy_cache .ruff_cache

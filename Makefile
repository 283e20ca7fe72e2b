# Everyday commands; each works inside an environment with the package installed
# (see README.md's Quick start for fresh environments).
PYTHON ?= python

.PHONY: test tour docs accuracy clean

test:
	$(PYTHON) -m pytest -n 2

tour:
	$(PYTHON) -m sklinear_sgd

docs:
	$(PYTHON) -m sphinx -W --keep-going -b html docs docs/_build/html

accuracy:
	$(PYTHON) benchmarks/accuracy_table.py

clean:
	rm -rf docs/_build docs/generated docs/auto_examples docs/sg_execution_times.rst

# Two commands for a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PY := .venv/bin/python

.PHONY: demo test lint bench

.venv/.ready: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $@

demo: .venv/.ready
	$(PY) -m graphviz_nn render -o output/network.png

test: .venv/.ready
	$(PY) -m pytest

lint: .venv/.ready
	.venv/bin/ruff check .

bench: .venv/.ready
	$(PY) benchmarks/run.py

# Two commands for a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PY := .venv/bin/python
CLI := $(PY) -m graphviz_nn

.PHONY: demo test lint bench bytecode

.venv/.ready: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $@

# Python's bytecode for the package and its tests. An editable install leaves none, and where
# PYTHONDONTWRITEBYTECODE is set every start compiles every module again (some 40 ms a command).
bytecode: .venv/.ready
	@$(PY) -m compileall -q graphviz_nn tests benchmarks

demo: bytecode
	$(CLI) render -o output/network.png
	$(CLI) animate -o output/backprop.gif
	$(CLI) slides -o output/backprop.pdf
	$(CLI) html -o output/backprop.html
	$(CLI) derive -o output/answers.md

# Bytecode may be written here (into the ignored __pycache__ folders), so the many short runs of
# the command line and pytest's rewritten test modules are compiled once, not at every start.
test: bytecode
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest

lint: .venv/.ready
	.venv/bin/ruff check .

bench: bytecode
	$(PY) benchmarks/startup.py
	$(PY) benchmarks/render_vs_floor.py
	$(PY) benchmarks/animate_vs_dot.py
	$(PY) benchmarks/animate_vs_dot.py --size 1920x1080
	$(PY) benchmarks/value_backward.py
	$(PY) benchmarks/engine_scaling.py

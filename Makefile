# Two commands for a fresh Debian/Ubuntu machine: `make demo` and `make test`.
PY := .venv/bin/python
CLI := $(PY) -m graphviz_nn

.PHONY: demo test lint bench

.venv/.ready: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $@

demo: .venv/.ready
	$(CLI) render -o output/network.png
	$(CLI) animate -o output/backprop.gif
	$(CLI) slides -o output/backprop.pdf
	$(CLI) html -o output/backprop.html
	$(CLI) derive -o output/answers.md

test: .venv/.ready
	$(PY) -m pytest

lint: .venv/.ready
	.venv/bin/ruff check .

bench: .venv/.ready
	$(PY) benchmarks/startup.py
	$(PY) benchmarks/render_vs_floor.py
	$(PY) benchmarks/animate_vs_dot.py
	$(PY) benchmarks/animate_vs_dot.py --size 1920x1080
	$(PY) benchmarks/value_backward.py
	$(PY) benchmarks/engine_scaling.py

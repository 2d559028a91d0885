"""Is the propagation engine linear in the number of nodes? Times `engine.propagate` on traced
MLP-shaped graphs of growing size in one run and prints the cost per node; a linear engine keeps
that cost flat (the machine is shared: read the ratios, not the seconds).

    python benchmarks/engine_scaling.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from graphviz_nn import Value, engine, trace

sys.path.insert(0, str(Path(__file__).parent))
from value_backward import mlp  # the same MLP-shaped expression as that benchmark


def main() -> None:
    rows = []
    for width in (21, 42, 84):
        g = trace(mlp(Value, width, [width, width, width, width // 2]))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            engine.propagate(g)
            times.append(time.perf_counter() - start)
        rows.append((g.number_of_nodes(), statistics.median(times)))
    base = rows[0][1] / rows[0][0]
    for nodes, seconds in rows:
        per_node = seconds / nodes
        print(f"{nodes:>7} nodes  {seconds:.3f} s  {per_node * 1e6:.2f} µs/node  ({per_node / base:.2f}× the smallest)")


if __name__ == "__main__":
    main()

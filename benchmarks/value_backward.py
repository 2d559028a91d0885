"""`Value.backward()` on an MLP-shaped expression of about 75k nodes, beside a plain closure-based
pure-Python autograd doing the same (the approach micrograd takes), measured side by side in one run.

    python benchmarks/value_backward.py [--repeat 5]

Target from the tracer issue: no slower than the closure-based baseline (ratio ≤ 1.0).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time

from graphviz_nn import Value

N_IN = 84  # with tanh layers of 84, 84, 84 and 42 units: about 75k scalar nodes
sys.setrecursionlimit(100_000)  # the baseline's recursive topological sort, as in micrograd


class Closure:
    """A micrograd-style scalar: each result keeps a closure that pushes its gradient to its inputs."""

    __slots__ = ("_backward", "_prev", "data", "grad")

    def __init__(self, data, prev=()):
        self.data, self.grad, self._prev, self._backward = data, 0.0, prev, lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Closure) else Closure(other)
        out = Closure(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Closure) else Closure(other)
        out = Closure(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    __rmul__ = __mul__

    def tanh(self):
        t = math.tanh(self.data)
        out = Closure(t, (self,))

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


def mlp(make, n_in: int, sizes: list[int], seed: int = 0):
    """The scalar expression of an MLP with tanh layers and a summed output: make(x) makes a leaf."""
    rng = random.Random(seed)
    layer = [make(rng.uniform(-1, 1)) for _ in range(n_in)]
    for width in sizes:
        layer = [sum((make(rng.uniform(-1, 1)) * x for x in layer), make(0.0)).tanh() for _ in range(width)]
    return sum(layer[1:], layer[0])


def count(root, inputs) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in inputs(stack.pop()):
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def run(make, sizes):
    start = time.perf_counter()
    root = mlp(make, N_IN, sizes)
    built = time.perf_counter()
    root.backward()
    return built - start, time.perf_counter() - built, root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = [84, 84, 84, 42]
    nodes = count(mlp(Value, N_IN, sizes), lambda v: v._inputs)
    ours, base = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        ours.append(run(Value, sizes)[:2])
        base.append(run(Closure, sizes)[:2])
    # Both compute the same gradients (same seed, same expression).
    a, b = run(Value, [8, 4])[2], run(Closure, [8, 4])[2]
    assert math.isclose(a.data, b.data, rel_tol=1e-12)
    ob, obw = statistics.median(o[0] for o in ours), statistics.median(o[1] for o in ours)
    bb, bbw = statistics.median(o[0] for o in base), statistics.median(o[1] for o in base)
    print(f"MLP {N_IN} → {sizes}: {nodes} nodes, median of {args.repeat}")
    print(f"build:    Value {ob:.3f} s   closure baseline {bb:.3f} s   ratio {ob / bb:.2f}")
    print(f"backward: Value {obw:.3f} s   closure baseline {bbw:.3f} s   ratio {obw / bbw:.2f}  (target ≤ 1.0)")
    print(f"total:    ratio {(ob + obw) / (bb + bbw):.2f}")


if __name__ == "__main__":
    main()

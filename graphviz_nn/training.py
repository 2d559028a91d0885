"""Gradient descent repeated: K steps of w ← w − α·∂Loss/∂w on any graph, on its own numbers or on a
dataset of (x, y*) points, and the numbers the training pictures need (the loss over a grid of two
weights, the fitted curve, the gradient reaching each layer). Pure numbers: nothing here draws.

    >>> run = train(graph.seed_network(), 25)
    >>> len(run.states), run.states[0].weights
    (26, {'w1': 0.5, 'w2': -1.2})
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from . import engine, notation, ops
from .errors import NNError
from .graph import ComputationGraph, order, output, parameters

MAX_STEPS = 1000
MAX_POINTS = 200  # a dataset for a lecture, not a benchmark: each step propagates every point
GROWTH = 1e6  # a loss this many times its start (or 1, if larger) has diverged
JSON_KEYS = ("step", "loss", "gradient")


@dataclass(frozen=True)
class State:
    """The network after `step` updates: its weights, its loss and ∂Loss/∂w (the means over a dataset)."""

    step: int
    weights: dict[str, float]
    loss: float
    grads: dict[str, float]


@dataclass
class Run:
    """A training run: the structure it started from, every state, and why it stopped early, if it did."""

    graph: ComputationGraph  # the structure with the starting weights, not propagated
    states: list[State]
    steps: int  # the number of steps asked for
    points: list[tuple[float, float]] | None = None
    diverged: str | None = None

    @property
    def alpha(self) -> float:
        return self.graph.graph["alpha"]

    @property
    def parameters(self) -> list[str]:
        return parameters(self.graph)

    def at(self, index: int) -> ComputationGraph:
        """The propagated graph of state `index` (on the dataset's first point, with a dataset): the
        diagram of that step. With a dataset its parameters carry the mean gradients and the update
        they make, so the update read off it is the one the run applied."""
        state = self.states[index]
        g = with_weights(self.graph, state.weights)
        if self.points:
            _place(g, self.points[0])
        engine.propagate(g)
        if self.points:
            for p in self.parameters:
                g.nodes[p]["grad"] = state.grads[p]
            engine.update(g, self.alpha)
        return g

    def as_data(self) -> dict:
        """`{"steps": [{"step", <each weight by id>, "loss", "gradient"}], "diverged"}`, full floats."""
        clash = sorted(set(self.parameters) & set(JSON_KEYS))
        if clash:
            raise NNError(
                f"a parameter is named {clash[0]!r}, a key of the JSON steps; rename it in a copy of the spec"
            )
        data = {
            "alpha": self.alpha,
            "parameters": self.parameters,
            "steps": [{"step": s.step, **s.weights, "loss": s.loss, "gradient": s.grads} for s in self.states],
            "diverged": self.diverged,
        }
        if self.points:
            data["points"] = len(self.points)
        return data


def check_steps(steps: int) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise NNError(f"--steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    return steps


def with_weights(structure: nx.DiGraph, weights: dict[str, float]) -> ComputationGraph:
    """A fresh copy of the structure with these parameter values (and nothing computed on it)."""
    g = structure.copy()  # attribute dicts are copied: the structure is left as it was
    for _, data in g.nodes(data=True):
        for key in ("grad", "updated", "residual", *(("value",) if "op" in data else ())):
            data.pop(key, None)
    for p, value in weights.items():
        g.nodes[p]["value"] = value
    return g


def _place(g: nx.DiGraph, point: tuple[float, float]) -> None:
    g.nodes["x"]["value"], g.nodes["y"]["value"] = point


def _evaluate(g: nx.DiGraph, points: list[tuple[float, float]] | None) -> tuple[float, dict[str, float]]:
    """Forward and backward at the graph's weights: the loss and ∂Loss/∂w, means over the points."""
    out, params = output(g), parameters(g)
    if not points:
        engine.backward(g, engine.forward(g))
        return g.nodes[out]["value"], {p: g.nodes[p]["grad"] for p in params}
    loss, grads = 0.0, dict.fromkeys(params, 0.0)
    for point in points:
        _place(g, point)
        engine.backward(g, engine.forward(g))
        loss += g.nodes[out]["value"]
        for p in params:
            grads[p] += g.nodes[p]["grad"]
    n = len(points)
    return loss / n, {p: total / n for p, total in grads.items()}


def train(structure: nx.DiGraph, steps: int, points: list[tuple[float, float]] | None = None) -> Run:
    """`steps` steps of plain gradient descent from the structure's weights, with its α. Each step
    propagates (forward, backward) and moves every parameter to its `updated` value. A run that
    overflows, or whose loss grows past GROWTH times its start, stops with `diverged` saying why."""
    check_steps(steps)
    if points is not None:
        check_dataset_graph(structure)
    params = parameters(structure)
    if not params:
        raise NNError("the graph has no parameters to train; declare some under [parameters]")
    start = with_weights(structure, {})
    g = with_weights(structure, {})
    alpha = g.graph["alpha"]
    run = Run(start, [], steps, points)
    for k in range(steps + 1):
        weights = {p: g.nodes[p]["value"] for p in params}
        try:
            loss, grads = _evaluate(g, points)
        except NNError as err:
            if k == 0:  # the starting point itself cannot be computed: bad input, not divergence
                raise
            run.diverged = _diverged(k, str(err), alpha)
            break
        run.states.append(State(k, weights, loss, grads))
        limit = GROWTH * max(abs(run.states[0].loss), 1.0)
        if abs(loss) > limit:
            grew = f"the loss grew from {notation.number(run.states[0].loss)} to {notation.number(loss)}"
            run.diverged = _diverged(k, grew, alpha)
            break
        if k == steps:
            break
        for p in params:  # with a dataset, the mean gradient drives the one update
            g.nodes[p]["grad"] = grads[p]
        try:
            engine.update(g, alpha)
        except NNError as err:
            run.diverged = _diverged(k + 1, str(err), alpha)
            break
        for p in params:
            g.nodes[p]["value"] = g.nodes[p]["updated"]
    return run


def _diverged(step: int, why: str, alpha: float) -> str:
    return f"diverged at step {step}: {why}; α = {notation.exact(alpha)} is too large, try a smaller --alpha"


# -- datasets -----------------------------------------------------------------------------------------


def check_dataset_graph(structure: nx.DiGraph) -> None:
    kinds = dict(structure.nodes(data="kind"))
    if kinds.get("x") != "input" or kinds.get("y") != "target":
        raise NNError("--dataset needs a network with an input x and a target y, such as the exercise's")


def read_dataset(path: str | Path) -> list[tuple[float, float]]:
    """(x, y*) points from a CSV file with a header row naming the columns x and y."""
    from .files import read_text  # a regular file of bounded size, read without blocking

    return parse_dataset(read_text(path, "dataset file").splitlines(), Path(path).name)


def parse_dataset(lines: Iterable[str], name: str = "dataset") -> list[tuple[float, float]]:
    rows = csv.reader(line for line in lines if line.strip())
    header = [h.strip().lower() for h in next(rows, [])]
    if "x" not in header or "y" not in header:
        raise NNError(f"{name}: the first row must name the columns x and y (found {', '.join(header) or 'nothing'})")
    ix, iy = header.index("x"), header.index("y")
    points = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise NNError(f"{name}, row {line}: expected {len(header)} values, got {len(row)}")
        values = []
        for column, i in (("x", ix), ("y", iy)):
            try:
                value = float(row[i])
            except ValueError:
                raise NNError(f"{name}, row {line}: {column} = {row[i].strip()!r} is not a number") from None
            if not math.isfinite(value):
                raise NNError(f"{name}, row {line}: {column} = {row[i].strip()!r} is not a finite number")
            values.append(value)
        points.append((values[0], values[1]))
        if len(points) > MAX_POINTS:
            raise NNError(f"{name} has more than {MAX_POINTS} points; use a smaller sample")
    if not points:
        raise NNError(f"{name} has no data rows under its header")
    return points


def prediction(structure: nx.DiGraph) -> str:
    """The node the loss compares with the target: a₂ in the exercise."""
    g = structure
    loss = output(g)
    inputs = [u for u in g.nodes[loss].get("inputs", ()) if g.nodes[u]["kind"] != "target"]
    if len(inputs) != 1:
        raise NNError("cannot tell which node is the prediction: the loss should compare one node with y")
    return inputs[0]


def fitted(run: Run, index: int, xs: Iterable[float]) -> list[float]:
    """The prediction at each x with state `index`'s weights (NaN where the network fails)."""
    g = with_weights(run.graph, run.states[index].weights)
    node, y = prediction(g), run.points[0][1] if run.points else g.nodes["y"]["value"]
    values = []
    for x in xs:
        _place(g, (x, y))
        try:
            engine.forward(g)
            values.append(g.nodes[node]["value"])
        except NNError:
            values.append(math.nan)
    return values


# -- the loss surface over two weights ------------------------------------------------------------------


def surface(run: Run, first: list[float], second: list[float] | None = None):
    """The loss (mean over the points, with a dataset) as a numpy array: over `first` for a run with
    one parameter, over every (first[j], second[i]) as [i, j] for one with two; NaN where the network
    fails. Each op's own forward function runs elementwise, so the numbers are the engine's (up to
    its saturated-residual corrections)."""
    import numpy as np

    g = run.graph
    params = run.parameters
    if len(params) == 1:
        grids = [np.asarray(first, float)]
    else:
        grids = list(np.meshgrid(np.asarray(first, float), np.asarray(second, float)))
    total = np.zeros(grids[0].shape)
    for point in run.points or [None]:
        values: dict[str, object] = dict(zip(params, grids, strict=True))
        for node in order(g):
            data = g.nodes[node]
            if node in values:
                continue
            if "op" not in data:
                values[node] = data["value"] if point is None or node not in ("x", "y") else point[node == "y"]
                continue
            args = [values[u] for u in data["inputs"]] + ([data["const"]] if data["const"] is not None else [])
            values[node] = np.asarray(_elementwise(ops.OPS[data["op"]].forward, len(args))(*args), float)
        total = total + values[output(g)]
    return total / len(run.points or [None])


def _elementwise(fn, arity: int):
    import numpy as np

    def safe(*args):
        try:
            value = fn(*args)
        except (NNError, ArithmeticError, ValueError):
            return math.nan
        return value if math.isfinite(value) else math.nan

    return np.frompyfunc(safe, arity, 1)


# -- vanishing gradients ----------------------------------------------------------------------------


def with_activation(structure: nx.DiGraph, activation: str) -> ComputationGraph:
    """A copy of the structure with every activation replaced by `activation` (sigmoid → tanh, ...)."""
    ops.get(activation, "activation")
    g = with_weights(structure, {})
    for _, data in g.nodes(data=True):
        if "op" in data and ops.OPS[data["op"]].kind == "activation":
            data["op"] = activation
    return g


def check_activations(text: str) -> list[str]:
    """`sigmoid,tanh,relu` → the activations to compare, each checked, at most four."""
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not 1 <= len(names) <= 4:
        raise NNError(f"--activations takes one to four activations separated by commas, got {text!r}")
    for name in names:
        ops.get(name, "activation")
    return names


def gradient_profile(structure: nx.DiGraph, activation: str, positive: bool = False) -> dict[str, float]:
    """∂Loss/∂w for every parameter, in the graph's order, with every activation set to `activation`;
    with `positive`, every weight made non-negative first (so ReLU units stay on)."""
    g = with_activation(structure, activation)
    if positive:
        for p in parameters(g):
            g.nodes[p]["value"] = abs(g.nodes[p]["value"])
    engine.propagate(g)
    return {p: g.nodes[p]["grad"] for p in parameters(g)}

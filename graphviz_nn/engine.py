"""Forward values, local derivatives, gradients and the gradient-descent update over any DAG of
registered operations. Pure numbers: nothing here knows how the graph will be drawn."""

from __future__ import annotations

import math

import networkx as nx

from . import ops
from .errors import NNError
from .graph import order, parameters


def _checked(value: float, node: str, what: str) -> float:
    if not math.isfinite(value):
        raise NNError(f"{what} at {node} overflows ({value}); use smaller inputs or weights")
    return value


def _call(node: str, fn, *args) -> float | tuple[float, ...]:
    try:
        return fn(*args)
    except NNError as err:
        raise NNError(f"{node}: {err}") from err
    except (OverflowError, ZeroDivisionError, ValueError) as err:
        raise NNError(f"{node}: the computation fails ({err}); use smaller inputs or weights") from err


def arguments(graph: nx.DiGraph, node: str) -> list[float]:
    """The numbers an op node's function is called with: its inputs' values, then its constant."""
    data = graph.nodes[node]
    values = [graph.nodes[u]["value"] for u in data["inputs"]]
    return [*values, data["const"]] if data["const"] is not None else values


def residuals(graph: nx.DiGraph, node: str) -> list[float]:
    """How far each input's true value is from its stored double (non-zero only past saturation)."""
    return [graph.nodes[u].get("residual", 0.0) for u in graph.nodes[node]["inputs"]]


def _precise(graph: nx.DiGraph, node: str, op: ops.Op):
    """(value, partials) from the inputs' residuals, when the op uses them and one is non-zero."""
    if op.precise is None:
        return None
    carried = residuals(graph, node)
    if not any(carried):
        return None
    return _call(node, op.precise, *arguments(graph, node), *carried)


def forward(graph: nx.DiGraph) -> list[str]:
    """Put a value (and, past saturation, a residual) on every node; returns the topological order."""
    ordered = order(graph)
    for node in ordered:
        data = graph.nodes[node]
        if "op" not in data:
            continue
        op = ops.OPS[data["op"]]
        args = arguments(graph, node)
        precise = _precise(graph, node, op)
        value = precise[0] if precise else _call(node, op.forward, *args)
        data["value"] = _checked(value, node, "the value")
        if op.residual is not None:
            data["residual"] = _call(node, op.residual, *args, value)
    return ordered


def backward(graph: nx.DiGraph, ordered: list[str]) -> None:
    """Local derivative and gradient on every edge; ∂Loss/∂node on every node (fan-out sums)."""
    for node in graph:
        graph.nodes[node]["grad"] = 0.0
    graph.nodes[ordered[-1]]["grad"] = 1.0
    for node in reversed(ordered):
        data = graph.nodes[node]
        if "op" not in data:
            continue
        op = ops.OPS[data["op"]]
        precise = _precise(graph, node, op)
        partials = precise[1] if precise else _call(node, op.local, *arguments(graph, node), data["value"])
        for source in graph.predecessors(node):
            edge = graph.edges[source, node]
            edge["local"] = _checked(sum(partials[p] for p in edge["args"]), node, "the local derivative")
            edge["grad"] = _checked(data["grad"] * edge["local"], source, "the gradient")
            graph.nodes[source]["grad"] += edge["grad"]


def update(graph: nx.DiGraph, alpha: float) -> None:
    """Gradient descent, part 7 of the exercise: w ← w − α·∂Loss/∂w for every parameter."""
    for node in parameters(graph):
        data = graph.nodes[node]
        data["updated"] = _checked(data["value"] - alpha * data["grad"], node, "the updated weight")


def propagate(graph: nx.DiGraph) -> nx.DiGraph:
    """Run forward, backward and update in place; returns the same graph for chaining."""
    ordered = forward(graph)
    backward(graph, ordered)
    update(graph, graph.graph["alpha"])
    return graph

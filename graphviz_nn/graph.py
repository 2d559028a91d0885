"""The computation graph: a `networkx.DiGraph` with stable ids, raw data only.

Node attributes: `kind` (input, parameter, target, operation, loss), `label` (display text), and for
operations `op`, `inputs` (argument node ids in order) and `const` (a folded constant or None).
The engine adds `value`, `grad` and, on parameters, `updated`.
Edge u→v attributes: `args` (the argument positions u fills in v, usually one; two for `a * a`);
the engine adds `local` (∂v/∂u) and `grad` (∂Loss/∂v · ∂v/∂u, what flows back to u).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from typing import ClassVar

import networkx as nx

from . import ops
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError, quoted
from .notation import label_for

LEAF_KINDS = ("input", "parameter", "target")
INTERNAL = "#"  # internal ids (captions, anchors) start with it; no node id may


class ComputationGraph(nx.DiGraph):
    """A `networkx.DiGraph` of a scalar computation. The data model does not draw itself: the drawing
    layer registers `display` (importing `graphviz_nn` does), and Jupyter then shows the diagram."""

    display: ClassVar[Callable | None] = None  # graph -> an object with _repr_mimebundle_

    def _repr_mimebundle_(self, include=None, exclude=None, **_):
        if ComputationGraph.display is None:
            return None
        return ComputationGraph.display(self)._repr_mimebundle_(include, exclude)


class AutoNames:
    """`n1`, `n2`, ... for unnamed intermediates, skipping every name the user chose: read them all
    first, so an automatic name can never take a user's.

    >>> names = AutoNames({"n1", "x"}); names(), names()
    ('n2', 'n3')
    """

    def __init__(self, taken: Iterable[str], prefix: str = "n"):
        self.taken, self.prefix, self.count, self.made = set(taken), prefix, itertools.count(1), []

    def __call__(self) -> str:
        while (name := f"{self.prefix}{next(self.count)}") in self.taken:
            pass
        self.taken.add(name)
        self.made.append(name)
        return name


def new_graph(title: str = "", alpha: float = DEFAULTS["alpha"]) -> ComputationGraph:
    if not isinstance(title, str) or not title.isprintable():  # it is drawn: one line of text
        raise NNError(f"the title must be one line of printable text, got {quoted(title)}")
    return ComputationGraph(title=title, alpha=finite(alpha, "alpha"))


def finite(value: object, name: str) -> float:
    """A real, finite number or a clear error naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NNError(f"{name} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond a double's range
        raise NNError(f"{name} is too large for a double (the largest is about 1.8e308)") from None
    if not math.isfinite(number):
        raise NNError(f"{name} must be a finite number, got {value!r}")
    return number


def _check_new(graph: nx.DiGraph, node_id: str) -> None:
    if not isinstance(node_id, str) or not node_id:
        raise NNError(f"node ids must be non-empty strings, got {node_id!r}")
    if node_id.startswith(INTERNAL):
        raise NNError(f"node id {node_id!r} cannot start with {INTERNAL!r} (reserved for the drawing)")
    if node_id in graph:
        raise NNError(f"duplicate node id {node_id!r}")


def add_leaf(graph: nx.DiGraph, node_id: str, kind: str, value: float, label: str | None = None) -> str:
    if kind not in LEAF_KINDS:
        raise NNError(f"unknown leaf kind {kind!r} (choose from: {', '.join(LEAF_KINDS)})")
    _check_new(graph, node_id)
    graph.add_node(node_id, kind=kind, label=label or label_for(node_id, kind), value=finite(value, node_id))
    return node_id


def add_op(
    graph: nx.DiGraph,
    node_id: str,
    op_name: str,
    inputs: list[str],
    const: float | None = None,
    kind: str = "operation",
    label: str | None = None,
) -> str:
    op = ops.get(op_name)
    _check_new(graph, node_id)
    if len(inputs) != op.arity:
        raise NNError(f"{node_id}: {op_name} takes {op.arity} argument(s), got {len(inputs)}")
    if op.has_const != (const is not None):
        raise NNError(f"{node_id}: {op_name} {'needs' if op.has_const else 'takes no'} constant")
    for name in inputs:
        if name not in graph:
            raise NNError(f"{node_id}: unknown name {name!r}")
    graph.add_node(
        node_id,
        kind=kind,
        label=label or label_for(node_id, kind),
        op=op_name,
        inputs=tuple(inputs),
        const=None if const is None else finite(const, node_id),
    )
    for position, name in enumerate(inputs):
        if graph.has_edge(name, node_id):
            graph.edges[name, node_id]["args"] += (position,)
        else:
            graph.add_edge(name, node_id, args=(position,))
    return node_id


def seed_network(
    x: float = DEFAULTS["x"],
    y: float = DEFAULTS["y"],
    w1: float = DEFAULTS["w1"],
    w2: float = DEFAULTS["w2"],
    g1: str = DEFAULTS["g1"],
    g2: str = DEFAULTS["g2"],
    loss: str = DEFAULTS["loss"],
    alpha: float = DEFAULTS["alpha"],
) -> nx.DiGraph:
    """The exercise's network: x → z1 = w1·x → a1 = g1(z1) → z2 = w2·a1 → a2 = g2(z2) → Loss(a2, y*)."""
    ops.get(g1, "activation"), ops.get(g2, "activation"), ops.get(loss, "loss")
    graph = new_graph("the exercise's network", alpha)
    add_leaf(graph, "x", "input", x)
    add_leaf(graph, "w1", "parameter", w1)
    add_op(graph, "z1", "mul", ["w1", "x"])
    add_op(graph, "a1", g1, ["z1"])
    add_leaf(graph, "w2", "parameter", w2)
    add_op(graph, "z2", "mul", ["w2", "a1"])
    add_op(graph, "a2", g2, ["z2"])
    add_leaf(graph, "y", "target", y)
    add_op(graph, "loss", loss, ["a2", "y"], kind="loss")
    return graph


def order(graph: nx.DiGraph) -> list[str]:
    """Topological order (ties broken by insertion order), after checking the graph is well formed."""
    position = {node: i for i, node in enumerate(graph)}
    if all(position[u] < position[v] for u, v in graph.edges):
        ordered = list(graph)  # built inputs-first, as every builder here does: linear time
    else:
        try:
            ordered = list(nx.lexicographical_topological_sort(graph, key=position.__getitem__))
        except nx.NetworkXUnfeasible as err:
            cycle = " → ".join(u for u, _ in nx.find_cycle(graph))
            raise NNError(f"graph has a cycle ({cycle})") from err
    sinks = [n for n in ordered if graph.out_degree(n) == 0]
    if len(sinks) != 1:
        raise NNError(f"graph needs exactly one output node (the loss); found {len(sinks)}: {', '.join(sinks)}")
    for node in ordered:
        data = graph.nodes[node]
        if "op" in data:
            if tuple(sorted(p for u in graph.predecessors(node) for p in graph.edges[u, node]["args"])) != tuple(
                range(len(data["inputs"]))
            ):
                raise NNError(f"{node}: its edges do not match its inputs")
        elif graph.in_degree(node):
            raise NNError(f"{node}: a {data['kind']} node cannot have inputs")
    return ordered


def output(graph: nx.DiGraph) -> str:
    return order(graph)[-1]


def parameters(graph: nx.DiGraph) -> list[str]:
    return [n for n, kind in graph.nodes(data="kind") if kind == "parameter"]

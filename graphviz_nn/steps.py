"""The propagation as a sequence of steps for frames: forward (one per operation, topological order),
backward (the seed, then one per edge in reverse topological order), update (one per parameter).

Each step carries its caption, written with both the symbolic chain and the numbers; `Reveal` says
what a frame shows after a given step. Captions are derived from a propagated graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from . import forms, style
from .errors import NNError
from .graph import order, parameters

PHASES = ("forward", "backward", "both")


@dataclass(frozen=True)
class Step:
    kind: str  # "forward", "backward" or "update"
    number: int  # 1-based within its kind
    total: int
    node: str | None = None  # node computed, or gradient completed / updated
    edge: tuple[str, str] | None = None  # edge the gradient flows back along
    lines: tuple[str, ...] = ()  # caption lines

    @property
    def counter(self) -> str:
        return f"{self.kind} {self.number} / {self.total}"


@dataclass
class Reveal:
    """What a frame shows: everything in the full diagram; a growing part of it in frames."""

    values: set[str] = field(default_factory=set)  # nodes whose value is known
    forward_edges: set[tuple[str, str]] = field(default_factory=set)
    backward_edges: set[tuple[str, str]] = field(default_factory=set)
    grads: set[str] = field(default_factory=set)  # nodes whose gradient is complete
    updated: set[str] = field(default_factory=set)
    current: Step | None = None

    @classmethod
    def everything(cls, graph: nx.DiGraph) -> Reveal:
        return cls(set(graph), set(graph.edges), set(graph.edges), set(graph), set(parameters(graph)))


def _forward_steps(graph: nx.DiGraph, ordered: list[str]) -> list[Step]:
    ops_nodes = [n for n in ordered if "op" in graph.nodes[n]]
    steps = []
    for i, node in enumerate(ops_nodes, 1):
        form = forms.node_form(graph, node)
        label = graph.nodes[node]["label"]
        line = (
            f"{label} = {forms.text(graph, form)} = {style.formula(form, forms.values(graph))}"
            f" = {style.number(graph.nodes[node]['value'])}"
        )
        steps.append(Step("forward", i, len(ops_nodes), node=node, lines=(line,)))
    return steps


def _backward_steps(graph: nx.DiGraph, ordered: list[str]) -> list[Step]:
    out = ordered[-1]
    loss = graph.nodes[out]["label"]
    edges = [(u, v) for v in reversed(ordered) if "op" in graph.nodes[v] for u in graph.nodes[v]["inputs"]]
    edges = list(dict.fromkeys(edges))  # a node used twice by one op is one edge
    total = len(edges) + 1
    steps = [
        Step(
            "backward",
            1,
            total,
            node=out,
            lines=(f"{style.partial(loss, loss)} = 1: the backward pass starts at the loss",),
        )
    ]
    done: dict[str, list[tuple[str, str]]] = {}

    def d(top: str, bottom: str) -> str:  # ∂top/∂bottom between two nodes' labels
        return style.partial(graph.nodes[top]["label"], graph.nodes[bottom]["label"])

    for i, (u, v) in enumerate(edges, 2):
        done.setdefault(u, []).append((u, v))
        local = forms.local_label(graph, u, v)
        du = d(out, u)
        chain = f"{d(out, v)} · {d(v, u)}"
        product = f"{style.operand(graph.nodes[v]['grad'])} · {style.operand(graph.edges[u, v]['local'])}"
        contribution = style.number(graph.edges[u, v]["grad"])
        consumers = graph.out_degree(u)
        if consumers == 1:
            line = f"{du} = {chain} = {product} = {contribution}"
        elif len(done[u]) < consumers:
            line = f"{du} += {chain} = {product} = {contribution}   (path {len(done[u])} of {consumers})"
        else:
            terms = " + ".join(f"{d(out, b)}·{d(b, u)}" for _, b in done[u])
            numbers = " + ".join(style.operand(graph.edges[a, b]["grad"]) for a, b in done[u])
            line = f"{du} = {terms} = {numbers} = {style.number(graph.nodes[u]['grad'])}"
        complete = u if len(done[u]) == consumers else None
        steps.append(Step("backward", i, total, node=complete, edge=(u, v), lines=(local, line)))
    return steps


def _update_steps(graph: nx.DiGraph, out: str) -> list[Step]:
    params = parameters(graph)
    alpha = graph.graph["alpha"]
    steps = []
    for i, node in enumerate(params, 1):
        data = graph.nodes[node]
        w, g = data["label"], style.partial(graph.nodes[out]["label"], data["label"])
        line = (
            f"{w} ← {w} − α·{g} = {style.number(data['value'])} − {style.number(alpha)} · "
            f"{style.operand(data['grad'])} = {style.number(data['updated'])}"
        )
        steps.append(Step("update", i, len(params), node=node, lines=(line,)))
    return steps


def build(graph: nx.DiGraph, phase: str = "both") -> list[Step]:
    """The steps of `phase` (forward, backward or both) for a propagated graph."""
    if phase not in PHASES:
        raise NNError(f"unknown phase {phase!r} (choose from: {', '.join(PHASES)})")
    ordered = order(graph)
    steps: list[Step] = []
    if phase in ("forward", "both"):
        steps += _forward_steps(graph, ordered)
    if phase in ("backward", "both"):
        steps += _backward_steps(graph, ordered) + _update_steps(graph, ordered[-1])
    return steps


def reveal(graph: nx.DiGraph, steps: list[Step], index: int) -> Reveal:
    """The state shown after steps[index]; a backward-only sequence starts from a finished forward pass."""
    leaves = {n for n in graph if "op" not in graph.nodes[n]}
    state = Reveal(values=set(leaves))
    if steps and steps[0].kind != "forward":
        state.values, state.forward_edges = set(graph), set(graph.edges)
    for step in steps[: index + 1]:
        if step.kind == "forward":
            state.values.add(step.node)
            state.forward_edges.update((u, step.node) for u in graph.predecessors(step.node))
        elif step.kind == "backward":
            if step.edge:
                state.backward_edges.add(step.edge)
            if step.node:
                state.grads.add(step.node)
        else:
            state.updated.add(step.node)
    state.current = steps[index]
    return state

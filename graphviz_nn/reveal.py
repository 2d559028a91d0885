"""What a picture shows: everything (the full diagram), or what is known after a given step (a frame).

Drawing-side state: the teaching side says what each step computes (`steps`); this says which of the
graph's texts are revealed by then, which node and edges to highlight, and what is still to come.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx

from .texts import Texts

if TYPE_CHECKING:  # the step sequence matters to frames only; a full diagram never loads it
    from .steps import Step


@dataclass
class Reveal:
    values: set[str] = field(default_factory=set)  # nodes whose value is known
    forward_edges: set[tuple[str, str]] = field(default_factory=set)
    backward_edges: set[tuple[str, str]] = field(default_factory=set)
    grads: set[str] = field(default_factory=set)  # nodes whose gradient is complete
    partial: dict[str, int] = field(default_factory=dict)  # node → contributions added so far (fan-out)
    updated: set[str] = field(default_factory=set)
    current: Step | None = None
    gradients: bool = True  # False in a forward-only sequence: no gradient rows, no gradient legend
    blanks: bool = False  # what is not shown becomes a line to write on (worksheets), not a muted `?`

    @classmethod
    def given(cls, texts: Texts) -> Reveal:
        """Only what a worksheet gives: the leaves' values; everything else a blank to fill in."""
        g = texts.graph
        leaves = {n for n in g if "op" not in g.nodes[n]}
        return cls(values=leaves, forward_edges={(u, v) for u, v in g.edges if u in leaves}, blanks=True)

    @classmethod
    def everything(cls, texts: Texts) -> Reveal:
        g = texts.graph
        grads = {n for n, t in texts.nodes.items() if t.grad is not None}
        updated = {n for n, t in texts.nodes.items() if t.update_value is not None}
        return cls(set(g), set(g.edges), set(texts.backward), grads, {}, updated)

    def highlighted_nodes(self) -> set[str]:
        step = self.current
        if step is None:
            return set()
        return {n for n in (step.node, step.edge and step.edge[1]) if n}

    def highlighted_edges(self) -> set[tuple[str, str]]:
        step = self.current
        if step is None:
            return set()
        return {*step.adds, *([step.edge] if step.edge else [])}


def after(texts: Texts, steps: list[Step], index: int) -> Reveal:
    """The state shown after steps[index]; a backward-only sequence starts from a finished forward pass."""
    g: nx.DiGraph = texts.graph
    leaves = {n for n in g if "op" not in g.nodes[n]}
    state = Reveal(values=set(leaves), gradients=any(s.kind != "forward" for s in steps))
    if steps and steps[0].kind != "forward":
        state.values, state.forward_edges = set(g), set(g.edges)
    for step in steps[: index + 1]:
        if step.kind == "forward":
            state.values.add(step.node)
            state.forward_edges.update((u, step.node) for u in g.predecessors(step.node))
        elif step.kind == "backward":
            if step.edge:
                state.backward_edges.add(step.edge)
                u = step.edge[0]
                state.partial[u] = state.partial.get(u, 0) + 1
            if step.node:
                state.grads.add(step.node)
        else:
            state.updated.add(step.node)
    state.current = steps[index]
    return state

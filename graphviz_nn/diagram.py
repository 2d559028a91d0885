"""The full diagram of a propagated graph, ready to draw: texts written once, one layout, every text
revealed. The public `to_digraph`, and what Jupyter shows for a `ComputationGraph`."""

from __future__ import annotations

import graphviz
import networkx as nx

from . import layout, notation, render, style
from .graph import ComputationGraph
from .texts import Texts

PAGE = 2.0  # width / height the full diagram aims for: a page's width, or most of a 16:9 slide


def to_digraph(
    graph: nx.DiGraph,
    theme: str | style.Theme = "light",
    dpi: float | None = None,
    digits: int = notation.DIGITS,
    detail: str = "full",
    direction: str = "LR",
    rows: int | None = None,
    aspect: float | None = PAGE,
    transparent: bool = False,
    targets: bool = False,
) -> graphviz.Digraph:
    """The annotated diagram of a propagated graph as a `graphviz.Digraph` (saving is the caller's
    choice): every value, local derivative and gradient, laid out to fill `aspect` (16:9)."""
    chosen = theme if isinstance(theme, style.Theme) else style.get_theme(theme)
    render.check_detail(detail)
    layout.check_direction(direction)
    texts = Texts(graph, digits, targets=targets)
    pinned = layout.pin(texts, chosen, [], detail=detail, direction=direction, aspect=aspect, rows=rows)
    return render.to_digraph(texts, pinned, chosen, dpi=dpi, detail=detail, transparent=transparent)


class Diagram:
    """What Jupyter shows for a `ComputationGraph`: its full diagram, drawn on demand."""

    def __init__(self, graph: nx.DiGraph):
        self.graph = graph

    def _repr_mimebundle_(self, include=None, exclude=None):
        return to_digraph(self.graph)._repr_mimebundle_(include, exclude)


ComputationGraph.display = Diagram  # the drawing layer registers itself; the data model stays plain

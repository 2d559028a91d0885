"""A propagated graph's numbers as plain data (what `inspect --json` prints) and as text tables."""

from __future__ import annotations

import networkx as nx

from . import graph
from .texts import Texts


def as_data(g: nx.DiGraph) -> dict:
    """The numbers of a propagated graph as plain data (the shape `inspect --json` promises)."""
    return {
        "nodes": {
            n: {k: d[k] for k in ("kind", "label", "op", "value", "grad", "updated") if d.get(k) is not None}
            for n, d in g.nodes(data=True)
        },
        "edges": [{"source": u, "target": v, "local": d["local"], "grad": d["grad"]} for u, v, d in g.edges(data=True)],
        "update": {n: g.nodes[n]["updated"] for n in graph.parameters(g)},
    }


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [headers, *rows]]
    lines.insert(1, "  ".join("─" * w for w in widths))
    return "\n".join(lines)


def as_tables(g: nx.DiGraph) -> str:
    """Nodes, edges and updates as three aligned tables, full precision."""
    texts = Texts(g, targets=True)
    loss = texts.nodes[texts.out].name
    nodes = [
        [t.name, g.nodes[n]["kind"], t.formula or "", repr(g.nodes[n]["value"]), repr(g.nodes[n]["grad"])]
        for n, t in texts.nodes.items()
    ]
    edges = [
        [
            f"{texts.nodes[u].name} → {texts.nodes[v].name}",
            t.local_symbol + (f" = {t.local_formula}" if t.local_formula else ""),
            repr(g.edges[u, v]["local"]),
            repr(g.edges[u, v]["grad"]),
        ]
        for (u, v), t in texts.edges.items()
    ]
    parts = [
        _table(["node", "kind", "computes", "value", f"∂{loss}/∂node"], nodes),
        _table(["edge", "local derivative", "local", "gradient flowing back"], edges),
    ]
    params = graph.parameters(g)
    if params:
        parts.append(
            _table(
                [f"parameter (α = {g.graph['alpha']:g})", "value", "updated"],
                [[g.nodes[n]["label"], repr(g.nodes[n]["value"]), repr(g.nodes[n]["updated"])] for n in params],
            )
        )
    return "\n\n".join(parts)

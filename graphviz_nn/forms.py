"""Each node's forward formula and each edge's local derivative as expressions over node ids.

The single source for the diagram's labels, the frames' captions and `derive`: all three substitute
the graph's names into the templates of `ops.py` here, then print them with `notation`.
"""

from __future__ import annotations

import networkx as nx

from . import notation, ops
from .expr import BinOp, Expr, Name, Num, fold, names, substitute
from .notation import UNICODE, Notation

SHORT = 20  # an unnamed intermediate is shown by its formula up to this many characters, else by a name


def _names(graph: nx.DiGraph, node: str) -> dict[str, Expr]:
    data = graph.nodes[node]
    op = ops.OPS[data["op"]]
    names: dict[str, Expr] = {t: Name(u) for t, u in zip(op.input_names, data["inputs"], strict=True)}
    names["a"] = Name(node)
    if data["const"] is not None:
        names["c"] = Num(data["const"])
    return names


def node_form(graph: nx.DiGraph, node: str) -> Expr:
    """`w2*a1` for z2: the op's forward template over the node's inputs."""
    data = graph.nodes[node]
    return fold(substitute(ops.OPS[data["op"]].form_expr, _names(graph, node)))


def edge_form(graph: nx.DiGraph, source: str, target: str) -> Expr:
    """∂target/∂source in course form (`a1*(1 - a1)` for a sigmoid); summed if source fills two slots."""
    op = ops.OPS[graph.nodes[target]["op"]]
    names = _names(graph, target)
    terms = [substitute(op.local_exprs[p], names) for p in graph.edges[source, target]["args"]]
    total = terms[0]
    for term in terms[1:]:
        total = BinOp("+", total, term)
    return fold(total)


def expand(graph: nx.DiGraph, expr: Expr) -> Expr:
    """Write unnamed intermediates (nodes marked `inline`) as what they compute, so a parent reads
    `a·b + b³` with the printer's own precedence rather than a pasted-in label."""
    inline = {n: expand(graph, node_form(graph, n)) for n in names(expr) if graph.nodes[n].get("inline")}
    return substitute(expr, inline) if inline else expr


def name(graph: nx.DiGraph, node: str, how: Notation = UNICODE) -> str:
    """A node's name as the notation writes it: `w₁` or `w_{1}`; an inline node by its formula."""
    data = graph.nodes[node]
    if not how.latex:
        return data["label"]
    if data.get("inline"):
        return text(graph, node_form(graph, node), how)
    return notation.latex_label(data.get("latex") or node, data["kind"])


def text(graph: nx.DiGraph, expr: Expr, how: Notation = UNICODE) -> str:
    """An expression over node ids, written with the nodes' names."""
    return notation.formula(expand(graph, expr), lambda n: name(graph, n, how), how)


def name_intermediates(graph: nx.DiGraph, nodes: list[str]) -> None:
    """Give unnamed intermediates (in creation order) their formula as label while it stays short;
    longer ones keep the readable name their id gives (n₄)."""
    for node in (n for n in nodes if "op" in graph.nodes[n]):
        formula = text(graph, node_form(graph, node))
        if len(formula) <= SHORT:
            graph.nodes[node].update(label=formula, inline=True)

"""Each node's forward formula and each edge's local derivative as expressions over node ids.

The single source for the diagram's labels, the frames' captions and `derive`: all three substitute
the graph's names into the templates of `ops.py` here, then print them their own way.
"""

from __future__ import annotations

import networkx as nx

from . import ops, style
from .expr import BinOp, Expr, Name, Num, fold, names, substitute


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


def labels(graph: nx.DiGraph):
    return lambda name: graph.nodes[name]["label"]


def expand(graph: nx.DiGraph, expr: Expr) -> Expr:
    """Write unnamed intermediates (nodes marked `inline`) as what they compute, so a parent reads
    `a·b + b³` with the printer's own precedence rather than a pasted-in label."""
    inline = {n: expand(graph, node_form(graph, n)) for n in names(expr) if graph.nodes[n].get("inline")}
    return substitute(expr, inline) if inline else expr


SHORT = 20  # an unnamed intermediate is shown by its formula up to this many characters, else by its id


def name_intermediates(graph: nx.DiGraph, nodes: list[str]) -> None:
    """Give unnamed intermediates (in creation order) their formula as label while it stays short."""
    for node in nodes:
        formula = text(graph, node_form(graph, node))
        if len(formula) <= SHORT:
            graph.nodes[node].update(label=formula, inline=True)


def values(graph: nx.DiGraph):
    return lambda name: style.operand(graph.nodes[name]["value"])


def text(graph: nx.DiGraph, expr: Expr) -> str:
    return style.formula(expand(graph, expr), labels(graph))


def local_formula(graph: nx.DiGraph, source: str, target: str) -> str:
    """`∂z₂/∂a₁ = w₂`: the partial and its symbolic form (just the partial when that is a number)."""
    form = edge_form(graph, source, target)
    head = style.partial(graph.nodes[target]["label"], graph.nodes[source]["label"])
    return head if isinstance(form, Num) else f"{head} = {text(graph, form)}"


def local_label(graph: nx.DiGraph, source: str, target: str) -> str:
    """`∂z₂/∂a₁ = w₂ = −1.20`: the partial, its symbolic form and its value."""
    return f"{local_formula(graph, source, target)} = {style.number(graph.edges[source, target]['local'])}"

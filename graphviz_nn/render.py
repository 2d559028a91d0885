"""A propagated graph (and optionally one step of it) → a `graphviz.Digraph`. Writes no files.

The full diagram shows everything; a frame passes a `Reveal` saying what is known so far and a
pinned `Layout` so every frame is drawn from the same positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import graphviz
import networkx as nx

from . import forms, style
from .graph import output, parameters
from .steps import Reveal

FONT_SIZE = 16
SMALL = 13
FOOTER = "__footer__"


@dataclass(frozen=True)
class Layout:
    """Positions in points from one layout run: node centres and sizes, edge splines, label spots."""

    nodes: dict[str, tuple[float, float, float, float]]  # x, y, width, height (points)
    edges: dict[tuple[str, str], tuple[str, str]]  # spline `pos`, label `lp`
    width: float
    height: float


def _font(text: str, colour: str, bold: bool = False, size: int | None = None) -> str:
    body = f"<B>{escape(text)}</B>" if bold else escape(text)
    size_attr = f' POINT-SIZE="{size}"' if size else ""
    return f'<FONT COLOR="{colour}"{size_attr}>{body}</FONT>'


def _table(rows: list[str]) -> str:
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _node_style(kind: str, theme: style.Theme) -> dict[str, str]:
    """Kinds differ by shape and outline, not colour alone: parameters are bold boxes, the target is
    dashed, operations are rounded, the loss is a double outline."""
    base = {
        "input": {"shape": "box", "style": "filled", "fillcolor": theme.leaf_fill},
        "target": {"shape": "box", "style": "filled,dashed", "fillcolor": theme.leaf_fill},
        "parameter": {"shape": "box", "style": "filled,bold", "fillcolor": theme.parameter_fill, "penwidth": "2"},
        "operation": {"shape": "box", "style": "filled,rounded", "fillcolor": theme.operation_fill},
        "loss": {"shape": "box", "style": "filled,rounded", "fillcolor": theme.loss_fill, "peripheries": "2"},
    }
    return base[kind]


def _node_label(graph: nx.DiGraph, node: str, theme: style.Theme, shown: Reveal, loss: str) -> str:
    data = graph.nodes[node]
    header = f"<B>{escape(data['label'])}</B>"
    if "op" in data and not data.get("inline"):  # an inline node's label already is its formula
        header += escape(" = " + forms.text(graph, forms.node_form(graph, node)))
    rows = [f'<FONT COLOR="{theme.text}">{header}</FONT>']
    known_value, known_grad = node in shown.values, node in shown.grads
    rows.append(_revealed(known_value, style.number(data["value"]), "?", theme.forward, theme, bold=True))
    # ∂Loss/∂node and its number on two rows: the node stays narrow, so the graph fits a slide.
    rows.append(_revealed(known_grad, style.partial(loss, data["label"]), None, theme.gradient, theme))
    rows.append(_revealed(known_grad, f"= {style.number(data['grad'])}", "= ?", theme.gradient, theme, bold=True))
    if "updated" in data:
        new = f"{data['label']} ← {style.number(data['updated'])}"
        rows.append(_revealed(node in shown.updated, new, f"{data['label']} ← ?", theme.text, theme, size=SMALL))
    return _table(rows)


def _edge_label(graph: nx.DiGraph, u: str, v: str, theme: style.Theme, shown: Reveal) -> str:
    edge = graph.edges[u, v]
    forward, backward = (u, v) in shown.forward_edges, (u, v) in shown.backward_edges
    return _table(
        [
            _revealed(forward, f"→ {style.number(graph.nodes[u]['value'])}", "→ ?", theme.forward, theme, bold=True),
            # The local derivative's formula and its number on two rows keep the graph narrow.
            _revealed(backward, forms.local_formula(graph, u, v), None, theme.local, theme, size=SMALL),
            _revealed(backward, f"= {style.number(edge['local'])}", "= ?", theme.local, theme, size=SMALL),
            _revealed(backward, f"← {style.number(edge['grad'])}", "← ?", theme.gradient, theme, bold=True),
        ]
    )


def _revealed(known: bool, text: str, hidden: str | None, colour: str, theme: style.Theme, **font) -> str:
    """`text` in its colour once a frame has reached it; before that `hidden` (or the same text) muted."""
    if known:
        return _font(text, colour, **font)
    return _font(text if hidden is None else hidden, theme.muted, **font)


def legend(graph: nx.DiGraph, theme: style.Theme) -> str:
    """One line that decodes the picture: value, local derivative and gradient, and α."""
    loss = graph.nodes[output(graph)]["label"]
    parts = [
        _font("→ forward value", theme.forward, bold=True),
        _font("∂v/∂u local derivative", theme.local),
        _font(f"← gradient flowing back, {style.partial(loss, 'v')}·∂v/∂u", theme.gradient, bold=True),
    ]
    if parameters(graph):
        parts.append(
            _font(f"w ← w − α·{style.partial(loss, 'w')},  α = {style.number(graph.graph['alpha'])}", theme.text)
        )
    return "   ".join(parts)


def footer(graph: nx.DiGraph, theme: style.Theme, caption: list[str] | None = None) -> str:
    rows = [_font(line, theme.text, bold=i == 0, size=FONT_SIZE + 4) for i, line in enumerate(caption or [])]
    rows.append(legend(graph, theme))
    return _table(rows)


def to_digraph(
    graph: nx.DiGraph,
    theme: str | style.Theme = "light",
    shown: Reveal | None = None,
    caption: list[str] | None = None,
    layout: Layout | None = None,
    dpi: float | None = None,
    name: str = "network",
) -> graphviz.Digraph:
    """The annotated diagram of a propagated graph; with `shown`, a frame of the step-by-step story."""
    theme = theme if isinstance(theme, style.Theme) else style.get_theme(theme)
    shown = shown or Reveal.everything(graph)
    loss = graph.nodes[output(graph)]["label"]
    current = shown.current
    dot = graphviz.Digraph(name)
    dot.attr(
        bgcolor=theme.background, fontname=theme.fontname, fontcolor=theme.text, fontsize=str(FONT_SIZE), pad="0.3"
    )
    if dpi:
        dot.attr(dpi=f"{dpi:g}")
    if layout:
        # Pinned: positions come from one earlier layout run, so nothing moves between frames.
        dot.attr(layout="nop2", bb=f"0,0,{layout.width:.2f},{layout.height:.2f}")
    else:
        dot.attr(rankdir="LR", nodesep="0.5", ranksep="0.5", labelloc="b", label=footer(graph, theme, caption))
    dot.attr("node", fontname=theme.fontname, fontsize=str(FONT_SIZE), color=theme.edge, margin="0.15,0.08")
    dot.attr("edge", fontname=theme.fontname, fontsize=str(FONT_SIZE), color=theme.edge, arrowsize="0.8")
    for node, data in graph.nodes(data=True):
        attrs = dict(_node_style(data["kind"], theme))
        if current and node in (current.node, current.edge and current.edge[1]):
            attrs.update(color=theme.highlight, penwidth="4")
        if layout:
            x, y, w, h = layout.nodes[node]
            attrs.update(pos=f"{x:.2f},{y:.2f}", width=f"{w / 72:.4f}", height=f"{h / 72:.4f}", fixedsize="true")
        dot.node(node, _node_label(graph, node, theme, shown, loss), **attrs)
    for u, v in graph.edges:
        attrs = {}
        if current and current.edge == (u, v):
            attrs.update(color=theme.highlight, penwidth="4")
        elif current and current.kind == "forward" and v == current.node:
            attrs.update(color=theme.forward, penwidth="3")
        if layout:
            pos, lp = layout.edges[u, v]
            attrs.update(pos=pos, lp=lp)
        dot.edge(u, v, label=_edge_label(graph, u, v, theme, shown), **attrs)
    if layout:
        x, y, w, h = layout.nodes[FOOTER]
        dot.node(
            FOOTER,
            footer(graph, theme, caption),
            shape="none",
            margin="0",
            pos=f"{x:.2f},{y:.2f}",
            width=f"{w / 72:.4f}",
            height=f"{h / 72:.4f}",
            fixedsize="true",
        )
        for corner in ("0,0", f"{layout.width:.2f},{layout.height:.2f}"):
            # Invisible corner anchors fix the canvas, whatever text a frame shows.
            dot.node(f"__corner_{corner}", "", shape="point", style="invis", width="0", height="0", pos=corner)
    return dot

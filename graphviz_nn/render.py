"""A propagated graph (and optionally one step of it) → a `graphviz.Digraph`. Writes no files.

The full diagram shows everything; a frame passes a `Reveal` saying what is known so far and a
pinned `Layout` so every frame is drawn from the same positions. Every text comes from `Texts`; this
module only decides which to show and how they look.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import graphviz

from . import notation, style
from .errors import unknown
from .graph import INTERNAL, parameters
from .reveal import Reveal
from .texts import Texts

FONT_SIZE = 16
CAPTION = FONT_SIZE + 4
FOOTER = f"{INTERNAL}footer"  # internal ids start with a character no node id may start with


@dataclass(frozen=True)
class Layout:
    """Positions in points from one layout run: node centres and sizes, edge splines, label spots."""

    nodes: dict[str, tuple[float, float, float, float]]  # x, y, width, height (points)
    edges: dict[tuple[str, str], tuple[str, str]]  # spline `pos`, label `lp`
    width: float
    height: float
    wrapped: int = 0  # edges that wrap from one row to a later one

    def scaled(self, factor: float) -> Layout:
        """The same layout `factor` times larger, so a drawing meets its size at 72 dpi with no scaling
        transform (an SVG then says plainly how large its text is)."""
        if factor == 1:
            return self

        def points(pos: str) -> str:
            out = []
            for token in pos.split():
                prefix = token[:2] if token[:2] in ("e,", "s,") else ""
                x, y = (float(v) * factor for v in token[len(prefix) :].split(","))
                out.append(f"{prefix}{x:.2f},{y:.2f}")
            return " ".join(out)

        nodes = {n: tuple(v * factor for v in box) for n, box in self.nodes.items()}
        edges = {e: (points(pos), points(lp)) for e, (pos, lp) in self.edges.items()}
        return Layout(nodes, edges, self.width * factor, self.height * factor, self.wrapped)


def _font(text: str, colour: str, bold: bool = False, size: str | None = None) -> str:
    body = f"<B>{escape(text)}</B>" if bold else escape(text)
    size_attr = f' POINT-SIZE="{size}"' if size else ""
    return f'<FONT COLOR="{colour}"{size_attr}>{body}</FONT>'


def _table(rows: list[str], background: str | None = None) -> str:
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    fill = f' BGCOLOR="{background}"' if background else ""
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1"{fill}>{cells}</TABLE>>'


def _size(points: float, scale: float) -> str:
    return f"{points * scale:.4g}"


def _node_style(kind: str, theme: style.Theme, scale: float = 1.0) -> dict[str, str]:
    """Kinds differ by shape and outline, not colour alone: parameters are bold boxes, the target is
    dashed, operations are rounded, the loss is a double outline."""
    base = {
        "input": {"shape": "box", "style": "filled", "fillcolor": theme.leaf_fill},
        "target": {"shape": "box", "style": "filled,dashed", "fillcolor": theme.leaf_fill},
        "parameter": {
            "shape": "box",
            "style": "filled,bold",
            "fillcolor": theme.parameter_fill,
            "penwidth": _size(2, scale),
        },
        "operation": {"shape": "box", "style": "filled,rounded", "fillcolor": theme.operation_fill},
        "loss": {"shape": "box", "style": "filled,rounded", "fillcolor": theme.loss_fill, "peripheries": "2"},
    }
    return base[kind]


BLANK = "_______"  # a line to write a number on


def _revealed(known: bool, text: str, hidden: str | None, colour: str, theme: style.Theme, **font) -> str:
    """`text` in its colour once a frame has reached it; before that `hidden` (or the same text) muted.
    On a worksheet (`hidden` given as a blank) the line to write on is drawn in the text colour."""
    if known:
        return _font(text, colour, **font)
    if hidden is not None and BLANK in hidden:
        return _font(hidden, theme.text, **font)
    return _font(text if hidden is None else hidden, theme.muted, **font)


def _hidden(shown: Reveal, placeholder: str) -> str:
    """What stands for a number not known yet: `?` in a frame, a line to write on in a worksheet."""
    return placeholder.replace("?", BLANK) if shown.blanks else placeholder


# From everything to what fits a long chain on one slide: `nodes` keeps the numbers on the nodes and
# labels only the edges whose gradient differs from their source's (a node that feeds several others).
DETAILS = ("full", "values", "numbers", "nodes")
BRIEF = ("numbers", "nodes")  # the details that write numbers only: ← stands for ∂Loss/∂, no formulas


def check_detail(detail: str) -> str:
    if detail not in DETAILS:
        raise unknown("detail", detail, DETAILS)
    return detail


def _node_label(texts: Texts, node: str, theme: style.Theme, shown: Reveal, detail: str, sums: bool = False) -> str:
    """The node's rows. With `sums` (measuring a layout for frames), the gradient row is the longest
    it is in any frame: a node that feeds several others shows its sum so far, `← 6.94 + …`, which
    may be longer than the total."""
    t = texts.nodes[node]
    formula = t.formula if detail not in BRIEF else None  # the caption has it
    # A no-break space: SVG viewers drop an ordinary space at the start of the text after the name.
    header = f"<B>{escape(t.name)}</B>" + (escape(f"\u00a0= {formula}") if formula else "")
    rows = [f'<FONT COLOR="{theme.text}">{header}</FONT>']
    rows.append(_revealed(node in shown.values, t.value, _hidden(shown, "?"), theme.forward, theme, bold=True))
    if shown.gradients and t.grad is not None and node != texts.out:
        done, so_far = node in shown.grads, shown.partial.get(node, 0)
        symbol = _revealed(done or so_far > 0 or shown.blanks, t.grad_symbol, None, theme.gradient, theme)
        equals = "← " if detail in BRIEF else "= "
        if sums and t.running:
            longest = max([equals + t.grad, *(f"{equals}{r} + …" for r in t.running)], key=len)
            value = _font(longest, theme.gradient, True)
        elif not done and so_far and t.running:
            running = f"{equals}{t.running[so_far - 1]} + …"  # the sum so far; the caption says of how many
            value = _font(running, theme.gradient, True)
        else:
            value = _revealed(done, equals + t.grad, _hidden(shown, equals + "?"), theme.gradient, theme, bold=True)
        # ∂Loss/∂node and its number on two rows keep the node narrow.
        rows += [value] if detail in BRIEF else [symbol, value]
        if t.update_step is not None:
            known, hidden = node in shown.updated, _hidden(shown, f"{t.name} ← ?")
            if detail == "full":  # the step on one row, the new value under it
                step, new = t.update_step.rsplit(" = ", 1)
                rows.append(_revealed(known, f"{t.name} ← {step}", hidden, theme.text, theme))
                rows.append(_revealed(known, f"= {new}", _hidden(shown, "= ?"), theme.text, theme, bold=True))
            else:
                rows.append(_revealed(known, f"{t.name} ← {t.update_value}", hidden, theme.text, theme, bold=True))
    return _table(rows)


def edge_label(
    texts: Texts, u: str, v: str, theme: style.Theme, shown: Reveal, detail: str = "full", opaque: bool = True
) -> str:
    """The edge's texts, top to bottom: → forward value, the local derivative, ← gradient. The label
    sits on its edge; an opaque background keeps the line from running through the text."""
    t = texts.edges[u, v]
    rows = []
    if detail == "nodes":
        if not texts.nodes[u].running:  # one consumer: the numbers are the nodes', value and gradient
            return "<>"
    else:
        known = (u, v) in shown.forward_edges
        rows.append(_revealed(known, f"→ {t.value}", _hidden(shown, "→ ?"), theme.forward, theme, bold=True))
    if shown.gradients and t.grad is not None:
        backward = (u, v) in shown.backward_edges
        if detail in ("full", "values"):
            # One line, between the forward value above and the gradient below: the edge runs through
            # the middle of the label, so every line of it stays next to its own edge.
            head = t.local_symbol + (f" = {t.local_formula}" if t.local_formula and detail == "full" else "")
            local = _revealed(backward, f"{head} = {t.local}", _hidden(shown, f"{head} = ?"), theme.local, theme)
            rows.append(local)
        rows.append(_revealed(backward, f"← {t.grad}", _hidden(shown, "← ?"), theme.gradient, theme, bold=True))
    return _table(rows, theme.background if opaque else None) if rows else "<>"


def node_attrs(
    texts: Texts, node: str, theme: style.Theme, shown: Reveal, detail: str, scale: float = 1.0, sums: bool = False
) -> dict[str, str]:
    """Shape, colours and label of a node as drawn (and as measured by the layout: `sums` makes room
    for a sum in progress)."""
    attrs = dict(_node_style(texts.graph.nodes[node]["kind"], theme, scale))
    if node in shown.highlighted_nodes():
        attrs.update(color=theme.highlight, penwidth=_size(4, scale))
    attrs["label"] = _node_label(texts, node, theme, shown, detail, sums)
    return attrs


def legend(
    texts: Texts, theme: style.Theme, gradients: bool = True, visible: str | None = None, detail: str = "full"
) -> str:
    """Lines that decode the picture: only the notations it shows. `visible` is everything the picture
    writes (labels and caption); without it, every notation the graph's texts use."""
    loss = texts.nodes[texts.out].name
    first = [_font("→ forward value", theme.forward, bold=True)]
    if gradients and detail in ("full", "values"):  # the edges show local derivatives
        first.append(_font("∂v/∂u local derivative (one node)", theme.local))
    if gradients:
        first.append(_font(f"← gradient {notation.partial(loss, 'v')} (all the way back)", theme.gradient, bold=True))
    rows = ["   ".join(first)]
    extra = []
    if gradients and parameters(texts.graph):
        alpha = notation.exact(texts.graph.graph["alpha"], texts.digits)
        extra.append(f"w ← w − α·{notation.partial(loss, 'w')} with α = {alpha}")
    for key, (meaning, marks) in sorted(notation.MEANINGS.items()):
        shown = visible is None or any(m in visible for m in marks)
        if key in texts.used and shown and (gradients or key != "heaviside"):
            extra.append(meaning)
    if extra:
        rows.append(_font(";   ".join(extra), theme.text))
    return "<BR/>".join(rows)


CAPTION_WIDTH = 64  # characters: a longer caption line breaks, so the caption never sets the slide's width


def wrap_caption(line: str, width: int = CAPTION_WIDTH) -> list[str]:
    """A caption line in pieces that fit: a remark in parentheses on a line of its own, then a long
    equation broken before an `=`, the continuation starting with it."""
    if len(line) <= width:
        return [line]
    head, _, remark = line.partition("   (")
    if remark:
        return [*wrap_caption(head, width), f"({remark}"]
    cuts = [i for i in range(len(line)) if line.startswith(" = ", i)]
    fitting = [i for i in cuts if 0 < i <= width]
    if not fitting:
        return [line]
    at = fitting[-1]
    return [line[:at], *wrap_caption(line[at + 1 :], width)]


def footer(
    texts: Texts,
    theme: style.Theme,
    caption: list[str] | None = None,
    gradients: bool = True,
    scale: float = 1.0,
    visible: str | None = None,
    detail: str = "full",
) -> str:
    lines = [(i == 0, piece) for i, line in enumerate(caption or []) for piece in wrap_caption(line)]
    rows = [_font(piece, theme.text, bold=first, size=_size(CAPTION, scale)) for first, piece in lines]
    rows.append(legend(texts, theme, gradients, visible, detail))
    return _table(rows)


def graph_attrs(theme: style.Theme, transparent: bool = False, scale: float = 1.0) -> dict[str, dict[str, str]]:
    """The graph, node and edge defaults every drawing and every layout run share."""
    font = {"fontname": theme.fontname, "fontsize": _size(FONT_SIZE, scale)}
    return {
        "graph": {"bgcolor": "transparent" if transparent else theme.background, "fontcolor": theme.text, **font},
        "node": {**font, "color": theme.edge, "margin": "0.12,0.06", "penwidth": _size(1, scale)},
        "edge": {**font, "color": theme.edge, "arrowsize": _size(0.8, scale), "penwidth": _size(1, scale)},
    }


def to_digraph(
    texts: Texts,
    layout: Layout,
    theme: style.Theme,
    shown: Reveal | None = None,
    caption: list[str] | None = None,
    dpi: float | None = None,
    name: str = "network",
    detail: str = "full",
    transparent: bool = False,
    scale: float = 1.0,
) -> graphviz.Digraph:
    """The annotated diagram drawn at pinned positions (`layout=nop2`): with `shown`, a frame of the
    step-by-step story. Positions come from one earlier layout run, so nothing moves between frames.
    `scale` enlarges everything (positions, sizes, fonts, lines) to meet a canvas at 72 dpi."""
    graph = texts.graph
    shown = shown or Reveal.everything(texts)
    layout = layout.scaled(scale)
    dot = graphviz.Digraph(name)
    defaults = graph_attrs(theme, transparent, scale)
    dot.attr(**defaults["graph"], pad="0.3", layout="nop2", bb=f"0,0,{layout.width:.2f},{layout.height:.2f}")
    if dpi:
        dot.attr(dpi=f"{dpi:g}")
    dot.attr("node", **defaults["node"])
    dot.attr("edge", **defaults["edge"])
    current, lit_edges = shown.current, shown.highlighted_edges()
    drawn = list(caption or [])  # what the picture writes, so the legend explains just that
    for node in graph:
        attrs = node_attrs(texts, node, theme, shown, detail, scale)
        drawn.append(attrs["label"])
        x, y, w, h = layout.nodes[node]
        attrs.update(pos=f"{x:.2f},{y:.2f}", width=f"{w / 72:.4f}", height=f"{h / 72:.4f}", fixedsize="true")
        dot.node(node, **attrs)
    for u, v in graph.edges:
        attrs = {}
        if (u, v) in lit_edges:
            attrs.update(color=theme.highlight, penwidth=_size(4, scale))
        elif current and current.kind == "forward" and v == current.node:
            attrs.update(color=theme.forward, penwidth=_size(3, scale))
        pos, lp = layout.edges[u, v]
        label = edge_label(texts, u, v, theme, shown, detail, opaque=not transparent)
        drawn.append(label)
        dot.edge(u, v, label=label, pos=pos, lp=lp, **attrs)
    x, y, w, h = layout.nodes[FOOTER]
    dot.node(
        FOOTER,
        footer(texts, theme, caption, shown.gradients, scale, "\n".join(drawn), detail),
        shape="none",
        margin="0",
        pos=f"{x:.2f},{y:.2f}",
        width=f"{w / 72:.4f}",
        height=f"{h / 72:.4f}",
        fixedsize="true",
    )
    for i, corner in enumerate(("0,0", f"{layout.width:.2f},{layout.height:.2f}")):
        # Invisible corner anchors fix the canvas, whatever text a frame shows.
        dot.node(f"{INTERNAL}corner{i}", "", shape="point", style="invis", width="0", height="0", pos=corner)
    return dot

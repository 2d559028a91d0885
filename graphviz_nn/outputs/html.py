"""An interactive stepper: one self-contained HTML page (or a notebook cell's output) that steps
through frames with the keyboard, buttons, a slider or play: the forward and backward pass
(`content`), or a training run, the diagram at each step above the plots (`training_content`).

The frames come from one pinned layout (and plots on fixed axes), so each part looks the same in most
steps: the page keeps every distinct look of each node, edge or plot part once and shows, per step,
the one that step draws, instead of repeating whole SVGs. The caption and the legend are HTML text
under the drawing; hovering or focusing a node or an edge shows its formula with the numbers plugged
in, as far as the current step has revealed them. Scripts and styles are inline; nothing is fetched,
so the page works from disk.

The contract for scripts and tests: `<body data-step="K" data-steps="N">` (K the 0-based step) and the
caption in `#caption`. The same bytes for the same input: ids come from a hash of the content.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from importlib import resources
from pathlib import Path

from .. import files, render, style, svgtree
from ..defaults import MOVING
from ..errors import NNError
from ..frames import Frames
from ..graph import INTERNAL
from ..reveal import Reveal
from ..texts import Texts

MS_PER_STEP = 1500  # at 1× speed, as `animate --duration` by default
MS_RANGE = (50, 60_000)  # a step a page can play: from a blur to a minute
FORMATS = ("html", "htm")

ICONS = {  # 24×24 paths: drawn inline, so no icon font is needed
    "first": "M6 5h2v14H6zM20 5v14L9 12z",
    "prev": "M17 5v14L6 12z",
    "resume": "M8 5v14l11-7z",
    "pause": "M7 5h4v14H7zM13 5h4v14h-4z",
    "next": "M7 5v14l11-7z",
    "last": "M16 5h2v14h-2zM4 5v14l11-7z",
}
BUTTONS = (  # name, label, key
    ("first", "First step", "Home"),
    ("prev", "Previous step", "←"),
    ("play", "Play", "Space"),
    ("next", "Next step", "→"),
    ("last", "Last step", "End"),
)
SPEEDS = ("0.5", "1", "2", "4")


@dataclass
class Element:
    """One part of a drawing (a node, an edge, a plot's artist): its distinct looks and tooltips, and
    which of each every step shows."""

    kind: str  # "node", "edge", "aid" (no tooltip, no focus) or "static" (one look in every step: written once)
    key: str | tuple[str, str]
    looks: list[str]  # SVG markup inside the part's <g>; "" where a step does not draw it
    look: list[int]  # per step
    tips: list[tuple[str, ...]]
    tip: list[int]  # per step
    name: str = ""  # what a screen reader calls a node or an edge


@dataclass
class Drawing:
    """One SVG of the stepper: its parts in drawing order, each showing one of its looks per step."""

    elements: list[Element]
    view_box: str
    transform: str = ""
    label: str = ""  # what a screen reader calls the drawing
    kind: str = "graph"  # "graph" (Graphviz: the view is trimmed to the parts in the browser) or "plot"
    defs: str = ""  # definitions the looks use (glyphs, markers, clip paths), written once


@dataclass
class Content:
    """What a stepper shows: its drawings, each step's caption, and the words around them."""

    captions: list[list[str]]
    drawings: list[Drawing]
    theme: style.Theme
    subject: str = "Backpropagation"  # of the page's heading: "<subject>, step by step"
    title: str = ""  # the graph's, if it has one
    legend: str = ""  # HTML
    focus: list[int] | None = None  # per step, the part a narrow screen scrolls to (-1: none)
    counts: list[str] | None = None  # per step, the counter by the slider: `k / N` by default
    ms: int = MS_PER_STEP  # a step's time when playing at 1×
    digest: str = field(init=False)  # of everything shown: the base of the instance's id

    def __post_init__(self) -> None:
        self.focus = self.focus or [-1] * len(self.captions)
        self.counts = self.counts or [f"{k + 1} / {self.steps}" for k in range(self.steps)]
        if any(len(e.look) != self.steps or len(e.tip) != self.steps for e in self.elements):
            raise ValueError(f"every part needs a look and a tooltip for each of the {self.steps} steps")
        shown = [_data(self), [(d.view_box, d.transform, d.defs) for d in self.drawings], self.legend, self.title]
        shown.append([e.looks for e in self.elements])
        self.digest = hashlib.sha256(json.dumps(shown).encode()).hexdigest()

    @property
    def steps(self) -> int:
        return len(self.captions)

    @property
    def elements(self) -> list[Element]:
        return [e for d in self.drawings for e in d.elements]

    @property
    def heading(self) -> str:
        about = f"{self.subject}, step by step"
        return f"{self.title} — {about[0].lower()}{about[1:]}" if self.title else about

    @cached_property
    def pieces(self) -> list[tuple[list[str], list[list[int]]]]:
        """Each part that can change (in the page's order): its pieces, and the pieces each look shows."""
        return [_pieces(e) for e in _moving(self.elements)]

    @property
    def hover(self) -> bool:
        """Whether some part has numbers to show on hover or focus."""
        return any(e.kind in ("node", "edge") for e in self.elements)


def _moving(elements: list[Element]) -> list[Element]:
    """The parts whose look can change: the ones the script steps through, in the page's order."""
    return [e for e in elements if e.kind != "static"]


def check_ms(ms: int) -> int:
    low, high = MS_RANGE
    if isinstance(ms, bool) or not isinstance(ms, int) or not low <= ms <= high:
        raise NNError(f"--duration {ms} is outside what a page plays ({low} to {high} milliseconds a step)")
    return ms


# -- the frames' SVGs, shared ---------------------------------------------------------------------
def _groups(svg: bytes) -> tuple[str, str, list[tuple[str, str, str]]]:
    """The drawing's viewBox, its transform, and its node and edge groups as (class, title, markup
    inside), in drawing order. Graphviz's ids and titles (the browser's own tooltip) are left out,
    and so is the footer (caption and legend below the graph): the page writes it as text."""
    root = svgtree.parse(svg)
    top = next((g for _, g in root.elements() if g.tag == "g" and g.attrs.get("class") == "graph"), None)
    if top is None:
        raise NNError("a frame's SVG has no graph group; is Graphviz's SVG output as expected?")
    groups = []
    for child in top.children:
        if type(child) is not svgtree.Node or child.tag != "g":
            continue  # the graph's title, its background (the page's own) and comments
        kind = child.attrs.get("class", "")
        parts = [c for c in child.children if type(c) is svgtree.Node]
        title = next((c.children[0] for c in parts if c.tag == "title" and c.children), "")
        title = title if type(title) is str else ""
        if kind not in ("node", "edge") or title == render.FOOTER:
            continue
        groups.append((kind, title, "".join(svgtree.markup(c) for c in parts if c.tag != "title")))
    return root.attrs.get("viewBox", ""), top.attrs.get("transform", ""), groups


def _distinct(items: list) -> tuple[list, list[int]]:
    """Distinct items in order of first appearance, and each item's position among them."""
    positions: dict = {}
    at = [positions.setdefault(item, len(positions)) for item in items]
    return list(positions), at


# -- tooltips: what each step has revealed, never more -------------------------------------------
def node_tip(texts: Texts, node: str, shown: Reveal) -> tuple[str, ...]:
    t = texts.nodes[node]
    lines = [t.name]
    if node in shown.values:
        lines.append(t.value_line)
    else:
        lines.append(f"{t.name} = {t.formula} = ?" if t.formula else f"{t.name} = ?")
    if shown.gradients and t.grad is not None and node != texts.out:
        added = shown.partial.get(node, 0)
        if node in shown.grads:
            lines.append(f"gradient: {t.grad_line}")
        elif added and t.running:
            so_far = f"{t.running[added - 1]} + …   ({added} of {len(t.running)} added)"
            lines.append(f"gradient: {t.grad_symbol} = {so_far}")
        else:
            lines.append(f"gradient: {t.grad_symbol} = ?")
        if t.update_line is not None:
            pending = t.update_line.removesuffix(f" = {t.update_step}") + " = ?"
            lines.append(f"update: {t.update_line if node in shown.updated else pending}")
    return tuple(lines)


def edge_tip(texts: Texts, u: str, v: str, shown: Reveal) -> tuple[str, ...]:
    t, source = texts.edges[u, v], texts.nodes[u]
    lines = [f"{source.name} → {texts.nodes[v].name}"]
    lines.append(f"forward: {source.name} = {t.value if (u, v) in shown.forward_edges else '?'}")
    if shown.gradients and t.grad is not None:
        back = (u, v) in shown.backward_edges
        if v != texts.out:  # into the loss, the local derivative is the gradient itself
            pending = t.local_symbol + (f" = {t.local_formula}" if t.local_formula else "") + " = ?"
            lines.append(f"local: {t.local_line if back else pending}")
        consumers = sum(1 for w in texts.graph.successors(u) if (u, w) in texts.backward)
        sign = "+=" if consumers > 1 else "="
        lines.append(f"gradient: {source.grad_symbol} {sign} {t.grad_line if back else '?'}")
    return tuple(lines)


# -- what a page shows ----------------------------------------------------------------------------
def graph_drawing(frames: Frames, svgs: list[bytes], texts: list[Texts] | None = None) -> Drawing:
    """The frames' Graphviz SVGs as one drawing: every node's and edge's looks, with the tooltip each
    step allows. `texts`, one per frame, when the numbers change from frame to frame (training);
    by default every frame shows `frames.texts`."""
    if len(svgs) != len(frames):
        raise ValueError(f"{len(svgs)} SVGs for {len(frames)} frames")
    texts = texts or [frames.texts] * len(frames)
    graph = frames.graph
    edges = {f"{u}->{v}": (u, v) for u, v in graph.edges}
    parsed = [_groups(svg) for svg in svgs]
    view_box, transform, first = parsed[0]
    layout = [(kind, title) for kind, title, _ in first]
    if any([(k, t) for k, t, _ in groups] != layout or (vb, tr) != (view_box, transform) for vb, tr, groups in parsed):
        raise NNError("the frames are not drawn from one layout, so they cannot share one drawing")
    reveals = [frames.shown(i) for i in range(len(frames))]
    names = {n: t.name for n, t in frames.texts.nodes.items()}
    elements = []
    for at, (kind, title) in enumerate(layout):
        name = ""
        if title.startswith(INTERNAL):  # a drawing aid (an anchor, a label of its own): no tooltip
            key: str | tuple[str, str] = title
            kind, tips = "aid", [() for _ in reveals]
        elif kind == "node":
            if title not in graph:
                raise NNError(f"a frame draws a node {title!r} that is not in the graph")
            key, name = title, names[title]
            tips = [node_tip(t, title, shown) for t, shown in zip(texts, reveals, strict=True)]
        else:
            if title not in edges:
                raise NNError(f"a frame draws an edge {title!r} that is not in the graph")
            key = edges[title]
            name = f"{names[key[0]]} → {names[key[1]]}"
            tips = [edge_tip(t, *key, shown) for t, shown in zip(texts, reveals, strict=True)]
        looks, look = _distinct([groups[at][2] for _, _, groups in parsed])
        tip_list, tip = _distinct(tips)
        elements.append(Element(kind, key, looks, look, tip_list, tip, name))
    label = "The computation graph: focus or hover a node or an edge for its numbers"
    return Drawing(elements, view_box, transform, label)


def content(frames: Frames, svgs: list[bytes]) -> Content:
    """The stepper through the forward and backward pass: the frames' drawing, captions and legend."""
    drawing = graph_drawing(frames, svgs)
    gradients = any(s.kind != "forward" for s in frames.steps)
    return Content(
        [frames.caption(i) for i in range(len(frames))],
        [drawing],
        frames.theme,
        title=frames.graph.graph.get("title") or "",
        legend=_legend(frames, gradients),
        focus=[_current(step, drawing.elements) for step in frames.steps],
    )


def training_content(
    captions: list[list[str]],
    theme: style.Theme,
    plots: list[bytes],
    panels: list[tuple[str, str, tuple[float, float, float, float]]],
    diagrams: Frames | None = None,
    diagram_svgs: list[bytes] | None = None,
    texts: list[Texts] | None = None,
    ms: int = MS_PER_STEP,
    counts: list[str] | None = None,
) -> Content:
    """The stepper through a training run: at each step the network's diagram (`diagrams`, drawn as
    `diagram_svgs`, its numbers `texts`; none with a dataset) above the plot panels, cut out of one
    matplotlib SVG figure per step (`plots`, `panels` as for `plot_drawings`). `counts` label the
    steps by the slider (`3 / 25`, when the frames are a sample of a longer run)."""
    if len(plots) != len(captions):
        raise ValueError(f"{len(plots)} plots for {len(captions)} captions")
    drawings = []
    legend = ""
    if diagrams is not None:
        drawings.append(graph_drawing(diagrams, diagram_svgs or [], texts))
        legend = _legend(diagrams, gradients=True)
    drawings += plot_drawings(plots, panels)
    title = diagrams.graph.graph.get("title") or "" if diagrams is not None else ""
    return Content(captions, drawings, theme, "Gradient descent", title, legend, ms=check_ms(ms), counts=counts)


def _current(step, elements: list[Element]) -> int:
    """The part a step is about (its edge, else its node), for a narrow screen to scroll to; -1 if none."""
    keys = [e.key for e in _moving(elements)]
    for key in (step.edge, step.node):
        if key in keys:
            return keys.index(key)
    return -1


# -- plots: matplotlib's SVG figures, one per step, cut into panels -------------------------------


def plot_drawings(svgs: list[bytes], panels: list[tuple[str, str, tuple[float, float, float, float]]]) -> list[Drawing]:
    """One drawing per panel of a matplotlib figure drawn once per step (the same axes, artists
    updated): a panel is the figure's group with the panel's id (`Artist.set_gid`), seen through
    `box` (x, y, width, height in the SVG's units); `label` names it for a screen reader. Each
    artist's group keeps one copy of every distinct look; the definitions they use (glyphs, markers,
    clip paths: named by a hash of what they are, so the same in every figure) are written once.

    The first figure is whole; a later one may leave out any static part (drawn as in the first
    figure: `TrainingPlot.frame(..., moving_only=True)`), where a part whose id starts with `MOVING`
    is drawn at the steps whose figures have it, and only there."""
    defs: dict[str, str] = {}
    figures = [_plot_parts(svg, [gid for gid, _, _ in panels], defs) for svg in svgs]
    drawings = []
    for at, (_, label, box) in enumerate(panels):
        parts = [dict(figure[at]) for figure in figures]
        order = _merged([list(p) for p in parts])
        elements = []
        for key in order:
            kept = "" if key.startswith(MOVING) else parts[0].get(key, "")
            looks, look = _distinct([p.get(key, kept) for p in parts])
            kind = "static" if looks != [""] and len(looks) == 1 else "aid"
            elements.append(Element(kind, key, looks, look, [()], [0] * len(svgs)))
        view_box = " ".join(f"{v:.2f}" for v in box)
        shared = "".join(defs.values()) if at == 0 else ""  # ids are the page's: one copy serves every panel
        drawings.append(Drawing(elements, view_box, label=label, kind="plot", defs=shared))
    return drawings


def _plot_parts(svg: bytes, gids: list[str], defs: dict[str, str]) -> list[list[tuple[str, str]]]:
    """Each panel's parts as (key, markup) in drawing order; definitions are moved into `defs`, and
    other ids are left out (nothing refers to them, and every step repeats them)."""
    root = svgtree.parse(svg)
    for parent, node in [(p, n) for p, n in root.elements() if n.tag == "defs" and p is not None]:
        for item in node.children:
            if type(item) is svgtree.Node and item.attrs.get("id"):
                markup = svgtree.markup(item)
                if defs.setdefault(item.attrs["id"], markup) != markup:
                    raise NNError(f"the plots define {item.attrs['id']!r} in two ways; cannot share it")
        at = parent.children.index(node)
        # With it the indentation before it: a part is written the same whether it is the first in
        # its figure to use a glyph or marker (and defines it) or not.
        if at and type(parent.children[at - 1]) is str and not parent.children[at - 1].strip():
            at -= 1
            del parent.children[at]
        del parent.children[at]  # matplotlib's other defs: a style, set on the panel instead
    groups = {g.attrs.get("id"): g for _, g in root.elements() if g.tag == "g" and g.attrs.get("id", "") in gids}
    panels = []
    for gid in gids:
        if gid not in groups:
            raise NNError(f"a plot has no panel {gid!r}; is matplotlib's SVG output as expected?")
        parts, unnamed = [], 0
        for child in groups[gid].children:
            if type(child) is not svgtree.Node:
                continue
            key = child.attrs.get("id")
            if not key:
                key, unnamed = f"{child.tag}#{unnamed}", unnamed + 1
            parts.append((key, svgtree.markup(child, drop_ids=True)))
        if len({key for key, _ in parts}) != len(parts):
            raise NNError(f"the plot's panel {gid!r} names two parts alike; cannot tell its steps apart")
        panels.append(parts)
    return panels


def _merged(orders: list[list[str]]) -> list[str]:
    """One order of keys that keeps the order of each list: a part a step leaves out (the arrow of the
    next update, at the last step) goes after the part it follows where it is drawn."""
    merged: list[str] = []
    for keys in orders:
        place = 0
        for key in keys:
            if key in merged:
                place = merged.index(key) + 1
            else:
                merged.insert(place, key)
                place += 1
    for keys in orders:
        positions = [merged.index(key) for key in keys]
        if positions != sorted(positions):
            raise NNError("the plots draw their parts in different orders from step to step; cannot share them")
    return merged


def _data(c: Content, pieces: list | None = None) -> dict:
    return {
        "ms": c.ms,
        "captions": c.captions,
        "counts": c.counts,
        "els": [{"v": e.look, "t": e.tip, "tips": e.tips} for e in _moving(c.elements)],
        "pieces": None if pieces is None else [shows for _, shows in pieces],
        "focus": c.focus,
    }


# -- markup -------------------------------------------------------------------------------------
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _script_json(data: dict) -> str:
    """JSON that cannot end its <script> early, whatever the labels say."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _colours(t: style.Theme) -> str:
    pairs = {
        "--bg": t.background,
        "--fg": t.text,
        "--accent": t.forward,
        "--focus": t.forward,
        "--hl": t.highlight,
        "--panel": t.operation_fill,
        "--line": t.edge,
        "--soft": t.local,
    }
    return ";".join(f"{k}:{v}" for k, v in pairs.items())


def _legend(frames: Frames, gradients: bool) -> str:
    """The drawing's legend (Graphviz's HTML-like label) as HTML: fonts become coloured spans."""
    label = render.legend(frames.texts, frames.theme, gradients, detail=frames.detail)
    label = re.sub(r'<FONT COLOR="(#?\w+)"(?: POINT-SIZE="\d+")?>', r'<span style="color:\1">', label)
    for old, new in (("</FONT>", "</span>"), ("<B>", "<b>"), ("</B>", "</b>"), ("<BR/>", "<br>")):
        label = label.replace(old, new)
    return label


def _icon(name: str) -> str:
    attrs = f'viewBox="0 0 24 24" aria-hidden="true" focusable="false" class="gvnn-{name}"'
    return f'<svg {attrs}><path d="{ICONS[name]}"/></svg>'


def _controls(steps: int, count: str) -> str:
    buttons = []
    for name, label, key in BUTTONS:
        icons = _icon("resume") + _icon("pause") if name == "play" else _icon(name)
        pressed = ' aria-pressed="false"' if name == "play" else ""
        buttons.append(
            f'<button type="button" data-gvnn="{name}" aria-label="{label}" title="{label} ({key})"{pressed}>'
            f"{icons}</button>"
        )
    speeds = "".join(f'<option value="{s}"{" selected" if s == "1" else ""}>{s}×</option>' for s in SPEEDS)
    return (
        '<div class="gvnn-bar" role="toolbar" aria-label="Steps">'
        + "".join(buttons)
        + f'<input type="range" data-gvnn="slider" min="0" max="{steps - 1}" step="1" value="0" aria-label="Step">'
        + f'<span class="gvnn-count" data-gvnn="counter">{escape(count)}</span>'
        + f'<label>Speed <select data-gvnn="speed">{speeds}</select></label>'
        + "</div>"
    )


def _pieces(e: Element) -> tuple[list[str], list[list[int]]]:
    """The distinct pieces of a part's looks (their children: a node's shape, each of its texts) in
    one drawing order, and the pieces each look shows: a shape that stays while the numbers in it
    change is written once. Looks whose pieces cannot share one order stay whole."""
    wrapped = '<g xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</g>'
    keyed = []
    for markup in e.looks:
        children = [svgtree.markup(c) for c in svgtree.parse(wrapped.format(markup)).children]
        keyed.append([(c, children[:n].count(c)) for n, c in enumerate(children)])  # a repeat is a piece too
    try:
        order = _merged(keyed)
    except NNError:
        return e.looks, [[j] for j in range(len(e.looks))]
    index = {key: n for n, key in enumerate(order)}
    return [markup for markup, _ in order], [[index[key] for key in keys] for keys in keyed]


def _looks(e: Element, pieces: list[str], shows: list[list[int]]) -> str:
    first = set(shows[e.look[0]])
    return "".join(
        f"<g>{markup}</g>" if j in first else f'<g style="display:none">{markup}</g>' for j, markup in enumerate(pieces)
    )


def _drawing(d: Drawing, uid: str, first: int, pieces: list[tuple[list[str], list[list[int]]]]) -> str:
    """One drawing's <svg>; `first` is the page-wide index of its first part that can change, and
    `pieces` are every such part's pieces, page-wide."""
    parts, at = [], first
    for e in d.elements:
        if e.kind == "static":
            parts.append(f"<g>{e.looks[0]}</g>")
            continue
        looks = _looks(e, *pieces[at])
        if e.kind == "aid":
            parts.append(f'<g class="gvnn-el" data-el="{at}">{looks}</g>')
        else:
            parts.append(
                f'<g class="gvnn-el {e.kind}" data-el="{at}" tabindex="0" role="img" '
                f'aria-label="{e.kind} {escape(e.name)}" aria-describedby="{uid}-tip">{looks}</g>'
            )
        at += 1
    inside = "".join(parts)
    if d.kind == "graph":
        return (
            f'<svg class="gvnn-svg gvnn-fit" viewBox="{d.view_box}" role="group" aria-label="{escape(d.label)}">'
            f'<g class="gvnn-graph" transform="{d.transform}">{inside}</g></svg>'
        )
    defs = f"<defs>{d.defs}</defs>" if d.defs else ""
    return (  # matplotlib's own style rule (*{...}) would reach the whole page: set on the panel instead
        f'<svg class="gvnn-svg gvnn-plot" viewBox="{d.view_box}" role="img" aria-label="{escape(d.label)}">{defs}'
        f'<g style="stroke-linejoin:round;stroke-linecap:butt">{inside}</g></svg>'
    )


def _figure(c: Content, uid: str, caption_id: str, pieces: list) -> str:
    """The drawings with the caption after the first: a graph scrolls sideways on a narrow screen at
    a readable size, plots sit side by side and stack when narrow."""
    first = "".join(
        f'<div class="gvnn-counter">{escape(line)}</div>' if j == 0 else f"<div>{escape(line)}</div>"
        for j, line in enumerate(c.captions[0])
    )
    caption = (
        f'<figcaption id="{caption_id}" class="gvnn-caption" data-gvnn="caption" aria-live="polite">'
        f"{first}</figcaption>"
    )
    blocks, at = [], 0
    graphs = [d for d in c.drawings if d.kind == "graph"]
    plots = [d for d in c.drawings if d.kind == "plot"]
    for d in graphs:
        blocks.append(f'<div class="gvnn-scroll" data-gvnn="scroll">{_drawing(d, uid, at, pieces)}</div>')
        at += len(_moving(d.elements))
    if plots:
        inside = []
        for d in plots:
            inside.append(_drawing(d, uid, at, pieces))
            at += len(_moving(d.elements))
        blocks.append(f'<div class="gvnn-plots" style="--gvnn-panels:{len(plots)}">{"".join(inside)}</div>')
    tip = f'<div class="gvnn-tip" id="{uid}-tip" data-gvnn="tip" role="tooltip" hidden></div>'
    blocks[1:1] = [tip, caption]
    kind = " gvnn-with-plots" if graphs and plots else ""  # the graph and its caption above the plots
    return f'<figure class="gvnn-figure{kind}">' + "".join(blocks) + "</figure>"


def fragment(c: Content, uid: str, page: bool = False) -> str:
    """The stepper as one <div> with its style and script: inside a page, or a notebook's output.
    In a page it also answers the keys anywhere and keeps <body data-step> current; in a notebook
    it listens only while focus is inside it, so steppers never steer each other."""
    focus = "" if page else ' tabindex="0" data-lm-suppress-shortcuts="true"'
    help_text = (
        "<kbd>←</kbd> <kbd>→</kbd> step · <kbd>Space</kbd> play or pause · <kbd>Home</kbd> <kbd>End</kbd> "
        "first and last"
    )
    if c.hover:
        help_text += " · hover, tap or Tab to a node or an edge for its numbers"
    legend = f'<p class="gvnn-legend">{c.legend}</p>' if c.legend else ""
    return (
        f'<div class="gvnn" id="{uid}" data-step="0" data-steps="{c.steps}" style="{_colours(c.theme)}" '
        f'role="region" aria-label="{escape(c.subject)}, step by step"{focus}>'
        f"<style>{_asset('stepper.css').replace('#ROOT', '#' + uid)}</style>"
        + _figure(c, uid, "caption" if page else f"{uid}-caption", c.pieces)
        + _controls(c.steps, c.counts[0])
        + legend
        + f'<p class="gvnn-help">{help_text}</p>'
        f'<script type="application/json" class="gvnn-data">{_script_json(_data(c, c.pieces))}</script>'
        f"<script>({_asset('stepper.js').strip()})"
        f'(document.getElementById("{uid}"), {"true" if page else "false"});</script>'
        "</div>"
    )


def page(c: Content) -> str:
    """A whole HTML document around one stepper, for a course page, an LMS or a browser from disk."""
    theme = c.theme
    uid = f"gvnn-{c.digest[:10]}"
    scheme = "dark" if theme.name == "dark" else "light"
    # The drawings get the window's height less the caption and controls.
    style_text = (
        f"html{{background:{theme.background};color:{theme.text};color-scheme:{scheme}}}"
        "body{margin:0;padding:clamp(0.25rem,1.5vw,1.25rem)}"
        f"#{uid}{{--gvnn-room:calc(100vh - 20rem);padding:0}}"
        f"@media (max-height:500px){{#{uid}{{--gvnn-room:80vh}}}}"
        "@media print{body{padding:0}}"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(c.heading)}</title>\n<style>{style_text}</style>\n</head>\n"
        f'<body data-step="0" data-steps="{c.steps}">\n<main>\n'
        f"<h1 hidden>{escape(c.heading)}</h1>\n"
        f"{fragment(c, uid, page=True)}\n"
        "<noscript><p>Stepping needs JavaScript; this shows the first step.</p></noscript>\n"
        "</main>\n</body>\n</html>\n"
    )


# -- the library entry: a stepper for a notebook ----------------------------------------------
class Stepper:
    """The stepper of one propagated graph: shows inline in Jupyter (`_repr_html_`), `.save()` writes
    the page. Frames are drawn once, on first use."""

    _shown = itertools.count(1)  # each display gets its own id, so two displays never collide

    def __init__(self, frames: Frames):
        self.frames = frames
        self._content: Content | None = None

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<Stepper: {len(self)} steps>"

    @property
    def content(self) -> Content:
        if self._content is None:
            from .. import frames as framing

            self._content = content(self.frames, framing.render_all(self.frames, "svg"))
        return self._content

    def _repr_html_(self) -> str:
        return fragment(self.content, f"gvnn-{self.content.digest[:10]}-{next(Stepper._shown)}")

    def html(self) -> str:
        """The whole page, as `save` writes it."""
        return page(self.content)

    def save(self, path: str | Path) -> Path:
        files.output_format(path, FORMATS)
        files.check_writable(path)
        return files.write_atomic(path, self.html())


def stepper(source=None, /, **options) -> Stepper:
    """A stepper through the forward and backward pass of `source`: a traced `Value` (its graph), a
    graph (a `ComputationGraph`, propagated here on a copy), or nothing and the exercise's options as
    on the command line: `stepper(x=1, w1=0.5, g1="tanh")`, `stepper(example="tied-weights")`. Other
    keywords go to `frames.prepare`: `phase` ("forward", "backward", "both"), `theme`, `digits`,
    `targets` (follow the gradient into y*), ...

    >>> stepper(x=1, w1=0.5, g1="tanh").save("backprop.html")  # doctest: +SKIP
    """
    import networkx as nx

    from .. import engine, frames, selection
    from ..value import Value, trace

    keys = ("spec_path", "example", "layers", "alpha", *selection.EXERCISE_ONLY)
    network = {k: options.pop(k) for k in keys if k in options}
    if source is None:
        graph = selection.propagated(**network)
    elif network:
        raise TypeError(f"stepper takes network options ({', '.join(sorted(network))}) only without a graph or Value")
    elif isinstance(source, Value):
        graph = trace(source)
    elif isinstance(source, nx.DiGraph):
        graph = engine.propagate(source.copy())
    else:
        raise TypeError(f"stepper needs a Value, a graph or the exercise's options, got {type(source).__name__}")
    return Stepper(frames.prepare(graph, **options))

"""An interactive stepper: one self-contained HTML page (or a notebook cell's output) that steps
through the frames of the forward and backward pass, with the keyboard, buttons, a slider or play.

The frames come from one pinned layout, so each node and edge looks the same in most steps: the page
keeps every distinct look of each node and edge once and shows, per step, the one that step draws,
instead of repeating whole SVGs. The caption and the legend are HTML text under the drawing; hovering
or focusing a node or an edge shows its formula with the numbers plugged in, as far as the current
step has revealed them. Scripts and styles are inline; nothing is fetched, so the page works from disk.

The contract for scripts and tests: `<body data-step="K" data-steps="N">` (K the 0-based step) and the
caption in `#caption`. The same bytes for the same input: ids come from a hash of the content.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from html import escape
from importlib import resources
from pathlib import Path
from xml.dom import minidom

from .. import files, render
from ..errors import NNError
from ..frames import Frames
from ..graph import INTERNAL
from ..reveal import Reveal

MS_PER_STEP = 1500  # at 1× speed, as `animate --duration` by default
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
    """One node or edge: its distinct looks and tooltips, and which of each every step shows."""

    kind: str  # "node", "edge", or "aid" (drawn by the renderer alone: no tooltip, no focus)
    key: str | tuple[str, str]
    looks: list[str]  # SVG markup inside the node's or edge's <g>
    look: list[int]  # per step
    tips: list[tuple[str, ...]]
    tip: list[int]  # per step


@dataclass
class Content:
    """What a page shows, before it is given an id."""

    frames: Frames
    elements: list[Element]
    view_box: str
    transform: str
    digest: str  # of everything shown: the base of the instance's id

    @property
    def steps(self) -> int:
        return len(self.frames)


# -- the frames' SVGs, shared ---------------------------------------------------------------------
def _groups(svg: bytes) -> tuple[str, str, list[tuple[str, str, str]]]:
    """The drawing's viewBox, its transform, and its node and edge groups as (class, title, markup
    inside), in drawing order. Graphviz's ids and titles (the browser's own tooltip) are left out,
    and so is the footer (caption and legend below the graph): the page writes it as text."""
    doc = minidom.parseString(svg)
    top = next((g for g in doc.getElementsByTagName("g") if g.getAttribute("class") == "graph"), None)
    if top is None:
        raise NNError("a frame's SVG has no graph group; is Graphviz's SVG output as expected?")
    groups = []
    for child in top.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.tagName != "g":
            continue  # the graph's title, its background (the page's own) and comments
        kind = child.getAttribute("class")
        parts = [c for c in child.childNodes if c.nodeType == c.ELEMENT_NODE]
        title = next((c.firstChild.data for c in parts if c.tagName == "title" and c.firstChild), "")
        if kind not in ("node", "edge") or title == render.FOOTER:
            continue
        groups.append((kind, title, "".join(c.toxml() for c in parts if c.tagName != "title")))
    return doc.documentElement.getAttribute("viewBox"), top.getAttribute("transform"), groups


def _distinct(items: list) -> tuple[list, list[int]]:
    """Distinct items in order of first appearance, and each item's position among them."""
    positions: dict = {}
    at = [positions.setdefault(item, len(positions)) for item in items]
    return list(positions), at


# -- tooltips: what each step has revealed, never more -------------------------------------------
def node_tip(frames: Frames, node: str, shown: Reveal) -> tuple[str, ...]:
    texts = frames.texts
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


def edge_tip(frames: Frames, u: str, v: str, shown: Reveal) -> tuple[str, ...]:
    texts = frames.texts
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


# -- content ------------------------------------------------------------------------------------
def content(frames: Frames, svgs: list[bytes]) -> Content:
    """Every node's and edge's looks across the frames, with the tooltip each step allows."""
    if len(svgs) != len(frames):
        raise ValueError(f"{len(svgs)} SVGs for {len(frames)} frames")
    graph = frames.graph
    edges = {f"{u}->{v}": (u, v) for u, v in graph.edges}
    parsed = [_groups(svg) for svg in svgs]
    view_box, transform, first = parsed[0]
    layout = [(kind, title) for kind, title, _ in first]
    if any([(k, t) for k, t, _ in groups] != layout or (vb, tr) != (view_box, transform) for vb, tr, groups in parsed):
        raise NNError("the frames are not drawn from one layout, so they cannot share one drawing")
    reveals = [frames.shown(i) for i in range(len(frames))]
    elements = []
    for at, (kind, title) in enumerate(layout):
        if title.startswith(INTERNAL):  # a drawing aid (an anchor, a label of its own): no tooltip
            key: str | tuple[str, str] = title
            kind, tips = "aid", [() for _ in reveals]
        elif kind == "node":
            if title not in graph:
                raise NNError(f"a frame draws a node {title!r} that is not in the graph")
            key = title
            tips = [node_tip(frames, title, shown) for shown in reveals]
        else:
            if title not in edges:
                raise NNError(f"a frame draws an edge {title!r} that is not in the graph")
            key = edges[title]
            tips = [edge_tip(frames, *key, shown) for shown in reveals]
        looks, look = _distinct([groups[at][2] for _, _, groups in parsed])
        tip_list, tip = _distinct(tips)
        elements.append(Element(kind, key, looks, look, tip_list, tip))
    digest = hashlib.sha256(
        json.dumps([_data(frames, elements), [e.looks for e in elements], view_box, transform]).encode()
    ).hexdigest()
    return Content(frames, elements, view_box, transform, digest)


def _data(frames: Frames, elements: list[Element]) -> dict:
    return {
        "ms": MS_PER_STEP,
        "captions": [frames.caption(i) for i in range(len(frames))],
        "els": [{"v": e.look, "t": e.tip, "tips": e.tips} for e in elements],
        "focus": [_current(step, elements) for step in frames.steps],
    }


def _current(step, elements: list[Element]) -> int:
    """The element a step is about (its edge, else its node), for a narrow screen to scroll to; -1 if none."""
    keys = [e.key for e in elements]
    for key in (step.edge, step.node):
        if key in keys:
            return keys.index(key)
    return -1


# -- markup -------------------------------------------------------------------------------------
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _script_json(data: dict) -> str:
    """JSON that cannot end its <script> early, whatever the labels say."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _colours(frames: Frames) -> str:
    t = frames.theme
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


def _legend(frames: Frames) -> str:
    """The drawing's legend (Graphviz's HTML-like label) as HTML: fonts become coloured spans."""
    gradients = any(s.kind != "forward" for s in frames.steps)
    label = render.legend(frames.texts, frames.theme, gradients)
    label = re.sub(r'<FONT COLOR="(#?\w+)"(?: POINT-SIZE="\d+")?>', r'<span style="color:\1">', label)
    for old, new in (("</FONT>", "</span>"), ("<B>", "<b>"), ("</B>", "</b>"), ("<BR/>", "<br>")):
        label = label.replace(old, new)
    return label


def _icon(name: str) -> str:
    attrs = f'viewBox="0 0 24 24" aria-hidden="true" focusable="false" class="gvnn-{name}"'
    return f'<svg {attrs}><path d="{ICONS[name]}"/></svg>'


def _controls(steps: int) -> str:
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
        + f'<span class="gvnn-count" data-gvnn="counter">1 / {steps}</span>'
        + f'<label>Speed <select data-gvnn="speed">{speeds}</select></label>'
        + "</div>"
    )


def _drawing(c: Content, uid: str) -> str:
    names = {n: t.name for n, t in c.frames.texts.nodes.items()}
    parts = []
    for i, e in enumerate(c.elements):
        looks = "".join(
            f"<g>{markup}</g>" if j == e.look[0] else f'<g style="display:none">{markup}</g>'
            for j, markup in enumerate(e.looks)
        )
        if e.kind == "aid":
            parts.append(f'<g class="gvnn-el" data-el="{i}">{looks}</g>')
            continue
        name = names[e.key] if e.kind == "node" else f"{names[e.key[0]]} → {names[e.key[1]]}"
        parts.append(
            f'<g class="gvnn-el {e.kind}" data-el="{i}" tabindex="0" role="img" '
            f'aria-label="{e.kind} {escape(name)}" aria-describedby="{uid}-tip">{looks}</g>'
        )
    return (
        f'<svg class="gvnn-svg" viewBox="{c.view_box}" role="group" '
        'aria-label="The computation graph: focus or hover a node or an edge for its numbers">'
        f'<g class="gvnn-graph" transform="{c.transform}">{"".join(parts)}</g></svg>'
    )


def fragment(c: Content, uid: str, page: bool = False) -> str:
    """The stepper as one <div> with its style and script: inside a page, or a notebook's output.
    In a page it also answers the keys anywhere and keeps <body data-step> current; in a notebook
    it listens only while focus is inside it, so steppers never steer each other."""
    caption_id = "caption" if page else f"{uid}-caption"
    first = "".join(
        f'<div class="gvnn-counter">{escape(line)}</div>' if j == 0 else f"<div>{escape(line)}</div>"
        for j, line in enumerate(c.frames.caption(0))
    )
    focus = "" if page else ' tabindex="0" data-lm-suppress-shortcuts="true"'
    help_text = (
        "<kbd>←</kbd> <kbd>→</kbd> step · <kbd>Space</kbd> play or pause · <kbd>Home</kbd> <kbd>End</kbd> "
        "first and last · hover, tap or Tab to a node or an edge for its numbers"
    )
    return (
        f'<div class="gvnn" id="{uid}" data-step="0" data-steps="{c.steps}" style="{_colours(c.frames)}" '
        f'role="region" aria-label="Backpropagation, step by step"{focus}>'
        f"<style>{_asset('stepper.css').replace('#ROOT', '#' + uid)}</style>"
        '<figure class="gvnn-figure"><div class="gvnn-scroll" data-gvnn="scroll">'
        + _drawing(c, uid)
        + "</div>"
        + f'<div class="gvnn-tip" id="{uid}-tip" data-gvnn="tip" role="tooltip" hidden></div>'
        f'<figcaption id="{caption_id}" class="gvnn-caption" data-gvnn="caption" aria-live="polite">'
        f"{first}</figcaption></figure>" + _controls(c.steps) + f'<p class="gvnn-legend">{_legend(c.frames)}</p>'
        f'<p class="gvnn-help">{help_text}</p>'
        f'<script type="application/json" class="gvnn-data">{_script_json(_data(c.frames, c.elements))}</script>'
        f"<script>({_asset('stepper.js').strip()})"
        f'(document.getElementById("{uid}"), {"true" if page else "false"});</script>'
        "</div>"
    )


def page(c: Content) -> str:
    """A whole HTML document around one stepper, for a course page, an LMS or a browser from disk."""
    theme = c.frames.theme
    uid = f"gvnn-{c.digest[:10]}"
    title = c.frames.graph.graph.get("title") or ""
    heading = f"{title} — backpropagation, step by step" if title else "Backpropagation, step by step"
    scheme = "dark" if theme.name == "dark" else "light"
    style = (
        f"html{{background:{theme.background};color:{theme.text};color-scheme:{scheme}}}"
        "body{margin:0;padding:clamp(0.25rem,1.5vw,1.25rem)}"
        f"#{uid}{{--gvnn-max-height:calc(100vh - 20rem);padding:0}}"
        f"@media (max-height:500px){{#{uid}{{--gvnn-max-height:80vh}}}}"
        "@media print{body{padding:0}}"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(heading)}</title>\n<style>{style}</style>\n</head>\n"
        f'<body data-step="0" data-steps="{c.steps}">\n<main>\n'
        f"<h1 hidden>{escape(heading)}</h1>\n"
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

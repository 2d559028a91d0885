"""One layout for every frame: run `dot` once on the fully revealed diagram, read back positions and
sizes, and place the caption below. Frames then draw from these numbers with `layout=nop2`, so a
node's centre never moves and every frame has the same canvas."""

from __future__ import annotations

import json

from . import render, runner, style
from .reveal import Reveal
from .texts import Texts

GAP = 18.0  # points between the graph and the caption


def _footers(texts: Texts, theme: style.Theme, captions: list[list[str]], gradients: bool) -> str:
    """A graph of every caption box, so Graphviz itself measures them (fonts decide the width)."""
    node = f'shape=none margin=0 width=0 height=0 fontname="{theme.fontname}" fontsize={render.FONT_SIZE}'
    lines = [f"digraph measure {{ node [{node}];"]
    lines += [f"  c{i} [label={render.footer(texts, theme, c, gradients)}];" for i, c in enumerate(captions)]
    return "\n".join([*lines, "}"])


def _documents(text: str) -> list[dict]:
    """`dot -Tjson` on several graphs prints one JSON document after another."""
    decoder, docs, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        doc, at = decoder.raw_decode(text, at)
        docs.append(doc)
        while at < len(text) and text[at].isspace():
            at += 1
    return docs


def pin(texts: Texts, theme: style.Theme, captions: list[list[str]], gradients: bool = True) -> render.Layout:
    """Lay the graph out once, with every label at its fullest, and put room for the caption below."""
    shown = Reveal.everything(texts)
    shown.gradients = gradients
    full = render.to_digraph(texts.graph, theme, shown, texts=texts)
    full.attr(label="")  # the caption is placed separately, below
    # One Graphviz run lays out the graph and measures the captions.
    source = full.source + _footers(texts, theme, captions, gradients)
    data, measured = _documents(runner.pipe(source, "json").decode())
    _, _, width, height = (float(v) for v in data["bb"].split(","))
    sizes = [(float(o["width"]) * 72, float(o["height"]) * 72) for o in measured["objects"]]
    footer_w, footer_h = max(w for w, _ in sizes), max(h for _, h in sizes)
    canvas_w = max(width, footer_w)
    dx, dy = (canvas_w - width) / 2, footer_h + GAP

    def shift(pos: str) -> str:
        out = []
        for token in pos.split():
            prefix = token[:2] if token[:2] in ("e,", "s,") else ""
            x, y = (float(v) for v in token[len(prefix) :].split(","))
            out.append(f"{prefix}{x + dx:.2f},{y + dy:.2f}")
        return " ".join(out)

    names = {}
    nodes = {}
    for obj in data["objects"]:
        names[obj["_gvid"]] = obj["name"]
        x, y = (float(v) for v in obj["pos"].split(","))
        nodes[obj["name"]] = (x + dx, y + dy, float(obj["width"]) * 72, float(obj["height"]) * 72)
    edges = {(names[e["tail"]], names[e["head"]]): (shift(e["pos"]), shift(e["lp"])) for e in data.get("edges", [])}
    nodes[render.FOOTER] = (canvas_w / 2, footer_h / 2, footer_w, footer_h)
    return render.Layout(nodes, edges, canvas_w, height + dy)

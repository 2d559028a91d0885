"""A marked diagram: the full diagram with each number a student gave marked right (✓) or wrong (✗,
with their number beside the answer), the first wrong one highlighted, and the verdict underneath.

The marks are added to the graph's texts before the layout measures them, so every label keeps its
room; the drawing itself is the ordinary full diagram.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import graphviz

from .. import layout, notation, render, style
from ..marking import Item, Marked
from ..reveal import Reveal
from ..steps import Step
from ..texts import Texts

RIGHT, WRONG = "✓", "✗"
STEP = {"values": "forward", "locals": "backward", "gradients": "backward", "update": "update"}


def _mark(item: Item) -> str:
    if item.correct:
        return f"  {RIGHT}"
    given = item.given.text
    return f"  {WRONG} yours: {notation.MINUS + given[1:] if given.startswith('-') else given}"


def marked_texts(texts: Texts, marked: Marked) -> Texts:
    """A copy of `texts` with each given number's mark written after the answer it was marked against."""
    out = copy.copy(texts)
    out.nodes, out.edges = dict(texts.nodes), dict(texts.edges)
    for item in marked.items:
        mark = _mark(item)
        if item.kind == "locals":
            edge = tuple(item.id.split("->"))
            out.edges[edge] = replace(out.edges[edge], local=out.edges[edge].local + mark)
            continue
        node = out.nodes[item.id]
        if item.kind == "values":
            out.nodes[item.id] = replace(node, value=node.value + mark)
        elif item.kind == "gradients" and node.grad is not None:
            out.nodes[item.id] = replace(node, grad=node.grad + mark)
        elif item.kind == "update":
            out.nodes[item.id] = replace(
                node, update_step=node.update_step + mark, update_value=node.update_value + mark
            )
    return out


def caption(marked: Marked) -> list[str]:
    """The verdict under the diagram, in short lines: the count, then the first wrong one, its line
    with the numbers, and a likely slip."""
    lines = [f"{marked.correct} of {len(marked.items)} right"]
    first = marked.first_wrong
    if first is not None:
        yours = _mark(first).split(": ")[1]
        lines += [f"First wrong: {first.name}, yours {yours}", marked.line]
        if marked.slip:  # its detail on a line of its own, where the caption has room for it
            name, _, detail = marked.slip.partition(" (")
            lines += [f"Likely slip: {name}", *([f"({detail}"] if detail else [])]
    return lines


def to_digraph(marked: Marked, theme: str = "light", dpi: float | None = None) -> graphviz.Digraph:
    """The full diagram of the marked graph with the marks, the first wrong quantity highlighted."""
    chosen = style.get_theme(theme)
    g = marked.texts.graph
    # The target's gradient is drawn only when the student gave something on its way (rarely).
    ids = {i for item in marked.items for i in item.id.split("->")}
    targets = any(g.nodes[n]["kind"] == "target" for n in ids)
    texts = marked_texts(Texts(g, marked.texts.digits, targets=targets), marked)
    lines = caption(marked)
    pinned = layout.pin(texts, chosen, [lines])
    shown = Reveal.everything(texts)
    first = marked.first_wrong
    if first is not None:
        edge = tuple(first.id.split("->")) if first.kind == "locals" else None
        shown.current = Step(STEP[first.kind], 1, 1, node=None if edge else first.id, edge=edge)
    return render.to_digraph(texts, pinned, chosen, shown=shown, caption=lines, dpi=dpi, name="marked")

"""One layout for the diagram and for every frame: Graphviz places the nodes once, every label at its
fullest, and the drawings then pin those positions (`layout=nop2`), so nothing moves between frames.

Two things Graphviz does not do on its own are done here:

- **Labels that belong to their edge.** Each edge's label is laid out as a node of its own in the
  middle of the edge (u → label → v), so Graphviz reserves its room and the edge runs through its
  centre; the drawing then joins the two halves into one edge u → v with the label on it.
- **Rows that fill the slide.** A long graph is cut into rows of consecutive ranks, each laid out left
  to right, stacked top to bottom; an edge from one row to the next runs down the gap between them,
  back along the left margin, and into the row below. The number of rows is the one that lets the
  drawing fill the target aspect ratio (16:9 by default) at the largest scale.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import graphviz

from . import render, runner, style
from .errors import NNError, unknown
from .graph import INTERNAL
from .reveal import Reveal
from .texts import Texts

GAP = 18.0  # points between the graph and the caption
ROW_GAP = 24.0  # points between rows, plus a lane for each edge running through the gap
LANE = 12.0
WEIGHT = "8"
NODESEP, RANKSEP = "0.3", "0.4"  # inches between nodes in a rank, and between ranks
MARGIN = 6.0  # the canvas reaches this far past every node, so a highlighted outline stays inside
MAX_ROWS = 6
MAX_WRAPPED = 8  # edges wrapping between rows that a layout may have
WRAP_COST = 0.04  # of a layout's score, for each edge that wraps
DIRECTIONS = ("LR", "TB")
LABEL, PORT, EXIT = f"{INTERNAL}label", f"{INTERNAL}port", f"{INTERNAL}exit"
SLIDE = 16 / 9


def check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise unknown("direction", direction, DIRECTIONS)
    return direction


def ranks(texts: Texts) -> dict[str, int]:
    """Longest-path rank of each operation; each leaf sits just before its first consumer."""
    g = texts.graph
    rank: dict[str, int] = {}
    for node in texts.ordered:
        preds = [rank[u] for u in g.predecessors(node) if u in rank]
        if "op" in g.nodes[node]:
            rank[node] = max(preds, default=-1) + 1
    for node in texts.ordered:
        if "op" not in g.nodes[node]:
            rank[node] = min(rank[v] for v in g.successors(node)) - 1
    return rank


def _widths(texts: Texts, rank: dict[str, int], detail: str = "full") -> list[float]:
    """A rough width (points) of each operation rank's column and the labels of the edges into it,
    from the longest line drawn there at this detail: enough to cut the ranks into rows of similar
    width, and to guess which row counts fit, before Graphviz measures them."""
    g = texts.graph
    full, brief = detail == "full", detail in ("numbers", "nodes")

    def width(*lines: str | None) -> float:
        return 10.0 * max((len(line) for line in lines if line), default=1) + 24.0

    top = max(rank[n] for n in g if "op" in g.nodes[n])
    nodes, labels = [0.0] * (top + 1), [0.0] * (top + 1)
    for n, t in texts.nodes.items():
        column = max(rank[n], 0)  # a leaf's rank is already its column: just before its first consumer
        header = t.name if brief or not t.formula else f"{t.name} = {t.formula}"
        update = t.update_step if full else t.update_value and f"{t.name} ← {t.update_value}"
        nodes[column] = max(nodes[column], width(header, t.value, t.grad and f"← {t.grad}", update))
    for (_, v), t in texts.edges.items():
        if detail == "nodes":
            continue  # most edges carry no label at all
        local = None if brief else f"{t.local_symbol} = {t.local_formula if full else ''} = {t.local}"
        labels[rank[v]] = max(labels[rank[v]], width(f"→ {t.value}", local, t.grad and f"← {t.grad}"))
    return [a + b for a, b in zip(nodes, labels, strict=True)]


def _split(texts: Texts, rank: dict[str, int], rows: int, detail: str = "full") -> dict[str, int]:
    """Row of each node: the operation ranks cut into `rows` runs of about equal width (the widest
    run as narrow as it can be); a leaf goes with its first consumer."""
    g = texts.graph
    widths = _widths(texts, rank, detail)
    cuts = _balanced(widths, rows)
    row_of_rank = [sum(1 for c in cuts if r >= c) for r in range(len(widths))]
    row = {n: row_of_rank[rank[n]] for n in g if "op" in g.nodes[n]}
    for n in g:
        if n not in row:
            row[n] = min(row[v] for v in g.successors(n))
    return row


def _balanced(widths: list[float], rows: int) -> list[int]:
    """Where to start each row after the first so the widest row is as narrow as it can be
    (dynamic programming over the few dozen ranks a frame allows)."""
    n = len(widths)
    rows = min(rows, n)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    best = {(0, 0): (0.0, [])}  # (ranks used, rows used) -> (widest row, cuts)
    for used_rows in range(1, rows + 1):
        for end in range(used_rows, n + 1):
            options = []
            for start in range(used_rows - 1, end):
                if (start, used_rows - 1) in best:
                    widest, cuts = best[start, used_rows - 1]
                    options.append((max(widest, prefix[end] - prefix[start]), [*cuts, start] if start else cuts))
            if options:
                best[end, used_rows] = min(options, key=lambda o: o[0])
    return best[n, rows][1]


def _source(texts: Texts, theme: style.Theme, shown: Reveal, detail: str, nodes: list[str], name: str,
            direction: str, sums: bool = False) -> str:  # fmt: skip
    """DOT for one row: its nodes, a label node in the middle of every edge into them, an entry port
    (an invisible point, leftmost) where an edge arrives from an earlier row, and an exit port
    (rightmost) where an edge leaves for a later one, so Graphviz routes both around the row's nodes."""
    g = texts.graph
    dot = graphviz.Digraph(name)
    defaults = render.graph_attrs(theme)
    dot.attr(**defaults["graph"], rankdir=direction, nodesep=NODESEP, ranksep=RANKSEP)
    dot.attr("node", **defaults["node"])
    dot.attr("edge", **defaults["edge"])
    members = set(nodes)
    for node in nodes:
        dot.node(node, **render.node_attrs(texts, node, theme, shown, detail, sums=sums))
    # In at a label's left, out at its right (top and bottom, top to bottom): each edge runs straight
    # through its label's middle, and every line of the label sits beside it.
    inward, outward = ("w", "e") if direction == "LR" else ("n", "s")
    exits = []
    for i, (u, v) in enumerate(g.edges):
        if u in members and v not in members:
            exits.append(f"{EXIT}{i}")
            dot.node(exits[-1], "", shape="point", width="0.05", style="invis")
            dot.edge(u, exits[-1], arrowhead="none", headclip="false")
        if v not in members:
            continue
        label = f"{LABEL}{i}"
        dot.node(label, render.edge_label(texts, u, v, theme, shown, detail), shape="plain")
        tail = u if u in members else f"{PORT}{i}"
        if tail != u:
            dot.node(tail, "", shape="point", width="0.05", style="invis")
        # Heavy edges between operations keep the main path straight; inputs and weights hang off it.
        weight = WEIGHT if "op" in g.nodes[u] else "1"
        dot.edge(tail, label, arrowhead="none", headport=inward, weight=weight)
        dot.edge(label, v, tailport=outward, weight=weight)
    if exits:
        with dot.subgraph() as last:
            last.attr(rank="max")
            for node in exits:
                last.node(node)
    return dot.source


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


def _points(pos: str) -> tuple[list[tuple[float, float]], tuple[float, float] | None]:
    """A Graphviz spline `pos` as its control points and its arrow tip (the `e,` point), if any."""
    points, tip = [], None
    for token in pos.split():
        if token.startswith(("e,", "s,")):
            x, y = token[2:].split(",")
            if token[0] == "e":
                tip = (float(x), float(y))
            continue
        x, y = token.split(",")
        points.append((float(x), float(y)))
    return points, tip


def _line(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """A straight segment as a cubic Bézier piece (the two control points on the line)."""
    return [(a[0] + (b[0] - a[0]) / 3, a[1] + (b[1] - a[1]) / 3), (a[0] + 2 * (b[0] - a[0]) / 3,
            a[1] + 2 * (b[1] - a[1]) / 3), b]  # fmt: skip


def _crossings(corners: list[tuple[float, float]], boxes) -> int:
    """How many boxes (x, y, width, height, centred) an axis-parallel polyline passes through."""
    count = 0
    for (x1, y1), (x2, y2) in itertools.pairwise(corners):
        for x, y, w, h in boxes:
            if (
                min(x1, x2) < x + w / 2
                and max(x1, x2) > x - w / 2
                and min(y1, y2) < y + h / 2
                and max(y1, y2) > y - h / 2
            ):
                count += 1
    return count


def _polyline(corners: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = [corners[0]]
    for a, b in itertools.pairwise(corners):
        out += _line(a, b)
    return out


@dataclass
class _Row:
    doc: dict
    width: float
    height: float


def _row(doc: dict) -> _Row:
    _, _, width, height = (float(v) for v in doc["bb"].split(","))
    return _Row(doc, width, height)


def _assemble(texts: Texts, rows: list[_Row], footer: tuple[float, float], row_of: dict[str, int]) -> render.Layout:
    """Stack the rows top to bottom, route the edges between rows, and put the caption below."""
    g = texts.graph
    cut = [(i, u, v) for i, (u, v) in enumerate(g.edges) if row_of[u] != row_of[v]]
    lanes = [sum(1 for _, u, v in cut if row_of[u] <= r < row_of[v]) for r in range(len(rows))]
    # Lanes run down the right margin and up the left one, clear of the labels next to the ports.
    side = LANE * (len(cut) + 1) if cut else 0.0
    width = 2 * side + max(r.width for r in rows)
    footer_w, footer_h = footer
    canvas_w = max(width, footer_w) + 2 * MARGIN
    gaps = [ROW_GAP + LANE * lanes[r] for r in range(len(rows) - 1)]
    graph_h = sum(r.height for r in rows) + sum(gaps)
    canvas_h = graph_h + footer_h + GAP + 2 * MARGIN
    left = MARGIN + (canvas_w - 2 * MARGIN - width) / 2
    x0 = left + side
    nodes: dict[str, tuple[float, float, float, float]] = {}
    splines: dict[str, tuple[list, tuple | None]] = {}
    bottoms, top, members = [], canvas_h - MARGIN, []
    for r, row in enumerate(rows):
        dy = top - row.height
        bottoms.append(dy)
        names = {}
        members.append([])
        for obj in row.doc["objects"]:
            names[obj["_gvid"]] = obj["name"]
            if "pos" not in obj:  # a subgraph (the exit ports' rank), not a node
                continue
            members[-1].append(obj["name"])
            x, y = (float(v) for v in obj["pos"].split(","))
            nodes[obj["name"]] = (x + x0, y + dy, float(obj["width"]) * 72, float(obj["height"]) * 72)
        for e in row.doc.get("edges", []):
            points, tip = _points(e["pos"])
            shifted = [(x + x0, y + dy) for x, y in points]
            key = f"{names[e['tail']]}>{names[e['head']]}"
            splines[key] = (shifted, tip and (tip[0] + x0, tip[1] + dy))
        top = dy - (gaps[r] if r < len(gaps) else 0)
    right = x0 + max(r.width for r in rows)
    edges = {}
    for i, (u, v) in enumerate(g.edges):
        label = f"{LABEL}{i}"
        if row_of[u] == row_of[v]:
            first, _ = splines[f"{u}>{label}"]
        else:
            lane = cut.index((i, u, v))
            leave, _ = splines[f"{u}>{EXIT}{i}"]
            arrive, _ = splines[f"{PORT}{i}>{label}"]
            gap_y = bottoms[row_of[v] - 1] - ROW_GAP / 2 - LANE * lane  # the gap above the head's row
            port = arrive[0]
            out = [leave[-1], (right + LANE * (lane + 1), leave[-1][1]), (right + LANE * (lane + 1), gap_y)]
            # Into the row along the left margin and across, or straight down from the gap: whichever
            # passes fewer of the row's nodes and labels.
            across = [(left + LANE * lane, gap_y), (left + LANE * lane, port[1]), port]
            down = [(port[0], gap_y), port]
            boxes = [nodes[n] for n in members[row_of[v]] if n not in (f"{PORT}{i}", label)]
            way_in = min((down, across), key=lambda way: _crossings([out[-1], *way], boxes))
            first = leave + _polyline([*out, *way_in])[1:] + arrive[1:]
        second, tip = splines[f"{label}>{v}"]
        points = first + _line(first[-1], second[0]) + second[1:]  # straight through the label
        pos = " ".join(f"{x:.2f},{y:.2f}" for x, y in points)
        if tip:
            pos = f"e,{tip[0]:.2f},{tip[1]:.2f} {pos}"
        lx, ly, _, _ = nodes[label]
        edges[u, v] = (pos, f"{lx:.2f},{ly:.2f}")
    kept = {n: box for n, box in nodes.items() if n in g}
    kept[render.FOOTER] = (canvas_w / 2, MARGIN + footer_h / 2, footer_w, footer_h)
    return render.Layout(kept, edges, canvas_w, canvas_h, len(cut))


def pin(
    texts: Texts,
    theme: style.Theme,
    captions: list[list[str]],
    gradients: bool = True,
    detail: str = "full",
    direction: str = "LR",
    aspect: float | None = SLIDE,
    rows: int | None = None,
    sums: bool = False,
) -> render.Layout:
    """Lay the graph out once, with every label at its fullest, and put room for the caption below.
    `rows` fixes the number of rows; otherwise the one that best fills `aspect` (width / height).
    `sums`: frames show a node that feeds several others with its gradient's sum so far."""
    return pin_each(texts, theme, captions, [detail], gradients, direction, aspect, rows, sums)[0]


def pin_each(
    texts: Texts,
    theme: style.Theme,
    captions: list[list[str]],
    details: list[str],
    gradients: bool = True,
    direction: str = "LR",
    aspect: float | None = SLIDE,
    rows: int | None = None,
    sums: bool = False,
) -> list[render.Layout]:
    """`pin` at each of `details`, every layout from one Graphviz run: for a caller that will try
    them in turn on a small graph, one start-up of Graphviz rather than one a detail."""
    shown = Reveal.everything(texts)
    shown.gradients = gradients
    captions = captions or [[]]  # the legend alone
    g = texts.graph
    rank = ranks(texts)
    top = max(rank[n] for n in g if "op" in g.nodes[n]) + 1
    candidates = [rows] if rows else list(range(1, min(MAX_ROWS, top) + 1)) if aspect and direction == "LR" else [1]
    sources, index, chosen = [], [], []
    for detail in details:
        splits = _splits(texts, rank, candidates, rows, detail, aspect)
        for k, row_of in splits.items():
            for r in range(k):
                members = [n for n in g if row_of[n] == r]
                sources.append(_source(texts, theme, shown, detail, members, f"row{k}_{r}", direction, sums))
                index.append((detail, k))
        chosen.append(splits)
    # One Graphviz run lays out every candidate's rows and measures the captions.
    docs = _documents(runner.pipe("\n".join(sources) + _footers(texts, theme, captions, gradients), "json0").decode())
    sizes = [(float(o["width"]) * 72, float(o["height"]) * 72) for o in docs[-1].get("objects", [])]
    footer = (max(w for w, _ in sizes), max(h for _, h in sizes)) if sizes else (0.0, 0.0)
    pinned = []
    for detail, splits in zip(details, chosen, strict=True):
        layouts = {}
        for k, row_of in splits.items():
            rows_k = [_row(d) for d, key in zip(docs, index, strict=False) if key == (detail, k)]
            layouts[k] = _assemble(texts, rows_k, footer, row_of)
        # The best fit wins, and fewer rows win a near tie.
        score = {k: _score(lay.width, lay.height, lay.wrapped, aspect) for k, lay in layouts.items()}
        best = max(score.values())
        pinned.append(next(lay for k, lay in sorted(layouts.items()) if score[k] >= 0.97 * best))
    return pinned


def _splits(texts: Texts, rank: dict[str, int], candidates: list[int], rows: int | None, detail: str, aspect):
    """The row counts worth laying out at this detail, each with its nodes' rows."""
    g = texts.graph
    splits = {}
    for k in candidates:  # some counts give the same rows (7 ranks in 4 or 5 rows): keep one of each
        row_of = _split(texts, rank, k, detail)
        splits.setdefault(max(row_of.values()) + 1, row_of)
    # Rows that cut many edges are never worth it (and routing many edges through one exit makes
    # Graphviz slow): keep the counts that wrap a few edges at most, one row always.
    if rows and rows > 1 and (cut := _wrapped(g, next(iter(splits.values())))) > MAX_WRAPPED:
        raise NNError(f"--rows {rows} would wrap {cut} edges from row to row (at most {MAX_WRAPPED}); use fewer rows")
    splits = {k: row_of for k, row_of in splits.items() if k == 1 or _wrapped(g, row_of) <= MAX_WRAPPED}
    if len(splits) > 2:  # Graphviz lays out only the two counts that promise the best fit
        guess = {k: _fit_estimate(texts, rank, row_of, aspect, detail) for k, row_of in splits.items()}
        splits = {k: splits[k] for k in sorted(sorted(guess, key=guess.get, reverse=True)[:2])}
    return splits


def _fit_estimate(
    texts: Texts, rank: dict[str, int], row_of: dict[str, int], aspect: float | None, detail: str
) -> float:
    """A rough `_fit` from the texts alone (widths as in `_widths`, heights from line counts), enough
    to choose which row counts are worth a layout run."""
    g = texts.graph
    widths = _widths(texts, rank, detail)
    lines = 3 if detail in ("numbers", "nodes") else 4
    rows = max(row_of.values()) + 1
    row_widths, row_heights = [0.0] * rows, [0.0] * rows
    columns: dict[tuple[int, int], float] = {}
    for n in g:
        count = lines + (2 if texts.nodes[n].update_step else 0) - (0 if "op" in g.nodes[n] else 1)
        key = (row_of[n], max(rank[n], 0))
        columns[key] = columns.get(key, -22.0) + count * 19 + 14 + 22  # nodes in a column, 0.3 in apart
    for (row, _), height in columns.items():
        row_heights[row] = max(row_heights[row], height)
    for r, row in {rank[n]: row_of[n] for n in g if "op" in g.nodes[n]}.items():  # each rank's row
        row_widths[row] += widths[r]
    width, height = max(row_widths), sum(row_heights) + ROW_GAP * (rows - 1) + 60
    return _score(width, height, _wrapped(g, row_of), aspect)


def _wrapped(g, row_of: dict[str, int]) -> int:
    """Edges that go from one row to a later one."""
    return sum(1 for u, v in g.edges if row_of[u] != row_of[v])


def _score(width: float, height: float, wrapped: int, aspect: float | None) -> float:
    """How large a drawing can be on a canvas of `aspect` (the scale that fits a unit-height canvas),
    less a little (4 %) for every edge that wraps, which costs the reader a look along the margin."""
    fit = min(aspect / width, 1.0 / height) if aspect else 1.0
    return fit * (1 - WRAP_COST * wrapped)

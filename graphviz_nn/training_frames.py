"""Frames of a training run: at each shown step, the network's diagram (values, gradients and the
update about to be applied, its caption stating that update with its numbers) above the plots (the
loss so far, the weights' path). With a dataset, the plots alone: the fitted curve, the mean loss and
the weights, the caption below them.

Every frame has the same canvas and the same pinned layout, laid out once from the widest text each
node and edge shows in any frame, so nothing moves while the numbers change. What is made of the
frames (a GIF, a deck) is up to the modules in `outputs`.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field, fields, replace
from math import isfinite

from . import frames, layout, notation, pdfpages, render, style
from .defaults import SLIDE_PIXELS
from .outputs.plots import TrainingPlot
from .reveal import Reveal
from .texts import Texts
from .training import Run

MAX_FRAMES = 60
DIAGRAM_SHARES = (0.58, 0.68)  # of the canvas height, above the plots: the first that is legible
MAX_UPDATES = 4  # update lines in a caption; the rest are in the parameters' boxes
GAP = 12.0  # points around the drawing, in its own scale


def sample(count: int, limit: int = MAX_FRAMES) -> list[int]:
    """`limit` indices spread evenly over range(count), first and last included.

    >>> sample(5), sample(101, 5)
    ([0, 1, 2, 3, 4], [0, 25, 50, 75, 100])
    """
    if count <= limit:
        return list(range(count))
    return sorted({round(i * (count - 1) / (limit - 1)) for i in range(limit)})


@dataclass
class Diagrams(frames.Frames):
    """One pinned diagram per shown state, everything revealed: `frames.render_all` draws them."""

    states: list[Texts] = field(default_factory=list)
    lines: list[list[str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.states)

    def caption(self, i: int) -> list[str]:
        return self.lines[i]

    def shown(self, i: int) -> Reveal:
        return Reveal.everything(self.states[i])

    def source(self, i: int, fmt: str = "png") -> str:
        return frames.Frames.source(replace(self, texts=self.states[i]), i, fmt)


@dataclass
class TrainingFrames:
    run: Run
    indices: list[int]  # the states shown, one per frame
    captions: list[list[str]]
    theme: style.Theme
    digits: int
    size: tuple[int, int]
    diagrams: Diagrams | None  # None with a dataset: the frames are the plots alone

    def __len__(self) -> int:
        return len(self.indices)

    @property
    def scale(self) -> float:
        """Of text and lines, against a 1920×1080 frame."""
        return min(self.size[0] / SLIDE_PIXELS[0], self.size[1] / SLIDE_PIXELS[1])

    @property
    def plot_size(self) -> tuple[int, int]:
        return self.size if self.diagrams is None else (self.size[0], self.size[1] - self.diagrams.size[1])


def prepare(
    run: Run,
    theme: str = "light",
    digits: int = notation.DIGITS,
    size: tuple[int, int] | None = None,
    max_frames: int = MAX_FRAMES,
) -> TrainingFrames:
    """The shown states (at most `max_frames`, the last always), their captions, and one layout."""
    chosen = style.get_theme(theme)
    size = size or SLIDE_PIXELS
    frames.check_frame_nodes(run.graph, "use --json for the numbers")
    indices = sample(len(run.states), max_frames)
    graphs = {i: run.at(i) for i in indices}
    texts = {i: Texts(graphs[i], digits) for i in indices}
    captions = [caption(run, texts[i], i, digits) for i in indices]
    if run.points:
        return TrainingFrames(run, indices, captions, chosen, digits, size, None)
    used = set().union(*(t.used for t in texts.values()))
    for t in texts.values():  # one legend for every frame, so it does not come and go
        t.used = set(used)
    states = [texts[i] for i in indices]
    pinned, detail, box = _pin(_widest(states), chosen, captions, size)
    # A drawing wider than the box leaves room under it: give that room to the plots.
    box = (box[0], min(box[1], round(box[0] * (pinned.height + 2 * GAP) / (pinned.width + 2 * GAP))))
    diagrams = Diagrams(states[0], [], pinned, chosen, 72, (0, 0), None, detail, states=states, lines=captions)
    frames.fit_canvas(diagrams, box)
    return TrainingFrames(run, indices, captions, chosen, digits, size, diagrams)


def _pin(widest: Texts, theme: style.Theme, captions: list[list[str]], size: tuple[int, int]):
    """The layout and the box it gets above the plots: every text while that stays legible (as
    `frames.prepare` decides), else less; a large graph takes more of the frame from the plots."""
    tried = []
    for share in DIAGRAM_SHARES:
        box = (size[0], round(size[1] * share))
        # Every detail from one Graphviz run: a training graph is small (frames allow 150 nodes), and
        # at a slide's size the first legible detail is usually the last but one or the last.
        each = layout.pin_each(widest, theme, captions, list(render.DETAILS), aspect=box[0] / box[1])
        for detail, pinned in zip(render.DETAILS, each, strict=True):
            smallest = frames.smallest_text(pinned, box)
            if smallest >= frames.LEGIBLE * size[1]:
                return pinned, detail, box
            tried.append((smallest, -share, pinned, detail, box))
    _, _, pinned, detail, box = max(tried, key=lambda t: t[:2])  # none legible: the largest text
    return pinned, detail, box


def _longest(values):
    return max(values, key=lambda v: len(v) if isinstance(v, str) else -1)


def _widest(states: list[Texts]) -> Texts:
    """Texts whose every node and edge text is the longest it is in any state: the layout made from
    them has room for every frame."""
    widest = copy.copy(states[0])

    def merge(items):
        first = items[0]
        text = [f.name for f in fields(first) if isinstance(getattr(first, f.name), str)]
        return replace(first, **{name: _longest([getattr(t, name) for t in items]) for name in text})

    widest.nodes = {n: merge([t.nodes[n] for t in states]) for n in states[0].nodes}
    widest.edges = {e: merge([t.edges[e] for t in states]) for e in states[0].edges}
    return widest


def caption(run: Run, texts: Texts, index: int, digits: int) -> list[str]:
    """`Step 3 of 25: Loss = 0.215`, then the update about to be applied, with its numbers; the last
    frame says where the loss went, or why the run stopped."""
    state = run.states[index]
    loss_name = texts.nodes[texts.out].name
    what = f"mean {loss_name} over {len(run.points)} points" if run.points else loss_name
    head = "Start" if index == 0 else f"Step {state.step} of {run.steps}"
    lines = [f"{head}: {what} = {notation.number(state.loss, digits)}"]
    last = index == len(run.states) - 1
    if not last:
        updates = [texts.nodes[p].update_line for p in run.parameters]
        lines += updates[:MAX_UPDATES]
        if len(updates) > MAX_UPDATES:
            lines.append(f"(and {len(updates) - MAX_UPDATES} more updates, each in its parameter's box)")
    if last and run.diverged:
        lines.append(run.diverged[0].upper() + run.diverged[1:])
    elif last:
        start, end = run.states[0].loss, state.loss
        change = "fell" if end < start else "rose" if end > start else "stayed"
        numbers = f"from {notation.number(start, digits)} to {notation.number(end, digits)}"
        lines.append(f"Done: {loss_name} {change} {numbers} in {state.step} steps of α = {notation.exact(run.alpha)}")
    return lines


def draw(training: TrainingFrames, fmt: str) -> list[bytes]:
    """Every frame as png or pdf bytes, all the same size."""
    run = training.run
    rows = max(len(c) for c in training.captions) if training.diagrams is None else 0

    plot = TrainingPlot(run, training.theme, training.plot_size, training.digits, rows, training.scale)
    if training.diagrams is None:
        if fmt == "png":
            return [_png(plot.image(i, c)) for i, c in zip(training.indices, training.captions, strict=True)]
        return [
            _join_pdf(None, page, training.size) for page in _pages(plot.pdf_pages(training.indices, training.captions))
        ]
    diagrams = frames.render_all(training.diagrams, fmt)
    if fmt == "png":
        return [_join_png(d, plot.image(i), training.size) for d, i in zip(diagrams, training.indices, strict=True)]
    plots = _pages(plot.pdf_pages(training.indices))
    return [_join_pdf(d, p, training.size) for d, p in zip(diagrams, plots, strict=True)]


def _pages(pdf: bytes) -> list:
    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(pdf)).pages)


PANEL_PAD = 8.0  # points around a panel's axes, titles and labels: room for a marker on its edge
PLOTS_ALONE = 0.4  # height to width of a page's plots with no diagram (three panels side by side)


def svgs(training: TrainingFrames) -> tuple[list[bytes] | None, list[bytes], list[tuple[str, str, tuple]]]:
    """The frames in parts, for a page that writes the captions as text: each frame's diagram as SVG
    (None with a dataset: the plots alone), each frame's plots as one SVG figure with no caption
    rows (the first whole, the others only the parts that move: the static ones, most of the
    drawing, are the first's), and the figure's panels as (group id, title, box): the box (x, y,
    width, height, in the SVG's points) holds the panel's axes, labels and what any frame draws
    outside the axes."""
    from .outputs.plots import PNG_DPI

    plot = svg_plot(training)
    axes = plot.panels
    figure, renderer = plot.fig.bbox, plot.fig.canvas.get_renderer()
    plots, boxes = [], [None] * len(axes)
    for i in training.indices:
        plots.append(plot.frame(i, "svg", moving_only=bool(plots)))
        for n, ax in enumerate(axes):  # in display pixels, kept on the figure
            if boxes[n] is None:
                boxes[n] = ax.get_tightbbox(renderer)
            else:
                boxes[n] = type(boxes[n]).union([boxes[n], *_moved_boxes(plot, ax, renderer)])
    points = 72 / PNG_DPI
    panels = []
    for n, (ax, box) in enumerate(zip(axes, boxes, strict=True)):
        x0, x1 = max(box.x0, 0) * points - PANEL_PAD, min(box.x1, figure.width) * points + PANEL_PAD
        top, bottom = (figure.height - min(box.y1, figure.height)) * points, (figure.height - max(box.y0, 0)) * points
        panels.append((f"panel{n}", ax.get_title(), (x0, top - PANEL_PAD, x1 - x0, bottom - top + 2 * PANEL_PAD)))
    diagrams = None if training.diagrams is None else frames.render_all(training.diagrams, "svg")
    return diagrams, plots, panels


def svg_plot(training: TrainingFrames) -> TrainingPlot:
    """The plots `svgs` draws: no caption rows, each axes' SVG group named `panel{n}` (what the page
    cuts out)."""
    size = training.plot_size
    if training.diagrams is None:  # the page writes the caption below: panels about as wide as high
        size = (size[0], min(size[1], round(size[0] * PLOTS_ALONE)))
    plot = TrainingPlot(training.run, training.theme, size, training.digits, 0, training.scale)
    for n, ax in enumerate(plot.panels):
        ax.set_gid(f"panel{n}")
    return plot


def _moved_boxes(plot: TrainingPlot, ax, renderer) -> list:
    """What `ax.get_tightbbox` would add to the first frame's box at this frame: the boxes of the
    artists a frame changes (and a legend placed "best", which may move), filtered as it filters
    them. The axes, their ticks and titles and the static artists are where they were in the first
    frame (fixed limits), so the union over the frames is the same, without measuring every tick
    label again for each frame."""
    changing = plot.changing()
    boxes = [a.get_tightbbox(renderer) for a in ax.get_default_bbox_extra_artists() if a in changing]
    # matplotlib's own filter (Bbox._is_finite, private and only from 3.11 on), written out
    return [b for b in boxes if b is not None and isfinite(b.width) and isfinite(b.height) and (b.width or b.height)]


def _join_png(diagram: bytes, bottom, size: tuple[int, int]) -> bytes:
    from PIL import Image

    top = Image.open(io.BytesIO(diagram)).convert("RGB")
    canvas = Image.new("RGB", size, top.getpixel((0, 0)))
    canvas.paste(top, (0, 0))
    canvas.paste(bottom, (0, size[1] - bottom.height))
    return _png(canvas)


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # frames on their way into a GIF: light compression is faster
    return out.getvalue()


def _join_pdf(diagram: bytes | None, bottom, size: tuple[int, int]) -> bytes:
    """One page of `size` points, as the PNG frames have pixels: the diagram's vector page on top
    (if any), the plots' page (a pypdf page) below, each placed whole as a form XObject."""
    from pypdf import PdfReader, PdfWriter

    from .outputs.plots import PNG_DPI

    def number(value: float) -> str:  # as pypdf writes a number: at most 8 decimals
        return f"{value:.8f}".rstrip("0").rstrip(".")

    placed = []
    if diagram is not None:
        top = PdfReader(io.BytesIO(diagram)).pages[0]
        placed.append((top, f"1 0 0 1 0 {number(size[1] - float(top.mediabox.height))}"))
    scale = number(PNG_DPI / 72)
    placed.append((bottom, f"{scale} 0 0 {scale} 0 0"))
    writer = PdfWriter()
    pdfpages.add_page(writer, size[0], size[1], placed)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

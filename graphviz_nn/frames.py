"""Frames of the forward and backward pass: the steps, one pinned layout and the canvas (`prepare`),
and every frame drawn through the one Graphviz runner (`render_all`). What is made of the frames
(a GIF, a deck, files, a page) is up to the modules in `outputs`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from . import layout, notation, render, reveal, runner, steps, style
from .errors import NNError, unknown
from .texts import Texts

MAX_FRAME_NODES = 150  # beyond this a frame is unreadable and a deck takes minutes
MAX_SIDE = 8000  # pixels; a frame's side, whatever --size asks
RASTER = ("png", "dot")  # a .dot frame keeps the raster canvas: `dot -Tpng frame.dot` makes the PNG frame
DEFAULT_DPI = 72


def parse_size(text: str | None) -> tuple[int, int] | None:
    """`1920x1080` → (1920, 1080)."""
    if text is None:
        return None
    try:
        w, h = (int(v) for v in text.strip().lower().split("x"))
    except ValueError:
        raise NNError(f"size {text!r} is not WIDTHxHEIGHT in pixels, such as 1920x1080") from None
    if not (64 <= w <= MAX_SIDE and 64 <= h <= MAX_SIDE):
        raise NNError(f"size {text!r} is out of range (each side 64 to {MAX_SIDE} pixels)")
    return w, h


@dataclass
class Frames:
    """Everything needed to draw each frame: the texts, the steps, the pinned layout and the canvas."""

    texts: Texts
    steps: list[steps.Step]
    layout: render.Layout
    theme: style.Theme
    dpi: float
    pad: tuple[float, float]  # inches, left/right and top/bottom
    size: tuple[int, int] | None
    detail: str = "full"
    transparent: bool = False
    drawn_captions: bool = True  # False: a deck sets the caption as its own text beside the picture
    scale: float = 1.0  # with a size, the drawing is enlarged to it and drawn at 72 dpi

    @property
    def graph(self) -> nx.DiGraph:
        return self.texts.graph

    def __len__(self) -> int:
        return len(self.steps)

    def caption(self, i: int) -> list[str]:
        step = self.steps[i]
        return [step.counter.capitalize(), *step.lines]

    def shown(self, i: int) -> reveal.Reveal:
        return reveal.after(self.texts, self.steps, i)

    def source(self, i: int, fmt: str = "png") -> str:
        """DOT text of frame i; plain `dot -Tpng` on it draws the frame. With a size, every format has
        exactly that many pixels (points, for vector formats), drawn at 72 dpi with no scaling transform."""
        dpi = self.dpi if fmt in RASTER and not self.size else 72
        dot = render.to_digraph(
            self.texts, self.layout, self.theme, self.shown(i), self.caption(i) if self.drawn_captions else None, dpi,
            f"frame{i:03d}", self.detail, self.transparent, self.scale,
        )  # fmt: skip
        dot.attr(pad=f"{self.pad[0]:.4f},{self.pad[1]:.4f}", margin="0")
        return dot.source


LEGIBLE = 24 / 1080  # the smallest text, as a share of the canvas height: 24 px on a 1920×1080 slide
DETAILS = ("auto", *render.DETAILS)


def prepare(
    graph: nx.DiGraph,
    phase: str = "both",
    theme: str = "light",
    size: str | None = None,
    dpi: float | None = None,
    digits: int = notation.DIGITS,
    targets: bool = False,
    detail: str = "auto",
    direction: str = "LR",
    rows: int | None = None,
    transparent: bool = False,
    captions: bool = True,
) -> Frames:
    """Texts, steps, one layout and the canvas for a propagated graph. `detail="auto"` shows every text
    when that stays legible on the slide (24 px on 1920×1080), else drops the formulas, then the symbols.
    `captions=False` draws the frames without their caption lines (the legend stays), for decks that
    set the caption as text."""
    check_frame_nodes(graph, "use render for the full diagram")
    if detail not in DETAILS:
        raise unknown("detail", detail, DETAILS)
    layout.check_direction(direction)
    chosen = style.get_theme(theme)
    pixels = parse_size(size)
    aspect = pixels[0] / pixels[1] if pixels else layout.SLIDE
    texts = Texts(graph, digits, targets=targets)
    sequence = steps.sequence(texts, phase)
    gradients = any(s.kind != "forward" for s in sequence)
    lines = [[s.counter.capitalize(), *s.lines] for s in sequence] if captions else [[]]
    for level in render.DETAILS if detail == "auto" else [detail]:
        pinned = layout.pin(texts, chosen, lines, gradients, level, direction, aspect, rows, sums=gradients)
        if smallest_text(pinned, (aspect, 1)) >= LEGIBLE:  # on a unit-high canvas
            break
    frames = Frames(texts, sequence, pinned, chosen, dpi or DEFAULT_DPI, (PAD, PAD), None, level, transparent, captions)
    if pixels:
        fit_canvas(frames, pixels)
    return frames


PAD = 0.3  # inches around the drawing when no size is given


def check_frame_nodes(graph: nx.DiGraph, remedy: str) -> None:
    if graph.number_of_nodes() > MAX_FRAME_NODES:
        raise NNError(
            f"the graph has {graph.number_of_nodes()} nodes; frames are limited to {MAX_FRAME_NODES} ({remedy})"
        )


def smallest_text(pinned: render.Layout, box: tuple[float, float]) -> float:
    """The smallest text's size, in the units of `box`, once the pinned drawing is fitted into it."""
    return render.FONT_SIZE * min(box[0] / pinned.width, box[1] / pinned.height)


def fit_canvas(frames: Frames, pixels: tuple[int, int]) -> None:
    """Enlarge (or shrink) the pinned drawing to fit `pixels` and pad the short side to centre it.
    Graphviz makes bb + 2·pad whole by rounding, so aim a quarter unit short of the exact size."""
    width, height = frames.layout.width, frames.layout.height
    frames.scale = min(pixels[0] / width, pixels[1] / height)
    frames.dpi = 72
    frames.pad = tuple((p - 0.25 - side * frames.scale) / 144 for p, side in zip(pixels, (width, height), strict=True))
    frames.size = pixels


def render_all(
    frames: Frames,
    fmt: str,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_frame: Callable[[int, bytes], None] | None = None,
) -> list[bytes]:
    """Every frame as `fmt` bytes, drawn in a few batches side by side (`runner.draw_all`).
    `on_frame(i, data)` sees each frame as soon as its batch is drawn."""
    sources = [frames.source(i, fmt) for i in range(len(frames))]
    if fmt == "dot":
        outputs = [s.encode() for s in sources]
        for i, data in enumerate(outputs) if on_frame else ():
            on_frame(i, data)
        if progress:
            progress(len(sources))
        return outputs
    outputs: list[bytes] = [b""] * len(sources)

    def drawn(i: int, data: bytes) -> None:
        outputs[i] = _exact_canvas(data, frames.size) if fmt == "png" and frames.size else data
        if on_frame:
            on_frame(i, outputs[i])
        if progress:
            progress(1)

    runner.draw_all(sources, fmt, jobs, drawn)
    return outputs


def _exact_canvas(png: bytes, size: tuple[int, int]) -> bytes:
    """Graphviz rounds the canvas to whole pixels; settle the last pixel so every frame is exactly `size`."""
    import io

    from PIL import Image

    from . import raster

    if raster.png_size(png) == size:
        return png  # the PNG header already says so: no need to decode
    out = io.BytesIO()
    raster.exact(Image.open(io.BytesIO(png)), size).save(out, "PNG")
    return out.getvalue()

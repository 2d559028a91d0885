"""Frames of the forward and backward pass, drawn from one pinned layout and rendered in parallel,
and what is made of them: an animated GIF, a PDF deck, or one file per frame."""

from __future__ import annotations

import heapq
import io as stdio
import json
import os
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from . import io, layout, render, steps, style
from .errors import GraphvizMissing, NNError

MAX_FRAME_NODES = 150  # beyond this a frame is unreadable and a deck takes minutes
RASTER = ("png", "dot")  # a .dot frame keeps the raster canvas: `dot -Tpng frame.dot` makes the PNG frame
DEFAULT_DPI = 72


def parse_size(text: str | None) -> tuple[int, int] | None:
    """`1920x1080` → (1920, 1080)."""
    if text is None:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise NNError(f"size {text!r} is not WIDTHxHEIGHT in pixels, such as 1920x1080") from None
    if not (64 <= w <= 8000 and 64 <= h <= 8000):
        raise NNError(f"size {text!r} is out of range (each side 64 to 8000 pixels)")
    return w, h


@dataclass
class Frames:
    """Everything needed to draw each frame: the steps, the pinned layout and the canvas."""

    graph: nx.DiGraph
    steps: list[steps.Step]
    layout: render.Layout
    theme: style.Theme
    dpi: float
    pad: tuple[float, float]  # inches, left/right and top/bottom
    size: tuple[int, int] | None

    def __len__(self) -> int:
        return len(self.steps)

    def caption(self, i: int) -> list[str]:
        step = self.steps[i]
        return [step.counter.capitalize(), *step.lines]

    def source(self, i: int, fmt: str = "png") -> str:
        """DOT text of frame i; plain `dot -Tpng` on it draws the frame. Vector formats are drawn at
        72 dpi with no page margin, so a PDF page has the same proportions as the PNG."""
        shown = steps.reveal(self.graph, self.steps, i)
        dpi = self.dpi if fmt in RASTER else 72
        dot = render.to_digraph(self.graph, self.theme, shown, self.caption(i), self.layout, dpi, name=f"frame{i:03d}")
        dot.attr(pad=f"{self.pad[0]:.4f},{self.pad[1]:.4f}", margin="0")
        return dot.source


def prepare(
    graph: nx.DiGraph, phase: str = "both", theme: str = "light", size: str | None = None, dpi: float | None = None
) -> Frames:
    """Steps, one layout and the canvas for a propagated graph."""
    if graph.number_of_nodes() > MAX_FRAME_NODES:
        raise NNError(
            f"the graph has {graph.number_of_nodes()} nodes; frames are limited to {MAX_FRAME_NODES} "
            "(use render for the full diagram)"
        )
    chosen = style.get_theme(theme)
    sequence = steps.build(graph, phase)
    pinned = layout.pin(graph, chosen, [[s.counter.capitalize(), *s.lines] for s in sequence])
    pixels = parse_size(size)
    pad = 0.3
    if pixels is None:
        return Frames(graph, sequence, pinned, chosen, dpi or DEFAULT_DPI, (pad, pad), None)
    frames = Frames(graph, sequence, pinned, chosen, 72, (0, 0), pixels)
    # The drawn box can exceed the pinned one slightly (a double outline sits outside its node), so
    # ask Graphviz for the real box once, then scale to fit and pad the short side to centre it.
    _, _, width, height = (float(v) for v in json.loads(io.pipe(frames.source(0), "json"))["bb"].split(","))
    fit = min(pixels[0] / (width + 144 * pad), pixels[1] / (height + 144 * pad)) * 72
    frames.dpi = fit
    frames.pad = ((pixels[0] * 72 / fit - width) / 144, (pixels[1] * 72 / fit - height) / 144)
    return frames


def _run_dot(files: list[Path], fmt: str) -> None:
    try:
        subprocess.run(["dot", f"-T{fmt}", "-O", *map(str, files)], check=True, capture_output=True)
    except FileNotFoundError as err:
        raise GraphvizMissing(f"the Graphviz program 'dot' was not found; {io.INSTALL_HINT}") from err
    except subprocess.CalledProcessError as err:
        raise NNError(f"Graphviz failed: {err.stderr.decode(errors='replace').strip()[-300:]}") from err


def render_all(
    frames: Frames, fmt: str, jobs: int | None = None, progress: Callable[[int], None] | None = None
) -> list[bytes]:
    """Every frame as `fmt` bytes. DOT is written once to a scratch folder and rendered by a few `dot`
    processes side by side, each taking several frames, so start-up is paid a few times, not per frame."""
    sources = [frames.source(i, fmt) for i in range(len(frames))]
    if fmt == "dot":
        if progress:
            progress(len(sources))
        return [s.encode() for s in sources]
    jobs = jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="graphviz-nn-") as scratch:
        files = []
        for i, source in enumerate(sources):
            files.append(Path(scratch) / f"frame-{i:03d}.dot")
            files[-1].write_text(source, encoding="utf-8")
        per_batch = max(1, -(-len(files) // jobs))
        batches = [files[i : i + per_batch] for i in range(0, len(files), per_batch)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for batch, _ in zip(batches, pool.map(lambda b: _run_dot(b, fmt), batches), strict=True):
                if progress:
                    progress(len(batch))
        outputs = [Path(f"{f}.{fmt}").read_bytes() for f in files]
    if fmt == "png" and frames.size:
        outputs = [_exact_canvas(png, frames.size) for png in outputs]
    return outputs


def _exact_canvas(png: bytes, size: tuple[int, int]) -> bytes:
    """Graphviz rounds the canvas to whole pixels; settle the last pixel so every frame is exactly `size`."""
    from PIL import Image

    if (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == size:
        return png  # the PNG header already says so: no need to decode
    image = Image.open(stdio.BytesIO(png))
    canvas = Image.new(image.mode, size, image.getpixel((0, 0)))
    canvas.paste(image, (0, 0))
    out = stdio.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def gif(pngs: list[bytes], duration: int, hold: int | None = None) -> bytes:
    """An animated GIF that loops forever, holding on the first and last frames. One palette built
    from all frames and no dithering keep text crisp and colours identical from frame to frame."""
    from PIL import Image

    with ThreadPoolExecutor() as pool:  # PNG decoding releases the GIL
        images = list(pool.map(lambda p: Image.open(stdio.BytesIO(p)).convert("RGB"), pngs))
    # The palette comes from a sample of every frame; nearest-neighbour shrinking keeps exact colours.
    width, height = images[0].size
    small = (max(1, width // 6), max(1, height // 6))
    sample = Image.new("RGB", (small[0], small[1] * len(images)))
    for i, image in enumerate(images):
        sample.paste(image.resize(small, Image.Resampling.NEAREST), (0, small[1] * i))
    palette = _palette(sample)
    with ThreadPoolExecutor() as pool:
        frames = list(pool.map(lambda im: im.quantize(palette=palette, dither=Image.Dither.NONE), images))
    hold = hold or max(3 * duration, 2000)
    durations = [duration] * len(frames)
    durations[0] = durations[-1] = hold
    out = stdio.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=False, disposal=1
    )
    return out.getvalue()


def _palette(sample, exact: int = 64):
    """255 colours: the most frequent ones exactly (background, fills, text), so a white page stays
    white; median cut of the sample for the anti-aliased rest. Pillow looks colours up through a
    coarse cache that can hand a cell to any entry in it, so no other entry may sit within a few
    levels of an exact colour."""
    from PIL import Image

    def far(colour, others) -> bool:
        return all(max(abs(a - b) for a, b in zip(colour, other, strict=True)) > 8 for other in others)

    kept: list[tuple[int, int, int]] = []
    # At most one colour per pixel; a bigger bound only makes Pillow allocate a bigger table.
    for _, colour in heapq.nlargest(8 * exact, sample.getcolors(maxcolors=sample.width * sample.height)):
        if len(kept) == exact:
            break
        if far(colour, kept):
            kept.append(colour)
    cut = sample.quantize(colors=255 - len(kept), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat = cut.getpalette()[: 3 * (255 - len(kept))]
    rest = [c for c in (tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)) if far(c, kept)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for rgb in kept + rest for c in rgb])
    return palette


def pdf_deck(pdfs: list[bytes]) -> bytes:
    """One PDF, one frame per page, pages kept as Graphviz's vector output."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in pdfs:
        for page in PdfReader(stdio.BytesIO(data)).pages:
            writer.add_page(page)
    out = stdio.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_frames(folder: str | Path, outputs: list[bytes], fmt: str) -> list[Path]:
    """`frame-000.png`, ... in `folder`, each written atomically."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NNError(f"--frames-dir {str(folder)!r} is a file; give a folder")
    return [io.write_atomic(folder / f"frame-{i:03d}.{fmt}", data) for i, data in enumerate(outputs)]

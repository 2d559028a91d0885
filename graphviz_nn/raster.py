"""A drawn frame's pixels, exactly the frame's size, for outputs that need pixels (the GIF, the
pictures of a PowerPoint deck).

Graphviz spends some 85 % of `dot -Tpng` on a 1280×720 frame compressing the PNG, which a GIF would
only decompress again. So the GIF's frames are drawn as PDF (a few milliseconds each) and rasterized
here, in-process, by PDFium; a PNG from elsewhere (the training frames) is decoded.
"""

from __future__ import annotations

import heapq
import importlib
import io
import threading

# PDFium allows one call at a time in a process, whatever the document.
_PDFIUM = threading.Lock()


def preload() -> None:
    """Load PDFium (some 25 ms) on a thread of its own, while Graphviz draws the first frames."""
    threading.Thread(target=importlib.import_module, args=("pypdfium2",), daemon=True).start()


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header, without decoding it."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def from_png(png: bytes):
    """An RGB image of a PNG."""
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def from_pdf(pdf: bytes, size: tuple[int, int]):
    """An RGB image of the first page of a PDF frame, drawn 1 pixel per point into exactly `size`
    pixels (Graphviz makes the page whole points; a page a pixel off is settled on the canvas edge)."""
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            image = page.render(scale=1, may_draw_forms=False).to_pil().convert("RGB")
            page.close()
        finally:
            document.close()
    return exact(image, size)


def exact(image, size: tuple[int, int]):
    """`image` on a canvas of exactly `size`, any missing edge filled with its corner colour."""
    if image.size == size:
        return image
    from PIL import Image

    canvas = Image.new(image.mode, size, image.getpixel((0, 0)))
    canvas.paste(image, (0, 0))
    return canvas


class Sample:
    """Every frame shrunk onto one image, for one palette that serves them all (nearest-neighbour
    shrinking keeps exact colours)."""

    def __init__(self, count: int, size: tuple[int, int]):
        from PIL import Image

        self.small = (max(1, size[0] // 6), max(1, size[1] // 6))
        self.image = Image.new("RGB", (self.small[0], self.small[1] * count))

    def add(self, index: int, image) -> None:
        from PIL import Image

        self.image.paste(image.resize(self.small, Image.Resampling.NEAREST), (0, self.small[1] * index))

    def palette(self):
        return palette(self.image)


def pngs_from_pdfs(pdfs: list[bytes], size: tuple[int, int]) -> list[bytes]:
    """PDF frames as PNG pictures of exactly `size`, with one palette for all of them, as the GIF's:
    measured on the exercise's deck, 60 % of the CPU time of Graphviz's PNG and 40 % of its bytes,
    the fills exact and the text as crisp. Each frame is rasterized twice (once for the palette)
    rather than held: a few milliseconds each, and little memory."""
    from PIL import Image

    sample = Sample(len(pdfs), size)
    for i, pdf in enumerate(pdfs):
        sample.add(i, from_pdf(pdf, size))
    shared = sample.palette()
    pictures = []
    for pdf in pdfs:
        out = io.BytesIO()
        from_pdf(pdf, size).quantize(palette=shared, dither=Image.Dither.NONE).save(out, "PNG")
        pictures.append(out.getvalue())
    return pictures


def palette(sample, exact: int = 64):
    """255 colours: the most frequent ones exactly (background, fills, text), so a white page stays
    white; median cut of the sample for the anti-aliased rest. Pillow looks colours up through a
    coarse cache that can hand a cell to any entry in it, so no other entry may sit within a few
    levels of an exact colour."""
    from PIL import Image

    def far(colour, others) -> bool:  # no channel within 8 levels of any other's; written out, it is fast
        r, g, b = colour
        return not any(abs(r - r2) <= 8 and abs(g - g2) <= 8 and abs(b - b2) <= 8 for r2, g2, b2 in others)

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

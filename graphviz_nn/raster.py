"""A drawn frame's pixels, exactly the frame's size, for outputs that need pixels (the GIF).

Graphviz spends some 85 % of `dot -Tpng` on a 1280×720 frame compressing the PNG, which a GIF would
only decompress again. So the GIF's frames are drawn as PDF (a few milliseconds each) and rasterized
here, in-process, by PDFium; a PNG from elsewhere (the training frames) is decoded.
"""

from __future__ import annotations

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

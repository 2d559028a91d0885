"""One diagram as a file: png, svg, pdf or dot, chosen by the extension. PNGs say their resolution
(a pHYs chunk), so word processors and LaTeX place them at their real size."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import graphviz

from .. import files, runner
from ..errors import NNError


def with_dpi(png: bytes, dpi: float) -> bytes:
    """The PNG with a pHYs chunk (pixels per metre) right after its header chunk."""
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    header_end = 8 + 8 + 13 + 4  # signature, IHDR length and type, IHDR data, CRC
    rest = png[header_end:]
    if b"pHYs" in rest[:64]:  # already there (Graphviz may learn to write it): leave it
        return png
    return png[:header_end] + chunk + rest


MAX_PIXELS = 100_000_000  # a PNG of 10,000 × 10,000: about 400 MB while cairo draws it


def check_pixels(dot: graphviz.Digraph, dpi: float) -> None:
    """Refuse a PNG too large to draw in memory, before Graphviz starts on it."""
    import re

    box = re.search(r'bb="0,0,([\d.]+),([\d.]+)"', dot.source)
    if box:
        width, height = (round((float(v) + 2 * 0.3 * 72) * dpi / 72) for v in box.groups())  # pad 0.3 in a side
        if width * height > MAX_PIXELS:
            raise NNError(
                f"the PNG would be {width}×{height} pixels (over {MAX_PIXELS // 1_000_000} million); "
                "lower --dpi, or write .svg or .pdf, which any size suits"
            )


def save(dot: graphviz.Digraph, path: str | Path, dpi: float | None = None) -> Path:
    """Write a diagram as png, svg, pdf or dot, chosen by the extension."""
    fmt = files.output_format(path, files.DIAGRAM_FORMATS)
    if fmt == "png" and dpi:
        check_pixels(dot, dpi)
    data = dot.source if fmt == "dot" else runner.pipe(dot.source, fmt)
    if fmt == "png" and dpi:
        data = with_dpi(data, dpi)
    return files.write_atomic(path, data)

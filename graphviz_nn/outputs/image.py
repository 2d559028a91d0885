"""One diagram as a file: png, svg, pdf or dot, chosen by the extension."""

from __future__ import annotations

from pathlib import Path

import graphviz

from .. import files, runner


def save(dot: graphviz.Digraph, path: str | Path) -> Path:
    """Write a diagram as png, svg, pdf or dot, chosen by the extension."""
    fmt = files.output_format(path, files.DIAGRAM_FORMATS)
    return files.write_atomic(path, dot.source if fmt == "dot" else runner.pipe(dot.source, fmt))

"""Files: output formats from extensions, atomic writes, and running the Graphviz program."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import graphviz

from .errors import GraphvizMissing, NNError

_UMASK = os.umask(0o022)
os.umask(_UMASK)
DIAGRAM_FORMATS = ("png", "svg", "pdf", "dot")
INSTALL_HINT = "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz)"


def output_format(path: str | Path, allowed: tuple[str, ...]) -> str:
    """The format named by the path's extension, checked against what the command can write."""
    if Path(path).is_dir():
        raise NNError(f"{str(path)!r} is a directory; give a file name inside it")
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise NNError(
            f"cannot tell the format of {str(path)!r} (use one of the extensions: "
            f"{', '.join('.' + a for a in allowed)})"
        )
    return suffix


def check_writable(path: str | Path) -> Path:
    """Fail before any work is done if `path` cannot become a file; creates missing parent folders."""
    path = Path(path)
    if path.is_dir():
        raise NNError(f"{str(path)!r} is a directory; give a file name inside it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NNError(f"cannot create the folder for {str(path)!r} ({err.strerror}); choose another path") from err
    if not os.access(path.parent, os.W_OK):
        raise NNError(f"cannot write to {str(path.parent)!r} (permission denied); choose another path")
    return path


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path = check_writable(path)
    payload = data.encode() if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise NNError(f"cannot write {str(path)!r} ({err.strerror}); choose another path") from err
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes files private; give the usual permissions
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise NNError(f"cannot write {str(path)!r} ({err.strerror}); choose another path") from err
    return path


def pipe(dot: graphviz.Digraph | str, fmt: str) -> bytes:
    """Run Graphviz on a Digraph (or DOT text) and return the bytes of `fmt`."""
    source = dot if isinstance(dot, str) else dot.source
    try:
        return graphviz.pipe("dot", fmt, source.encode())
    except graphviz.ExecutableNotFound as err:
        raise GraphvizMissing(f"the Graphviz program 'dot' was not found; {INSTALL_HINT}") from err
    except graphviz.CalledProcessError as err:
        detail = (err.stderr or b"").decode(errors="replace").strip().splitlines()
        raise NNError(f"Graphviz failed: {detail[-1] if detail else err}") from err


def save(dot: graphviz.Digraph, path: str | Path) -> Path:
    """Write a diagram as png, svg, pdf or dot, chosen by the extension."""
    fmt = output_format(path, DIAGRAM_FORMATS)
    return write_atomic(path, dot.source if fmt == "dot" else pipe(dot, fmt))

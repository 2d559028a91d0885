"""Every frame as a file of its own: frame-000.png, frame-001.png, ... in one folder."""

from __future__ import annotations

from pathlib import Path

from ..files import write_folder


def write_frames(folder: str | Path, outputs: list[bytes], fmt: str) -> list[Path]:
    """The frames, written as one: a failure part-way leaves no partial set behind."""
    return write_folder(folder, {f"frame-{i:03d}.{fmt}": data for i, data in enumerate(outputs)})

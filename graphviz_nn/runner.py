"""The one place the Graphviz program runs: a graph on stdin, or many graphs in a few batches side by side.

Failures become `NNError`s whose text carries Graphviz's own last complaint, so the command line
shows one `Error:` line and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .errors import GraphvizMissing, NNError

INSTALL_HINT = "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz)"
PROGRAM = "dot"
Each = Callable[[int, bytes], None]
PINNED = re.compile(r'\blayout="?nop')


def _run(arguments: list[str], stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run([PROGRAM, *arguments], input=stdin, capture_output=True, check=False)
    except FileNotFoundError as err:
        raise GraphvizMissing(f"the Graphviz program {PROGRAM!r} was not found; {INSTALL_HINT}") from err
    except OSError as err:
        raise NNError(f"cannot run the Graphviz program {PROGRAM!r} ({err.strerror or err})") from err
    if done.returncode != 0:
        raise NNError(f"Graphviz failed: {_complaint(done.stderr, done.returncode)}")
    return done.stdout


def _complaint(stderr: bytes, code: int) -> str:
    """Graphviz's last non-empty stderr line, folded to one line and kept short."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    if not lines:
        return f"the program exited with status {code}" if code > 0 else f"the program was killed (signal {-code})"
    return " ".join(lines[-1].split())[:300]


_started: dict[str, subprocess.Popen] = {}


@contextlib.contextmanager
def ahead(*formats: str) -> Iterator[None]:
    """Start Graphviz for these formats before their input is ready: its start-up (loading plugins and
    fonts, some 17 ms) then overlaps the Python work that builds the graph. `pipe` takes them up;
    any not taken up when the block ends (a command that failed first) are stopped, so none is left
    for a later drawing in the same process."""
    for fmt in formats:
        if fmt not in _started:
            try:
                _started[fmt] = subprocess.Popen(
                    [PROGRAM, f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )
            except OSError:
                break  # `pipe` runs it again and reports the problem
    try:
        yield
    finally:
        for fmt in formats:
            process = _started.pop(fmt, None)
            if process is not None:
                process.kill()
                process.wait()


def pipe(source: str, fmt: str) -> bytes:
    """Lay out and draw DOT text, returning the bytes of `fmt` (png, svg, pdf, json, ...)."""
    process = _started.pop(fmt, None)
    if process is None:
        return _run([f"-T{fmt}"], source.encode("utf-8"))
    out, err = process.communicate(source.encode("utf-8"))
    if process.returncode != 0:
        raise NNError(f"Graphviz failed: {_complaint(err, process.returncode)}")
    return out


def render_files(files: list[Path], fmt: str) -> None:
    """`dot -Tfmt -O` on several files in one process: `frame.dot` gains `frame.dot.fmt` beside it."""
    _run([f"-T{fmt}", "-O", *map(str, files)])


def _kinds(sources: list[str]) -> list[list[int]]:
    """The sources' indices, pinned graphs (`layout=nop…`) apart from graphs to lay out: a `dot`
    process that has drawn a pinned graph treats every later graph as pinned (Graphviz 2.43)."""
    pinned = [bool(PINNED.search(source)) for source in sources]
    kinds = [[i for i, p in enumerate(pinned) if p], [i for i, p in enumerate(pinned) if not p]]
    return [kind for kind in kinds if kind]


def draw_all(sources: list[str], fmt: str, jobs: int | None = None, each: Each | None = None) -> list[bytes]:
    """Every DOT source drawn as `fmt`. The sources are written once to a scratch folder and drawn by
    a few `dot` processes side by side, each taking several (`render_files`), so start-up is paid a
    few times, not once per source. `each(i, data)` sees each drawing as soon as its batch is drawn."""
    jobs = jobs or os.cpu_count() or 1
    suffix = ".".join(reversed(fmt.split(":")))  # `dot -O` names -Tsvg:cairo's output frame.dot.cairo.svg
    outputs: list[bytes] = [b""] * len(sources)
    with tempfile.TemporaryDirectory(prefix="graphviz-nn-") as scratch:
        files = []
        for i, source in enumerate(sources):
            files.append(Path(scratch) / f"{i:04d}.dot")
            files[-1].write_text(source, encoding="utf-8")
        batches = []
        for kind in _kinds(sources):
            per_batch = max(1, -(-len(kind) // jobs))
            batches += [kind[i : i + per_batch] for i in range(0, len(kind), per_batch)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            drawing = {pool.submit(render_files, [files[i] for i in batch], fmt): batch for batch in batches}
            for done in as_completed(drawing):
                done.result()
                for i in drawing[done]:
                    outputs[i] = Path(f"{files[i]}.{suffix}").read_bytes()
                    if each:
                        each(i, outputs[i])
    return outputs

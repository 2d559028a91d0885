"""Wall time of `graphviz-nn animate` against rendering its own .dot frames with bare `dot -Tpng`, one
after another, measured side by side in one run (the machine is shared: only the ratio means much).

    python benchmarks/animate_vs_dot.py [--repeat 5] [--size 1920x1080] [extra animate options]

Target from the frames issue: ratio ≤ 0.6.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", default=None)
    args, extra = parser.parse_known_args()
    size = ["--size", args.size] if args.size else []
    animate = [sys.executable, "-m", "graphviz_nn", "animate", "-q", *size, *extra]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "frames"
        subprocess.run(
            [*animate, "-o", f"{scratch}/warm.gif", "--frames-dir", str(folder), "--frames-format", "dot"],
            check=True,
            capture_output=True,
        )
        dots = sorted(folder.glob("*.dot"))

        def sequential() -> float:
            start = time.perf_counter()
            for dot in dots:
                subprocess.run(["dot", "-Tpng", str(dot), "-o", f"{dot}.png"], check=True, capture_output=True)
            return time.perf_counter() - start

        ours, baseline = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            ours.append(timed([*animate, "-o", f"{scratch}/bp.gif"]))
            baseline.append(sequential())
    a, b = statistics.median(ours), statistics.median(baseline)
    stages = _stages(args.size, args.repeat)
    print(f"frames: {len(dots)}  size: {args.size or 'natural'}  cores: {__import__('os').cpu_count()}")
    print(f"graphviz-nn animate (whole command, GIF included): median {a:.3f} s")
    print(f"bare dot -Tpng on its .dot frames, one after another: median {b:.3f} s")
    print(f"ratio animate / sequential dot: {a / b:.2f}  (target ≤ 0.6)")
    print("in-process stages, median: " + ", ".join(f"{k} {v:.3f} s" for k, v in stages.items()))
    print(f"rendering stage alone / sequential dot: {stages['render frames'] / b:.2f}")


def _stages(size: str | None, repeat: int) -> dict[str, float]:
    """Where animate's time goes, without interpreter start-up (only the default network)."""
    from graphviz_nn import engine, frames, graph

    g = engine.propagate(graph.seed_network())
    times: dict[str, list[float]] = {"layout": [], "render frames": [], "GIF": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        sequence = frames.prepare(g, size=size)
        t1 = time.perf_counter()
        pngs = frames.render_all(sequence, "png")
        t2 = time.perf_counter()
        frames.gif(pngs, 1000)
        t3 = time.perf_counter()
        for key, value in zip(times, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            times[key].append(value)
    return {k: statistics.median(v) for k, v in times.items()}


if __name__ == "__main__":
    main()

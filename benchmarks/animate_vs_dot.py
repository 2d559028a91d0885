"""`graphviz-nn animate` against rendering its own .dot frames with bare `dot -Tpng`, one after another
(the health issue's measure: toward 0.7x that sum), and where animate's own time goes.

    python benchmarks/animate_vs_dot.py [--repeat 5] [--size 1920x1080] [extra animate options]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from measure import interleaved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", default=None)
    args, extra = parser.parse_known_args()
    size = ["--size", args.size] if args.size else []
    animate = [sys.executable, "-m", "graphviz_nn", "animate", "-q", *size, *extra]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "frames"
        warm = [*animate, "-o", f"{scratch}/warm.gif", "--frames-dir", str(folder), "--frames-format", "dot"]
        subprocess.run(warm, check=True, capture_output=True)
        dots = sorted(folder.glob("*.dot"))

        def sequential() -> None:
            for dot in dots:
                subprocess.run(["dot", "-Tpng", str(dot), "-o", f"{dot}.png"], check=True, capture_output=True)

        median = interleaved({"animate": [*animate, "-o", f"{scratch}/bp.gif"], "dot": sequential}, args.repeat)
    print(f"frames: {len(dots)}  size: {args.size or 'default'}")
    print(f"graphviz-nn animate (whole command, GIF included): median {median['animate']:.3f} s")
    print(f"bare dot -Tpng on its .dot frames, one after another: median {median['dot']:.3f} s")
    print(f"ratio animate / sequential dot: {median['animate'] / median['dot']:.2f}  (target ≤ 0.7)")
    stages = _stages(args.size, args.repeat)
    print("in-process stages, median: " + ", ".join(f"{k} {v:.3f} s" for k, v in stages.items()))


def _stages(size: str | None, repeat: int) -> dict[str, float]:
    """Where animate's time goes, without interpreter start-up (the default network): the frames
    prepared, drawn as PDF by Graphviz, then rasterized and put together as the GIF."""
    from graphviz_nn import frames, selection
    from graphviz_nn.outputs import gif

    graph = selection.propagated()
    prepared, drawn = {}, {}

    def prepare():
        prepared["frames"] = frames.prepare(graph, size=size or "1280x720")

    def draw():
        drawn["pdfs"] = frames.render_all(prepared["frames"], "pdf")

    def encode():
        animation = gif.Animation(len(drawn["pdfs"]), prepared["frames"].size, pdf=True)
        for i, pdf in enumerate(drawn["pdfs"]):
            animation.add(i, pdf)
        animation.finish(1000)

    prepare()
    draw()
    return interleaved({"prepare": prepare, "draw PDF": draw, "rasterize + GIF": encode}, repeat)


if __name__ == "__main__":
    main()

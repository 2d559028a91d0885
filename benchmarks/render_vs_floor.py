"""`graphviz-nn render` of the exercise against its floor, side by side in one run: Python importing
networkx and graphviz, then `dot -Tpng` on the very DOT that render draws. Target from the health
issue: within 1.3x the floor.

    python benchmarks/render_vs_floor.py [--repeat 9] [extra render options]
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
    parser.add_argument("--repeat", type=int, default=9)
    args, extra = parser.parse_known_args()
    render = [sys.executable, "-m", "graphviz_nn", "render", *extra]
    with tempfile.TemporaryDirectory() as scratch:
        dot = Path(scratch) / "network.dot"
        subprocess.run([*render, "-o", str(dot)], check=True, capture_output=True)
        floor_script = (
            "import subprocess, networkx, graphviz; "
            f"subprocess.run(['dot', '-Tpng', {str(dot)!r}, '-o', {scratch + '/floor.png'!r}], check=True)"
        )
        ours, floor = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            ours.append(timed([*render, "-o", f"{scratch}/ours.png"]))
            floor.append(timed([sys.executable, "-c", floor_script]))
    a, b = statistics.median(ours), statistics.median(floor)
    print(f"graphviz-nn render (whole command): median {a * 1000:.0f} ms")
    print(f"floor (import networkx, graphviz; dot -Tpng on the same DOT): median {b * 1000:.0f} ms")
    print(f"ratio render / floor: {a / b:.2f}  (target ≤ 1.3)")


if __name__ == "__main__":
    main()

"""`graphviz-nn render` of the exercise against its floor: Python importing networkx and graphviz, then
`dot -Tpng` on the very DOT that render draws. Target from the health issue: within 1.3x the floor.

    python benchmarks/render_vs_floor.py [--repeat 9] [extra render options]
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
    parser.add_argument("--repeat", type=int, default=9)
    args, extra = parser.parse_known_args()
    render = [sys.executable, "-m", "graphviz_nn", "render", *extra]
    with tempfile.TemporaryDirectory() as scratch:
        dot = Path(scratch) / "network.dot"
        subprocess.run([*render, "-o", str(dot)], check=True, capture_output=True)
        floor = (
            "import subprocess, networkx, graphviz; "
            f"subprocess.run(['dot', '-Tpng', {str(dot)!r}, '-o', {scratch + '/floor.png'!r}], check=True)"
        )
        median = interleaved({"render": [*render, "-o", f"{scratch}/ours.png"], "floor": [sys.executable, "-c", floor]},
                             args.repeat)  # fmt: skip
    print(f"graphviz-nn render (whole command): median {median['render'] * 1000:.0f} ms")
    print(f"floor (import networkx, graphviz; dot -Tpng on the same DOT): median {median['floor'] * 1000:.0f} ms")
    print(f"ratio render / floor: {median['render'] / median['floor']:.2f}  (target ≤ 1.3)")


if __name__ == "__main__":
    main()

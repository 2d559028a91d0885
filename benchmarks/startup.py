"""Start-up of the command line against a bare `import click`, side by side in one run (the machine is
shared: only the ratio means much). Target from the health issue: `--help` and every command's `-h`
within 2x the bare import.

    python benchmarks/startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = ["render", "inspect", "derive", "animate", "slides", "html", "worksheet", "check", "train", "gradients"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "graphviz_nn"]
    cases = {"import click": [sys.executable, "-c", "import click"], "--help": [*cli, "--help"]}
    cases |= {f"{name} -h": [*cli, name, "-h"] for name in COMMANDS}
    times: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.repeat):  # interleaved, so every case sees the same machine load
        for key, command in cases.items():
            times[key].append(timed(command))
    base = statistics.median(times["import click"])
    print(f"bare `python -c 'import click'`: median {base * 1000:.0f} ms")
    for key in list(cases)[1:]:
        median = statistics.median(times[key])
        print(f"{key:>14}: median {median * 1000:4.0f} ms  ratio {median / base:.2f}  (target ≤ 2)")


if __name__ == "__main__":
    main()

"""Start-up of the command line against a bare `import click`. Target from the health issue: `--help`
and every command's `-h` within 2x the bare import.

    python benchmarks/startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import sys

from measure import interleaved

COMMANDS = ["render", "inspect", "derive", "animate", "slides", "html", "worksheet", "check", "train", "gradients"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "graphviz_nn"]
    cases = {"import click": [sys.executable, "-c", "import click"], "--help": [*cli, "--help"]}
    cases |= {f"{name} -h": [*cli, name, "-h"] for name in COMMANDS}
    median = interleaved(cases, args.repeat)
    base = median.pop("import click")
    print(f"bare `python -c 'import click'`: median {base * 1000:.0f} ms")
    for name, seconds in median.items():
        print(f"{name:>14}: median {seconds * 1000:4.0f} ms  ratio {seconds / base:.2f}  (target ≤ 2)")


if __name__ == "__main__":
    main()

"""What the command benchmarks share: timing whole commands side by side, interleaved, so every case
sees the same load on a shared machine; only the ratios between them mean much."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable


def timed(command: list[str] | Callable[[], object]) -> float:
    """Seconds one run takes: a command line, or a Python callable."""
    start = time.perf_counter()
    if callable(command):
        command()
    else:
        subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def interleaved(cases: dict[str, list[str] | Callable[[], object]], repeat: int) -> dict[str, float]:
    """The median seconds of each case, runs taken in turn (a, b, c, a, b, c, ...)."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, command in cases.items():
            times[name].append(timed(command))
    return {name: statistics.median(values) for name, values in times.items()}

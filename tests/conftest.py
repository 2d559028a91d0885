import gc
import os
import tempfile

import pytest

# The tests make and drop many small objects (SymPy trees, matplotlib artists, graphs), and Python's
# cyclic collector ran thousands of times: collecting less often costs a little memory and saves some
# 7 % of the tests' own CPU (measured on the SymPy, training and layout modules, interleaved).
gc.set_threshold(100_000, 50, 100)

# The helpers (SymPy, NetworkX) are imported by the fixtures, not here: under xdist the controlling
# process reads this file too, before it starts the workers, and needs none of them.


@pytest.fixture
def seed():
    from graphviz_nn import engine, graph

    return engine.propagate(graph.seed_network())


@pytest.fixture(scope="session")  # one Chromium per worker (about 1.2 s of CPU to start and settle)
def browser():
    from helpers import CHROMIUM, DRIVER, FLAGS

    if not (CHROMIUM and DRIVER):
        pytest.skip("Debian's chromium and chromium-driver are not installed (scripts/setup.sh installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory(prefix="graphviz-nn-chromium-") as profile:
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(DRIVER), options=options)  # a driver path: nothing downloaded
        try:
            yield driver
        finally:
            driver.quit()


# What a worker pays for once and then shares: SymPy's derivatives of the oracle (and mpmath's
# references), or Chromium and matplotlib. Under `--dist worksteal` on two workers each worker
# starts on a contiguous half of the tests and steals from the other's end, so one family leads each
# half, and the lighter modules fill the rest, where stealing happens.
FAMILIES = (
    ("test_engine", "test_symbolic", "test_precision", "test_derive", "test_derive_latex"),
    ("test_html", "test_train_html", "test_training", "test_notebook"),
)


def pytest_collection_modifyitems(items):
    if os.environ.get("PYTEST_XDIST_WORKER_COUNT") != "2":
        return
    first = [item for item in items if item.module.__name__ in FAMILIES[0]]
    second = [item for item in items if item.module.__name__ in FAMILIES[1]]
    rest = [item for item in items if item.module.__name__ not in (*FAMILIES[0], *FAMILIES[1])]
    cut = max(0, len(items) // 2 - len(first))
    items[:] = first + rest[:cut] + second + rest[cut:]

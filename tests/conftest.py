import tempfile

import pytest
from helpers import CHROMIUM, DRIVER, FLAGS

from graphviz_nn import engine, graph


@pytest.fixture
def seed():
    return engine.propagate(graph.seed_network())


@pytest.fixture(scope="session")  # one Chromium per worker (about 1.2 s of CPU to start and settle)
def browser():
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

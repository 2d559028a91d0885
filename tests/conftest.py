import pytest

# test_symbolic.py still imports these from here; remove this line once it imports them from helpers.
from helpers import COMBOS, network, safe_point  # noqa: F401

from graphviz_nn import engine, graph


@pytest.fixture
def seed():
    return engine.propagate(graph.seed_network())

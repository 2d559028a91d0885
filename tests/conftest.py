import pytest

from graphviz_nn import engine, graph


@pytest.fixture
def seed():
    return engine.propagate(graph.seed_network())

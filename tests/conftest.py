import itertools

import pytest

from graphviz_nn import engine, graph, ops

# Inputs that keep a2 inside (0, 1) for every g2, so cross-entropy is defined for all combinations.
SAFE = {"x": 1.0, "y": 1.0, "w1": 0.5, "w2": 0.4}


def safe_point(rng):
    """A random point that also keeps a2 inside (0, 1): |z1| ≤ 0.6, so a1 < 1.04 and softplus(z2) < 1."""
    return {
        "x": rng.uniform(0.5, 1.0),
        "y": rng.uniform(0.05, 0.95),
        "w1": rng.uniform(0.2, 0.6),
        "w2": rng.uniform(0.1, 0.4),
    }


COMBOS = list(itertools.product(ops.ACTIVATIONS, ops.ACTIVATIONS, ops.LOSSES))


@pytest.fixture
def seed():
    return engine.propagate(graph.seed_network())


def network(g1="sigmoid", g2="sigmoid", loss="quadratic", **values):
    return engine.propagate(graph.seed_network(g1=g1, g2=g2, loss=loss, **{**SAFE, **values}))

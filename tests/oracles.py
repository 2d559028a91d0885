"""Moved to helpers.py. test_cli.py still imports from here: delete this file once it imports from
helpers (`values, grads, _ = seed_oracle(g1, g2, loss)(point)`, and `close`)."""

from helpers import LEAVES, close, seed_oracle  # noqa: F401


def sympy_gradients(g1, g2, loss, point):
    values, grads, _ = seed_oracle(g1, g2, loss)(point)
    return {leaf: grads[leaf] for leaf in LEAVES}, values

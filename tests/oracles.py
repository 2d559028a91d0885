"""Moved to helpers.py. test_symbolic.py and test_cli.py still import from here: delete this file once
they import from helpers (test_cli: `values, grads, _ = seed_oracle(g1, g2, loss)(point)`)."""

from helpers import ELEMENTARY, LEAVES, W1, W2, X, Y, close, composed, seed_oracle  # noqa: F401


def sympy_gradients(g1, g2, loss, point):
    values, grads, _ = seed_oracle(g1, g2, loss)(point)
    return {leaf: grads[leaf] for leaf in LEAVES}, values

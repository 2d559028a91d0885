"""Independent checks of the engine: central finite differences and SymPy written from scratch here,
sharing nothing with graphviz_nn's op table."""

import math

import sympy as sp

from graphviz_nn import engine, graph

ELEMENTARY = {
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "tanh": sp.tanh,
    "relu": lambda z: sp.Max(0, z),
    "leaky_relu": lambda z: sp.Max(z, z / 100),
    "identity": lambda z: z,
    "softplus": lambda z: sp.log(1 + sp.exp(z)),
}
LOSS = {
    "quadratic": lambda a, y: (a - y) ** 2 / 2,
    "cross_entropy": lambda a, y: -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
}
X, Y, W1, W2 = sp.symbols("x y w1 w2", real=True)


def composed(g1, g2, loss):
    """Loss(g2(w2·g1(w1·x)), y) and its forward values, as SymPy expressions."""
    z1 = W1 * X
    a1 = ELEMENTARY[g1](z1)
    z2 = W2 * a1
    a2 = ELEMENTARY[g2](z2)
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": LOSS[loss](a2, Y)}


def sympy_gradients(g1, g2, loss, point):
    """∂Loss/∂leaf for every leaf by SymPy differentiation, evaluated with 30 digits."""
    forms = composed(g1, g2, loss)
    subs = {X: point["x"], Y: point["y"], W1: point["w1"], W2: point["w2"]}
    leaves = {"x": X, "y": Y, "w1": W1, "w2": W2}
    return (
        {name: float(sp.diff(forms["loss"], s).evalf(30, subs=subs)) for name, s in leaves.items()},
        {name: float(e.evalf(30, subs=subs)) for name, e in forms.items()},
    )


def finite_differences(build, leaves, h=1e-6):
    """Central differences of the loss w.r.t. each leaf; build(**overrides) returns a graph."""
    base = build()
    out = graph.output(engine.propagate(base))
    result = {}
    for leaf in leaves:
        v = base.nodes[leaf]["value"]
        step = h * max(1.0, abs(v))
        up, down = build(**{leaf: v + step}), build(**{leaf: v - step})
        result[leaf] = (engine.propagate(up).nodes[out]["value"] - engine.propagate(down).nodes[out]["value"]) / (
            2 * step
        )
    return result


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)

"""Saturated activations against a 50-digit reference.

With x = 100 and w1 up to 7, z1 reaches 700, where σ(z1) and tanh(z1) round to 1 in a double but
σ′(z1) = 1.0×10⁻³⁰⁴ does not; w2 is chosen so z2 saturates too. The reference composes the network
and its derivatives in mpmath (analytically, checked against mpmath.diff), at a working precision
high enough that the cancellations of 1 − σ(700) still leave more than 50 correct digits. Every value,
gradient and local derivative the engine reports must agree to 1e-9 relative; it may report zero only
where the truth is zero or below the smallest normal double.
"""

import functools
import itertools
import sys

import mpmath
import pytest

from graphviz_nn import Value, engine, graph

ACTIVATIONS = ("sigmoid", "tanh", "softplus")
LOSSES = ("quadratic", "cross_entropy")
TINY = sys.float_info.min  # 2.2×10⁻³⁰⁸: below it a double may underflow to zero
DIGITS = 50
REL = 1e-9


def sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


# name → (g, g′), written without ever forming 1 − g(z) so no digits are lost to cancellation
FUNCTIONS = {
    "sigmoid": (sigmoid, lambda z: mpmath.exp(-z) / (1 + mpmath.exp(-z)) ** 2),
    "tanh": (mpmath.tanh, lambda z: mpmath.sech(z) ** 2),
    "softplus": (lambda z: mpmath.log(1 + mpmath.exp(z)), sigmoid),
}


def quadratic(a, y):
    return (a - y) ** 2 / 2, a - y, y - a


def cross_entropy(a, y):
    log_a, log_rest = mpmath.log(a), mpmath.log(1 - a)  # each once: at 700 digits a log is the costly part
    return -(y * log_a + (1 - y) * log_rest), (a - y) / (a * (1 - a)), log_rest - log_a


# name → (a, y) → (Loss(a, y), ∂Loss/∂a, ∂Loss/∂y)
LOSS_FUNCTIONS = {"quadratic": quadratic, "cross_entropy": cross_entropy}


def forward(g1, g2, loss, x, y, w1, w2):
    z1 = w1 * x
    a1 = FUNCTIONS[g1][0](z1)
    z2 = w2 * a1
    a2 = FUNCTIONS[g2][0](z2)
    values = {"x": x, "y": y, "w1": w1, "w2": w2, "z1": z1, "a1": a1, "z2": z2, "a2": a2}
    return values, LOSS_FUNCTIONS[loss](a2, y)[0]


def working_digits(g1, point):
    """a₂ − y* and 1 − a₂ lose up to 2|z₂|/ln 10 digits to cancellation (1 − tanh(700) ≈ 10⁻⁶⁰⁸):
    work with that many more than the 50 promised, and a margin."""
    with mpmath.workdps(30):
        z2 = point["w2"] * FUNCTIONS[g1][0](mpmath.mpf(point["w1"]) * point["x"])
    return DIGITS + 20 + int(2 * abs(z2) / mpmath.log(10))


@functools.cache
def activations(g1, g2, x, w1, w2, digits):
    """z₁, a₁, z₂, a₂ and g₁′(z₁), g₂′(z₂) at `digits` of work: the same for either loss and target,
    so each point's are computed once (the costly part of a reference, at up to 700 digits)."""
    with mpmath.workdps(digits):
        x, w1, w2 = mpmath.mpf(x), mpmath.mpf(w1), mpmath.mpf(w2)
        z1 = w1 * x
        a1 = FUNCTIONS[g1][0](z1)
        z2 = w2 * a1
        a2 = FUNCTIONS[g2][0](z2)
        return z1, a1, z2, a2, FUNCTIONS[g1][1](z1), FUNCTIONS[g2][1](z2)


def reference(g1, g2, loss, point, digits=None):
    """(values, ∂Loss/∂node, ∂v/∂u per edge) in mpmath, good to 50 digits (or to `digits` of work)."""
    digits = digits or working_digits(g1, point)
    z1, a1, z2, a2, d_a1, d_a2 = activations(g1, g2, point["x"], point["w1"], point["w2"], digits)
    with mpmath.workdps(digits):
        values = {k: mpmath.mpf(v) for k, v in point.items()}
        value, d_loss_a, d_loss_y = LOSS_FUNCTIONS[loss](a2, values["y"])
        values.update(z1=z1, a1=a1, z2=z2, a2=a2, loss=value)
        local = {
            ("x", "z1"): values["w1"],
            ("w1", "z1"): values["x"],
            ("z1", "a1"): d_a1,
            ("a1", "z2"): values["w2"],
            ("w2", "z2"): values["a1"],
            ("z2", "a2"): d_a2,
            ("a2", "loss"): d_loss_a,
            ("y", "loss"): d_loss_y,
        }
        grad = {"loss": mpmath.mpf(1)}
        for u, v in reversed(local):  # the edges listed inputs-first, so walk them back from the loss
            grad[u] = grad[v] * local[u, v]
        return values, grad, local


@functools.cache
def points(g1):
    """x = 100 with w1 in [0.9, 7] (z1 from 90 to 700) and w2 putting z2 anywhere in ±700; x = −100
    for z1 down to −700; y ∈ {0, 1}."""
    found = []
    for x, w1, z2, y in itertools.product(
        (100.0, -100.0), (0.9, 1.7, 2.5, 4.0, 7.0), (-700, -350, -40, -2, 0.3, 2, 40, 350, 700), (0.0, 1.0)
    ):
        with mpmath.workdps(30):
            a1 = float(FUNCTIONS[g1][0](mpmath.mpf(x * w1)))
        w2 = z2 / a1 if a1 else 0.0
        if 0 < abs(w2) <= 1000:  # not for a1 ≈ 0 (σ or softplus of −700): keep the weights a lecture uses
            found.append({"x": x, "y": y, "w1": w1, "w2": w2})
    return found


@functools.cache
def cases(g1, g2, loss):
    """(point, reference) over the sweep; cross-entropy only where a₂ and 1 − a₂ are normal doubles."""
    found = []
    for point in points(g1):
        digits = working_digits(g1, point)
        a2 = activations(g1, g2, point["x"], point["w1"], point["w2"], digits)[3]
        if loss == "quadratic" or (a2 >= TINY and 1 - a2 >= TINY):  # tested first: no reference to throw away
            found.append((point, reference(g1, g2, loss, point, digits)))
    return found


@functools.cache
def engine_graph(g1, g2, loss, x, y, w1, w2):
    """The engine's graph at a point, propagated once for the gradient and the value tests (which only
    read it)."""
    return engine.propagate(graph.seed_network(g1=g1, g2=g2, loss=loss, x=x, y=y, w1=w1, w2=w2))


def problems(got, expected):
    """Why `got` (a double) is not `expected` (mpmath) to 1e-9 relative, or None."""
    if expected == 0:
        return None if got == 0 else "nonzero where the truth is 0"
    truth = float(expected)  # correctly rounded: its own error, 1e-16, is nothing beside 1e-9
    if abs(truth) < TINY:
        return None if abs(got) < TINY else "the truth underflows a double, but not this"
    if got == 0:
        return "exact zero where the truth is not"
    error = abs(got - truth) / abs(truth)
    return None if error <= REL else f"relative error {error:.3g}"


def report(failures):
    return "\n".join(
        f"{what} at {point}: got {got!r}, expected {mpmath.nstr(exp, 17)} ({why})"
        for what, point, got, exp, why in failures
    )


COMBOS = list(itertools.product(ACTIVATIONS, ACTIVATIONS, LOSSES))


@pytest.mark.parametrize("g1,g2,loss", COMBOS)
def test_gradients_and_local_derivatives_past_saturation(g1, g2, loss):
    assert len(cases(g1, g2, loss)) >= 30  # the sweep really covers the saturated corners
    failures = []
    for point, (_, grad, local) in cases(g1, g2, loss):
        g = engine_graph(g1, g2, loss, **point)
        checks = [(f"∂Loss/∂{n}", g.nodes[n]["grad"], grad[n]) for n in grad]
        for u, v in local:
            edge = g.edges[u, v]
            checks += [(f"∂{v}/∂{u}", edge["local"], local[u, v]), (f"edge {u}→{v} gradient", edge["grad"], grad[u])]
        failures += [(what, point, got, exp, why) for what, got, exp in checks if (why := problems(got, exp))]
    assert not failures, report(failures)


@pytest.mark.parametrize("g1,g2,loss", COMBOS)
def test_values_and_loss_past_saturation(g1, g2, loss):
    failures = []
    for point, (values, _, _) in cases(g1, g2, loss):
        g = engine_graph(g1, g2, loss, **point)
        for node, expected in values.items():
            if why := problems(g.nodes[node]["value"], expected):
                failures.append((f"value of {node}", point, g.nodes[node]["value"], expected, why))
    assert not failures, report(failures)


@pytest.mark.parametrize(
    "g1,g2,loss",
    [("sigmoid", "tanh", "quadratic"), ("tanh", "sigmoid", "cross_entropy"), ("softplus", "softplus", "quadratic")],
)
def test_the_reference_is_good_to_50_digits(g1, g2, loss):
    """Twice the working precision changes nothing in 50 digits, and mpmath.diff of the composed
    loss gives the same leaf gradients as the hand-written chain rule."""
    differentiated = 0
    for point, (values, grad, _) in cases(g1, g2, loss)[::5]:
        digits = working_digits(g1, point)
        finer_values, finer_grad, _ = reference(g1, g2, loss, point, 2 * digits)
        with mpmath.workdps(2 * digits):
            for mine, finer in [
                *zip(values.values(), finer_values.values(), strict=True),
                *zip(grad.values(), finer_grad.values(), strict=True),
            ]:
                assert abs(mine - finer) <= abs(finer) * mpmath.mpf(10) ** -DIGITS, point
        leaves = {k: mpmath.mpf(v) for k, v in point.items()}
        for leaf in ("w1", "w2", "x"):
            # a difference quotient sees a gradient 10⁻³⁰⁰ of the loss only with 300 more digits: the
            # formulas are the same at every point, so check them where that stays cheap
            gap = max(0, int(-mpmath.log10(abs(grad[leaf] / values["loss"]))))
            if gap > 100:
                continue
            # mpmath.diff steps 10^-P at P digits and evaluates the loss at 2P: the quotient keeps
            # P − (digits − 50) digits of the loss, which loses at most digits − 50 to cancellation
            # (the check above). P = digits + gap leaves 50 + gap digits of the loss: 50 of a gradient
            # 10^-gap of it, against the 30 asserted (the worst point here agrees to 10^-70).
            with mpmath.workdps(digits + gap):
                numeric = mpmath.diff(
                    lambda t, leaf=leaf, at=leaves: forward(g1, g2, loss, **{**at, leaf: t})[1], leaves[leaf]
                )
                assert abs(numeric - grad[leaf]) <= abs(grad[leaf]) * mpmath.mpf(10) ** -30, (leaf, point)
            differentiated += 1
    assert differentiated >= 10


# -- Value, micrograd-style, past saturation -------------------------------------------------------


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
@pytest.mark.parametrize("z", [0.5, 20.0, 40.0, 90.0, 350.0, 700.0, -0.5, -40.0, -350.0, -700.0])
def test_value_local_derivative(name, z):
    v = Value(z)
    getattr(v, name)().backward()
    with mpmath.workdps(DIGITS):  # no cancellation in σ′ or sech² as written above
        expected = FUNCTIONS[name][1](mpmath.mpf(z))
    assert not (why := problems(v.grad, expected)), (name, z, v.grad, why)


@pytest.mark.parametrize("y", [0.0, 1.0])
@pytest.mark.parametrize("g1,g2", list(itertools.product(["sigmoid", "tanh"], repeat=2)))
def test_value_seed_network_past_saturation(g1, g2, y):
    """½(a₂ − y*)² through Value. With y* = 0 nothing cancels, so every gradient must keep its
    precision through both saturated activations; with y* = 1, a₂ − 1 needs more than a double."""
    failures = []
    for point, (_, grad, _) in cases(g1, g2, "quadratic"):
        if point["y"] != y:
            continue
        x, w1, w2 = Value(point["x"]), Value(point["w1"]), Value(point["w2"])
        a1 = getattr(w1 * x, g1)()
        loss = 0.5 * (getattr(w2 * a1, g2)() - y) ** 2
        loss.backward()
        for name, v in (("x", x), ("w1", w1), ("w2", w2)):
            if why := problems(v.grad, grad[name]):
                failures.append((f"Value ∂Loss/∂{name}", point, v.grad, grad[name], why))
    assert not failures, report(failures)

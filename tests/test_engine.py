import math
import random
import re
import warnings

import pytest
from helpers import COMBOS, SAFE, SEED_EDGES, close, finite_differences, network, safe_point, seed_oracle

from graphviz_nn import engine, graph, ops
from graphviz_nn.errors import NNError


def test_seed_network_ids_kinds_and_order(seed):
    assert list(seed) == ["x", "w1", "z1", "a1", "w2", "z2", "a2", "y", "loss"]
    kinds = dict(seed.nodes(data="kind"))
    assert kinds == {
        "x": "input",
        "w1": "parameter",
        "z1": "operation",
        "a1": "operation",
        "w2": "parameter",
        "z2": "operation",
        "a2": "operation",
        "y": "target",
        "loss": "loss",
    }
    assert seed.nodes["y"]["label"] == "y*" and seed.nodes["loss"]["label"] == "Loss"
    assert seed.nodes["w1"]["label"] == "w₁"


def test_closed_forms_sigmoid_quadratic():
    rng = random.Random(1)
    for _ in range(50):
        x, y, w1, w2 = rng.uniform(-3, 3), rng.choice([0.0, 1.0]), rng.uniform(-2, 2), rng.uniform(-2, 2)
        g = engine.propagate(graph.seed_network(x=x, y=y, w1=w1, w2=w2))
        a1 = 1 / (1 + math.exp(-w1 * x))
        a2 = 1 / (1 + math.exp(-w2 * a1))
        grad_w2 = (a2 - y) * a2 * (1 - a2) * a1
        grad_w1 = (a2 - y) * a2 * (1 - a2) * w2 * a1 * (1 - a1) * x
        assert close(g.nodes["a1"]["value"], a1) and close(g.nodes["a2"]["value"], a2)
        assert close(g.nodes["w2"]["grad"], grad_w2) and close(g.nodes["w1"]["grad"], grad_w1)
        assert g.graph["alpha"] == 0.5  # the exercise's learning rate
        assert close(g.nodes["w1"]["updated"], w1 - 0.5 * grad_w1)
        assert close(g.nodes["w2"]["updated"], w2 - 0.5 * grad_w2)


def check_against_sympy(g, oracle, point):
    """Every value, ∂Loss/∂node, local derivative and edge gradient of a seed network against SymPy."""
    values, grads, locals_ = oracle(point)
    for node, expected in values.items():
        assert close(g.nodes[node]["value"], expected), ("value", node, point, g.nodes[node]["value"], expected)
    for node, expected in grads.items():
        assert close(g.nodes[node]["grad"], expected), ("grad", node, point, g.nodes[node]["grad"], expected)
    assert sorted(g.edges) == sorted(SEED_EDGES)
    for (u, v), expected in locals_.items():
        edge = g.edges[u, v]
        assert close(edge["local"], expected), ("local", u, v, point, edge["local"], expected)
        # in the seed network each node feeds exactly one other, so its one edge carries all of ∂Loss/∂u
        assert close(edge["grad"], grads[u]), ("edge grad", u, v, point, edge["grad"], grads[u])


@pytest.mark.parametrize("g1,g2,loss", COMBOS)
def test_every_combination_against_sympy_and_finite_differences(g1, g2, loss):
    rng = random.Random(f"{g1}-{g2}-{loss}")  # a str seed is the same in every process; hash() is not
    oracle = seed_oracle(g1, g2, loss)
    for point in [SAFE] + [safe_point(rng) for _ in range(3)]:
        g = network(g1, g2, loss, **point)
        check_against_sympy(g, oracle, point)
        inside = loss == "quadratic" or 0 < point["y"] < 1  # a step in y must stay a valid target
        numeric = finite_differences(
            lambda p=point, **o: graph.seed_network(g1=g1, g2=g2, loss=loss, **{**p, **o}),
            ["x", "w1", "w2"] + ["y"] * inside,
        )
        for leaf, expected in numeric.items():
            assert math.isclose(g.nodes[leaf]["grad"], expected, rel_tol=1e-5, abs_tol=1e-8), leaf


def test_fan_out_gradients_add_up():
    g = graph.new_graph(alpha=0.1)
    graph.add_leaf(g, "a", "parameter", 3.0)
    graph.add_op(g, "b", "mul", ["a", "a"])  # one edge, two argument slots
    graph.add_op(g, "c", "sigmoid", ["a"])
    graph.add_op(g, "loss", "add", ["b", "c"], kind="loss")
    engine.propagate(g)
    s = 1 / (1 + math.exp(-3.0))
    assert g.edges["a", "b"]["local"] == 6.0
    assert close(g.nodes["a"]["grad"], 6.0 + s * (1 - s))


def test_activations_stable_far_out():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for z in (-1e6, -800.0, 800.0, 1e6):
            for name in ("sigmoid", "softplus", "tanh"):
                assert math.isfinite(ops.OPS[name].forward(z))
        assert ops.sigmoid(1e6) == 1.0 and ops.sigmoid(-1e6) == 0.0
        assert ops.softplus(1e6) == 1e6 and ops.softplus(-1e6) == 0.0


def test_relu_derivative_at_zero_is_zero():
    assert ops.OPS["relu"].local(0.0, 0.0) == (0.0,)
    assert ops.OPS["leaky_relu"].local(0.0, 0.0) == (ops.LEAKY_SLOPE,)


@pytest.mark.parametrize("name", sorted(ops.OPS))
def test_numeric_partials_match_their_templates(name):
    """The numeric local derivative and the course-form template of each op say the same thing."""
    from graphviz_nn import expr

    op = ops.OPS[name]
    inputs = [0.3, 0.7][: op.arity]
    const = [2.0] if op.has_const else []
    out = op.forward(*inputs, *const)
    env = dict(zip(op.input_names, inputs, strict=True)) | {"a": out, "c": 2.0}
    funcs = {
        "sigmoid": ops.sigmoid,
        "softplus": ops.softplus,
        "tanh": math.tanh,
        "exp": math.exp,
        "log": math.log,
        "Heaviside": lambda z: 1.0 if z > 0 else 0.0,
        "relu": lambda z: max(z, 0.0),
        "leaky_relu": lambda z: z if z > 0 else 0.01 * z,
    }

    def evaluate(e):
        match e:
            case expr.Num(value=v):
                return v
            case expr.Name(id=n):
                return env[n]
            case expr.Neg(operand=o):
                return -evaluate(o)
            case expr.Call(func=f, args=args):
                return funcs[f](*map(evaluate, args))
            case expr.BinOp(op=o, left=a, right=b):
                x, y = evaluate(a), evaluate(b)
                return {"+": x + y, "-": x - y, "*": x * y, "/": x / y, "**": x**y if o == "**" else 0}[o]

    assert close(evaluate(op.form_expr), out)
    for partial, template in zip(op.local(*inputs, *const, out), op.local_exprs, strict=True):
        assert close(evaluate(template), partial)


@pytest.mark.parametrize(
    "values,message",
    [
        ({"w1": 1e308, "x": 10.0}, "overflows"),
        ({"loss": "cross_entropy", "y": 2.0}, "target y* in [0, 1]"),
        ({"loss": "cross_entropy", "g2": "relu", "w2": 9.0}, "strictly between 0 and 1"),
    ],
)
def test_impossible_inputs_raise(values, message):
    with pytest.raises(NNError, match=re.escape(message)):
        engine.propagate(graph.seed_network(**values))


def test_unknown_names_list_the_choices():
    with pytest.raises(NNError, match=r"unknown activation 'sigmod' \(choose from: identity, leaky_relu"):
        graph.seed_network(g1="sigmod")
    with pytest.raises(NNError, match="unknown loss 'mse'"):
        graph.seed_network(loss="mse")


def test_every_op_takes_one_or_two_graph_inputs():
    """Value.backward unrolls its loop for at most two inputs."""
    assert {op.arity for op in ops.OPS.values()} == {1, 2}


@pytest.mark.parametrize("g1,g2,loss", [c for c in COMBOS if c[2] == "quadratic" or c[1] == "sigmoid"])
def test_wide_inputs_agree_with_sympy_to_1e9(g1, g2, loss):
    """Inputs over a wide range, not just near the defaults; cross-entropy with a sigmoid output is
    defined everywhere, so it is checked over the same range."""
    rng = random.Random(f"{g1}{g2}{loss}")
    oracle = seed_oracle(g1, g2, loss)
    for _ in range(3):
        point = {
            "x": rng.uniform(-3, 3),
            "y": rng.choice([0.0, 1.0, rng.random()]),
            "w1": rng.uniform(-3, 3),
            "w2": rng.uniform(-3, 3),
        }
        check_against_sympy(engine.propagate(graph.seed_network(g1=g1, g2=g2, loss=loss, **point)), oracle, point)


def test_cross_entropy_refusals_are_justified():
    """Where cross-entropy refuses, the prediction really is outside (0, 1)."""
    rng = random.Random(5)
    refused = 0
    for _ in range(200):
        point = {"x": rng.uniform(-3, 3), "w1": rng.uniform(-3, 3), "w2": rng.uniform(-3, 3), "y": 1.0}
        g2 = rng.choice(["relu", "identity", "softplus", "tanh", "leaky_relu"])
        try:
            engine.propagate(graph.seed_network(g2=g2, loss="cross_entropy", **point))
        except NNError:
            refused += 1
            a2 = engine.propagate(graph.seed_network(g2=g2, **point)).nodes["a2"]["value"]
            assert not 0 < a2 < 1
    assert 0 < refused < 200

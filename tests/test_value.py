import math
import random

import networkx as nx
import pytest

import graphviz_nn
from graphviz_nn import Value, engine, examples, graph, trace


def micrograd_readme(a_data=-4.0, b_data=2.0, labels=False):
    a, b = Value(a_data, label="a", kind="parameter"), Value(b_data, label="b", kind="parameter")
    name = (lambda v, n: setattr(v, "label", n) or v) if labels else (lambda v, n: v)
    c = name(a + b, "c")
    d = name(a * b + b**3, "d")
    c = name(c + (c + 1), "c2")
    c = name(c + (1 + c + (-a)), "c3")
    d = name(d + (d * 2 + (b + a).relu()), "d2")
    d = name(d + (3 * d + (b - a).relu()), "d3")
    e = name(c - d, "e")
    f = name(e**2, "f")
    g = name(f / 2.0, "h")
    g = name(g + 10.0 / f, "g")
    return a, b, g


def test_micrograd_readme_numbers():
    a, b, g = micrograd_readme()
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338" and f"{b.grad:.4f}" == "645.5773"


EXPRESSIONS = {
    "relu and powers": lambda a, b, c: (a * b + c**3).relu() + (a - b).relu() * 2,
    "division both ways": lambda a, b, c: a / b + 10.0 / (c * c + 1) - b / 4,
    "reuse and +=": lambda a, b, c: _accumulate(a, b, c),
    "reflected numbers": lambda a, b, c: 2 * a + 1 - b - (3 - c) * 0.5 + (1 / (a * a + 1)),
    "exp log tanh sigmoid": lambda a, b, c: a.tanh() * b.sigmoid() + (c * c + 1).log() * (a * 0.1).exp(),
    "negation and squares": lambda a, b, c: -((a - c) ** 2) / 2 + (-b) * a,
}


def _accumulate(a, b, c):
    total = a * b
    total += total * c + a  # a appears three times; total is reused
    total += a * a
    return total * total


def _value(fn, *xs):
    return fn(*(Value(x) for x in xs)).data


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_expressions_against_central_finite_differences(name):
    fn = EXPRESSIONS[name]
    rng = random.Random(name)
    for _ in range(5):
        point = [rng.uniform(0.3, 1.7) * rng.choice([-1, 1]) for _ in range(3)]
        inputs = [Value(x, label=n) for x, n in zip(point, "abc", strict=True)]
        out = fn(*inputs)
        out.backward()
        for i, v in enumerate(inputs):
            h = 1e-6 * max(1.0, abs(point[i]))
            up, down = list(point), list(point)
            up[i] += h
            down[i] -= h
            numeric = (_value(fn, *up) - _value(fn, *down)) / (2 * h)
            assert math.isclose(v.grad, numeric, rel_tol=1e-5, abs_tol=1e-7), (name, i, v.grad, numeric)
        traced = trace(out)
        for v in inputs:  # the engine on the traced graph agrees with Value.backward exactly
            assert math.isclose(traced.nodes[v.label]["grad"], v.grad, rel_tol=1e-12, abs_tol=1e-15)


def test_trace_ids_are_stable_and_readable():
    first = trace(micrograd_readme()[2])
    second = trace(micrograd_readme()[2])
    assert list(first) == list(second)
    assert list(first)[:5] == ["a", "b", "n1", "n2", "n3"]
    assert first.nodes["n2"]["label"] == "a·b" and first.nodes["n4"]["label"] == "a·b + b³"
    assert first.nodes["n7"]["label"] == "n₇"  # too long to write out: a short name a person would use
    assert nx.is_directed_acyclic_graph(first)


def test_a_traced_expression_and_the_equivalent_spec_give_the_same_graph():
    traced = trace(micrograd_readme(labels=True)[2])
    from_spec = engine.propagate(examples.load("micrograd-readme"))
    assert list(traced) == list(from_spec)
    assert list(traced.edges(data="args")) == list(from_spec.edges(data="args"))
    for node in traced:
        a, b = traced.nodes[node], from_spec.nodes[node]
        assert (a.get("op"), a.get("const"), a["kind"]) == (b.get("op"), b.get("const"), b["kind"]), node
        assert a["value"] == b["value"] and a["grad"] == b["grad"], node


def test_graph_draws_itself_and_shows_in_jupyter():
    g = trace(micrograd_readme()[2])
    bundle = g._repr_mimebundle_()
    assert "image/svg+xml" in bundle and "<svg" in bundle["image/svg+xml"]


def test_deep_graphs_need_no_recursion():
    x = Value(0.5, label="x")
    v = x
    for _ in range(20_000):
        v = (v * 0.999).tanh()
    v.backward()
    assert math.isfinite(x.grad) and x.grad != 0


def test_bad_uses_fail_clearly():
    with pytest.raises(graphviz_nn.errors.NNError, match="needs a positive base"):
        Value(-2.0) ** Value(3.0)
    with pytest.raises(graphviz_nn.errors.NNError, match="needs a positive number"):
        0 ** Value(3.0)
    with pytest.raises(TypeError):
        "2" ** Value(3.0)
    with pytest.raises(TypeError, match="needs a number"):
        Value("3")
    with pytest.raises(graphviz_nn.errors.NNError, match="bare leaf"):
        trace(Value(1.0))


def test_frames_refuse_huge_graphs_with_a_clear_error():
    from graphviz_nn import frames

    v = Value(1.0, label="x")
    for _ in range(200):
        v = v * 1.01
    with pytest.raises(graphviz_nn.errors.NNError, match="frames are limited to 150"):
        frames.prepare(trace(v))


def test_parameters_are_updated_by_gradient_descent():
    w = Value(0.5, label="w", kind="parameter")
    g = trace((w * 3.0 - 1.0) ** 2, alpha=0.1)
    assert g.nodes["w"]["updated"] == pytest.approx(0.5 - 0.1 * 2 * (1.5 - 1.0) * 3.0)
    assert graph.parameters(g) == ["w"]

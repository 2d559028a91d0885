"""derive beyond the exercise: long and branching graphs node by node in linear work, the limits and
their errors, numbers plugged into the answers, and `derive -o` leaving nothing behind on failure."""

import json
import math
import sys

import networkx as nx
import pytest
import sympy as sp
from click.testing import CliRunner
from helpers import ELEMENTARY, deadline

from graphviz_nn import answers, engine, examples, forms, graph, notation, spec, symbolic
from graphviz_nn.cli import main
from graphviz_nn.texts import Texts


def tanh_chain(layers: int) -> dict:
    """x → z1 = w1·x → a1 = tanh(z1) → ... → Loss: 3·layers + 3 nodes."""
    nodes, previous = {}, "x"
    for i in range(1, layers + 1):
        nodes[f"z{i}"], nodes[f"a{i}"] = f"w{i} * {previous}", f"tanh(z{i})"
        previous = f"a{i}"
    nodes["loss"] = f"quadratic({previous}, y)"
    weights = {f"w{i}": 0.9 if i % 2 else -0.8 for i in range(1, layers + 1)}
    return {"inputs": {"x": 0.5}, "parameters": weights, "targets": {"y": 0.3}, "nodes": nodes}


def squaring_ladder(steps: int) -> dict:
    """x1 = w·x0, x2 = x1·x1, ...: one path, but the loss in the leaves doubles with every step."""
    nodes = {"x1": "w * x0", **{f"x{i}": f"x{i - 1} * x{i - 1}" for i in range(2, steps + 1)}}
    nodes["loss"] = f"quadratic(x{steps}, y)"
    return {"inputs": {"x0": 1.0}, "parameters": {"w": 1.0}, "targets": {"y": 0.5}, "nodes": nodes}


GRAPHS = {
    "chain 12": lambda: examples.load("chain", 12),
    "tanh chain 20": lambda: spec.from_dict(tanh_chain(20)),
    "squaring ladder 25": lambda: spec.from_dict(squaring_ladder(25)),
    "micrograd-readme": lambda: examples.load("micrograd-readme"),
}


def evaluate(text: str, values: dict[str, float], grads: dict[str, float], name: str) -> float:
    """One of derive's JSON expressions (our own output, never user input) at the engine's numbers,
    with grad(c) standing for ∂out/∂c."""
    names = {n: sp.Symbol(n) for n in values}
    functions = {f: sp.Function(f) for f in ("sigmoid", "softplus", "relu", "leaky_relu", name)}
    expr = sp.sympify(text, locals={**names, **functions, "Heaviside": sp.Heaviside})
    expr = expr.replace(functions[name], lambda node: sp.Float(grads[node.name], 30))
    for f in ("sigmoid", "softplus", "relu", "leaky_relu"):
        expr = expr.replace(functions[f], ELEMENTARY[f])
    return float(expr.xreplace({names[n]: sp.Float(v, 30) for n, v in values.items()}))


@pytest.mark.parametrize("which", GRAPHS)
def test_long_and_branching_graphs_go_node_by_node_and_agree_with_the_engine(which):
    g = engine.propagate(GRAPHS[which]())
    with deadline(60):
        d = symbolic.derive(g)
        data = json.loads(answers.as_json(d))
    assert data["mode"] == "nodes" and not d.by_paths
    values = {n: v for n, v in g.nodes(data="value")}
    grads, name = {graph.output(g): 1.0}, data["gradient"]
    for node, text in data["backward"].items():  # from the output down: every grad(c) is known
        grads[node] = evaluate(text, values, grads, name)
        assert math.isclose(grads[node], g.nodes[node]["grad"], rel_tol=1e-9, abs_tol=1e-300), node
    for p in graph.parameters(g):
        assert data["gradients"][p]["expression"] == data["backward"][p]
        assert data["update"][p] == f"{p} - alpha*{name}({p})"
    markdown = answers.markdown(d).splitlines()
    assert any(line.startswith("## 3. The chain rule node by node, as backprop computes it") for line in markdown)


def test_path_counts_are_counted_not_enumerated():
    g = examples.load("micrograd-readme")
    d = symbolic.derive(g)
    for p in ("a", "b"):
        assert d.gradients[p].count == len(list(nx.all_simple_paths(g, p, "g")))  # 30 and 30: small enough here
    ladder = symbolic.derive(spec.from_dict(squaring_ladder(25)))
    assert ladder.gradients["w"].count == 1 and ladder.gradients["w"].factors_in_all == 26


def test_derive_work_grows_linearly_and_never_factors_a_large_product(monkeypatch):
    """Count the work instead of timing it: no path is ever enumerated by networkx, SymPy only
    simplifies bounded products, and twice the layers cost about twice the local partials."""
    sizes: list[int] = []
    tidy = symbolic.tidy

    def counted_tidy(e):
        sizes.append(len(sp.Mul.make_args(e)) if not e.is_Add else sum(len(sp.Mul.make_args(t)) for t in e.args))
        return tidy(e)

    def refuse(*_, **__):
        raise AssertionError("derive enumerated every path")

    calls = {"edge_form": 0}
    edge_form = forms.edge_form

    def counted_edge_form(*args):
        calls["edge_form"] += 1
        return edge_form(*args)

    monkeypatch.setattr(symbolic, "tidy", counted_tidy)
    monkeypatch.setattr(nx, "all_simple_paths", refuse)
    monkeypatch.setattr(forms, "edge_form", counted_edge_form)
    work = {}
    for layers in (6, 12):
        calls["edge_form"] = 0
        with deadline(60):
            d = symbolic.derive(examples.load("chain", layers))
            answers.markdown(d), answers.as_json(d)
        work[layers] = calls["edge_form"]
    assert work[12] <= 2.3 * work[6], work
    cross_entropy = examples.chain(12)
    cross_entropy["nodes"]["loss"] = "cross_entropy(a12, y)"  # cancels near the output: SymPy at work
    with deadline(60):
        for g in (GRAPHS["tanh chain 20"](), GRAPHS["squaring ladder 25"](), spec.from_dict(cross_entropy)):
            d = symbolic.derive(g)
            answers.markdown(d), answers.latex(d), answers.as_json(d)
    assert sizes and max(sizes) <= symbolic.MAX_NOTE_FACTORS


def test_the_loss_in_the_leaves_is_left_out_when_too_long_or_too_deep():
    ladder = symbolic.derive(spec.from_dict(squaring_ladder(25)))
    # x1 = w·x0 has 3 symbols, each squaring doubles them plus one; ½(x25 − y*)² adds six more.
    symbols = 3
    for _ in range(24):
        symbols = 2 * symbols + 1
    assert ladder.loss is None and ladder.loss_extent.size == symbols + 6
    text = answers.markdown(ladder)
    assert f"- Loss = ½(x₂₅ − y*)² (too long to write in the leaves alone: {symbols + 6:,} symbols, nested" in text
    assert json.loads(answers.as_json(ladder))["loss"] is None
    deep = symbolic.derive(spec.from_dict(tanh_chain(20)))
    assert deep.loss is None and deep.loss_extent.depth > symbolic.MAX_LOSS_DEPTH
    # micrograd's: short enough, but a fraction of dozens of symbols is one box wider than a line
    micrograd = symbolic.derive(examples.load("micrograd-readme"))
    assert micrograd.loss is None and micrograd.loss_extent.fraction > symbolic.MAX_FRACTION_SIZE
    shallow = symbolic.derive(examples.load("chain", 12))
    assert shallow.loss is not None and "σ(w₁₂·σ(w₁₁·σ(" in answers.markdown(shallow)


def test_a_chain_at_the_node_limit_needs_little_recursion():
    """The printers and SymPy recurse; derive keeps every expression it builds shallow."""
    g = engine.propagate(spec.from_dict(tanh_chain(49)))
    assert g.number_of_nodes() == symbolic.MAX_NODES
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(400)  # pytest's own frames included
    try:
        d = symbolic.derive(g)
        texts = (answers.markdown(d, Texts(g)), answers.as_json(d), answers.latex(d))
    finally:
        sys.setrecursionlimit(limit)
    assert all(texts)


def test_graphs_over_the_node_limit_are_refused_with_one_clear_error(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(spec.dumps(tanh_chain(50)))
    target = tmp_path / "new" / "answers.md"
    result = CliRunner().invoke(main, ["derive", "--spec", str(path), "-o", str(target)])
    assert result.exit_code == 2
    assert (
        result.output.startswith(f"Error: derive writes graphs of up to {symbolic.MAX_NODES} nodes; this one has 153")
        and "inspect" in result.output
    )
    assert len(result.output.splitlines()) == 1 and not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--spec", "missing.toml"], "Error: spec file 'missing.toml' does not exist"),
        (["--format", "markdown", "--standalone"], "Error: --standalone goes with --format latex"),
        (["--format", "json", "--numbers"], "Error: --numbers goes with --format markdown or latex"),
        (["--digits", "5"], "Error: --digits goes with --numbers"),
        (["--g2", "relu", "--loss", "cross_entropy", "--numbers"], "Error: loss: cross_entropy needs"),
    ],
)
def test_derive_refusals_leave_nothing_on_disk(tmp_path, args, message):
    target = tmp_path / "new" / "sub" / "answers.md"
    result = CliRunner().invoke(main, ["derive", *args, "-o", str(target)])
    assert result.exit_code == 2 and result.output.startswith(message), result.output
    assert len(result.output.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_derive_output_format_follows_the_extension(tmp_path):
    runner = CliRunner()
    for name, start in (("a.tex", r"\begin{enumerate}"), ("a.json", "{"), ("a.md", "# Backpropagation by hand")):
        result = runner.invoke(main, ["derive", "-o", str(tmp_path / "out" / name)])
        assert result.exit_code == 0 and (tmp_path / "out" / name).read_text().startswith(start)
    result = runner.invoke(main, ["derive", "-o", str(tmp_path / "other" / "a.pdf")])
    assert result.exit_code == 2 and "cannot tell the format of" in result.output
    assert not (tmp_path / "other").exists()
    result = runner.invoke(main, ["derive", "--standalone", "-o", str(tmp_path / "doc.tex")])
    assert result.exit_code == 0 and (tmp_path / "doc.tex").read_text().startswith(r"\documentclass")


# -- numbers ---------------------------------------------------------------------------------------


def sigma(z):
    return 1 / (1 + math.exp(-z))


@pytest.mark.parametrize("digits", [3, 5])
def test_numbers_plug_the_forward_values_into_the_answer_key(digits):
    """Closed forms of the default network, written by the one display policy."""
    g = engine.propagate(graph.seed_network())
    x, y, w1, w2 = (g.nodes[n]["value"] for n in ("x", "y", "w1", "w2"))
    a1 = sigma(w1 * x)
    a2 = sigma(w2 * a1)
    factors = (a2 - y, a2 * (1 - a2), a1)

    def n(v):
        return notation.operand(notation.number(v, digits), v)

    text = answers.markdown(symbolic.derive(g), Texts(g, digits)).splitlines()
    product = f"{n(factors[0])}·{n(factors[1])}·{n(factors[2])}"
    expected = f"- ∂Loss/∂w₂ = (a₂ − y*)·a₂(1 − a₂)·a₁ = {product} = {notation.number(math.prod(factors), digits)}"
    assert expected in text
    assert f"- ∂a₂/∂z₂ = σ′(z₂) = a₂(1 − a₂) = {n(a2)}·(1 − {n(a2)}) = {notation.number(factors[1], digits)}" in text
    assert f"- a₁ = σ(z₁) = σ({notation.number(w1 * x, digits)}) = {notation.number(a1, digits)}" in text
    assert text[2] == "With x = 1, w₁ = 0.5, w₂ = −1.2, y* = 1 and α = 0.5."


@pytest.mark.parametrize("which", ["chain 12", "micrograd-readme"])
def test_every_gradient_line_with_numbers_ends_in_the_engines_value(which):
    g = engine.propagate(GRAPHS[which]())
    texts = Texts(g)
    lines = answers.markdown(symbolic.derive(g), texts).splitlines()
    checked = 0
    for node in g:
        symbol = texts.nodes[node].grad_symbol
        for line in lines:
            if line.startswith(f"- {symbol} = ") and texts.nodes[node].grad is not None:
                assert line.endswith(f" = {texts.nodes[node].grad}"), line
                checked += 1
    assert checked > len(graph.parameters(g))

import io as stdio
import json
import math
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import close, finite_differences, parse
from PIL import Image

from graphviz_nn import (
    Value,
    answers,
    engine,
    examples,
    graph,
    notation,
    runner,
    spec,
    steps,
    symbolic,
    to_digraph,
    trace,
)
from graphviz_nn.cli import main
from graphviz_nn.texts import Texts

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", sorted(examples.EXAMPLES))
def test_each_example_renders_and_agrees_with_finite_differences(name):
    g = engine.propagate(examples.load(name))
    png = runner.pipe(to_digraph(g, dpi=40).source, "png")
    assert Image.open(stdio.BytesIO(png)).width > 200
    leaves = [n for n in g if "op" not in g.nodes[n]]
    data = examples.get(name)

    def rebuild(**overrides):
        changed = {
            k: ({**v, **{n: overrides[n] for n in v if n in overrides}} if isinstance(v, dict) else v)
            for k, v in data.items()
        }
        return spec.from_dict(changed, name)

    numeric = finite_differences(rebuild, leaves)
    for leaf in leaves:
        assert math.isclose(g.nodes[leaf]["grad"], numeric[leaf], rel_tol=1e-5, abs_tol=1e-7), (name, leaf)


@pytest.mark.parametrize("name", sorted(examples.EXAMPLES))
def test_shipped_spec_files_match_the_built_in_examples(name):
    shipped = (ROOT / "examples" / f"{name}.toml").read_text()
    printed = CliRunner().invoke(main, ["examples", "--show", name]).output
    assert shipped == printed, f"regenerate with: graphviz-nn examples --show {name} > examples/{name}.toml"


def test_the_exercise_spec_is_the_seed_network():
    from_spec = engine.propagate(spec.load(ROOT / "examples" / "exercise.toml"))
    seed = engine.propagate(graph.seed_network())
    assert dict(from_spec.nodes(data=True)) == dict(seed.nodes(data=True))  # same graph, other insertion order
    assert sorted(from_spec.edges(data=True)) == sorted(seed.edges(data=True))


# micrograd-readme has 30 paths: derive writes it node by node, checked in test_derive.py
@pytest.mark.parametrize("name", ["two-input-neuron", "2-2-1", "tied-weights", "chain"])
def test_derive_works_for_examples_and_agrees_with_the_engine(name):
    g = engine.propagate(examples.load(name))
    data = json.loads(answers.as_json(symbolic.derive(g)))
    assert data["mode"] == "paths"
    values = {n: d["value"] for n, d in g.nodes(data=True)}
    for p, grad in data["gradients"].items():
        expr = parse(grad["expression"])
        got = float(expr.evalf(30, subs={s: values[s.name] for s in expr.free_symbols}))
        assert math.isclose(got, g.nodes[p]["grad"], rel_tol=1e-9, abs_tol=1e-12), (name, p)


def test_fan_out_is_a_sum_in_the_diagram_the_frames_and_derive():
    g = engine.propagate(examples.load("tied-weights"))
    # Closed forms of Loss = ½(σ(w·σ(w·x)) − y)²: one term per use of w, and their sum.
    x, w, y = 1.0, 0.8, 1.0
    a1 = 1 / (1 + math.exp(-w * x))
    a2 = 1 / (1 + math.exp(-w * a1))
    via_z2 = (a2 - y) * a2 * (1 - a2) * a1
    via_z1 = (a2 - y) * a2 * (1 - a2) * w * a1 * (1 - a1) * x
    assert [g.nodes[n]["value"] for n in ("x", "w", "y")] == [x, w, y]
    assert close(g.edges["w", "z2"]["grad"], via_z2) and close(g.edges["w", "z1"]["grad"], via_z1)
    assert close(g.nodes["w"]["grad"], via_z1 + via_z2)
    contributions = [g.edges["w", "z1"]["grad"], g.edges["w", "z2"]["grad"]]
    source = to_digraph(g).source
    for c in contributions:
        assert f"← {notation.number(c)}" in source
    captions = [line for s in steps.sequence(Texts(g)) for line in s.lines]
    total = notation.number(g.nodes["w"]["grad"])
    # z2 is nearer the loss, so its contribution arrives first; the second completes the sum.
    assert any(
        line.startswith("gradient: ∂Loss/∂w = ∂Loss/∂z₂ · ∂z₂/∂w + ∂Loss/∂z₁ · ∂z₁/∂w = ") and f"= {total}" in line
        for line in captions
    ), captions
    assert any("contribution 1 of 2" in line for line in captions)
    derivation = json.loads(answers.as_json(symbolic.derive(g)))
    assert len(derivation["gradients"]["w"]["paths"]) == 2


def test_examples_command_lists_every_example():
    output = CliRunner().invoke(main, ["examples"]).output
    assert [line.split()[0] for line in output.splitlines()] == list(examples.EXAMPLES)


def test_a_large_traced_graph_renders():
    rng = random.Random(3)
    xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(8)]
    layer = xs
    for _ in range(3):
        layer = [
            sum(
                (w * x for w, x in zip([Value(rng.uniform(-1, 1)) for _ in layer], layer, strict=True)), Value(0.0)
            ).tanh()
            for _ in range(8)
        ]
    out = sum(layer, Value(0.0))
    g = trace(out)
    assert g.number_of_nodes() > 500
    svg = runner.pipe(to_digraph(g).source, "svg").decode()
    drawn = re.findall(r'class="node">\s*<title>([^<]*)</title>', svg)
    assert sorted(n for n in drawn if not n.startswith(graph.INTERNAL)) == sorted(g)  # each node once

"""derive on the exercise's network: the answers for every activation × loss, checked against SymPy
(differentiated once per combination, evaluated in mpmath) and the engine; the pinned text of the
answer key; the command line's formats and refusals."""

import functools
import json
import random

import mpmath
import pytest
from click.testing import CliRunner
from helpers import COMBOS, composed, evaluator, leaf_gradient, network, parse, safe_point

from graphviz_nn import answers, graph, symbolic
from graphviz_nn.cli import main


@functools.cache
def derived(g1="sigmoid", g2="sigmoid", loss="quadratic"):
    return symbolic.derive(graph.seed_network(g1=g1, g2=g2, loss=loss))


def compiled(texts: dict, truth: dict):
    """Our own JSON expressions (never user input) and the oracle's forms, evaluated together."""
    exprs = {key: parse(text) for key, text in texts.items()} | truth
    symbols = sorted(set().union(*(e.free_symbols for e in exprs.values())), key=lambda s: s.name)
    f = evaluator(symbols, list(exprs.values()))

    def at(values):
        with mpmath.workdps(30):
            numbers = f(*(mpmath.mpf(values[s.name]) for s in symbols))
        return dict(zip(exprs, map(float, numbers), strict=True))

    return at


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-12


@pytest.mark.parametrize("g1,g2,loss", COMBOS)
def test_json_for_every_combination_agrees_with_sympy_and_the_engine(g1, g2, loss):
    data = json.loads(answers.as_json(derived(g1, g2, loss)))
    assert data["mode"] == "paths" and set(data["forward"]) == {"z1", "a1", "z2", "a2"}
    assert data["gradients"]["w2"]["chain"] == ["∂Loss/∂a2", "∂a2/∂z2", "∂z2/∂w2"]
    assert len(data["gradients"]["w1"]["chain"]) == 5
    texts = {("forward", n): t for n, t in data["forward"].items()}
    texts[("loss",)] = data["loss"]
    for w, grad in data["gradients"].items():
        texts[(w, "expression")], texts[(w, "simplified")] = grad["expression"], grad["simplified"]
        texts[(w, "update")] = data["update"][w]
    # The oracle: the composition written from scratch in helpers, differentiated there (once per
    # combination and weight, for these and the engine's tests).
    truth = {"true loss": composed(g1, g2, loss)["loss"]}
    truth |= {f"true {w}": leaf_gradient(g1, g2, loss, w) for w in ("w1", "w2")}
    at = compiled(texts, truth)
    rng = random.Random(7)
    for _ in range(2):
        point = safe_point(rng)
        g = network(g1, g2, loss, **point)
        got = at({**point, **{n: g.nodes[n]["value"] for n in ("z1", "a1", "z2", "a2")}, "alpha": 0.5})
        assert close(got[("loss",)], got["true loss"])
        for node in data["forward"]:
            assert close(got[("forward", node)], g.nodes[node]["value"]), node
        for w in ("w1", "w2"):
            for key in ("expression", "simplified"):
                assert close(got[(w, key)], got[f"true {w}"]), (w, key, got[(w, key)], got[f"true {w}"])
            assert close(got[(w, "expression")], g.nodes[w]["grad"])
            assert close(got[(w, "update")], g.nodes[w]["updated"])


def test_markdown_for_the_default_network_is_the_answer_key():
    text = answers.markdown(derived())
    for line in [
        "## 1. Forward pass",
        "- z₁ = w₁·x",
        "- a₁ = σ(z₁)",
        "- z₂ = w₂·a₁",
        "- a₂ = σ(z₂)",
        "- Loss = ½(σ(w₂·σ(w₁·x)) − y*)²",
        "- ∂Loss/∂w₂ = ∂Loss/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂w₂",
        "- ∂a₂/∂z₂ = σ′(z₂) = a₂(1 − a₂)",
        "- ∂Loss/∂w₂ = (a₂ − y*)·a₂(1 − a₂)·a₁",
        "- ∂Loss/∂w₁ = ∂Loss/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂a₁ · ∂a₁/∂z₁ · ∂z₁/∂w₁",
        "- ∂Loss/∂w₁ = (a₂ − y*)·a₂(1 − a₂)·w₂·a₁(1 − a₁)·x",
        "## 7. Gradient-descent update with step size α",
        "- w₁ ← w₁ − α·(a₂ − y*)·a₂(1 − a₂)·w₂·a₁(1 − a₁)·x",
    ]:
        assert line in text.splitlines(), line
    assert "## 8." not in text


def test_course_forms_of_each_activation_derivative():
    expected = {
        "sigmoid": "σ′(z₁) = a₁(1 − a₁)",
        "tanh": "tanh′(z₁) = 1 − a₁²",
        "softplus": "softplus′(z₁) = σ(z₁)",
        "relu": "ReLU′(z₁) = [z₁ > 0]",
    }
    for g1, form in expected.items():
        assert f"- ∂a₁/∂z₁ = {form}" in answers.markdown(derived(g1=g1))


def test_sigmoid_with_cross_entropy_cancels_and_the_update_uses_the_simplified_form():
    d = derived(loss="cross_entropy")
    text = answers.markdown(d).splitlines()
    assert "- ∂Loss/∂z₂ = a₂ − y* (the factors cancel)" in text
    assert json.loads(answers.as_json(d))["notes"] == {"z2": "a2 - y"}
    assert "- ∂Loss/∂w₂ = a₁(a₂ − y*) (after cancelling)" in text
    assert "- w₂ ← w₂ − α·a₁(a₂ − y*)" in text
    # Without a cancellation the update keeps the product as written (quadratic loss).
    assert "- w₂ ← w₂ − α·(a₂ − y*)·a₂(1 − a₂)·a₁" in answers.markdown(derived()).splitlines()


def test_markdown_has_no_ascii_minus_before_alpha_in_any_combination():
    for combo in COMBOS[::5]:
        text = answers.markdown(derived(*combo))
        assert " - α" not in text and " − α·" in text


def test_latex_is_plain_ascii_base_latex_that_can_break():
    text = answers.latex(derived(loss="cross_entropy"))
    assert text.isascii()
    assert text.count(r"\begin{enumerate}") == text.count(r"\end{enumerate}") == 1
    assert text.count("$") % 2 == 0 and text.count("{") == text.count("}")
    assert r"\operatorname" not in text and r"\usepackage" not in text  # base LaTeX only
    # TeX cannot break a line inside \left( ... \right): plain parentheses everywhere
    assert r"\left(" not in text and r"\sigma'(z_{2}) = \allowbreak a_{2} (1 - a_{2})" in text
    assert r"w_{2} \leftarrow w_{2} - \alpha \cdot a_{1} (a_{2} - y^{*})" in text


def test_derive_cli_formats_and_errors(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["derive", "--format", "json", "--g2", "tanh"])
    assert result.exit_code == 0 and json.loads(result.output)["forward"]["a2"] == "tanh(z2)"
    target = tmp_path / "answers.tex"
    result = runner.invoke(main, ["derive", "--format", "latex", "-o", str(target)])
    assert result.exit_code == 0 and target.read_text().startswith(r"\begin{enumerate}")
    result = runner.invoke(main, ["derive", "--g1", "sigmoidd"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: Invalid value for '--g1': unknown activation 'sigmoidd' (choose from: "
        "identity, leaky_relu, relu, sigmoid, softplus, tanh); did you mean 'sigmoid'?"
    )


def test_render_and_inspect_do_not_import_sympy():
    import subprocess
    import sys

    code = (
        "import sys; from graphviz_nn.cli import main; import graphviz_nn.diagram, graphviz_nn.steps;"
        "print('sympy' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"

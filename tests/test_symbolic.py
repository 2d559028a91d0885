import json
import math
import random
import shutil
import subprocess

import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import COMBOS, network, safe_point
from oracles import ELEMENTARY, W1, W2, X, Y, close, composed

from graphviz_nn import answers, graph, symbolic
from graphviz_nn.cli import main

# Parsing our own JSON output back (never user input) with the function names the format promises.
NAMES = {name: sp.Function(name) for name in ("sigmoid", "softplus", "relu", "leaky_relu")}
NAMES.update(tanh=sp.tanh, exp=sp.exp, log=sp.log, Heaviside=sp.Heaviside, x=X, y=Y, w1=W1, w2=W2)


def parse(text):
    expr = sp.sympify(text, locals=NAMES)
    for name, fn in NAMES.items():
        if isinstance(fn, sp.core.function.UndefinedFunction):
            expr = expr.replace(fn, lambda z, name=name: ELEMENTARY[name](z))
    return expr


@pytest.mark.parametrize("g1,g2,loss", COMBOS)
def test_json_for_every_combination_agrees_with_sympy_and_the_engine(g1, g2, loss):
    data = json.loads(answers.as_json(symbolic.derive(graph.seed_network(g1=g1, g2=g2, loss=loss))))
    assert set(data["forward"]) == {"z1", "a1", "z2", "a2"}
    assert data["gradients"]["w2"]["chain"] == ["∂Loss/∂a2", "∂a2/∂z2", "∂z2/∂w2"]
    assert len(data["gradients"]["w1"]["chain"]) == 5
    truth = composed(g1, g2, loss)
    loss_expr = parse(data["loss"])
    assert loss_expr.free_symbols <= {X, Y, W1, W2}
    rng = random.Random(7)
    for _ in range(2):
        point = safe_point(rng)
        subs = {X: point["x"], Y: point["y"], W1: point["w1"], W2: point["w2"]}
        g = network(g1, g2, loss, **point)
        values = {**point, **{n: g.nodes[n]["value"] for n in ("z1", "a1", "z2", "a2")}, "alpha": 0.5}

        def at(text, values=values):
            expr = parse(text)
            return float(expr.evalf(30, subs={s: values[s.name] for s in expr.free_symbols}))

        assert close(float(loss_expr.evalf(30, subs=subs)), float(truth["loss"].evalf(30, subs=subs)))
        for node, text in data["forward"].items():
            assert close(at(text), g.nodes[node]["value"])
        for w, sym in (("w1", W1), ("w2", W2)):
            expected = float(sp.diff(truth["loss"], sym).evalf(30, subs=subs))
            for key in ("expression", "simplified"):
                got = at(data["gradients"][w][key])
                assert close(got, expected, rel=1e-9, abs_=1e-12), (w, key, got, expected)
            assert close(got, g.nodes[w]["grad"])
            update = at(data["update"][w])
            assert close(update, g.nodes[w]["updated"])


def test_markdown_for_the_default_network_is_the_answer_key():
    text = answers.markdown(symbolic.derive(graph.seed_network()))
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
        assert f"- ∂a₁/∂z₁ = {form}" in answers.markdown(symbolic.derive(graph.seed_network(g1=g1)))


def test_sigmoid_with_cross_entropy_cancels_to_a2_minus_y():
    d = symbolic.derive(graph.seed_network(loss="cross_entropy"))
    assert "- ∂Loss/∂z₂ = a₂ − y* (the factors cancel)" in answers.markdown(d)
    assert json.loads(answers.as_json(d))["notes"] == {"z2": "a2 - y"}
    assert "∂Loss/∂w₂ = a₁(a₂ − y*) (after cancelling)" in answers.markdown(d)


def test_latex_is_plain_ascii_base_latex():
    text = answers.latex(symbolic.derive(graph.seed_network(loss="cross_entropy")))
    assert text.isascii()
    assert text.count(r"\begin{enumerate}") == text.count(r"\end{enumerate}") == 1
    assert text.count("$") % 2 == 0 and text.count("{") == text.count("}")
    assert r"\operatorname" not in text  # needs amsmath; only base LaTeX is used
    assert r"\sigma'(z_{2}) = a_{2} \left(1 - a_{2}\right)" in text


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
        "import sys; from graphviz_nn.cli import main; import graphviz_nn.render, graphviz_nn.steps;"
        "print('sympy' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_math_isclose_helper_is_strict():
    assert not close(1.0, 1.0 + 1e-8) and math.isfinite(1.0)


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="pdflatex is not installed (optional check)")
@pytest.mark.parametrize("g1,g2,loss", [("sigmoid", "sigmoid", "cross_entropy"), ("relu", "leaky_relu", "quadratic")])
def test_latex_compiles_in_a_plain_article(g1, g2, loss, tmp_path):
    body = answers.latex(symbolic.derive(graph.seed_network(g1=g1, g2=g2, loss=loss)))
    (tmp_path / "a.tex").write_text("\\documentclass{article}\\begin{document}\n" + body + "\\end{document}\n")
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "a.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:]

import pytest
from click.testing import CliRunner

from graphviz_nn import engine, graph, spec
from graphviz_nn.cli import main
from graphviz_nn.errors import NNError

GOOD = """
title = "neuron"
[inputs]
x1 = 2.0
[parameters]
w1 = -3.0
b = 1.0
[targets]
y = 1.0
[nodes]
z = "w1*x1 + b"
a = "tanh(z)"
loss = "quadratic(a, y)"
"""


def with_nodes(nodes: str, head: str = "[inputs]\nx = 1.0\n[parameters]\nw = 0.5\n[targets]\ny = 1.0\n") -> str:
    return head + "[nodes]\n" + nodes


@pytest.mark.parametrize(
    "text,message",
    [
        ("x = [", "spec is not valid TOML"),
        (
            with_nodes('z = "w * q"\nloss = "quadratic(z, y)"'),
            "spec: nodes.z: unknown name 'q' (names defined above: x, w, y)",
        ),
        (
            with_nodes('z = "swish(w)"\nloss = "quadratic(z, y)"'),
            "spec: nodes.z: unknown operation 'swish' (choose from:",
        ),
        (
            with_nodes('z = "sigmoid(w, x)"\nloss = "quadratic(z, y)"'),
            "spec: nodes.z: sigmoid takes 1 argument(s), got 2",
        ),
        (
            with_nodes('z = "quadratic(w)"\nloss = "quadratic(z, y)"'),
            "spec: nodes.z: quadratic takes 2 argument(s), got 1",
        ),
        (
            with_nodes('z = "w * loss"\nloss = "quadratic(z, y)"'),
            "spec: nodes.z: uses 'loss', which is not defined above",
        ),
        (with_nodes('z = "z + w"\nloss = "quadratic(z, y)"'), "spec: nodes.z: uses 'z', which is not defined above"),
        (with_nodes('z = "w * x"\nout = "quadratic(z, y)"'), "spec: no loss node"),
        (with_nodes('x = "w * 2"\nloss = "quadratic(x, y)"'), "spec: nodes.x: duplicate id 'x'"),
        ("[inputs]\nw = 1.0\n[parameters]\nw = 2.0", "spec: parameters.w: duplicate id 'w'"),
        ('[inputs]\nx = "one"', "spec: inputs.x must be a number, got 'one'"),
        ("[inputs]\nx = nan", "spec: inputs.x must be a finite number, got nan"),
        ("[inputs]\nx = true", "spec: inputs.x must be a number, got True"),
        ("alpha = inf", "spec: alpha must be a finite number"),
        ("colour = 1", "spec: unknown key 'colour' (allowed:"),
        (with_nodes('z = "w ** x"\nloss = "quadratic(z, y)"'), "spec: nodes.z: ** needs a number as exponent"),
        (with_nodes('z = 3\nloss = "quadratic(z, y)"'), "spec: nodes.z: expected an expression in quotes"),
        (with_nodes('z = "2 * 3"\nloss = "quadratic(z, y)"'), "spec: nodes.z: a node must compute something"),
        (
            with_nodes('z = "w * x"\nq = "w * 2"\nloss = "quadratic(z, y)"'),
            "spec: 'q' is not used on the way to the output",
        ),
        (
            with_nodes('sigmoid = "w * x"\nloss = "quadratic(sigmoid, y)"'),
            "spec: nodes.sigmoid: 'sigmoid' cannot be a name",
        ),
    ],
)
def test_every_error_names_the_key_and_the_problem(text, message):
    with pytest.raises(NNError) as caught:
        spec.loads(text)
    assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('os').system('touch pwned')",
        "w.__class__",
        "(lambda: 1)()",
        "w[0]",
        "'text'",
        "sigmoid(w, key=1)",
        "[w for w in x]",
        "w if x else y",
        "open('pwned', 'w')",
        "eval('1')",
    ],
)
def test_no_spec_can_run_code(payload, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NNError, match=r"not allowed|unknown operation|not a valid expression"):
        spec.loads(with_nodes(f'z = "{payload}"\nloss = "quadratic(z, y)"'))
    assert list(tmp_path.iterdir()) == []


def test_nested_expressions_make_readable_intermediates():
    g = engine.propagate(spec.loads(GOOD))
    assert list(g) == ["x1", "w1", "b", "y", "n1", "z", "a", "loss"]
    assert g.nodes["n1"]["label"] == "w₁·x₁" and g.nodes["n1"].get("inline")
    assert g.nodes["loss"]["kind"] == "loss" and g.graph["title"] == "neuron"


def test_constants_fold_into_one_node():
    g = spec.loads(with_nodes('z = "2 * w * x + 1"\nloss = "quadratic(z, y)"'))
    ops = [d["op"] for _, d in g.nodes(data=True) if "op" in d]
    assert ops == ["mul_const", "mul", "add_const", "quadratic"]
    assert g.nodes["z"]["const"] == 1.0


def test_spec_on_every_command(tmp_path):
    path = tmp_path / "neuron.toml"
    path.write_text(GOOD)
    runner = CliRunner()
    for args in (
        ["inspect", "--json"],
        ["derive", "--format", "json"],
        ["render", "-o", str(tmp_path / "n.svg")],
        ["animate", "-q", "--phase", "forward", "-o", str(tmp_path / "n.gif")],
        ["slides", "-q", "--phase", "forward", "-o", str(tmp_path / "n.pdf")],
    ):
        result = runner.invoke(main, [*args, "--spec", str(path)])
        assert result.exit_code == 0, (args, result.output)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--spec", "missing.toml"], "Error: spec file 'missing.toml' does not exist"),
        (["--spec", "{spec}", "--w1", "2"], "Error: --w1 sets the exercise's network; a spec or example sets its own"),
        (["--spec", "{spec}", "--example", "chain"], "Error: give --spec or --example, not both"),
        (
            ["--example", "chian"],
            "Error: unknown example 'chian' (choose from: 2-2-1, chain, exercise, micrograd-readme, "
            "tied-weights, two-input-neuron); did you mean 'chain'?",
        ),
        (["--layers", "3"], "Error: --layers goes with --example chain"),
        (
            ["--example", "chain", "--layers", "40"],
            "Error: Invalid value for '--layers': 40 is not in the range 1<=x<=12.",
        ),
        (["--example", "2-2-1", "--layers", "4"], "Error: --layers goes with --example chain"),
        (["--spec", "{bad}"], "Error: bad.toml: nodes.z: unknown name 'q'"),
    ],
)
def test_spec_and_example_errors_on_the_command_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "bad.toml").write_text(with_nodes('z = "w * q"\nloss = "quadratic(z, y)"'))
    args = [a.format(spec="good.toml", bad="bad.toml") for a in args]
    result = CliRunner().invoke(main, ["inspect", *args])
    assert result.exit_code == 2
    assert result.output.strip().startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_alpha_on_the_command_line_overrides_the_spec(tmp_path):
    path = tmp_path / "neuron.toml"
    path.write_text("alpha = 0.1\n" + GOOD)
    assert graph.new_graph().graph["alpha"] == 0.5
    result = CliRunner().invoke(main, ["inspect", "--json", "--spec", str(path), "--alpha", "0.25"])
    import json

    data = json.loads(result.output)
    w1 = data["nodes"]["w1"]
    assert data["update"]["w1"] == pytest.approx(w1["value"] - 0.25 * w1["grad"])


def test_target_and_targets_both_work():
    g = spec.loads(GOOD.replace("[targets]", "[target]"))
    assert g.nodes["y"]["kind"] == "target"

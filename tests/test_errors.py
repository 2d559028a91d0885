"""Error paths: each bad input gives one NNError that says what is wrong (the command line turns it
into one `Error:` line), whether it comes through the library, a spec file, Value or the command line."""

import os
import re

import pytest
from helpers import run

from graphviz_nn import Value, engine, expr, frames, graph, spec, steps, style
from graphviz_nn.errors import NNError
from graphviz_nn.texts import Texts


def one_error_line(result, code=2):
    lines = result.output.strip().splitlines()
    assert result.exit_code == code and len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def spec_text(loss, **inputs):
    assignments = "".join(f"{name} = {value!r}\n" for name, value in inputs.items())
    return f'[inputs]\n{assignments}[nodes]\nloss = "{loss}"\n'


# -- --size ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["big", "", "1920x", "x1080", "1920x1080x2", "1920×1080", "1e3x1e3", "12.5x100"])
def test_malformed_sizes(text):
    with pytest.raises(NNError, match=re.escape(f"size {text!r} is not WIDTHxHEIGHT in pixels, such as 1920x1080")):
        frames.parse_size(text)


@pytest.mark.parametrize("text", ["63x100", "100x63", "0x0", "-640x360", f"{frames.MAX_SIDE + 1}x100", "99999x99999"])
def test_sizes_out_of_range(text):
    with pytest.raises(NNError, match=re.escape(f"size {text!r} is out of range (each side 64 to {frames.MAX_SIDE}")):
        frames.parse_size(text)


def test_sizes_at_the_limits_are_accepted():
    assert frames.parse_size("64x64") == (64, 64)
    assert frames.parse_size(f" {frames.MAX_SIDE}X{frames.MAX_SIDE} ") == (frames.MAX_SIDE, frames.MAX_SIDE)
    assert frames.parse_size(None) is None


@pytest.mark.parametrize("size", ["10x10", "9000x1080"])
def test_size_out_of_range_on_the_command_line(size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = one_error_line(run("animate", "-o", "bp.gif", "--size", size))
    assert line == f"Error: size {size!r} is out of range (each side 64 to {frames.MAX_SIDE} pixels)"
    assert list(tmp_path.iterdir()) == []


# -- domains of log, division and power ------------------------------------------------------------

DOMAIN = [
    ("log(x)", {"x": 0.0}, "loss: log needs a positive input, got 0.0"),
    ("log(x)", {"x": -1.0}, "loss: log needs a positive input, got -1.0"),
    ("x / z", {"x": 1.0, "z": 0.0}, "loss: division by zero"),
    ("x / 0", {"x": 1.0}, "loss: division by zero"),
    ("1 / x", {"x": 0.0}, "loss: division by zero"),
    ("x ** -1", {"x": 0.0}, "loss: 0 ** -1.0 divides by zero"),
    ("x ** 0.5", {"x": -8.0}, "loss: -8.0 ** 0.5 is not a real number"),
    ("x ** 0.5", {"x": 0.0}, "loss: the slope of z ** 0.5 at 0 is infinite"),  # forward is fine, backward not
    ("exp(x)", {"x": 710.0}, "loss: exp(710.0) overflows a double"),
]


@pytest.mark.parametrize("formula,inputs,message", DOMAIN)
def test_domain_errors_in_a_spec(formula, inputs, message):
    g = spec.loads(spec_text(formula, **inputs))
    with pytest.raises(NNError, match="^" + re.escape(message)):
        engine.propagate(g)


@pytest.mark.parametrize(
    "compute,message",
    [
        (lambda: Value(0.0).log(), "log needs a positive input, got 0.0"),
        (lambda: Value(-1.0).log(), "log needs a positive input, got -1.0"),
        (lambda: Value(1.0) / 0, "division by zero"),
        (lambda: Value(1.0) / Value(0.0), "division by zero"),
        (lambda: 1 / Value(0.0), "division by zero"),
        (lambda: Value(0.0) ** -1, "0 ** -1.0 divides by zero"),
        (lambda: Value(-8.0) ** 0.5, "-8.0 ** 0.5 is not a real number"),
        (lambda: (Value(0.0) ** 0.5).backward(), "the slope of z ** 0.5 at 0 is infinite"),
    ],
)
def test_domain_errors_in_value(compute, message):
    with pytest.raises(NNError, match="^" + re.escape(message)):
        compute()


def test_a_domain_error_on_the_command_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(spec_text("log(x)", x=0.0))
    assert one_error_line(run("inspect", "--spec", str(path))) == "Error: loss: log needs a positive input, got 0.0"


# -- expressions too deep or too long --------------------------------------------------------------


def nested(depth):
    return "sigmoid(" * depth + "x" + ")" * depth


def test_nesting_up_to_the_limit_is_accepted_and_one_more_is_refused():
    tree = expr.parse(nested(expr.MAX_DEPTH))
    for _ in range(expr.MAX_DEPTH):
        assert isinstance(tree, expr.Call) and tree.func == "sigmoid"
        (tree,) = tree.args
    assert tree == expr.Name("x")
    with pytest.raises(NNError, match=f"is nested more than {expr.MAX_DEPTH} levels deep$"):
        expr.parse(nested(expr.MAX_DEPTH + 1))
    with pytest.raises(NNError, match=f"is nested more than {expr.MAX_DEPTH} levels deep$"):
        expr.parse("-" * (expr.MAX_DEPTH + 5) + "x")


def test_length_up_to_the_limit_is_accepted_and_one_more_is_refused():
    assert expr.parse("x" * expr.MAX_LENGTH) == expr.Name("x" * expr.MAX_LENGTH)
    with pytest.raises(NNError, match=f"^expression is longer than {expr.MAX_LENGTH} characters$"):
        expr.parse("x" * (expr.MAX_LENGTH + 1))


@pytest.mark.parametrize(
    "formula,message",
    [
        (nested(expr.MAX_DEPTH + 1), "levels deep"),
        ("x" + " + x" * (expr.MAX_LENGTH // 4), f"longer than {expr.MAX_LENGTH} characters"),
    ],
)
def test_too_deep_or_too_long_in_a_spec_file_is_one_short_line(formula, message, tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(spec_text(formula, x=1.0))
    with pytest.raises(NNError, match=re.escape(message)):
        spec.load(path)
    line = one_error_line(run("inspect", "--spec", str(path)))
    assert message in line and len(line) < 300  # the expression is shown cut, not whole


# -- spec files that cannot be read ----------------------------------------------------------------


def test_a_folder_as_spec_file(tmp_path):
    with pytest.raises(NNError, match="^" + re.escape(f"spec file {str(tmp_path)!r} is a folder; give a ")):
        spec.load(tmp_path)


def test_a_spec_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('title = "Café"\n'.encode("latin-1") + spec_text("x", x=1.0).encode())
    with pytest.raises(NNError, match=re.escape(f"spec file {str(path)!r} is not UTF-8 text (byte 12 cannot be read)")):
        spec.load(path)


def test_a_spec_file_without_permission(tmp_path, monkeypatch):
    path = tmp_path / "secret.toml"
    path.write_text(spec_text("x", x=1.0))
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: refuse the way the file system would
        real_open = os.open

        def refusing(file, *args, **kwargs):
            if str(file) == str(path):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    with pytest.raises(NNError, match=re.escape(f"cannot read spec file {str(path)!r} (Permission denied)")):
        spec.load(path)


@pytest.mark.parametrize("kind", ["folder", "not utf-8", "missing"])
def test_unreadable_spec_on_the_command_line(kind, tmp_path):
    path = {"folder": tmp_path, "not utf-8": tmp_path / "bad.toml", "missing": tmp_path / "none.toml"}[kind]
    if kind == "not utf-8":
        path.write_bytes(b"\xff\xfe\xfa")
    before = sorted(tmp_path.iterdir())
    line = one_error_line(run("render", "--spec", str(path), "-o", str(tmp_path / "n.png")))
    assert f"{str(path)!r}" in line  # click's own check or spec.read's: either names the file
    assert sorted(tmp_path.iterdir()) == before


# -- the graph checks in graph.order ---------------------------------------------------------------


def chain():
    g = graph.new_graph()
    graph.add_leaf(g, "a", "input", 1.0)
    graph.add_op(g, "b", "neg", ["a"])
    graph.add_op(g, "c", "neg", ["b"], kind="loss")
    return g


def test_a_well_formed_graph_passes():
    assert graph.order(chain()) == ["a", "b", "c"]


def test_a_cycle_is_named():
    g = chain()
    graph.add_leaf(g, "d", "input", 1.0)
    graph.add_op(g, "e", "add", ["c", "d"])
    g.nodes["b"]["inputs"] = ["a", "e"]  # b now also reads e, which depends on b
    g.nodes["b"]["op"] = "add"
    g.add_edge("e", "b", args=(1,))
    with pytest.raises(NNError, match=r"^graph has a cycle \((b → c → e|c → e → b|e → b → c)\)$"):
        graph.order(g)
    with pytest.raises(NNError, match="cycle"):
        engine.propagate(g)


def test_several_outputs_are_listed():
    g = chain()
    graph.add_op(g, "d", "neg", ["b"])
    with pytest.raises(NNError, match=r"^graph needs exactly one output node \(the loss\); found 2: c, d$"):
        graph.order(g)
    h = graph.new_graph()
    with pytest.raises(NNError, match="found 0"):
        graph.order(h)


def test_edges_that_do_not_match_the_inputs():
    g = chain()
    g.edges["a", "b"]["args"] = (1,)  # b has one input, at position 0
    with pytest.raises(NNError, match=r"^b: its edges do not match its inputs$"):
        graph.order(g)
    g = chain()
    g.remove_edge("a", "b")
    graph.add_leaf(g, "z", "input", 2.0)
    g.add_edge("z", "b", args=(0,))
    g.add_edge("a", "c", args=(0,))
    with pytest.raises(NNError, match=r"^c: its edges do not match its inputs$"):
        engine.propagate(g)


def test_a_leaf_with_inputs():
    g = chain()
    graph.add_leaf(g, "w", "parameter", 2.0)
    g.add_edge("w", "a", args=(0,))
    with pytest.raises(NNError, match=r"^a: a input node cannot have inputs$"):
        graph.order(g)


# -- unknown phase or theme through the library ----------------------------------------------------


def test_unknown_phase():
    message = r"^unknown phase 'sideways' \(choose from: backward, both, forward\)$"
    with pytest.raises(NNError, match=message):
        steps.check_phase("sideways")
    with pytest.raises(NNError, match=message):
        steps.sequence(Texts(engine.propagate(graph.seed_network())), phase="sideways")
    with pytest.raises(NNError, match=r"unknown phase 'backwards'.*did you mean 'backward'"):
        frames.prepare(engine.propagate(graph.seed_network()), phase="backwards")
    assert [steps.check_phase(p) for p in ("forward", "backward", "both")] == ["forward", "backward", "both"]


def test_unknown_theme():
    with pytest.raises(NNError, match=r"^unknown theme 'neon' \(choose from: dark, light, print\)$"):
        style.get_theme("neon")
    with pytest.raises(NNError, match=r"unknown theme 'ligth'.*did you mean 'light'"):
        frames.prepare(engine.propagate(graph.seed_network()), theme="ligth")
    assert style.get_theme("dark") is style.THEMES["dark"]

import json
import os

import pytest
from helpers import LEAVES, close, error_line, run, seed_oracle

from graphviz_nn import __version__
from graphviz_nn.cli import main


def test_version_and_help_everywhere():
    for command in [[], *[[name] for name in main.commands]]:
        assert run(*command, "--version").output.strip() == f"graphviz-nn, version {__version__}", command
    for command in [[], *[[name] for name in main.commands]]:
        for flag in ("-h", "--help"):
            result = run(*command, flag)
            assert result.exit_code == 0 and "Usage:" in result.output, (command, result.output)


def test_no_command_shows_the_help():
    result = run()
    assert result.exit_code == 0 and "Commands:" in result.output and "Error" not in result.output


def test_inspect_json_shape_and_numbers():
    point = {"x": 0.7, "y": 0.0, "w1": -1.3, "w2": 2.1}
    result = run(
        "inspect",
        "--json",
        "--g1",
        "tanh",
        "--g2",
        "sigmoid",
        "--loss",
        "cross_entropy",
        *[f"--{k}={v}" for k, v in point.items()],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["nodes"]) == {"x", "w1", "z1", "a1", "w2", "z2", "a2", "y", "loss"}
    for node in data["nodes"].values():
        assert isinstance(node["kind"], str) and isinstance(node["value"], float) and isinstance(node["grad"], float)
    assert {(e["source"], e["target"]) for e in data["edges"]} == {
        ("x", "z1"),
        ("w1", "z1"),
        ("z1", "a1"),
        ("a1", "z2"),
        ("w2", "z2"),
        ("z2", "a2"),
        ("a2", "loss"),
        ("y", "loss"),
    }
    assert all(isinstance(e["local"], float) and isinstance(e["grad"], float) for e in data["edges"])
    values, grads, _ = seed_oracle("tanh", "sigmoid", "cross_entropy")(point)
    grads = {leaf: grads[leaf] for leaf in LEAVES}
    for leaf, expected in grads.items():
        assert close(data["nodes"][leaf]["grad"], expected)
    for node, expected in values.items():
        assert close(data["nodes"][node]["value"], expected)
    assert close(data["update"]["w1"], point["w1"] - 0.5 * grads["w1"])
    assert set(data["update"]) == {"w1", "w2"}


def test_inspect_table_is_readable():
    result = run("inspect")
    assert result.exit_code == 0
    assert "∂a₁/∂z₁ = a₁(1 − a₁)" in result.output and "w₁" in result.output


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--x", "abc"], "Error: Invalid value for '--x': 'abc' is not a number"),
        (["--w1", "nan"], "Error: Invalid value for '--w1': 'nan' is not a finite number"),
        (["--alpha", "inf"], "Error: Invalid value for '--alpha': 'inf' is not a finite number"),
        (
            ["--g1", "sigmod"],
            "Error: Invalid value for '--g1': unknown activation 'sigmod' (choose from: identity, "
            "leaky_relu, relu, sigmoid, softplus, tanh); did you mean 'sigmoid'?",
        ),
        (
            ["--loss", "mse"],
            "Error: Invalid value for '--loss': unknown loss 'mse' (choose from: cross_entropy, quadratic)",
        ),
        (["--loss", "cross_entropy", "--y", "2"], "Error: loss: cross_entropy needs a target y* in [0, 1], got 2.0"),
        (
            ["--loss", "cross_entropy", "--g2", "identity", "--w2", "5"],
            "Error: loss: cross_entropy needs a prediction a₂ strictly between 0 and 1",
        ),
        (["--w1", "1e308", "--x", "10"], "Error: the value at z1 overflows (inf); use smaller inputs or weights"),
        (["--bogus", "1"], "Error: No such option '--bogus'"),
    ],
)
@pytest.mark.parametrize("command", ["inspect", "render"])
def test_bad_input_one_error_line_exit_2(command, args, expected, tmp_path):
    target = tmp_path / "out.png"
    extra = ["-o", str(target)] if command == "render" else []
    result = run(command, *args, *extra)
    assert result.exit_code == 2
    assert error_line(result).startswith(expected)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_render_refuses_bad_paths(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cases = {
        str(tmp_path): "is a directory",
        str(tmp_path / "net.jpg"): "cannot tell the format of",
        str(blocker / "net.png"): "is not a folder",
    }
    for path, message in cases.items():
        result = run("render", "-o", path)
        assert result.exit_code == 2 and message in error_line(result), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs a read-only /proc")
def test_a_folder_that_refuses_files_gives_one_error_line():
    result = run("render", "-o", "/proc/network.png")
    assert result.exit_code == 2
    assert (
        error_line(result) == "Error: cannot write '/proc/network.png' (No such file or directory); choose another path"
    )


def test_missing_graphviz_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    target = tmp_path / "net.png"
    result = run("render", "-o", str(target))
    assert result.exit_code == 1
    assert "the Graphviz program 'dot' was not found; install Graphviz" in error_line(result)
    assert not target.exists() and os.listdir(tmp_path) == []


@pytest.mark.parametrize("ext", ["png", "svg", "pdf", "dot"])
def test_render_writes_each_format_atomically(ext, tmp_path):
    target = tmp_path / "sub" / f"net.{ext}"
    result = run("render", "-o", str(target), "--dpi", "60")
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF", "dot": b"digraph"}[ext]
    assert data.startswith(magic)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left behind

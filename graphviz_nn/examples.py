"""Built-in example graphs, each a spec (the same format as the files under `examples/`)."""

from __future__ import annotations

from . import graph, spec
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError, unknown

MAX_LAYERS = 12


def exercise() -> dict:
    d = DEFAULTS
    return {
        "title": "The exercise's network: x → z1 → a1 → z2 → a2 → Loss",
        "alpha": d["alpha"],
        "inputs": {"x": d["x"]},
        "parameters": {"w1": d["w1"], "w2": d["w2"]},
        "targets": {"y": d["y"]},
        "nodes": {
            "z1": "w1 * x",
            "a1": "sigmoid(z1)",
            "z2": "w2 * a1",
            "a2": "sigmoid(z2)",
            "loss": "quadratic(a2, y)",
        },
    }


def two_input_neuron() -> dict:
    return {
        "title": "A neuron with two inputs and a bias (micrograd's tanh neuron)",
        "alpha": 0.1,
        "inputs": {"x1": 2.0, "x2": 0.0},
        "parameters": {"w1": -3.0, "w2": 1.0, "b": 6.881373587019543},
        "targets": {"y": 1.0},
        "nodes": {"n": "x1*w1 + x2*w2 + b", "o": "tanh(n)", "loss": "quadratic(o, y)"},
    }


def chain(layers: int = 3) -> dict:
    """x → z1 = w1·x → a1 = σ(z1) → ... → aN → Loss: the exercise, N layers deep."""
    if isinstance(layers, bool) or not isinstance(layers, int) or not 1 <= layers <= MAX_LAYERS:
        raise NNError(f"--layers must be between 1 and {MAX_LAYERS}, got {layers}")
    weights = [0.5, -1.2, 0.8, -0.6, 1.1, -0.9, 0.7, -1.0, 0.9, -0.8, 0.6, -1.1]
    nodes, previous = {}, "x"
    for i in range(1, layers + 1):
        nodes[f"z{i}"] = f"w{i} * {previous}"
        nodes[f"a{i}"] = f"sigmoid(z{i})"
        previous = f"a{i}"
    nodes["loss"] = f"quadratic({previous}, y)"
    return {
        "title": f"A chain of {layers} sigmoid layers",
        "alpha": 0.5,
        "inputs": {"x": 1.0},
        "parameters": {f"w{i}": weights[i - 1] for i in range(1, layers + 1)},
        "targets": {"y": 1.0},
        "nodes": nodes,
    }


def network_2_2_1() -> dict:
    return {
        "title": "A 2-2-1 network: two inputs, two hidden sigmoid units, one sigmoid output",
        "alpha": 0.5,
        "inputs": {"x1": 1.0, "x2": -0.5},
        "parameters": {
            "w11": 0.4,
            "w21": -0.7,
            "b1": 0.1,
            "w12": 0.9,
            "w22": 0.3,
            "b2": -0.2,
            "v1": 1.2,
            "v2": -0.8,
            "c": 0.05,
        },
        "targets": {"y": 1.0},
        "nodes": {
            "z1": "w11*x1 + w21*x2 + b1",
            "h1": "sigmoid(z1)",
            "z2": "w12*x1 + w22*x2 + b2",
            "h2": "sigmoid(z2)",
            "z3": "v1*h1 + v2*h2 + c",
            "o": "sigmoid(z3)",
            "loss": "quadratic(o, y)",
        },
    }


def tied_weights() -> dict:
    return {
        "title": "One weight used twice: its gradient is the sum over both paths",
        "alpha": 0.5,
        "inputs": {"x": 1.0},
        "parameters": {"w": 0.8},
        "targets": {"y": 1.0},
        "nodes": {"z1": "w * x", "a1": "sigmoid(z1)", "z2": "w * a1", "a2": "sigmoid(z2)", "loss": "quadratic(a2, y)"},
    }


def micrograd_readme() -> dict:
    """The expression from micrograd's README; `c += c + 1` becomes c2 = c + (c + 1), and so on."""
    return {
        "title": "micrograd's README expression (g = 24.7041, ∂g/∂a = 138.8338, ∂g/∂b = 645.5773)",
        "alpha": 0.01,
        "output": "g",
        "parameters": {"a": -4.0, "b": 2.0},
        "nodes": {
            "c": "a + b",
            "d": "a * b + b**3",
            "c2": "c + (c + 1)",
            "c3": "c2 + (1 + c2 + (-a))",
            "d2": "d + (d * 2 + relu(b + a))",
            "d3": "d2 + (3 * d2 + relu(b - a))",
            "e": "c3 - d3",
            "f": "e**2",
            "h": "f / 2.0",
            "g": "h + 10.0 / f",
        },
    }


EXAMPLES = {
    "exercise": exercise,
    "two-input-neuron": two_input_neuron,
    "chain": chain,
    "2-2-1": network_2_2_1,
    "tied-weights": tied_weights,
    "micrograd-readme": micrograd_readme,
}


def get(name: str, layers: int | None = None) -> dict:
    if name not in EXAMPLES:
        raise unknown("example", name, EXAMPLES)
    if layers is not None and name != "chain":
        raise NNError(f"--layers applies to the chain example only, not {name!r}")
    if name == "chain":
        return chain(3 if layers is None else layers)
    return EXAMPLES[name]()


def load(name: str, layers: int | None = None) -> graph.ComputationGraph:
    return spec.from_dict(get(name, layers), name)

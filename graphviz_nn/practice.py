"""Worksheet variants of the exercise's network: fresh numbers a student can work by hand, the
answers a key needs, and the exercise's seven questions worded for each variant's activations.

A variant is named by its id alone, `SEED-N` (or `SEED-rN` when the activations and loss were drawn
too), so a key can be rebuilt from the id printed on a sheet: the numbers come from a random
generator seeded with the id, not from the variants drawn before it.

    >>> v = variant(7, 3)
    >>> v.id, sorted(v.network) == sorted(NETWORK_KEYS)
    ('7-3', True)
    >>> variant(7, 3) == v
    True
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

import networkx as nx

from . import engine, notation, ops
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError
from .graph import order, parameters, seed_network
from .texts import Texts, backward_edges

MAX_VARIANTS = 200
MAX_SEED = 999_999_999
NETWORK_KEYS = ("x", "y", "w1", "w2", "g1", "g2", "loss", "alpha")
SECTIONS = ("values", "locals", "gradients", "update")  # the kinds of answer, in the order passes compute them

# Numbers a student writes and multiplies by hand: one decimal place, never too close to 0.
TENTHS = tuple(k / 10 for k in range(-20, 21) if abs(k) >= 2)
TARGETS = (0.0, 1.0)  # y* is a class
ALPHAS = (0.1, 0.2, 0.5, 1.0)
MAX_Z = 2.0  # beyond this σ and tanh flatten out (σ′(2) ≈ 0.105, tanh′(2) ≈ 0.071)
MIN_Z = 0.1  # so the side of 0 that ReLU and [z > 0] depend on is never in doubt
MIN_SLOPE = 0.05  # an activation's derivative at least this: no saturated or dead units
SMALLEST = 1e-3  # every local derivative and gradient written plainly at 3 digits (no ×10ⁿ)
ATTEMPTS = 20_000

# --random-activations draws from choices where every question of the exercise makes sense: g2 must
# give a probability (the exercise's a2 is one), so it stays the sigmoid; g1 and the loss vary.
RANDOM_G1 = ("sigmoid", "tanh", "relu", "softplus")
RANDOM_G2 = ("sigmoid",)
RANDOM_LOSS = ("quadratic", "cross_entropy")

_ID = re.compile(r"\s*(\d{1,9})-(r?)(\d{1,3})\s*")


@dataclass(frozen=True)
class Variant:
    id: str  # 7-3, or 7-r3 with drawn activations
    seed: int
    number: int  # 1-based
    network: dict  # x, y, w1, w2, g1, g2, loss, alpha: `seed_network` keywords

    def graph(self) -> nx.DiGraph:
        """The variant's network, propagated."""
        return engine.propagate(seed_network(**self.network))


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise NNError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return seed


def check_count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_VARIANTS:
        raise NNError(f"the number of variants must be from 1 to {MAX_VARIANTS}, got {count!r}")
    return count


def parse_id(text: str) -> tuple[int, bool, int]:
    """`7-3` → (7, False, 3); `7-r3` → (7, True, 3): seed, drawn activations, variant number."""
    match = _ID.fullmatch(text) if isinstance(text, str) else None
    if not match or not 1 <= int(match[3]) <= MAX_VARIANTS:
        raise NNError(
            f"variant id {text!r} is not SEED-N as printed on a worksheet, such as 7-3 "
            f"(or 7-r3 with drawn activations; N from 1 to {MAX_VARIANTS})"
        )
    return int(match[1]), bool(match[2]), int(match[3])


def variant(
    seed: int,
    number: int,
    g1: str = DEFAULTS["g1"],
    g2: str = DEFAULTS["g2"],
    loss: str = DEFAULTS["loss"],
    random_activations: bool = False,
) -> Variant:
    """Variant `number` of `seed`: the activations and loss given (or drawn), numbers drawn until
    they are well chosen (see `well_chosen`)."""
    check_seed(seed)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_VARIANTS:
        raise NNError(f"the variant number must be from 1 to {MAX_VARIANTS}, got {number!r}")
    for name, kind in ((g1, "activation"), (g2, "activation"), (loss, "loss")):
        ops.get(name, kind)
    ident = f"{seed}-{'r' if random_activations else ''}{number}"
    # A string seed is hashed with SHA-512: the same numbers in every process and Python version.
    key = f"graphviz-nn worksheet {ident}" + ("" if random_activations else f" {g1} {g2} {loss}")
    rng = random.Random(key)
    if random_activations:
        g1, g2, loss = rng.choice(RANDOM_G1), rng.choice(RANDOM_G2), rng.choice(RANDOM_LOSS)
    for _ in range(ATTEMPTS):
        network = {
            "x": rng.choice(TENTHS),
            "y": rng.choice(TARGETS),
            "w1": rng.choice(TENTHS),
            "w2": rng.choice(TENTHS),
            "g1": g1,
            "g2": g2,
            "loss": loss,
            "alpha": rng.choice(ALPHAS),
        }
        if well_chosen(network):
            return Variant(ident, seed, number, network)
    raise NNError(f"found no numbers that work well by hand for g1={g1}, g2={g2}, loss={loss}; choose others")


def variants(
    seed: int,
    count: int,
    g1: str = DEFAULTS["g1"],
    g2: str = DEFAULTS["g2"],
    loss: str = DEFAULTS["loss"],
    random_activations: bool = False,
) -> list[Variant]:
    check_count(count)
    return [variant(seed, n, g1, g2, loss, random_activations) for n in range(1, count + 1)]


def from_id(text: str, g1: str = DEFAULTS["g1"], g2: str = DEFAULTS["g2"], loss: str = DEFAULTS["loss"]) -> Variant:
    """The variant a sheet's id names; `SEED-N` with the activations and loss the sheet was made with."""
    seed, drawn, number = parse_id(text)
    return variant(seed, number, g1, g2, loss, random_activations=drawn)


def well_chosen(network: dict) -> bool:
    """Numbers worth working by hand: both pre-activations moderate (no saturated or dead unit), every
    local derivative and gradient big enough to write at 3 digits, and no answer that reads like one
    of the given numbers (a student could copy it by mistake)."""
    try:
        g = engine.propagate(seed_network(**network))
    except NNError:  # cross-entropy needs 0 < a2 < 1
        return False
    for z in ("z1", "z2"):
        value = g.nodes[z]["value"]
        if not MIN_Z <= abs(value) <= MAX_Z:
            return False
    for a in ("a1", "a2"):
        if abs(g.edges[g.nodes[a]["inputs"][0], a]["local"]) < MIN_SLOPE:
            return False
    numbers = answers(g)
    written = [*numbers["locals"].values(), *numbers["gradients"].values()]
    if any(not math.isfinite(v) or abs(v) < SMALLEST for v in written):
        return False
    given = {_rounded(network[k]) for k in ("x", "y", "w1", "w2", "alpha")}
    computed = [v for n, v in numbers["values"].items() if "op" in g.nodes[n]]
    # A product's local derivative is its other factor's value (∂z₁/∂w₁ = x): that one repeats by design.
    slopes = [v for e, v in numbers["locals"].items() if g.nodes[e.split("->")[1]]["op"] != "mul"]
    computed += [*slopes, *numbers["gradients"].values(), *numbers["update"].values()]
    return not any(_rounded(v) in given for v in computed)


def _rounded(value: float) -> float:
    return float(f"{value:.3g}")


def answers(g: nx.DiGraph) -> dict[str, dict[str, float]]:
    """Every number a worksheet asks for, full floats, keyed as `check` reads them: forward values by
    node (the given leaves too, in topological order), local derivatives by edge `u->v` and gradients
    ∂Loss/∂node by node along the backward pass (not the loss's own 1, not into the target), and the
    updated parameters."""
    ordered = order(g)
    out = ordered[-1]
    walked = backward_edges(g, ordered)
    gradients = [u for u, _ in walked]
    return {
        "values": {n: g.nodes[n]["value"] for n in ordered},
        "locals": {edge_id(u, v): g.edges[u, v]["local"] for u, v in walked},
        "gradients": {n: g.nodes[n]["grad"] for n in dict.fromkeys(gradients) if n != out},
        "update": {p: g.nodes[p]["updated"] for p in parameters(g)},
    }


def edge_id(u: str, v: str) -> str:
    return f"{u}->{v}"


def as_data(chosen: list[Variant], seed: int) -> dict:
    """What `worksheet --json` prints."""
    return {
        "seed": seed,
        "variants": [{"id": v.id, "network": dict(v.network), "answers": answers(v.graph())} for v in chosen],
    }


# -- the questions ---------------------------------------------------------------------------------


def _activation(name: str) -> tuple[str, str]:
    """(g written as a function, its derivative in the course's form): (σ, g(z)(1 − g(z)))."""
    op = ops.get(name, "activation")
    shown = notation.formula(op.form_expr, lambda n: n)
    derivative = notation.formula(op.local_exprs[0], lambda n: {"a": "g(z)", "z": "z"}[n])
    return shown, derivative


def _loss(name: str) -> str:
    return notation.formula(ops.get(name, "loss").form_expr, lambda n: {"u": "a₂", "v": "y*"}[n])


def given(network: dict) -> list[str]:
    """The numbers and functions a sheet gives, as two lines of text."""
    names = {"x": "x", "y": "y*", "w1": "w₁", "w2": "w₂", "alpha": "α"}
    numbers = ", ".join(f"{shown} = {notation.exact(network[k])}" for k, shown in names.items())
    g1, _ = _activation(network["g1"])
    g2, _ = _activation(network["g2"])
    functions = f"g₁(z) = {g1}, g₂(z) = {g2}, Loss(a₂, y*) = {_loss(network['loss'])}"
    return [numbers, functions]


def questions(network: dict) -> list[str]:
    """The exercise's seven parts, worded for this variant's activations and loss, each asking for
    the numbers too."""
    texts = Texts(engine.propagate(seed_network(**network)))
    alpha = notation.exact(network["alpha"])
    g1, d1 = _activation(network["g1"])
    g2, d2 = _activation(network["g2"])
    hints = [f"g₁(z) = {g1}, g₁′(z) = {d1}"]
    hints.append(f"g₂(z) = {g2}, g₂′(z) = {d2}" if network["g2"] != network["g1"] else "g₂ = g₁")
    d = texts.nodes
    return [
        "Perform the forward pass: write z₁, a₁, z₂ and a₂ in terms of each node's inputs, and compute their values.",
        "Write Loss(a₂, y*) in terms of the input x, the weights wᵢ and the activations gᵢ, and compute it.",
        f"Use the chain rule to derive {d['w2'].grad_symbol} as a product of the partial derivatives at "
        "each node (the derivative of each node's output with respect to its input).",
        f"With Loss(a₂, y*) = {_loss(network['loss'])} and {'; '.join(hints)}: write "
        f"{d['w2'].grad_symbol} in terms of y*, a₁ and a₂, and compute it.",
        f"Use the chain rule to derive {d['w1'].grad_symbol} as a product of the partial derivatives at "
        "each node used in the chain rule.",
        f"Write {d['w1'].grad_symbol} in terms of x, y*, wᵢ, aᵢ and zᵢ, and compute it.",
        f"What is the gradient-descent update for w₁ with step size α? Compute the new w₁ and w₂ (α = {alpha}).",
    ]

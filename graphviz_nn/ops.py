"""Every operation, defined once: its forward function and its local partials side by side (as in
micrograd), plus the same two things as templates in the `expr` language for display and SymPy.

Templates name a unary op's input `z`, a binary op's inputs `u` and `v`, the op's output `a`, and a
folded constant `c`. Local-derivative templates are written the way a course writes them
(σ′ = a(1 − a), tanh′ = 1 − a²), so a teacher sees familiar forms on the diagram.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from . import expr
from .errors import NNError, unknown

LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Op:
    name: str
    arity: int  # inputs from the graph; a folded constant comes after them
    forward: Callable[..., float]
    local: Callable[..., tuple[float, ...]]  # (*inputs, [c,] out) -> ∂out/∂input for each input
    form: str  # forward template
    local_forms: tuple[str, ...]  # one template per input
    kind: str = "arithmetic"  # "activation", "loss" or "arithmetic"
    has_const: bool = False
    summary: str = ""

    @cached_property
    def form_expr(self) -> expr.Expr:
        return expr.parse(self.form)

    @cached_property
    def local_exprs(self) -> tuple[expr.Expr, ...]:
        return tuple(expr.parse(f) for f in self.local_forms)

    @property
    def input_names(self) -> tuple[str, ...]:
        return ("z",) if self.arity == 1 else ("u", "v")


def sigmoid(z: float) -> float:
    # Two branches so exp never overflows: finite and warning-free for any finite z.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _domain(condition: bool, message: str) -> None:
    if not condition:
        raise NNError(message)


def _log(z: float) -> float:
    _domain(z > 0, f"log needs a positive input, got {z!r}")
    return math.log(z)


def _div(u: float, v: float) -> float:
    _domain(v != 0, "division by zero")
    return u / v


def _pow(z: float, c: float) -> float:
    _domain(z > 0 or c == int(c), f"{z!r} ** {c!r} is not a real number")
    _domain(z != 0 or c >= 0, f"0 ** {c!r} divides by zero")
    return z**c


def _cross_entropy(u: float, v: float) -> float:
    _domain(0 <= v <= 1, f"cross_entropy needs a target y* in [0, 1], got {v!r}")
    _domain(
        0 < u < 1,
        f"cross_entropy needs a prediction a₂ strictly between 0 and 1, got {u!r} "
        "(use sigmoid for g2, or smaller weights so σ does not round to 0 or 1)",
    )
    return -(v * math.log(u) + (1 - v) * math.log1p(-u))


_ALL = [
    # activations
    Op(
        "sigmoid",
        1,
        sigmoid,
        lambda z, a: (a * (1 - a),),
        "sigmoid(z)",
        ("a*(1 - a)",),
        "activation",
        summary="σ(z) = 1/(1 + e⁻ᶻ)",
    ),
    Op("tanh", 1, math.tanh, lambda z, a: (1 - a * a,), "tanh(z)", ("1 - a**2",), "activation"),
    Op(
        "relu",
        1,
        lambda z: z if z > 0 else 0.0,
        lambda z, a: (1.0 if z > 0 else 0.0,),
        "relu(z)",
        ("Heaviside(z)",),
        "activation",
        summary="max(0, z); ReLU′(0) = 0",
    ),
    Op(
        "leaky_relu",
        1,
        lambda z: z if z > 0 else LEAKY_SLOPE * z,
        lambda z, a: (1.0 if z > 0 else LEAKY_SLOPE,),
        "leaky_relu(z)",
        (f"{LEAKY_SLOPE} + {1 - LEAKY_SLOPE}*Heaviside(z)",),
        "activation",
        summary="slope 0.01 below 0",
    ),
    Op("identity", 1, lambda z: z, lambda z, a: (1.0,), "z", ("1",), "activation"),
    Op(
        "softplus",
        1,
        softplus,
        lambda z, a: (sigmoid(z),),
        "softplus(z)",
        ("sigmoid(z)",),
        "activation",
        summary="ln(1 + eᶻ)",
    ),
    # losses, prediction first, target second
    Op(
        "quadratic",
        2,
        lambda u, v: 0.5 * (u - v) ** 2,
        lambda u, v, a: (u - v, v - u),
        "0.5*(u - v)**2",
        ("u - v", "v - u"),
        "loss",
    ),
    Op(
        "cross_entropy",
        2,
        _cross_entropy,
        lambda u, v, a: ((u - v) / (u * (1 - u)), math.log1p(-u) - math.log(u)),
        "-(v*log(u) + (1 - v)*log(1 - u))",
        ("(u - v)/(u*(1 - u))", "log(1 - u) - log(u)"),
        "loss",
    ),
    # arithmetic between graph values
    Op("add", 2, lambda u, v: u + v, lambda u, v, a: (1.0, 1.0), "u + v", ("1", "1")),
    Op("sub", 2, lambda u, v: u - v, lambda u, v, a: (1.0, -1.0), "u - v", ("1", "-1")),
    Op("mul", 2, lambda u, v: u * v, lambda u, v, a: (v, u), "u*v", ("v", "u")),
    Op("div", 2, _div, lambda u, v, a: (1 / v, -u / (v * v)), "u/v", ("1/v", "-u/v**2")),
    Op("neg", 1, lambda z: -z, lambda z, a: (-1.0,), "-z", ("-1",)),
    Op("exp", 1, math.exp, lambda z, a: (a,), "exp(z)", ("a",)),
    Op("log", 1, _log, lambda z, a: (1 / z,), "log(z)", ("1/z",)),
    # arithmetic with a folded constant c, so `2 * v` or `v ** 3` shows as one readable node
    Op("add_const", 1, lambda z, c: z + c, lambda z, c, a: (1.0,), "z + c", ("1",), has_const=True),
    Op("mul_const", 1, lambda z, c: c * z, lambda z, c, a: (c,), "c*z", ("c",), has_const=True),
    Op("sub_const", 1, lambda z, c: z - c, lambda z, c, a: (1.0,), "z - c", ("1",), has_const=True),
    Op("div_const", 1, lambda z, c: _div(z, c), lambda z, c, a: (1 / c,), "z/c", ("1/c",), has_const=True),
    Op("rsub_const", 1, lambda z, c: c - z, lambda z, c, a: (-1.0,), "c - z", ("-1",), has_const=True),
    Op("rdiv_const", 1, lambda z, c: _div(c, z), lambda z, c, a: (-c / (z * z),), "c/z", ("-c/z**2",), has_const=True),
    Op(
        "pow",
        1,
        _pow,
        lambda z, c, a: (c * z ** (c - 1) if c != 1 else 1.0,),
        "z**c",
        ("c*z**(c - 1)",),
        has_const=True,
    ),
]

OPS: dict[str, Op] = {op.name: op for op in _ALL}
ACTIVATIONS = tuple(sorted(n for n, op in OPS.items() if op.kind == "activation"))
LOSSES = tuple(sorted(n for n, op in OPS.items() if op.kind == "loss"))
# Operations a spec file may call by name (arithmetic comes from + - * / ** instead).
CALLABLE = tuple(sorted([*ACTIVATIONS, *LOSSES, "exp", "log"]))


# How `u ∘ v` becomes an op, for the tracer's operators and the spec files' expressions alike:
# between two graph values, or with a number folded in on the right or on the left.
ARITHMETIC = {
    ("+", None): "add", ("-", None): "sub", ("*", None): "mul", ("/", None): "div",
    ("+", "right"): "add_const", ("-", "right"): "sub_const", ("*", "right"): "mul_const",
    ("/", "right"): "div_const", ("**", "right"): "pow",
    ("+", "left"): "add_const", ("-", "left"): "rsub_const", ("*", "left"): "mul_const", ("/", "left"): "rdiv_const",
}  # fmt: skip


def get(name: str, kind: str | None = None) -> Op:
    """The registered op `name`, optionally required to be an activation or a loss."""
    pool = OPS if kind is None else {n: op for n, op in OPS.items() if op.kind == kind}
    if name not in pool:
        raise unknown(kind or "operation", name, pool)
    return pool[name]

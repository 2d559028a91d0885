"""Every operation, defined once: its forward function and its local partials side by side (as in
micrograd), plus the same two things as templates in the `expr` language for display and SymPy.

Templates name a unary op's input `z`, a binary op's inputs `u` and `v`, the op's output `a`, and a
folded constant `c`. Local-derivative templates are written the way a course writes them
(σ′ = a(1 − a), tanh′ = 1 − a²), so a teacher sees familiar forms on the diagram.

The numbers are computed in forms that keep float64's relative precision where an output saturates:
σ′(z) = σ(z)·σ(−z) from z, not a(1 − a) after a has rounded to 1. Saturating outputs also report their
`residual` (true value − stored double: σ(40) is stored as 1.0 but is 1 − 4.2×10⁻¹⁸), and ops that
subtract their inputs (a₂ − y*, 1 − a) use it, so a saturated sigmoid against its target shows a tiny
gradient rather than an exact zero that looks like a dead ReLU.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

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
    # (*inputs, [c,] out) -> true output − out, for outputs that round onto ±1
    residual: Callable[..., float] | None = None
    # (*inputs, [c,] *input residuals) -> (value, partials), for ops whose inputs' residuals matter
    precise: Callable[..., tuple[float, tuple[float, ...]]] | None = None

    @cached_property
    def form_expr(self):
        from . import expr  # the parser is needed for drawing and deriving, not for the numbers

        return expr.parse(self.form)

    @cached_property
    def local_exprs(self) -> tuple:
        from . import expr

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


def sigmoid_slope(z: float) -> float:
    """σ′(z) = σ(z)·σ(−z) = e^−|z| / (1 + e^−|z|)², accurate where σ(z) itself rounds to 1."""
    e = math.exp(-abs(z))
    return e / ((1.0 + e) * (1.0 + e))


def tanh_slope(z: float) -> float:
    """tanh′(z) = sech²(z) = 4e^−2|z| / (1 + e^−2|z|)², accurate where tanh(z) rounds to ±1."""
    e = math.exp(-2.0 * abs(z))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _sigmoid_residual(z: float, a: float) -> float:
    # 1 − a is exact for a ≥ ½ (Sterbenz), and σ(−z) is the accurate distance from 1.
    return (1.0 - a) - sigmoid(-z) if a >= 0.5 else 0.0


def _tanh_residual(z: float, a: float) -> float:
    if a >= 0.5:
        return (1.0 - a) - 2.0 * sigmoid(-2.0 * z)
    if a <= -0.5:
        return 2.0 * sigmoid(2.0 * z) - (1.0 + a)
    return 0.0


def softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


def _exp(z: float) -> float:
    _domain(z < 709.78, f"exp({z!r}) overflows a double (above 1.8×10³⁰⁸); use smaller inputs or weights")
    return math.exp(z)


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
    _domain(z >= 0 or c == int(c), f"{z!r} ** {c!r} is not a real number")
    _domain(z != 0 or c >= 0, f"0 ** {c!r} divides by zero")
    try:
        return z**c
    except OverflowError:
        raise NNError(f"{z!r} ** {c!r} overflows a double; use smaller numbers") from None


def _pow_local(z: float, c: float, a: float) -> tuple[float]:
    if c == 1:
        return (1.0,)
    _domain(z != 0 or c >= 1, f"the slope of z ** {c!r} at 0 is infinite")
    return (c * z ** (c - 1),)


def _cross_entropy(u: float, v: float) -> float:
    return _cross_entropy_precise(u, v, 0.0, 0.0)[0]


def _cross_entropy_precise(u: float, v: float, ru: float, rv: float) -> tuple[float, tuple[float, float]]:
    """−(v·ln u + (1 − v)·ln(1 − u)) and its partials, with 1 − u taken from u's residual, so a
    prediction stored as 1.0 (σ(40) = 1 − 4.2×10⁻¹⁸) still has a finite, accurate loss."""
    v += rv
    _domain(0 <= v <= 1, f"cross_entropy needs a target y* in [0, 1], got {v!r}")
    rest = (1.0 - u) - ru  # 1 − u, exact for u ≥ ½ but for the residual
    _domain(
        u > 0 and rest > 0,
        f"cross_entropy needs a prediction a₂ strictly between 0 and 1, got {u + ru!r} "
        "(use sigmoid for g2, or smaller weights so σ does not round to 0 or 1)",
    )
    # Each log from the side that is known accurately: ln u = ln(1 − rest) near 1, ln(1 − u) near 0.
    log_u = math.log1p(-rest) if u >= 0.5 else math.log(u)
    log_rest = math.log(rest) if u >= 0.5 else math.log1p(-(u + ru))
    value = -(v * log_u + (1 - v) * log_rest)
    difference = (u - v) + ru  # u − v, exact near each other, with u's residual
    return value, (difference / ((u + ru) * rest), log_rest - log_u)


def _quadratic_precise(u: float, v: float, ru: float, rv: float) -> tuple[float, tuple[float, float]]:
    d = (u - v) + (ru - rv)
    return 0.5 * d * d, (d, -d)


def _difference(sign: float):
    """u ± v with the inputs' residuals folded in: 1.0 − 1.0 is 0, but σ(40) − 1 is −4.2×10⁻¹⁸."""

    def precise(u: float, v: float, ru: float, rv: float) -> tuple[float, tuple[float, float]]:
        return (u + sign * v) + (ru + sign * rv), (1.0, sign)

    return precise


_ALL = [
    # activations
    Op(
        "sigmoid",
        1,
        sigmoid,
        lambda z, a: (sigmoid_slope(z),),
        "sigmoid(z)",
        ("a*(1 - a)",),
        "activation",
        residual=_sigmoid_residual,
    ),
    Op(
        "tanh",
        1,
        math.tanh,
        lambda z, a: (tanh_slope(z),),
        "tanh(z)",
        ("1 - a**2",),
        "activation",
        residual=_tanh_residual,
    ),
    Op(
        "relu",
        1,
        lambda z: z if z > 0 else 0.0,
        lambda z, a: (1.0 if z > 0 else 0.0,),
        "relu(z)",
        ("Heaviside(z)",),
        "activation",
    ),
    Op(
        "leaky_relu",
        1,
        lambda z: z if z > 0 else LEAKY_SLOPE * z,
        lambda z, a: (1.0 if z > 0 else LEAKY_SLOPE,),
        "leaky_relu(z)",
        (f"{LEAKY_SLOPE} + {1 - LEAKY_SLOPE}*Heaviside(z)",),
        "activation",
    ),
    Op("identity", 1, lambda z: z, lambda z, a: (1.0,), "z", ("1",), "activation"),
    Op("softplus", 1, softplus, lambda z, a: (sigmoid(z),), "softplus(z)", ("sigmoid(z)",), "activation"),
    # losses, prediction first, target second
    Op(
        "quadratic",
        2,
        lambda u, v: 0.5 * (u - v) ** 2,
        lambda u, v, a: (u - v, v - u),
        "0.5*(u - v)**2",
        ("u - v", "v - u"),
        "loss",
        precise=_quadratic_precise,
    ),
    Op(
        "cross_entropy",
        2,
        _cross_entropy,
        lambda u, v, a: _cross_entropy_precise(u, v, 0.0, 0.0)[1],
        "-(v*log(u) + (1 - v)*log(1 - u))",
        ("(u - v)/(u*(1 - u))", "log(1 - u) - log(u)"),
        "loss",
        precise=_cross_entropy_precise,
    ),
    # arithmetic between graph values
    Op("add", 2, lambda u, v: u + v, lambda u, v, a: (1.0, 1.0), "u + v", ("1", "1"), precise=_difference(1.0)),
    Op("sub", 2, lambda u, v: u - v, lambda u, v, a: (1.0, -1.0), "u - v", ("1", "-1"), precise=_difference(-1.0)),
    Op("mul", 2, lambda u, v: u * v, lambda u, v, a: (v, u), "u*v", ("v", "u")),
    Op("div", 2, _div, lambda u, v, a: (1 / v, -u / (v * v)), "u/v", ("1/v", "-u/v**2")),
    Op("neg", 1, lambda z: -z, lambda z, a: (-1.0,), "-z", ("-1",)),
    Op("exp", 1, _exp, lambda z, a: (a,), "exp(z)", ("a",)),
    Op("log", 1, _log, lambda z, a: (1 / z,), "log(z)", ("1/z",)),
    # arithmetic with a folded constant c, so `2 * v` or `v ** 3` shows as one readable node
    Op(
        "add_const",
        1,
        lambda z, c: z + c,
        lambda z, c, a: (1.0,),
        "z + c",
        ("1",),
        has_const=True,
        precise=lambda z, c, r: ((z + c) + r, (1.0,)),
    ),
    Op("mul_const", 1, lambda z, c: c * z, lambda z, c, a: (c,), "c*z", ("c",), has_const=True),
    Op(
        "sub_const",
        1,
        lambda z, c: z - c,
        lambda z, c, a: (1.0,),
        "z - c",
        ("1",),
        has_const=True,
        precise=lambda z, c, r: ((z - c) + r, (1.0,)),
    ),
    Op("div_const", 1, lambda z, c: _div(z, c), lambda z, c, a: (1 / c,), "z/c", ("1/c",), has_const=True),
    Op(
        "rsub_const",
        1,
        lambda z, c: c - z,
        lambda z, c, a: (-1.0,),
        "c - z",
        ("-1",),
        has_const=True,
        precise=lambda z, c, r: ((c - z) - r, (-1.0,)),
    ),
    Op("rdiv_const", 1, lambda z, c: _div(c, z), lambda z, c, a: (-c / (z * z),), "c/z", ("-c/z**2",), has_const=True),
    Op("pow", 1, _pow, _pow_local, "z**c", ("c*z**(c - 1)",), has_const=True),
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

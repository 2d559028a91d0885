"""How things look: themes, number formatting and unicode typography (w₁, y*, ∂, σ, α)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import unknown
from .expr import BinOp, Call, Expr, Name, Neg, Num

MINUS = "\u2212"
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


@dataclass(frozen=True)
class Theme:
    """Colours chosen from the Okabe–Ito palette: forward and gradient differ in hue for colour-blind
    readers, and every value also carries a non-colour cue (→ / ← and bold) for grayscale."""

    name: str
    background: str
    text: str
    forward: str  # forward values
    gradient: str  # gradients flowing back
    local: str  # local derivatives, secondary text
    muted: str  # pending parts of a frame
    edge: str
    parameter_fill: str
    operation_fill: str
    leaf_fill: str
    loss_fill: str
    highlight: str  # the current node or edge of a frame
    fontname: str = "DejaVu Sans"


THEMES = {
    "light": Theme(
        "light",
        "white",
        "#1a1a1a",
        "#0060a8",
        "#c04000",
        "#4d4d4d",
        "#c8c8c8",
        "#5a5a5a",
        "#fff1c1",
        "#eef3f8",
        "#ffffff",
        "#fbe3d6",
        "#cc79a7",
    ),
    "dark": Theme(
        "dark",
        "#1b1d23",
        "#f0f0f0",
        "#56b4e9",
        "#f0a030",
        "#c0c0c0",
        "#4a4d55",
        "#a0a0a0",
        "#4a3f1c",
        "#262a33",
        "#1b1d23",
        "#4a2a1c",
        "#e58ac0",
    ),
    "print": Theme(
        "print",
        "white",
        "#000000",
        "#000000",
        "#000000",
        "#333333",
        "#bbbbbb",
        "#000000",
        "#e6e6e6",
        "#ffffff",
        "#ffffff",
        "#d0d0d0",
        "#000000",
    ),
}


def get_theme(name: str) -> Theme:
    if name not in THEMES:
        raise unknown("theme", name, THEMES)
    return THEMES[name]


def number(value: float) -> str:
    """Three significant figures, unicode minus, ×10ⁿ for very large or small magnitudes."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    if 1e-3 <= abs(value) < 1e5:
        text = f"{value:#.3g}".rstrip(".")
    else:
        mantissa, exponent = f"{value:.2e}".split("e")
        text = f"{mantissa}×10{str(int(exponent)).translate(_SUP)}"
    return text.replace("-", MINUS)


def operand(value: float) -> str:
    """A number as it stands inside a formula: negatives in parentheses."""
    text = number(value)
    return f"({text})" if value < 0 else text


def label_for(node_id: str, kind: str) -> str:
    """Display name from a stable id: trailing digits become subscripts, the target gets its star."""
    if kind == "loss" and node_id.lower() == "loss":
        return "Loss"
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", node_id)
    text = match[1] + match[2].translate(_SUB) if match else node_id
    return text + "*" if kind == "target" else text


def partial(top: str, bottom: str) -> str:
    return f"∂{top}/∂{bottom}"


_FUNCS = {"sigmoid": "σ", "relu": "ReLU", "leaky_relu": "LeakyReLU", "log": "ln"}
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


def _prec(expr: Expr) -> int:
    if isinstance(expr, BinOp):
        return _PREC[expr.op]
    if isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0):
        return 3
    return 5


def _bare(text: str) -> str:
    """Drop one pair of parentheses wrapping a whole argument, so σ((−0.7)) reads σ(−0.7)."""
    if text.startswith("(") and text.endswith(")") and "(" not in text[1:-1]:
        return text[1:-1]
    return text


def formula(expr: Expr, show) -> str:
    """Unicode text of an expression as a course writes it; `show(name)` gives each name's text."""

    def paren(e: Expr, below: int) -> str:
        text = formula(e, show)
        return f"({text})" if _prec(e) < below else text

    match expr:
        case Num(value=value):
            return "½" if value == 0.5 else f"{value:g}".replace("-", MINUS)
        case Name(id=name):
            return show(name)
        case Call(func="Heaviside", args=(arg,)):
            return f"[{formula(arg, show)} > 0]"
        case Call(func=func, args=args):
            return f"{_FUNCS.get(func, func)}({', '.join(_bare(formula(a, show)) for a in args)})"
        case Neg(operand=inner):
            return MINUS + paren(inner, 3)
        case BinOp(op="+", left=left, right=Neg(operand=inner)):
            return f"{formula(left, show)} {MINUS} {paren(inner, 2)}"
        case BinOp(op="+" | "-" as op, left=left, right=right):
            sign = "+" if op == "+" else MINUS
            return f"{formula(left, show)} {sign} {paren(right, 2 if op == '-' else 1)}"
        case BinOp(op="*", left=left, right=right):
            a, b = paren(left, 2), paren(right, 3)
            juxtapose = b.startswith(("(", "[")) or (isinstance(left, Num) and not isinstance(right, Num))
            return a + b if juxtapose else f"{a}·{b}"
        case BinOp(op="/", left=left, right=right):
            return f"{paren(left, 2)}/{paren(right, 3)}"
        case BinOp(op="**", left=left, right=Num(value=value)) if value == int(value) and abs(value) < 10:
            return paren(left, 5) + str(int(value)).translate(_SUP)
        case BinOp(op="**", left=left, right=right):
            return f"{paren(left, 5)}^{paren(right, 5)}"
    raise TypeError(expr)

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
    # Forward values are dark blue and gradients orange-red: apart in hue for colour-blind readers and
    # in lightness for grayscale, each at least 4.5:1 against the background (tests check all three).
    "light": Theme(
        "light",
        background="white",
        text="#1a1a1a",
        forward="#003f7f",
        gradient="#c25400",
        local="#4d4d4d",
        muted="#c8c8c8",
        edge="#5a5a5a",
        parameter_fill="#fff1c1",
        operation_fill="#eef3f8",
        leaf_fill="#ffffff",
        loss_fill="#fbe3d6",
        highlight="#cc79a7",
    ),
    "dark": Theme(
        "dark",
        background="#1b1d23",
        text="#f0f0f0",
        forward="#9ccff5",
        gradient="#e8762c",
        local="#c0c0c0",
        muted="#4a4d55",
        edge="#a0a0a0",
        parameter_fill="#4a3f1c",
        operation_fill="#262a33",
        leaf_fill="#1b1d23",
        loss_fill="#4a2a1c",
        highlight="#e58ac0",
    ),
    "print": Theme(
        "print",
        background="white",
        text="#000000",
        forward="#000000",
        gradient="#5e5e5e",
        local="#333333",
        muted="#bbbbbb",
        edge="#000000",
        parameter_fill="#e6e6e6",
        operation_fill="#ffffff",
        leaf_fill="#ffffff",
        loss_fill="#d0d0d0",
        highlight="#000000",
    ),
}


def luminance(colour: str) -> float:
    """WCAG relative luminance of `#rrggbb` or `white`."""
    hex_colour = "#ffffff" if colour == "white" else colour
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


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


def wrap(label: str) -> str:
    """A label that is itself a formula (an unnamed intermediate) goes in parentheses inside others."""
    return label if re.fullmatch(r"[A-Za-z][A-Za-z0-9_₀-₉]*\*?", label) else f"({label})"


def partial(top: str, bottom: str) -> str:
    """`∂z₂/∂a₁`."""
    return f"∂{wrap(top)}/∂{wrap(bottom)}"


@dataclass(frozen=True)
class Notation:
    """The tokens that differ between unicode text (slides, terminal) and LaTeX (answer keys)."""

    minus: str
    dot: str
    half: str
    functions: dict
    latex: bool = False


UNICODE = Notation(MINUS, "·", "½", {"sigmoid": "σ", "relu": "ReLU", "leaky_relu": "LeakyReLU", "log": "ln"})
LATEX = Notation(
    "-",
    r" \cdot ",
    r"\frac{1}{2}",
    {
        "sigmoid": r"\sigma",
        "tanh": r"\tanh",
        "exp": r"\exp",
        "log": r"\ln",
        "relu": r"\mathrm{ReLU}",
        "leaky_relu": r"\mathrm{LeakyReLU}",
        "softplus": r"\mathrm{softplus}",
    },
    latex=True,
)
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


def formula(expr: Expr, show, notation: Notation = UNICODE) -> str:
    """An expression as a course writes it; `show(name)` gives each name's text (a label or a value)."""
    n = notation
    open_, close = (r"\left(", r"\right)") if n.latex else ("(", ")")

    def fmt(e: Expr) -> str:
        return formula(e, show, n)

    def paren(e: Expr, below: int) -> str:
        return f"{open_}{fmt(e)}{close}" if _prec(e) < below else fmt(e)

    match expr:
        case Num(value=value):
            return n.half if value == 0.5 else f"{value:g}".replace("-", n.minus)
        case Name(id=name):
            return show(name)
        case Call(func="Heaviside", args=(arg,)):
            return f"[{fmt(arg)} > 0]"
        case Call(func=func, args=args):
            inner = ", ".join(_bare(fmt(a)) for a in args)
            return f"{n.functions.get(func, func)}{open_}{inner}{close}"
        case Neg(operand=inner):
            return n.minus + paren(inner, 3)
        case BinOp(op="+", left=left, right=Neg(operand=inner)):
            return f"{fmt(left)} {n.minus} {paren(inner, 2)}"
        case BinOp(op="+" | "-" as op, left=left, right=right):
            sign = "+" if op == "+" else n.minus
            return f"{fmt(left)} {sign} {paren(right, 2 if op == '-' else 1)}"
        case BinOp(op="*", left=left, right=right):
            a, b = paren(left, 2), paren(right, 3)
            juxtapose = b.startswith(("(", "[", "\\left")) or (isinstance(left, Num) and not isinstance(right, Num))
            return f"{a}{' ' if n.latex else ''}{b}" if juxtapose else f"{a}{n.dot}{b}"
        case BinOp(op="/", left=left, right=right) if n.latex:
            return rf"\frac{{{fmt(left)}}}{{{fmt(right)}}}"
        case BinOp(op="/", left=left, right=right):
            return f"{paren(left, 2)}/{paren(right, 3)}"
        case BinOp(op="**", left=left, right=right) if n.latex:
            return f"{paren(left, 5)}^{{{fmt(right)}}}"
        case BinOp(op="**", left=left, right=Num(value=value)) if value == int(value) and abs(value) < 10:
            return paren(left, 5) + str(int(value)).translate(_SUP)
        case BinOp(op="**", left=left, right=right):
            return f"{paren(left, 5)}^{paren(right, 5)}"
    raise TypeError(expr)


def latex_label(node_id: str, kind: str) -> str:
    """`w_{1}`, `y^{*}`, `\\mathrm{Loss}`: the LaTeX twin of `label_for`."""
    if kind == "loss" and node_id.lower() == "loss":
        return r"\mathrm{Loss}"
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", node_id)
    if match:
        text = f"{match[1]}_{{{match[2]}}}"
    else:
        escaped = node_id.replace("_", r"\_")
        text = node_id if re.fullmatch(r"[A-Za-z]", node_id) else rf"\mathrm{{{escaped}}}"
    return text + "^{*}" if kind == "target" else text

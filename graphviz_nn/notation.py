"""How every number and formula is written: the one display policy, for unicode (diagrams, captions,
tables, HTML, decks) and LaTeX (answer keys, Beamer).

Numbers follow one rule (the README states it):

- a computed number shows `digits` significant digits, trailing zeros kept (0.500, 1.00, −0.148);
- an exact number (an input, weight, target or α as given, a formula's constant, an exact zero, a
  local derivative that is a constant) is written exactly, as short as it goes (0.5, 1, 0.01, 0);
  given numbers with more digits than `digits` are rounded like computed ones;
- below 10⁻³ and from 10^digits up, m.mm×10ⁿ (never e+03);
- an updated weight shows enough digits to carry its step: 0.5 − 0.01·0.0417 = 0.499583.

    >>> number(5000.0), number(1.11e-40), number(0.5), exact(0.5), exact(0.01), number(0.0)
    ('5.00×10³', '1.11×10⁻⁴⁰', '0.500', '0.5', '0.01', '0')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .defaults import DIGITS, MAX_DIGITS
from .expr import BinOp, Call, Expr, Name, Neg, Num

MINUS = "\u2212"
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


@dataclass(frozen=True)
class Notation:
    """The tokens that differ between unicode text (slides, terminal) and LaTeX (answer keys)."""

    minus: str
    dot: str
    half: str
    functions: dict = field(hash=False)
    latex: bool = False
    # Parentheses around groups; LaTeX that must break across lines uses plain ( ) (TeX cannot break
    # inside \left( ... \right)).
    parens: tuple[str, str] = ("(", ")")

    def power_of_ten(self, mantissa: str, exponent: int) -> str:
        if self.latex:
            return rf"{mantissa} \times 10^{{{exponent}}}"
        return f"{mantissa}×10{str(exponent).translate(_SUP)}"


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
    parens=(r"\left(", r"\right)"),
)


# What each notation the pictures use means, and the marks (unicode, LaTeX) that show it is in a text.
MEANINGS = {
    "heaviside": ("[z > 0] is 1 when z > 0, else 0", ("> 0]",)),
    "sigma": ("σ is the sigmoid 1/(1 + e⁻ᶻ)", ("σ", r"\sigma")),
    "power": ("m×10ⁿ means m times 10 to the n", ("×10", r"\times 10")),
}


def check_digits(digits: int) -> int:
    from .errors import NNError

    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise NNError(f"digits must be a whole number from 1 to {MAX_DIGITS}, got {digits!r}")
    return digits


def _write(negative: bool, body: str, notation: Notation) -> str:
    return (notation.minus if negative else "") + body


def _scientific(value: float, sig: int) -> tuple[str, int]:
    mantissa, exponent = f"{abs(value):.{sig - 1}e}".split("e")
    return mantissa, int(exponent)


def number(value: float, digits: int = DIGITS, notation: Notation = UNICODE, *, sig: int | None = None) -> str:
    """A computed number: `sig` (default `digits`) significant digits; ×10ⁿ outside 10⁻³ ≤ |v| < 10^digits."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return _write(value < 0, "∞", notation) if math.isinf(value) else "NaN"
    sig = min(sig or digits, 17)
    mantissa, exponent = _scientific(value, sig)  # rounded first, so 999.6 becomes 1.00×10³
    if -3 <= exponent < digits:
        return _write(value < 0, f"{abs(value):.{max(sig - 1 - exponent, 0)}f}", notation)
    return _write(value < 0, notation.power_of_ten(mantissa, exponent), notation)


def exact(value: float, digits: int = DIGITS, notation: Notation = UNICODE) -> str:
    """A number known exactly (given, or a constant): as short as it goes, 0.5 not 0.500."""
    if value == 0 or not math.isfinite(value):
        return number(value, digits, notation)
    from decimal import Decimal  # exact digits of the shortest repr; loaded on first use

    d = Decimal(repr(abs(float(value)))).normalize()
    _, shown, exp = d.as_tuple()
    if len(shown) > digits:
        return number(value, digits, notation)
    exponent = len(shown) + exp - 1
    if -3 <= exponent < max(digits, len(shown) + max(exp, 0)) and exponent < 6:
        return _write(value < 0, f"{d:f}", notation)
    text = "".join(map(str, shown))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return _write(value < 0, notation.power_of_ten(mantissa, exponent), notation)


def updated(old: float, new: float, digits: int = DIGITS, notation: Notation = UNICODE) -> str:
    """The new weight with enough digits to show its step: old 0.5, step 4.17×10⁻⁴ → 0.499583."""
    step = old - new
    if step == 0 or new == 0:
        return number(new, digits, notation)
    _, step_exp = _scientific(step, digits)
    _, new_exp = _scientific(new, digits)
    return number(new, digits, notation, sig=max(digits, min(new_exp - step_exp + digits, MAX_DIGITS + 2)))


def operand(text: str, value: float, notation: Notation = UNICODE) -> str:
    """A written number as it stands inside a product: negatives in parentheses."""
    if value < 0:
        return f"{notation.parens[0]}{text}{notation.parens[1]}"
    return text


# -- names -----------------------------------------------------------------------------------------


def subscripted(name: str) -> str:
    """`w1` → `w₁`, `wh21` → `wh₂₁`, `w_1` → `w₁`: trailing digits of a name become subscripts."""
    match = re.fullmatch(r"(.*?[^\d_])_?(\d+)", name)
    return match[1] + match[2].translate(_SUB) if match else name


def label_for(node_id: str, kind: str) -> str:
    """Display name from a stable id: trailing digits become subscripts, the target gets its star."""
    if kind == "loss" and node_id.lower() == "loss":
        return "Loss"
    text = subscripted(node_id)
    return text + "*" if kind == "target" else text


def latex_label(node_id: str, kind: str) -> str:
    """`w_{1}`, `y^{*}`, `\\mathrm{Loss}`: the LaTeX twin of `label_for`."""
    if kind == "loss" and node_id.lower() == "loss":
        return r"\mathrm{Loss}"
    match = re.fullmatch(r"([A-Za-z][A-Za-z_]*?)_?(\d+)", node_id)
    head, tail = (match[1], f"_{{{match[2]}}}") if match else (node_id, "")
    escaped = head.replace("_", r"\_")
    text = (head if len(head) == 1 else rf"\mathrm{{{escaped}}}") + tail
    return text + "^{*}" if kind == "target" else text


def wrap(label: str) -> str:
    """A label that is itself a formula (an unnamed intermediate) goes in parentheses inside others."""
    return label if re.fullmatch(r"[A-Za-z][A-Za-z0-9_₀-₉]*\*?", label) else f"({label})"


def partial(top: str, bottom: str, notation: Notation = UNICODE) -> str:
    """`∂z₂/∂a₁` (or its LaTeX fraction, given LaTeX labels)."""
    if notation.latex:
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
    return f"∂{wrap(top)}/∂{wrap(bottom)}"


# -- formulas --------------------------------------------------------------------------------------

_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}


def _prec(expr: Expr) -> int:
    if isinstance(expr, BinOp):
        return _PREC[expr.op]
    if isinstance(expr, Neg) or (isinstance(expr, Num) and expr.value < 0):
        return 3
    return 5


def _bare(text: str) -> str:
    """Drop one pair of parentheses wrapping a whole argument, so σ((−0.7)) reads σ(−0.7)."""
    for open_, close in (("(", ")"), (r"\left(", r"\right)")):
        inner = text[len(open_) : -len(close)]
        if text.startswith(open_) and text.endswith(close) and open_ not in inner:
            return inner
    return text


def formula(expr: Expr, show, notation: Notation = UNICODE, digits: int = 6) -> str:
    """An expression as a course writes it; `show(name)` gives each name's text (a label or a value).
    Constants are written exactly, up to `digits` significant digits."""
    n = notation
    open_, close = n.parens

    def fmt(e: Expr) -> str:
        return formula(e, show, n, digits)

    def paren(e: Expr, below: int) -> str:
        return f"{open_}{fmt(e)}{close}" if _prec(e) < below else fmt(e)

    match expr:
        case Num(value=value):
            return n.half if value == 0.5 else exact(value, digits, n)
        case Name(id=name):
            return show(name)
        case Call(func="Heaviside", args=(arg,)):
            return rf"[{fmt(arg)} > 0]"
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
            # 2x and a(1 − a) read as products; two numbers side by side never do: 0.622·(1 − 0.622).
            letter_first = b[:1].isalpha() or (b.startswith("\\") and not b.startswith("\\left"))
            juxtapose = (isinstance(left, Num) or a[-1:] not in "0123456789") and b.startswith(("(", "[", "\\left"))
            juxtapose = juxtapose or (isinstance(left, Num) and letter_first)
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

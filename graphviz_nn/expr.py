"""A tiny expression language, parsed with Python's `ast` under a whitelist and never executed.

One parsed form serves three readers: the display printer (unicode for slides), SymPy (for
`derive`) and the spec-file builder. Operation templates in `ops.py` are written in it too, so the
diagram's labels, the frame captions and the symbolic answers all come from one source.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass

from .errors import NNError, quoted

MAX_LENGTH = 2000
# Levels of real nesting: brackets on the right, calls, signs. A chain `a + b + c + ...` is one level
# whatever its length (Python's ast nests it to the left), so a 70-input neuron is one level deep.
MAX_DEPTH = 60


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / **
    left: object
    right: object


@dataclass(frozen=True)
class Neg:
    operand: object


Expr = Num | Name | Call | BinOp | Neg

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def parse(text: str) -> Expr:
    """Parse `text` into an Expr tree, refusing anything but numbers, names, + - * / **, and calls."""
    if not isinstance(text, str):
        raise NNError(f"expected an expression string, got {quoted(text)}")
    if len(text) > MAX_LENGTH:
        raise NNError(f"expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise NNError(f"{quoted(text)} is not a valid expression") from err
    return _convert(tree.body, text, 0)


def _convert(node: ast.AST, text: str, depth: int) -> Expr:
    if depth > MAX_DEPTH:
        raise NNError(f"{quoted(text)} is nested more than {MAX_DEPTH} levels deep")
    match node:
        case ast.Constant(value=bool()):
            pass
        case ast.Constant(value=int() | float() as value):
            return Num(_finite(value, text))
        case ast.Name(id=name):
            return Name(name)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            inner = _convert(operand, text, depth + 1)
            return Num(-inner.value) if isinstance(inner, Num) else Neg(inner)
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _convert(operand, text, depth + 1)
        case ast.BinOp(op=op) if type(op) in _BINOPS:
            # Walk the left spine in a loop: a long chain costs no recursion and counts as one level.
            links = []
            while isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
                links.append(node)
                node = node.left
            tree = _convert(node, text, depth + 1)
            for link in reversed(links):
                tree = BinOp(_BINOPS[type(link.op)], tree, _convert(link.right, text, depth + 1))
            return tree
        case ast.Call(func=ast.Name(id=func), args=args, keywords=[]):
            if any(isinstance(a, ast.Starred) for a in args):
                raise NNError(f"{quoted(text)}: starred arguments are not allowed")
            return Call(func, tuple(_convert(a, text, depth + 1) for a in args))
    fragment = ast.get_source_segment(text.strip(), node) or type(node).__name__
    allowed = "use numbers, names, + - * / **, and operation calls"
    raise NNError(f"{quoted(fragment)} is not allowed in {quoted(text)} ({allowed})")


def _finite(value: int | float, text: str) -> float:
    """A literal as a double; one too large for a double (`1e400`, a 400-digit integer) is refused."""
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise NNError(f"{quoted(text)} has a number too large for a double (the largest is about 1.8e308)")
    return number


def spine(expr: BinOp) -> tuple[object, list[BinOp]]:
    """`a + b - c` → (a, [the `- c` link, the `+ b` link]): the bottom operand and the links above it."""
    links = []
    while isinstance(expr, BinOp):
        links.append(expr)
        expr = expr.left
    return expr, links


def names(expr: Expr) -> set[str]:
    """Every variable name the expression mentions."""
    found: set[str] = set()
    stack = [expr]
    while stack:  # a loop, not recursion: a long chain is a deep tree
        match stack.pop():
            case Name(id=name):
                found.add(name)
            case Call(args=args):
                stack.extend(args)
            case BinOp(left=left, right=right):
                stack += [left, right]
            case Neg(operand=operand):
                stack.append(operand)
    return found


def substitute(expr: Expr, values: dict[str, Expr]) -> Expr:
    """Replace names by expressions (how a template's `z`, `u`, `v`, `c` become a node's inputs)."""
    match expr:
        case Name(id=name):
            return values.get(name, expr)
        case Call(func=func, args=args):
            return Call(func, tuple(substitute(a, values) for a in args))
        case BinOp(op=op, left=left, right=right):
            return BinOp(op, substitute(left, values), substitute(right, values))
        case Neg(operand=operand):
            return Neg(substitute(operand, values))
    return expr


def fold(expr: Expr) -> Expr:
    """Fold arithmetic between numbers, so `c*z**(c - 1)` with c = 3 reads `3*z**2`. Arithmetic without
    a finite real result (`1/0`, `1e300*1e300`, `(-8)**0.5`) stays unfolded for the caller to refuse."""
    match expr:
        case Call(func=func, args=args):
            return Call(func, tuple(fold(a) for a in args))
        case Neg(operand=operand):
            inner = fold(operand)
            return Num(-inner.value) if isinstance(inner, Num) else Neg(inner)
        case BinOp():
            bottom, links = spine(expr)
            tree = fold(bottom)
            for link in reversed(links):
                tree = _fold_link(link.op, tree, fold(link.right))
            return tree
    return expr


def _fold_link(op: str, a: Expr, b: Expr) -> Expr:
    if isinstance(a, Num) and isinstance(b, Num):
        value = constant(op, a.value, b.value)
        if value is not None:
            return Num(value)
    if op == "**" and b == Num(1.0):
        return a
    if op == "*" and a == Num(1.0):
        return b
    return BinOp(op, a, b)


def constant(op: str, x: float, y: float) -> float | None:
    """`x op y` between two numbers, or None when it is not a finite real number."""
    try:
        value = _ARITHMETIC[op](x, y)
    except (ZeroDivisionError, OverflowError):
        return None
    return value if isinstance(value, float) and math.isfinite(value) else None


def to_sympy(expr: Expr, symbols: dict, functions: dict):
    """Build a SymPy expression directly from the tree: no string ever reaches SymPy's parser."""
    import sympy as sp

    match expr:
        case Num(value=value):
            return sp.Rational(value).limit_denominator(10**6) if value != int(value) else sp.Integer(int(value))
        case Name(id=name):
            return symbols[name]
        case Call(func=func, args=args):
            return functions[func](*(to_sympy(a, symbols, functions) for a in args))
        case Neg(operand=operand):
            return -to_sympy(operand, symbols, functions)
        case BinOp(op=op, left=left, right=right):
            a, b = to_sympy(left, symbols, functions), to_sympy(right, symbols, functions)
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            return a / b if op == "/" else a**b
    raise TypeError(expr)

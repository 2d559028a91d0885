"""A tiny expression language, parsed with Python's `ast` under a whitelist and never executed.

One parsed form serves three readers: the display printer (unicode for slides), SymPy (for
`derive`) and the spec-file builder. Operation templates in `ops.py` are written in it too, so the
diagram's labels, the frame captions and the symbolic answers all come from one source.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .errors import NNError

MAX_LENGTH = 2000
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


def parse(text: str) -> Expr:
    """Parse `text` into an Expr tree, refusing anything but numbers, names, + - * / **, and calls."""
    if not isinstance(text, str):
        raise NNError(f"expected an expression string, got {text!r}")
    if len(text) > MAX_LENGTH:
        raise NNError(f"expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise NNError(f"{text!r} is not a valid expression") from err
    return _convert(tree.body, text, 0)


def _convert(node: ast.AST, text: str, depth: int) -> Expr:
    if depth > MAX_DEPTH:
        raise NNError(f"{text!r} is nested more than {MAX_DEPTH} levels deep")
    match node:
        case ast.Constant(value=bool()):
            pass
        case ast.Constant(value=int() | float() as value):
            return Num(float(value))
        case ast.Name(id=name):
            return Name(name)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            inner = _convert(operand, text, depth + 1)
            return Num(-inner.value) if isinstance(inner, Num) else Neg(inner)
        case ast.UnaryOp(op=ast.UAdd(), operand=operand):
            return _convert(operand, text, depth + 1)
        case ast.BinOp(op=op, left=left, right=right) if type(op) in _BINOPS:
            return BinOp(_BINOPS[type(op)], _convert(left, text, depth + 1), _convert(right, text, depth + 1))
        case ast.Call(func=ast.Name(id=func), args=args, keywords=[]):
            if any(isinstance(a, ast.Starred) for a in args):
                raise NNError(f"{text!r}: starred arguments are not allowed")
            return Call(func, tuple(_convert(a, text, depth + 1) for a in args))
    fragment = ast.get_source_segment(text.strip(), node) or type(node).__name__
    raise NNError(f"{fragment!r} is not allowed in {text!r} (use numbers, names, + - * / **, and operation calls)")


def names(expr: Expr) -> set[str]:
    """Every variable name the expression mentions."""
    match expr:
        case Name(id=name):
            return {name}
        case Call(args=args):
            return set().union(*(names(a) for a in args))
        case BinOp(left=left, right=right):
            return names(left) | names(right)
        case Neg(operand=operand):
            return names(operand)
    return set()


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
    """Fold arithmetic between numbers, so `c*z**(c - 1)` with c = 3 reads `3*z**2`."""
    match expr:
        case Call(func=func, args=args):
            return Call(func, tuple(fold(a) for a in args))
        case Neg(operand=operand):
            inner = fold(operand)
            return Num(-inner.value) if isinstance(inner, Num) else Neg(inner)
        case BinOp(op=op, left=left, right=right):
            a, b = fold(left), fold(right)
            if isinstance(a, Num) and isinstance(b, Num) and not (op == "/" and b.value == 0):
                x, y = a.value, b.value
                value = {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else 0.0}.get(op)
                if value is not None:
                    return Num(value)
            if op == "**" and b == Num(1.0):
                return a
            if op == "*" and a == Num(1.0):
                return b
            return BinOp(op, a, b)
    return expr


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

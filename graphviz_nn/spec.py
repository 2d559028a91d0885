"""Spec files: a scalar computation graph described in TOML, every expression parsed by `expr`'s
whitelist (never `eval`, never SymPy's string parser), so no spec file can make the tool run code.

    title = "A neuron with two inputs"
    alpha = 0.1
    [inputs]        x1 = 2.0 ...
    [parameters]    w1 = -3.0 ...
    [targets]       y = 1.0
    [nodes]         z = "w1*x1 + w2*x2 + b"   # each over earlier names and the registered operations
                    a = "tanh(z)"
                    loss = "quadratic(a, y)"  # the output: `loss`, or the node named by `output = "..."`
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from . import expr, forms, graph, ops
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError

SECTIONS = {"inputs": "input", "parameters": "parameter", "targets": "target", "target": "target"}
TOP_LEVEL = {"title", "alpha", "output", "nodes", *SECTIONS}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED = {*ops.CALLABLE, "alpha", "Heaviside"}


def load(path: str | Path) -> graph.ComputationGraph:
    """Read and build a spec file (not yet propagated)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NNError(f"spec file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as err:
        raise NNError(f"cannot read spec file {str(path)!r} ({err})") from err
    return loads(text, path.name)


def loads(text: str, name: str = "spec") -> graph.ComputationGraph:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise NNError(f"{name} is not valid TOML: {err}") from err
    return from_dict(data, name)


def from_dict(data: dict, name: str = "spec") -> graph.ComputationGraph:
    """A graph from a parsed spec; every error names the key at fault."""
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        raise NNError(f"{name}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(TOP_LEVEL))})")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise NNError(f"{name}: title must be a string")
    g = graph.new_graph(title, graph.finite(data.get("alpha", DEFAULTS["alpha"]), f"{name}: alpha"))
    for section, kind in SECTIONS.items():
        for key, value in _table(data, section, name).items():
            _new_name(g, key, f"{name}: {section}.{key}")
            graph.add_leaf(g, key, kind, graph.finite(value, f"{name}: {section}.{key}"))
    nodes = _table(data, "nodes", name)
    output = data.get("output", "loss")
    if not isinstance(output, str) or output not in nodes:
        raise NNError(
            f'{name}: no loss node: add `loss = "quadratic(a, y)"` (or any expression) under [nodes], '
            'or name the output node with `output = "..."`'
        )
    names = graph.AutoNames(
        [k for section in (*SECTIONS, "nodes") for k in _table(data, section, name)]
    )  # every user name, read before any automatic one is chosen
    for key, text in nodes.items():
        where = f"{name}: nodes.{key}"
        _new_name(g, key, where)
        if not isinstance(text, str):
            raise NNError(f'{where}: expected an expression in quotes, such as "w1 * x", got {text!r}')
        try:
            tree = expr.fold(expr.parse(text))
            ahead = sorted(n for n in expr.names(tree) if n in nodes and n not in g)
            if ahead:
                raise NNError(
                    f"uses {ahead[0]!r}, which is not defined above it: that would make a cycle "
                    "(each node may use only the names above it)"
                )
            _node(g, tree, key, "loss" if key == output else "operation", names)
        except NNError as err:
            raise NNError(f"{where}: {err}") from err
    downstream = [n for n in g if g.out_degree(n) == 0 and n != output]
    if downstream:
        raise NNError(f"{name}: {downstream[0]!r} is not used on the way to the output {output!r}")
    forms.name_intermediates(g, names.made)
    graph.order(g)
    return g


def _table(data: dict, section: str, name: str) -> dict:
    table = data.get(section, {})
    if not isinstance(table, dict):
        raise NNError(f"{name}: [{section}] must be a table of name = value lines")
    return table


def _new_name(g: graph.ComputationGraph, key: str, where: str) -> None:
    if not IDENTIFIER.fullmatch(key) or key in RESERVED:
        raise NNError(f"{where}: {key!r} cannot be a name (use letters, digits and _, not an operation's name)")
    if key in g:
        raise NNError(f"{where}: duplicate id {key!r}")


def _node(g, tree: expr.Expr, key: str | None, kind: str, names: graph.AutoNames) -> str:
    """Add the node(s) computing `tree`; the outermost one gets `key`, intermediates automatic names."""

    def new_id(op_name: str) -> str:
        return key if key is not None else names()

    def child(sub: expr.Expr) -> str:
        return _node(g, sub, None, "operation", names)

    match tree:
        case expr.Name(id=name):
            if name not in g:
                known = ", ".join(g) or "none yet"
                raise NNError(f"unknown name {name!r} (names defined above: {known})")
            if key is not None:
                raise NNError(f'{name!r} alone computes nothing; write an operation, such as "1 * {name}"')
            return name
        case expr.Num():
            raise NNError("a node must compute something from other nodes; put constants under [inputs]")
        # Children first: ids then follow creation order, as `Value` does.
        case expr.Neg(operand=inner):
            inputs = [child(inner)]
            return graph.add_op(g, new_id("neg"), "neg", inputs, kind=kind)
        case expr.Call(func=func, args=args):
            if func not in ops.CALLABLE:
                raise NNError(f"unknown operation {func!r} (choose from: {', '.join(ops.CALLABLE)})")
            op = ops.OPS[func]
            if len(args) != op.arity:
                raise NNError(f"{func} takes {op.arity} argument(s), got {len(args)}")
            inputs = [child(a) for a in args]
            return graph.add_op(g, new_id(func), func, inputs, kind=kind)
        case expr.BinOp(op=symbol, left=left, right=right):
            side = "right" if isinstance(right, expr.Num) else "left" if isinstance(left, expr.Num) else None
            op_name = ops.ARITHMETIC.get((symbol, side))
            if op_name is None:
                raise NNError("** needs a number as exponent" if symbol == "**" else f"{symbol} is not supported")
            if side is None:
                inputs = [child(left), child(right)]
                return graph.add_op(g, new_id(op_name), op_name, inputs, kind=kind)
            const, operand = (right, left) if side == "right" else (left, right)
            inputs = [child(operand)]
            return graph.add_op(g, new_id(op_name), op_name, inputs, const.value, kind=kind)
    raise NNError(f"cannot build a node from {tree!r}")


def dumps(data: dict, comment: str = "") -> str:
    """TOML text for a spec dict (the subset specs use: strings, numbers, one level of tables)."""

    def value(v: object) -> str:
        return f'"{v}"' if isinstance(v, str) else repr(float(v))

    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for section, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{section}]"] + [f"{k} = {value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"

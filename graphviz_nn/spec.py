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

import keyword
import re
import tomllib
from pathlib import Path

from . import expr, files, forms, graph, ops
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError, quoted, unknown

SECTIONS = {"inputs": "input", "parameters": "parameter", "targets": "target", "target": "target"}
TOP_LEVEL = {"title", "alpha", "output", "nodes", *SECTIONS}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED = {*ops.CALLABLE, "alpha", "Heaviside"}


def load(path: str | Path) -> graph.ComputationGraph:
    """Read and build a spec file (not yet propagated)."""
    return loads(files.read_text(path, "spec file"), Path(path).name)


def loads(text: str, name: str = "spec") -> graph.ComputationGraph:
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise NNError(f"{name} is not valid TOML: {err}") from err
    except ValueError as err:  # an integer of thousands of digits: Python refuses to convert it
        raise NNError(f"{name} is not a usable spec: {err}") from err
    except RecursionError:
        raise NNError(f"{name} is not a usable spec: its arrays or tables are nested too deeply") from None
    return from_dict(data, name)


def from_dict(data: dict, name: str = "spec") -> graph.ComputationGraph:
    """A graph from a parsed spec; every error names the key at fault."""
    if not isinstance(data, dict):
        raise NNError(f"{name}: a spec is a table of keys, got {quoted(data)}")
    unknown = sorted(set(data) - TOP_LEVEL)
    if unknown:
        raise NNError(f"{name}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(TOP_LEVEL))})")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise NNError(f"{name}: title must be a string")
    if not title.isprintable():
        raise NNError(f"{name}: the title must be one line of printable text, got {quoted(title)}")
    g = graph.new_graph(title, graph.finite(data.get("alpha", DEFAULTS["alpha"]), f"{name}: alpha"))
    for section, kind in SECTIONS.items():
        for key, value in _table(data, section, name).items():
            _new_name(g, key, f"{name}: {section}.{key}")
            graph.add_leaf(g, key, kind, graph.finite(value, f"{name}: {section}.{key}"))
    nodes = _table(data, "nodes", name)
    output = _output(data, nodes, name)
    names = graph.AutoNames(
        [k for section in (*SECTIONS, "nodes") for k in _table(data, section, name)]
    )  # every user name, read before any automatic one is chosen
    for key, text in nodes.items():
        where = f"{name}: nodes.{key}"
        _new_name(g, key, where)
        if not isinstance(text, str):
            raise NNError(f'{where}: expected an expression in quotes, such as "w1 * x", got {quoted(text)}')
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


def _output(data: dict, nodes: dict, name: str) -> str:
    """The output node: `loss`, or the node named by `output = "..."`, which must be under [nodes]."""
    if "output" not in data:
        if "loss" not in nodes:
            misplaced = " (`output = ...` under [nodes] makes a node; put it before the first [section])"
            raise NNError(
                f'{name}: no loss node: add `loss = "quadratic(a, y)"` (or any expression) under [nodes], '
                f'or name the output node with `output = "..."`{misplaced if "output" in nodes else ""}'
            )
        return "loss"
    output = data["output"]
    if not isinstance(output, str):
        raise NNError(f"{name}: output must be the name of a node in quotes, got {output!r}")
    if output not in nodes:
        choices = f"choose from: {_listed(nodes)}" if nodes else "[nodes] is empty"
        raise NNError(f"{name}: output {output!r} is not a node under [nodes] ({choices})")
    return output


def _listed(names, limit: int = 12) -> str:
    names = list(names)
    return ", ".join(names[:limit]) + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _new_name(g: graph.ComputationGraph, key: str, where: str) -> None:
    if not isinstance(key, str) or not IDENTIFIER.fullmatch(key):
        raise NNError(f"{where}: {key!r} cannot be a name (start with a letter or _, then letters, digits and _)")
    if key == "alpha":
        raise NNError(f"{where}: alpha is the step size, not a name; put `alpha = ...` before the first [section]")
    if key in RESERVED or keyword.iskeyword(key):
        what = "a Python keyword" if keyword.iskeyword(key) else "the name of an operation"
        raise NNError(f"{where}: {key!r} cannot be a name: it is {what}; choose another name")
    if key in g:
        raise NNError(f"{where}: duplicate id {key!r}")


def _node(g, tree: expr.Expr, key: str | None, kind: str, names: graph.AutoNames) -> str:
    """Add the node(s) computing `tree`; the outermost one gets `key`, intermediates automatic names.
    Children come first, so ids follow creation order, as `Value` does."""

    def child(sub: expr.Expr) -> str:
        return _node(g, sub, None, "operation", names)

    match tree:
        case expr.Name(id=name):
            if name not in g:
                raise NNError(f"unknown name {name!r} (names defined above: {_listed(g) or 'none yet'})")
            if key is not None:
                raise NNError(f'{name!r} alone computes nothing; write an operation on it, such as "identity({name})"')
            return name
        case expr.Num():
            raise NNError("a node must compute something from other nodes; put constants under [inputs]")
        case expr.Neg(operand=inner):
            inputs = [child(inner)]
            return graph.add_op(g, key or names(), "neg", inputs, kind=kind)
        case expr.Call(func=func, args=args):
            if func not in ops.CALLABLE:
                raise unknown("operation", func, ops.CALLABLE)
            op = ops.OPS[func]
            if len(args) != op.arity:
                raise NNError(f"{func} takes {op.arity} argument(s), got {len(args)}")
            inputs = [child(a) for a in args]
            return graph.add_op(g, key or names(), func, inputs, kind=kind)
        case expr.BinOp():
            # A chain `a + b + c + ...` is nested to the left: walk it in a loop, bottom first.
            bottom, links = expr.spine(tree)
            left = bottom if isinstance(bottom, expr.Num) else child(bottom)
            for link in reversed(links):
                top = link is tree
                left = _binop(g, link, left, key if top else None, kind if top else "operation", names, child)
            return left
    raise NNError(f"cannot build a node from {tree!r}")


def _binop(g, link: expr.BinOp, left: str | expr.Num, key: str | None, kind: str, names, child) -> str:
    """One link `left op right` of a chain; `left` is a node id, or a number at the chain's bottom."""
    right = link.right
    if isinstance(left, expr.Num) and isinstance(right, expr.Num):  # fold found no finite real value
        raise NNError(f"{_number(left)} {link.op} {_number(right)} is not a finite real number")
    side = "right" if isinstance(right, expr.Num) else "left" if isinstance(left, expr.Num) else None
    op_name = ops.ARITHMETIC.get((link.op, side))
    if op_name is None:
        if link.op == "**":
            raise NNError("** needs a number as exponent; for u ** v with u > 0, write exp(v * log(u))")
        raise NNError(f"{link.op} is not supported")
    if side is None:
        inputs = [left, child(right)]
        return graph.add_op(g, key or names(), op_name, inputs, kind=kind)
    const, operand = (right, left) if side == "right" else (left, right)
    inputs = [operand if isinstance(operand, str) else child(operand)]
    return graph.add_op(g, key or names(), op_name, inputs, const.value, kind=kind)


def _number(n: expr.Num) -> str:
    return f"({n.value:g})" if n.value < 0 else f"{n.value:g}"


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

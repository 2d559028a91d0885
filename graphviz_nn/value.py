"""A micrograd-compatible scalar `Value` that records the graph it builds, and `trace` to turn that
record into the same NetworkX graph the engine and renderer use.

Operators and methods map onto the registered ops (`ops.py`), numbers folding into the op as a
constant, so `2 * v` is one readable node. `backward()` runs on the Values themselves (no graph
is built), linear in the number of nodes and without recursion.
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator

from . import engine, forms, graph, ops
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError
from .notation import label_for

_serial = itertools.count()


class Value:
    __slots__ = ("_args", "_inputs", "_op", "_partials", "_residual", "_serial", "data", "grad", "kind", "label")

    def __init__(self, data: float, label: str | None = None, kind: str = "input"):
        if type(data) is not float:  # the common case first: building big expressions is the hot path
            if isinstance(data, bool) or not isinstance(data, numbers.Real):
                raise TypeError(f"Value needs a number, got {data!r}")
            try:
                data = float(data)
            except OverflowError:
                raise NNError("Value needs a number a double can hold (at most about 1.8e308)") from None
        if not math.isfinite(data):
            raise NNError(f"Value needs a finite number, got {data!r}")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"a Value's label must be a string, got {label!r}")
        if kind not in graph.LEAF_KINDS:
            raise NNError(f"a Value's kind is one of {', '.join(graph.LEAF_KINDS)}, got {kind!r}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.kind = kind
        self._op, self._inputs, self._args = None, (), ()
        self._partials, self._residual = None, 0.0
        self._serial = next(_serial)

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # -- building ---------------------------------------------------------------------------
    def _arith(self, symbol: str, other, side: str) -> Value:
        if type(other) is Value:
            pair = (self, other) if side == "right" else (other, self)
            return _result(ops.OPS[ops.ARITHMETIC[symbol, None]], pair, (pair[0].data, pair[1].data))
        if isinstance(other, bool) or not isinstance(other, int | float):
            return NotImplemented
        return _result(ops.OPS[ops.ARITHMETIC[symbol, side]], (self,), (self.data, float(other)))

    # Value with Value, the hot path of big expressions, skips the table lookups above.
    def __add__(self, other):
        if type(other) is Value:
            return _result(_ADD, (self, other), (self.data, other.data))
        return self._arith("+", other, "right")

    def __radd__(self, other):
        return self._arith("+", other, "left")

    def __sub__(self, other):
        return self._arith("-", other, "right")

    def __rsub__(self, other):
        return self._arith("-", other, "left")

    def __mul__(self, other):
        if type(other) is Value:
            return _result(_MUL, (self, other), (self.data, other.data))
        return self._arith("*", other, "right")

    def __rmul__(self, other):
        return self._arith("*", other, "left")

    def __truediv__(self, other):
        return self._arith("/", other, "right")

    def __rtruediv__(self, other):
        return self._arith("/", other, "left")

    def __pow__(self, other):
        if type(other) is Value:  # u ** v = exp(v·log u): defined, with its gradient, for u > 0
            if self.data <= 0:
                raise NNError(f"Value ** Value needs a positive base (it is exp(v·log u)), got {self.data!r}")
            return (other * self.log()).exp()
        return self._arith("**", other, "right")

    def __rpow__(self, other):
        if isinstance(other, bool) or not isinstance(other, int | float):
            return NotImplemented
        if not other > 0:
            raise NNError(f"number ** Value needs a positive number (it is exp(v·log b)), got {other!r}")
        return (self * math.log(other)).exp()

    def __neg__(self):
        return _result(ops.OPS["neg"], (self,), (self.data,))

    def _unary(self, name: str) -> Value:
        return _result(ops.OPS[name], (self,), (self.data,))

    def relu(self):
        return self._unary("relu")

    def tanh(self):
        return self._unary("tanh")

    def sigmoid(self):
        return self._unary("sigmoid")

    def exp(self):
        return self._unary("exp")

    def log(self):
        return self._unary("log")

    # -- differentiating --------------------------------------------------------------------
    def backward(self) -> None:
        """∂self/∂v into every v.grad (accumulating, as micrograd does)."""
        self.grad = 1.0
        for v in reversed(_topological(self)):
            if v._op is None:
                continue
            g, inputs = v.grad, v._inputs
            partials = v._partials or v._op.local(*v._args, v.data)
            inputs[0].grad += g * partials[0]
            if len(inputs) == 2:  # every op takes one or two graph inputs
                inputs[1].grad += g * partials[1]


_ADD, _MUL = ops.OPS["add"], ops.OPS["mul"]


def _result(op: ops.Op, inputs: tuple[Value, ...], args: tuple[float, ...]) -> Value:
    """A computed Value; `args` (input values, then any folded constant) are kept for its partials.
    As in the engine, a saturated input's residual reaches the ops that subtract their inputs, so
    σ(40) − 1 is −4.2×10⁻¹⁸ here too, not 0."""
    v = object.__new__(Value)
    v._partials = None
    if op.precise is not None and (carried := [i._residual for i in inputs]) != [0.0] * len(inputs):
        v.data, v._partials = op.precise(*args, *carried)
    else:
        v.data = op.forward(*args)
    if not math.isfinite(v.data):  # refused where it is made, as trace would refuse it later
        raise NNError(f"{op.name} of {', '.join(f'{a:.6g}' for a in args)} overflows a double ({v.data})")
    v.grad, v.label, v.kind = 0.0, None, "operation"
    v._op, v._inputs, v._args = op, inputs, args
    v._residual = op.residual(*args, v.data) if op.residual is not None else 0.0
    v._serial = next(_serial)
    return v


def _topological(root: Value) -> list[Value]:
    """Every value `root` depends on, inputs first. A value's inputs always exist before it, so creation
    order is a topological order: collect the ancestors, then sort. No recursion, so depth is no limit."""
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._inputs:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return sorted(seen, key=_by_serial)


_by_serial = operator.attrgetter("_serial")


def _identifier(label: str) -> str:
    text = "".join(c if c.isalnum() else "_" for c in label).strip("_") or "v"
    return text if not text[0].isdigit() else f"v{text}"


def _user_ids(values: list[Value]) -> dict[int, str]:
    """Ids for labelled values: a label that is already an identifier keeps it (its first use does);
    the others become identifiers, with `_2`, `_3` added where that name is taken."""
    labelled = [v for v in values if v.label]
    for v in labelled:
        if not isinstance(v.label, str):
            raise TypeError(f"a Value's label must be a string, got {v.label!r}")
    ids: dict[int, str] = {}
    taken: set[str] = set()
    for v in labelled:
        if v.label == _identifier(v.label) and v.label not in taken:
            ids[id(v)] = v.label
            taken.add(v.label)
    for v in labelled:
        if id(v) not in ids:
            base = _identifier(v.label)
            candidates = itertools.chain([base], (f"{base}_{k}" for k in itertools.count(2)))
            ids[id(v)] = next(n for n in candidates if n not in taken)
            taken.add(ids[id(v)])
    return ids


def _label(label: str | None, kind: str) -> str | None:
    """A user's label as the diagram writes it: trailing digits subscripted (wh21 → wh₂₁), control
    characters shown as their visible symbols (␊ for a line break), any other unprintable character
    as �, so no label can break a line, a DOT file or an SVG (XML refuses control characters)."""
    if label is None:
        return None
    return label_for("".join(c if c.isprintable() else _visible(c) for c in label), kind)


def _visible(c: str) -> str:
    code = ord(c)
    return chr(0x2400 + code) if code < 0x20 else "␡" if code == 0x7F else "\ufffd"


def trace(root: Value, alpha: float = DEFAULTS["alpha"], title: str = "") -> graph.ComputationGraph:
    """The graph behind `root`, propagated: ids from labels, else op name and creation order."""
    if not isinstance(root, Value):
        raise TypeError(f"trace needs a Value, got {type(root).__name__}")
    values = _topological(root)
    if root._op is None:
        raise NNError("trace needs a value computed from others, not a bare leaf")
    g = graph.new_graph(title, alpha)
    ids = _user_ids(values)
    names = graph.AutoNames(ids.values())  # after every user label, so no automatic name takes one
    for v in values:
        node_id = ids[id(v)] if id(v) in ids else ids.setdefault(id(v), names())
        if v._op is None:
            if v.kind not in graph.LEAF_KINDS:  # set after creation: refuse rather than guess
                raise NNError(f"{node_id}: a Value's kind is one of {', '.join(graph.LEAF_KINDS)}, got {v.kind!r}")
            graph.add_leaf(g, node_id, v.kind, v.data, label=_label(v.label, v.kind))
        else:
            const = v._args[-1] if v._op.has_const else None
            graph.add_op(
                g,
                node_id,
                v._op.name,
                [ids[id(i)] for i in v._inputs],
                const,
                kind="loss" if v is root else "operation",
                label=_label(v.label or ("out" if v is root else None), "operation"),
            )
    forms.name_intermediates(g, names.made)
    return engine.propagate(g)

"""The exercise's answers as a derivation: the forward formulas, the loss in the leaves, and each
parameter's gradient, either path by path (a sum over paths of products of local partials, for small
graphs like the exercise) or node by node (each node's gradient as a sum over the nodes it feeds,
as backprop computes it).

The work grows linearly with the graph: paths are counted, never enumerated beyond a handful; the
loss is written in the leaves only while it stays short and shallow; SymPy only ever simplifies the
few bounded products of path-by-path answers and of the nodes next to the output. Graphs beyond
`MAX_NODES` are refused: their symbolic answer would be unreadable anyway.

SymPy is imported here only (it costs over half a second), so `render` and `inspect` stay quick.
The local partials come from `forms`, the same source as the diagram's labels and the captions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

import networkx as nx
import sympy as sp

from . import forms
from .errors import NNError
from .expr import BinOp, Call, Expr, Name, Neg, Num, names, substitute
from .expr import to_sympy as convert
from .graph import order, parameters

MAX_NODES = 150  # as for frames: beyond this a symbolic answer is a wall of symbols
MAX_WRITTEN_PATHS = 4  # path by path only while every parameter reaches the output along this few paths
MAX_WRITTEN_FACTORS = 12  # ... and its paths have this many local partials in all (chain 5: 11)
MAX_NOTE_FACTORS = 6  # cancellations are looked for this near the output (bounded SymPy work per node)
MAX_LOSS_SIZE = 250  # the loss in the leaves is written while it has at most this many symbols ...
MAX_LOSS_DEPTH = 40  # ... nested at most this deep (printers recurse; σ(σ(σ(...))) 20 deep is unreadable)
MAX_FRACTION_SIZE = 10  # ... with at most this many symbols above or below a fraction bar (one line wide)

# Names a program can parse the JSON output with: undefined SymPy functions print as their names.
FUNCTIONS = {
    **{name: sp.Function(name) for name in ("sigmoid", "softplus", "relu", "leaky_relu")},
    "tanh": sp.tanh,
    "exp": sp.exp,
    "log": sp.log,
    "Heaviside": sp.Heaviside,
}


@dataclass(frozen=True)
class Gradient:
    parameter: str
    count: int  # paths from the parameter to the output (counted, not enumerated)
    factors_in_all: int  # local partials over all those paths
    # Path by path only (empty node by node):
    paths: list[list[tuple[str, str]]]  # each path: the edges (u, v) from the output down to the parameter
    factors: list[list[Expr]]  # the local partial of each edge, in course form
    expression: sp.Expr | None  # the sum of products, in the forward values
    simplified: sp.Expr | None  # the same, cancelled and factored
    cancelled: Expr | None  # the simplified form to write, where cancelling removed a fraction


@dataclass(frozen=True)
class Derivation:
    graph: nx.DiGraph
    out: str
    formulas: dict[str, Expr]  # every operation node → its formula over its inputs' ids
    forward: dict[str, Expr]  # the same for the named ones (not the output, not inline intermediates)
    loss: Expr | None  # the output in terms of the leaves only; None when too long to write
    loss_extent: Extent  # its symbols (doubling with each `x*x`: a Python int, never built) and depth
    by_paths: bool  # path by path (small graphs) or node by node
    gradients: dict[str, Gradient]
    # Node by node: every node whose gradient a parameter needs, from the output down (backprop's
    # order), with its consumers c and the local partials ∂c/∂node.
    backward: dict[str, list[tuple[str, Expr]]]
    notes: list[tuple[str, Expr]]  # (node, simplified ∂out/∂node) where cancelling is worth teaching


def symbol(name: str) -> sp.Symbol:
    return sp.Symbol(name, real=True)


def to_sympy(expr: Expr) -> sp.Expr:
    return convert(expr, {n: symbol(n) for n in names(expr)}, FUNCTIONS)


def from_sympy(e: sp.Expr) -> Expr:
    """A SymPy expression back into the display tree, so one printer writes every formula."""
    if e.is_Symbol:
        return Name(e.name)
    if e.is_Number:
        return Num(float(e))
    if e.is_Add:
        terms = e.as_ordered_terms()
        result = from_sympy(terms[0])
        for term in terms[1:]:
            negative = term.could_extract_minus_sign()
            result = BinOp("-" if negative else "+", result, from_sympy(-term if negative else term))
        return result
    if e.is_Mul:
        if e.could_extract_minus_sign():
            return Neg(from_sympy(-e))
        numerator, denominator = e.as_numer_denom()
        if denominator != 1:
            return BinOp("/", from_sympy(numerator), from_sympy(denominator))
        factors = [from_sympy(f) for f in e.as_ordered_factors()]
        result = factors[0]
        for factor in factors[1:]:
            result = BinOp("*", result, factor)
        return result
    if e.is_Pow:
        if e.exp.is_negative:
            return BinOp("/", Num(1.0), from_sympy(e.base**-e.exp))
        return BinOp("**", from_sympy(e.base), from_sympy(e.exp))
    if isinstance(e, sp.Heaviside):
        return Call("Heaviside", (from_sympy(e.args[0]),))
    if e.is_Function:
        return Call(type(e).__name__, tuple(from_sympy(a) for a in e.args))
    raise NNError(f"cannot display {e}")


@functools.lru_cache(maxsize=512)  # the same products recur: every parameter's path ends in the loss's
def tidy(e: sp.Expr) -> sp.Expr:
    """Cancel and factor, then flip signs inside factors so the result reads like a textbook:
    a1*(a2 - y) rather than -a1*(-a2 + y). Only for small expressions: factoring expands products."""
    e = sp.factor(sp.cancel(e))
    if not e.is_Mul:
        return e
    sign, rest = e.as_coeff_mul()
    factors = list(rest)
    for i, f in enumerate(factors):
        if f.is_Add and f.could_extract_minus_sign():
            factors[i], sign = -f, -sign
    for i, f in enumerate(factors):
        if sign < 0 and f.is_Add:
            factors[i], sign = -f, -sign
    return sp.Mul(*([sign] if sign != 1 else []), *factors, evaluate=False)


@functools.lru_cache(maxsize=512)  # the same local partials recur in every path through them
def _has_denominator(e: sp.Expr) -> bool:
    return sp.fraction(sp.together(e))[1] != 1


def cancels(factors: list[list[sp.Expr]], simplified: sp.Expr) -> bool:
    """Worth showing: the written product has a fraction and the simplified form has none, as when
    σ′ cancels the denominator of cross-entropy's derivative."""
    fraction = any(_has_denominator(f) for fs in factors for f in fs)
    return fraction and not _has_denominator(simplified)


def _has_fraction(e: Expr) -> bool:
    """Divides by something not a number: only then can a product cancel (a cheap test before SymPy)."""
    match e:
        case BinOp(op="/", left=left, right=right):
            return not isinstance(right, Num) or _has_fraction(left)
        case BinOp(op="**", left=left, right=Num(value=v)) if v < 0:
            return True
        case BinOp(left=left, right=right):
            return _has_fraction(left) or _has_fraction(right)
        case Neg(operand=operand):
            return _has_fraction(operand)
        case Call(args=args):
            return any(_has_fraction(a) for a in args)
    return False


def _sum_of_products(factors: list[list[Expr]]) -> tuple[sp.Expr, list[list[sp.Expr]]]:
    converted = [[to_sympy(f) for f in fs] for fs in factors]
    return sp.Add(*(sp.Mul(*fs) for fs in converted)), converted


# -- counting and walking paths, in linear time ----------------------------------------------------


def _path_counts(graph: nx.DiGraph, ordered: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """For every node: how many paths lead from it to the output, and how many edges they have in
    all. One pass from the output down; Python's integers hold the 2²⁵ of a squaring ladder."""
    count, edges = {ordered[-1]: 1}, {ordered[-1]: 0}
    for node in reversed(ordered[:-1]):
        successors = list(graph.successors(node))
        count[node] = sum(count[c] for c in successors)
        edges[node] = sum(edges[c] + count[c] for c in successors)
    return count, edges


def _paths(graph: nx.DiGraph, source: str, target: str) -> list[list[tuple[str, str]]]:
    """Every path from `source` to `target` (call it only where they are few), in the order
    `nx.all_simple_paths` gives, each as its edges from the target down. Iterative: no recursion."""
    found, path, stack = [], [source], [iter(graph.successors(source))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            path.pop()
        elif child == target:
            found.append(list(reversed(list(zip(path, [*path[1:], child], strict=True)))))
        else:
            path.append(child)
            stack.append(iter(graph.successors(child)))
    return found


class Extent(NamedTuple):
    """How big an expression would be written out: symbols, nesting depth, and the most symbols on
    either side of a fraction (a fraction is one unbreakable box in LaTeX)."""

    size: int
    depth: int
    fraction: int


def _extent_in_leaves(graph: nx.DiGraph, ordered: list[str], formulas: dict[str, Expr]) -> Extent:
    """The extent of the output written in the leaves, measured node by node without writing it."""
    known: dict[str, Extent] = {}

    def measure(e: Expr) -> Extent:  # over one op's template, with its inputs already measured: shallow
        match e:
            case Name(id=n) if n in known:
                return known[n]
            case Call(args=args):
                parts = [measure(a) for a in args]
            case Neg(operand=operand):
                parts = [measure(operand)]
            case BinOp(op=op, left=left, right=right):
                parts = [measure(left), measure(right)]
                if op == "/":
                    widest = max(p.size for p in parts)
                    return Extent(1 + sum(p.size for p in parts), 1 + max(p.depth for p in parts), widest)
            case _:
                return Extent(1, 1, 0)
        return Extent(1 + sum(p.size for p in parts), 1 + max(p.depth for p in parts), max(p.fraction for p in parts))

    for node in ordered:
        if node in formulas:
            known[node] = measure(formulas[node])
    return known[ordered[-1]]


def _in_leaves(graph: nx.DiGraph, ordered: list[str], forward: dict[str, Expr]) -> Expr:
    """The output in the leaves: each node's formula with its inputs already written out (shared)."""
    written: dict[str, Expr] = {}
    for node in ordered:
        if "op" in graph.nodes[node]:
            written[node] = substitute(forward[node], {u: written[u] for u in names(forward[node]) if u in written})
    return written[ordered[-1]]


# -- the derivation --------------------------------------------------------------------------------


def derive(graph: nx.DiGraph) -> Derivation:
    """All the exercise's answers for a graph (propagated or not: only its structure is used)."""
    if graph.number_of_nodes() > MAX_NODES:
        raise NNError(
            f"derive writes graphs of up to {MAX_NODES} nodes; this one has {graph.number_of_nodes()}, "
            "and its symbolic answer would be unreadable. Use `inspect` for every number, or derive a "
            "smaller graph"
        )
    ordered = order(graph)
    out = ordered[-1]
    formulas = {n: forms.node_form(graph, n) for n in ordered if "op" in graph.nodes[n]}
    forward = {n: e for n, e in formulas.items() if n != out and not graph.nodes[n].get("inline")}
    extent = _extent_in_leaves(graph, ordered, formulas)
    short = extent.size <= MAX_LOSS_SIZE and extent.depth <= MAX_LOSS_DEPTH and extent.fraction <= MAX_FRACTION_SIZE
    loss = _in_leaves(graph, ordered, formulas) if short else None

    count, edges = _path_counts(graph, ordered)
    params = parameters(graph)
    by_paths = all(count[p] <= MAX_WRITTEN_PATHS and edges[p] <= MAX_WRITTEN_FACTORS for p in params)
    gradients = {}
    for p in params:
        if not by_paths:
            gradients[p] = Gradient(p, count[p], edges[p], [], [], None, None, None)
            continue
        paths = _paths(graph, p, out)
        factors = [[forms.edge_form(graph, u, v) for u, v in path] for path in paths]
        expression, converted = _sum_of_products(factors)
        simplified = tidy(expression)
        cancelled = from_sympy(simplified) if cancels(converted, simplified) else None
        gradients[p] = Gradient(p, count[p], edges[p], paths, factors, expression, simplified, cancelled)
    backward = {} if by_paths else _backward(graph, ordered, params)
    return Derivation(
        graph,
        out,
        formulas,
        forward,
        loss,
        extent,
        by_paths,
        gradients,
        backward,
        _notes(graph, ordered, count, edges),
    )


def _backward(graph: nx.DiGraph, ordered: list[str], params: list[str]) -> dict[str, list[tuple[str, Expr]]]:
    """The nodes between the parameters and the output, and the parameters, from the output down."""
    needed = set(params)
    for node in ordered:  # inputs first: a node is needed when one of its inputs is
        if any(u in needed for u in graph.predecessors(node)):
            needed.add(node)
    out = ordered[-1]
    return {
        n: [(c, forms.edge_form(graph, n, c)) for c in graph.successors(n)]
        for n in reversed(ordered)
        if n in needed and n != out
    }


def _notes(
    graph: nx.DiGraph, ordered: list[str], count: dict[str, int], edges: dict[str, int]
) -> list[tuple[str, Expr]]:
    """Where ∂Loss/∂node cancels to something shorter than the product of its partials, such as
    ∂Loss/∂z₂ = a₂ − y* for sigmoid with cross-entropy. Only the cancellation nearest the loss on each
    path is noted; the nodes below it inherit it. Only nodes near the output are tried, so the SymPy
    work per node is bounded."""
    out = ordered[-1]
    notes, covered = [], set()
    for node in reversed(ordered[:-1]):
        if "op" not in graph.nodes[node]:
            continue
        if any(s in covered for s in graph.successors(node)):
            covered.add(node)
            continue
        if count[node] > MAX_WRITTEN_PATHS or edges[node] > MAX_NOTE_FACTORS:
            continue
        factors = [[forms.edge_form(graph, u, v) for u, v in path] for path in _paths(graph, node, out)]
        if not any(_has_fraction(f) for fs in factors for f in fs):
            continue
        total, converted = _sum_of_products(factors)
        simpler = tidy(total)
        if cancels(converted, simpler):
            notes.append((node, from_sympy(simpler)))
            covered.add(node)
    return notes

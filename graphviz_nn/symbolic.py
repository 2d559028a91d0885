"""The exercise's answers as SymPy expressions: forward formulas, the loss in the leaves, and each
parameter's gradient as a sum over paths of products of local partials, in the forward values.

SymPy is imported here only (it costs over half a second), so `render` and `inspect` stay quick.
The local partials come from `forms`, the same source as the diagram's labels and the captions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import networkx as nx
import sympy as sp

from . import forms
from .errors import NNError
from .expr import BinOp, Call, Expr, Name, Neg, Num, names, substitute
from .expr import to_sympy as convert
from .graph import order, parameters

MAX_PATHS = 32
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
    paths: list[list[tuple[str, str]]]  # each path: the edges (u, v) from the loss down to the parameter
    factors: list[list[Expr]]  # the local partial of each edge, in course form
    expression: sp.Expr  # the sum of products, in the forward values

    def product(self, k: int) -> sp.Expr:
        return sp.Mul(*(to_sympy(f) for f in self.factors[k]))


@dataclass(frozen=True)
class Derivation:
    graph: nx.DiGraph
    forward: dict[str, Expr]  # operation node → its formula over its inputs (output excluded)
    loss: Expr  # the output in terms of the leaves only
    gradients: dict[str, Gradient]
    notes: list[tuple[str, Expr]]  # (node, simplified ∂Loss/∂node) where cancelling is worth teaching


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


def tidy(e: sp.Expr) -> sp.Expr:
    """Cancel and factor, then flip signs inside factors so the result reads like a textbook:
    a1*(a2 - y) rather than -a1*(-a2 + y)."""
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


def _paths(graph: nx.DiGraph, source: str, target: str) -> list[list[tuple[str, str]]]:
    """Every path from `source` to the loss, as edge lists ordered from the loss down."""
    found = []
    for path in nx.all_simple_paths(graph, source, target):
        found.append(list(reversed(list(itertools.pairwise(path)))))
        if len(found) > MAX_PATHS:
            raise NNError(
                f"{source} reaches the loss along more than {MAX_PATHS} paths; "
                "derive writes out graphs with fewer paths"
            )
    return found


def cancels(factors: list[list[sp.Expr]], simplified: sp.Expr) -> bool:
    """Worth showing: the written product has a fraction and the simplified form has none, as when
    σ′ cancels the denominator of cross-entropy's derivative."""
    fraction = any(sp.fraction(sp.together(f))[1] != 1 for fs in factors for f in fs)
    return fraction and sp.fraction(sp.together(simplified))[1] == 1


def derive(graph: nx.DiGraph) -> Derivation:
    """All the exercise's answers for a graph (propagated or not: only its structure is used)."""
    ordered = order(graph)
    out = ordered[-1]
    forward = {n: forms.node_form(graph, n) for n in ordered if "op" in graph.nodes[n] and n != out}
    loss = forms.node_form(graph, out)
    for node in reversed(list(forward)):
        loss = substitute(loss, {node: forward[node]})
    gradients = {}
    for p in parameters(graph):
        paths = _paths(graph, p, out)
        factors = [[forms.edge_form(graph, u, v) for u, v in path] for path in paths]
        total = sp.Add(*(sp.Mul(*(to_sympy(f) for f in fs)) for fs in factors))
        gradients[p] = Gradient(p, paths, factors, total)
    return Derivation(graph, forward, loss, gradients, _notes(graph, ordered))


def _notes(graph: nx.DiGraph, ordered: list[str]) -> list[tuple[str, Expr]]:
    """Where ∂Loss/∂node cancels to something shorter than the product of its partials, such as
    ∂Loss/∂z₂ = a₂ − y* for sigmoid with cross-entropy. Only the cancellation nearest the loss on each
    path is noted; the nodes below it inherit it."""
    out = ordered[-1]
    notes, covered = [], set()
    for node in reversed(ordered[:-1]):
        if "op" not in graph.nodes[node]:
            continue
        if any(s in covered for s in graph.successors(node)):
            covered.add(node)
            continue
        try:
            paths = _paths(graph, node, out)
        except NNError:
            continue
        factors = [[to_sympy(forms.edge_form(graph, u, v)) for u, v in path] for path in paths]
        simpler = tidy(sp.Add(*(sp.Mul(*fs) for fs in factors)))
        if cancels(factors, simpler):
            notes.append((node, from_sympy(simpler)))
            covered.add(node)
    return notes

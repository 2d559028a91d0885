"""Every text a propagated graph shows, written once: each node's formula, value, gradient and update,
each edge's forward value, local derivative and gradient, and the lines that plug the numbers in.

The diagram, the frames' captions, the HTML tooltips, worksheets and decks only choose which of these
texts to reveal and how to style them, so a number reads the same everywhere. Build one `Texts` per
propagated graph, display policy (`digits`) and notation (unicode or LaTeX).

Local derivatives (∂v/∂u, one node alone) and gradients (∂Loss/∂v, the whole way back from the loss)
never share a symbol in one line: the loss's own derivative is written by its formula, and the
backward pass starts from the loss without writing ∂Loss/∂Loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate

import networkx as nx

from . import forms, notation
from .expr import Name, Num
from .graph import order
from .notation import UNICODE, Notation


@dataclass(frozen=True)
class NodeText:
    name: str  # w₁
    formula: str | None  # w₂·a₁ (None for leaves and for intermediates named by their formula)
    value: str  # 0.622; given numbers exactly (0.5)
    value_line: str  # z₂ = w₂·a₁ = (−1.2)·0.622 = −0.747, or x = 1 (given)
    grad_symbol: str  # ∂Loss/∂z₂
    grad: str | None  # −0.148; None where the backward pass does not go (targets, by default)
    grad_line: str | None  # ∂Loss/∂z₂ = ∂Loss/∂a₂ · ∂a₂/∂z₂ = (−0.679)·0.218 = −0.148
    running: tuple[str, ...] = ()  # with several consumers: the sum after each contribution
    update_value: str | None = None  # 0.479, with enough digits to differ from the old value
    update_step: str | None = None  # 0.5 − 0.5·0.0417 = 0.479
    update_line: str | None = None  # w₁ ← w₁ − α·∂Loss/∂w₁ = 0.5 − 0.5·0.0417 = 0.479


@dataclass(frozen=True)
class EdgeText:
    value: str  # the forward value flowing along it
    local_symbol: str  # ∂z₂/∂a₁
    local_formula: str | None  # w₂; None when the local derivative is a constant
    local: str  # −1.20
    local_line: str  # ∂a₁/∂z₁ = a₁(1 − a₁) = 0.622·(1 − 0.622) = 0.235
    grad: str | None  # what flows back to the source along this edge; None off the backward pass
    grad_line: str | None  # ∂Loss/∂a₁ · ∂a₁/∂z₁ = 0.178 · 0.235 = 0.0417


@dataclass
class Texts:
    """All texts of one propagated graph. `targets=True` also follows the gradient into targets (y*),
    which the exercise never needs and which is left out by default."""

    graph: nx.DiGraph
    digits: int = notation.DIGITS
    how: Notation = UNICODE
    targets: bool = False
    nodes: dict[str, NodeText] = field(init=False)
    edges: dict[tuple[str, str], EdgeText] = field(init=False)
    backward: list[tuple[str, str]] = field(init=False)  # the edges the backward pass walks, in order
    used: set[str] = field(init=False)  # notations that appear: "heaviside", "power", "sigma", ...

    def __post_init__(self) -> None:
        notation.check_digits(self.digits)
        g = self.graph
        self.ordered = order(g)
        self.out = self.ordered[-1]
        self.used = set()
        self.backward = backward_edges(g, self.ordered, self.targets)
        self._walked = {edge: i for i, edge in enumerate(self.backward)}  # an edge's place in the walk
        self.on_path = {u for u, _ in self.backward} | {self.out}
        self._chains: dict[tuple[str, str], str] = {}
        self.edges = {(u, v): self._edge(u, v) for u, v in g.edges}
        self.nodes = {n: self._node(n) for n in g}

    # -- small pieces ---------------------------------------------------------------------------
    def name(self, node: str) -> str:
        return forms.name(self.graph, node, self.how)

    def d(self, top: str, bottom: str) -> str:
        return notation.partial(self.name(top), self.name(bottom), self.how)

    def _note(self, text: str) -> str:
        """Remember which notations the text uses (for the legend), and pass it on."""
        self.used.update(key for key, (_, marks) in notation.MEANINGS.items() if any(m in text for m in marks))
        return text

    def num(self, value: float, exact: bool = False) -> str:
        return self._note((notation.exact if exact else notation.number)(value, self.digits, self.how))

    def operand(self, text: str, value: float) -> str:
        return notation.operand(text, value, self.how)

    def formula(self, expr) -> str:
        return self._note(forms.text(self.graph, expr, self.how))

    def value(self, node: str) -> str:
        data = self.graph.nodes[node]
        return self.num(data["value"], exact="op" not in data)

    def _plugged(self, expr) -> str:
        """The expression with each name replaced by its value as shown: 0.622·(1 − 0.622)."""
        g = self.graph

        def show(n: str) -> str:
            return self.operand(self.value(n), g.nodes[n]["value"])

        return notation.formula(forms.expand(g, expr), show, self.how)

    @property
    def times(self) -> str:
        return self.how.dot if self.how.latex else " · "

    @property
    def arrow(self) -> str:
        return r" \leftarrow " if self.how.latex else " ← "

    def words(self, math: str, remark: str = "") -> str:
        """A line of math with an optional remark in words after it."""
        body = f"${math}$" if self.how.latex else math
        return f"{body} ({remark})" if remark else body

    # -- edges ----------------------------------------------------------------------------------
    def _edge(self, u: str, v: str) -> EdgeText:
        g = self.graph
        edge = g.edges[u, v]
        form = forms.edge_form(g, u, v)
        constant = isinstance(form, Num)
        symbol = self.d(v, u)
        # A constant is exact; a local derivative that is another input's value is that value as shown.
        local = self.value(form.id) if isinstance(form, Name) else self.num(edge["local"], exact=constant)
        formula = None if constant else self.formula(form)
        plugged = self._plugged(form) if not isinstance(form, Num | Name) else None
        parts = [symbol, *([formula] if formula else [])]
        if plugged and plugged not in (formula, local):
            parts.append(plugged)
        parts.append(local)
        line = " = ".join(dict.fromkeys(parts))
        if (u, v) not in self._walked:
            return EdgeText(self.value(u), symbol, formula, local, line, None, None)
        grad = self.num(edge["grad"])
        if v == self.out:  # the loss's own derivative: no upstream factor, no ∂Loss/∂Loss
            self._chains[u, v] = f"({formula})" if formula and " " in formula else (formula or local)
            grad_line = " = ".join(dict.fromkeys(parts[1:]))
        else:
            upstream = g.nodes[v]["grad"]
            self._chains[u, v] = f"{self.d(self.out, v)}{self.times}{symbol}"
            product = f"{self.operand(self.num(upstream), upstream)}{self.times}{self.operand(local, edge['local'])}"
            grad_line = f"{self._chains[u, v]} = {product} = {grad}"
        return EdgeText(self.value(u), symbol, formula, local, line, grad, grad_line)

    def chain(self, edge: tuple[str, str]) -> str:
        """The edge's contribution as symbols: ∂Loss/∂z₂ · ∂z₂/∂a₁ (the loss's own: its formula)."""
        return self._chains[edge]

    # -- nodes ----------------------------------------------------------------------------------
    def _node(self, node: str) -> NodeText:
        g = self.graph
        data = g.nodes[node]
        name = self.name(node)
        value = self.value(node)
        if "op" in data:
            form = forms.node_form(g, node)
            formula = self.formula(form)
            plugged = self._plugged(form)
            value_line = " = ".join(dict.fromkeys([name, formula, plugged, value]))
            formula = None if data.get("inline") else formula
        else:
            formula, value_line = None, self.words(f"{name} = {value}", "given")
        symbol = self.d(self.out, node) if node != self.out else ""
        if node not in self.on_path:
            return NodeText(name, formula, value, value_line, symbol, None, None)
        if node == self.out:
            return NodeText(name, formula, value, value_line, symbol, "1", None)
        grad = self.num(data["grad"])
        consumers = sorted(((node, v) for v in g.successors(node) if (node, v) in self._walked), key=self._walked.get)
        if len(consumers) == 1:
            grad_line = f"{symbol} = {self.edges[consumers[0]].grad_line}"
            running: tuple[str, ...] = ()
        else:
            chains = " + ".join(self.chain(e) for e in consumers)
            numbers = " + ".join(self.operand(self.edges[e].grad, g.edges[e]["grad"]) for e in consumers)
            grad_line = f"{symbol} = {chains} = {numbers} = {grad}"
            running = tuple(self.num(s) for s in accumulate(g.edges[e]["grad"] for e in consumers))
        update = self._update(node) if "updated" in data else (None, None, None)
        return NodeText(name, formula, value, value_line, symbol, grad, grad_line, running, *update)

    def _update(self, node: str) -> tuple[str, str, str]:
        data = self.graph.nodes[node]
        alpha = self.graph.graph["alpha"]
        new = notation.updated(data["value"], data["updated"], self.digits, self.how)
        a = "\\alpha" if self.how.latex else "α"
        dot = self.how.dot
        grad = self.operand(self.num(data["grad"]), data["grad"])
        step = f"{self.value(node)} {self.how.minus} {self.num(alpha, exact=True)}{dot}{grad} = {new}"
        name = self.name(node)
        line = f"{name}{self.arrow}{name} {self.how.minus} {a}{dot}{self.d(self.out, node)} = {step}"
        return new, step, line


def backward_edges(graph: nx.DiGraph, ordered: list[str], targets: bool = False) -> list[tuple[str, str]]:
    """The edges the backward pass walks, consumers before producers (reverse topological order),
    each once; edges into targets only with `targets`."""
    kinds = graph.nodes(data="kind")
    edges = [
        (u, v)
        for v in reversed(ordered)
        if "op" in graph.nodes[v]
        for u in graph.nodes[v]["inputs"]
        if targets or kinds[u] != "target"
    ]
    return list(dict.fromkeys(edges))  # a node used twice by one op is one edge

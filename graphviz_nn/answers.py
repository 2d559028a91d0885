"""`derive` output: the exercise's seven parts as Markdown, LaTeX or JSON, from a `Derivation`."""

from __future__ import annotations

import json

import networkx as nx
import sympy as sp

from . import forms, notation, ops
from .expr import Expr
from .graph import order, output
from .symbolic import Derivation, cancels, from_sympy, tidy, to_sympy

MAX_WRITTEN_PATHS = 4  # beyond this, gradients are written node by node rather than path by path


class Writer:
    """Names, partials and formulas in one notation (unicode Markdown or LaTeX)."""

    def __init__(self, derivation: Derivation, latex: bool):
        self.d, self.g, self.latex = derivation, derivation.graph, latex
        self.notation = notation.LATEX if latex else notation.UNICODE

    def name(self, node: str) -> str:
        if node == "alpha":
            return r"\alpha" if self.latex else "α"
        data = self.g.nodes[node]
        return notation.latex_label(node, data["kind"]) if self.latex else data["label"]

    def f(self, expr: Expr) -> str:
        return notation.formula(expr, self.name, self.notation)

    def partial(self, top: str, bottom: str) -> str:
        if self.latex:
            return rf"\frac{{\partial {self.name(top)}}}{{\partial {self.name(bottom)}}}"
        return notation.partial(self.name(top), self.name(bottom))

    def math(self, text: str) -> str:
        return f"$${text}$$" if self.latex else text

    def aside(self, text: str, remark: str) -> str:
        """A formula with a remark after it, kept on the formula's line in LaTeX too."""
        return self.math(rf"{text} \quad\mbox{{({remark})}}") if self.latex else f"{text} ({remark})"

    def inline(self, text: str) -> str:
        return f"${text}$" if self.latex else text

    @property
    def times(self) -> str:
        return r" \cdot " if self.latex else " · "

    @property
    def value_times(self) -> str:
        return r" \cdot " if self.latex else "·"

    @property
    def arrow(self) -> str:
        return r" \leftarrow " if self.latex else " ← "

    def local(self, u: str, v: str, factor: Expr) -> str:
        """`∂a₂/∂z₂ = σ′(z₂) = a₂(1 − a₂)`: activations also show the g′ a course writes."""
        op = ops.OPS[self.g.nodes[v]["op"]]
        parts = [self.partial(v, u)]
        if op.kind == "activation" and op.name != "identity":
            g = self.notation.functions.get(op.name, op.name)
            parts.append(f"{g}'({self.name(u)})" if self.latex else f"{g}′({self.name(u)})")
        parts.append(self.f(factor))
        return " = ".join(parts)

    def paren(self, text: str) -> str:
        return rf"\left({text}\right)" if self.latex else f"({text})"

    def product(self, factors: list[Expr]) -> str:
        out = []
        for factor in factors:
            text = self.f(factor)
            e = to_sympy(factor)
            # Sums, negatives and (in plain text) fractions get parentheses so the product reads one way.
            wrap = e.is_Add or text.startswith(("-", notation.MINUS)) or (not self.latex and "/" in text)
            out.append(self.paren(text) if wrap else text)
        return self.value_times.join(out)

    def gradient(self, p: str) -> tuple[str, str]:
        """(chain of partials, the same in forward values), each a sum over paths."""
        grad = self.d.gradients[p]
        chains = [self.times.join(self.partial(v, u) for u, v in path) for path in grad.paths]
        values = [self.product(fs) for fs in grad.factors]
        return " + ".join(chains), " + ".join(values)


def _sections(d: Derivation, w: Writer) -> list[tuple[str, list[str]]]:
    """The numbered parts, in the exercise's order (for the seed network, exactly its parts 1–7)."""
    g = d.graph
    out = output(g)
    leaves = ", ".join(w.inline(w.name(n)) for n in g if "op" not in g.nodes[n])
    loss = w.name(out)
    what = "The loss" if g.nodes[out]["kind"] == "loss" else "The output"
    sections = [
        ("Forward pass", [w.math(f"{w.name(n)} = {w.f(e)}") for n, e in d.forward.items()]),
        (f"{what} in terms of {leaves}", [w.math(f"{loss} = {w.f(d.loss)}")]),
    ]
    for p in reversed(list(d.gradients)):  # nearest the loss first: the exercise asks for w2 before w1
        if len(d.gradients[p].paths) > MAX_WRITTEN_PATHS:
            sections += _node_by_node(d, w, p)
            continue
        grad, (chain, values) = d.gradients[p], w.gradient(p)
        dp = w.partial(out, p)
        sections.append((f"{w.inline(dp)} by the chain rule", [w.math(f"{dp} = {chain}")]))
        seen = dict.fromkeys(
            (u, v, f)
            for path, fs in zip(grad.paths, grad.factors, strict=True)
            for (u, v), f in zip(path, fs, strict=True)
        )
        lines = [w.math(w.local(u, v, f)) for u, v, f in seen]
        lines.append(w.math(f"{dp} = {values}"))
        simpler = tidy(grad.expression)
        if cancels([[to_sympy(f) for f in fs] for fs in grad.factors], simpler):
            lines.append(w.aside(f"{dp} = {w.f(from_sympy(simpler))}", "after cancelling"))
        sections.append(("The same in the forward values", lines))
    sections.append(
        (
            "Gradient-descent update with step size " + w.inline(w.name("alpha")),
            [
                w.math(f"{w.name(p)}{w.arrow}{w.name(p)} - {w.name('alpha')}{w.value_times}{_grouped(w, p)}")
                for p in d.gradients
            ],
        )
    )
    return sections


def _node_by_node(d: Derivation, w: Writer, p: str) -> list[tuple[str, list[str]]]:
    """With many paths the sum of products is unreadable; write what backprop computes instead: each
    node's gradient as a sum over its consumers, from the output down to `p`."""
    g, out = d.graph, output(d.graph)
    below = nx.descendants(g, p)
    # From the output down, as backprop runs; a node feeding only the output needs no line of its own.
    between = [n for n in reversed(order(g)) if n in below and n != out]
    direct = [n for n in between if set(g.successors(n)) == {out}]  # ∂out/∂n is just the local partial
    symbolic = [w.math(_adjoint(w, n, out, numeric=False)) for n in [*between, p] if n not in direct]
    values = [w.math(_adjoint(w, n, out, numeric=True)) for n in [*between, p]]
    count = len(d.gradients[p].paths)
    return [
        (f"{w.inline(w.partial(out, p))} by the chain rule, node by node ({count} paths)", symbolic),
        ("The same in the forward values", values),
    ]


def _adjoint(w: Writer, node: str, out: str, numeric: bool) -> str:
    """∂out/∂node = Σ over consumers c of ∂out/∂c · ∂c/∂node (the local partial's formula if numeric)."""
    terms = []
    for c in w.g.successors(node):
        upstream = "" if c == out else w.partial(out, c)
        if not numeric:
            terms.append(f"{upstream}{w.times}{w.partial(c, node)}" if upstream else w.partial(c, node))
            continue
        local = w.f(forms.edge_form(w.g, node, c))
        if local == "1" and upstream:
            terms.append(upstream)
        elif local in ("-1", notation.MINUS + "1") and upstream:
            terms.append(f"{w.notation.minus}{upstream}")
        else:
            bracketed = local.startswith("[") and local.endswith("]")
            if upstream and not bracketed and (" " in local or local.startswith(("-", notation.MINUS))):
                local = w.paren(local)
            terms.append(f"{upstream}{w.value_times}{local}" if upstream else local)
    return f"{w.partial(out, node)} = {' + '.join(terms)}".replace(f"+ {w.notation.minus}", f"{w.notation.minus} ")


def _grouped(w: Writer, p: str) -> str:
    """The gradient as a factor: a single product stands as it is, a sum over paths in parentheses;
    with many paths, the gradient by name."""
    if len(w.d.gradients[p].paths) > MAX_WRITTEN_PATHS:
        return w.partial(output(w.g), p)
    text = w.gradient(p)[1]
    return w.paren(text) if len(w.d.gradients[p].paths) > 1 else text


def _notes(d: Derivation, w: Writer) -> list[str]:
    out = output(d.graph)
    return [w.aside(f"{w.partial(out, n)} = {w.f(e)}", "the factors cancel") for n, e in d.notes]


def markdown(d: Derivation) -> str:
    w = Writer(d, latex=False)
    lines = ["# Backpropagation by hand", ""]
    for i, (title, body) in enumerate(_sections(d, w), 1):
        lines += [f"## {i}. {title}", ""] + [f"- {b}" for b in body] + [""]
    if d.notes:
        lines += ["## Worth noticing", ""] + [f"- {n}" for n in _notes(d, w)] + [""]
    return "\n".join(lines).replace(" - α", " − α")


def latex(d: Derivation) -> str:
    """A fragment that compiles in a plain article or a Beamer frame: base LaTeX only, no packages."""
    w = Writer(d, latex=True)
    lines = [r"\begin{enumerate}"]
    for title, body in _sections(d, w):
        lines.append(rf"\item {title}")
        lines += [f"  {b}" for b in body]
    lines.append(r"\end{enumerate}")
    if d.notes:
        lines += ["Worth noticing:", r"\begin{itemize}"] + [rf"\item {n}" for n in _notes(d, w)] + [r"\end{itemize}"]
    return "\n".join(lines) + "\n"


def _python(factors: list[Expr]) -> str:
    out = []
    for factor in factors:
        e = to_sympy(factor)
        text = sp.sstr(e)
        out.append(f"({text})" if e.is_Add or text.startswith("-") or "/" in text else text)
    return "*".join(out)


def as_json(d: Derivation) -> str:
    g = d.graph
    gradients = {}
    for p, grad in d.gradients.items():
        paths = [[notation.partial(_plain(g, v), _plain(g, u)) for u, v in path] for path in grad.paths]
        expression = " + ".join(_python(fs) for fs in grad.factors)
        gradients[p] = {
            # One path: the partials to multiply. Several (fan-out): one product per path, to add.
            "chain": paths[0] if len(paths) == 1 else [" · ".join(path) for path in paths],
            "paths": paths,
            "expression": expression,
            "simplified": sp.sstr(tidy(grad.expression)),
        }
    data = {
        "forward": {n: sp.sstr(to_sympy(e)) for n, e in d.forward.items()},
        "loss": sp.sstr(to_sympy(d.loss)),
        "gradients": gradients,
        "update": {p: f"{p} - alpha*({v['expression']})" for p, v in gradients.items()},
        "notes": {n: sp.sstr(to_sympy(e)) for n, e in d.notes},
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _plain(graph, node: str) -> str:
    """Readable ASCII-ish names for the JSON chain: ids, with the loss as `Loss`."""
    return "Loss" if graph.nodes[node]["kind"] == "loss" else node

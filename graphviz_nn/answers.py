"""`derive` output: the exercise's seven parts as Markdown, LaTeX or JSON, from a `Derivation`.

`Writer` writes every part once, in one notation (unicode for Markdown, LaTeX); given the `Texts` of
the propagated graph it also plugs the numbers in, as shown everywhere else (the one display policy):
∂Loss/∂w₂ = (a₂ − y*)·a₂(1 − a₂)·a₁ = (−0.679)·0.218·0.622 = −0.0921.
"""

from __future__ import annotations

import json

import sympy as sp

from . import forms, latexdoc, notation, ops
from .expr import Expr, Name, Num
from .latexdoc import Line
from .notation import UNICODE, Notation
from .symbolic import Derivation, symbol, to_sympy

TITLE = "Backpropagation by hand"


class Writer:
    """Names, partials, formulas and (with `texts`) their numbers, in one notation."""

    def __init__(self, derivation: Derivation, how: Notation, texts=None):
        self.d, self.g, self.how, self.texts = derivation, derivation.graph, how, texts
        self.out = derivation.out

    # -- symbols ----------------------------------------------------------------------------------
    def name(self, node: str) -> str:
        if node == "alpha":
            return r"\alpha" if self.how.latex else "α"
        return forms.name(self.g, node, self.how)

    def f(self, expr: Expr) -> str:
        return forms.text(self.g, expr, self.how)

    def partial(self, top: str, bottom: str) -> str:
        return notation.partial(self.name(top), self.name(bottom), self.how)

    def inline(self, text: str) -> str:
        """Math inside a sentence (a section title)."""
        return f"${text}$" if self.how.latex else text

    @property
    def times(self) -> str:
        return r" \cdot " if self.how.latex else " · "

    @property
    def value_times(self) -> str:
        return self.how.dot

    @property
    def arrow(self) -> str:
        return r" \leftarrow " if self.how.latex else " ← "

    def paren(self, text: str) -> str:
        return f"{self.how.parens[0]}{text}{self.how.parens[1]}"

    def sum(self, terms: list[str]) -> str:
        """Terms joined by + , a term that starts with a minus sign joined by − instead."""
        minus = self.how.minus
        out = terms[0]
        for term in terms[1:]:
            out += f" {minus} {term[len(minus) :]}" if term.startswith(minus) else f" + {term}"
        return out

    # -- numbers (only with texts) ----------------------------------------------------------------
    def plugged(self, expr: Expr) -> str:
        """The expression with every name replaced by its value as shown: 0.622·(1 − 0.622)."""
        nodes = self.texts.nodes

        def show(n: str) -> str:
            return notation.operand(nodes[n].value, self.g.nodes[n]["value"], self.how)

        return notation.formula(forms.expand(self.g, expr), show, self.how)

    def local_number(self, u: str, v: str) -> str:
        return notation.operand(self.texts.edges[u, v].local, self.g.edges[u, v]["local"], self.how)

    def grad_number(self, node: str) -> str:
        return notation.operand(self.texts.nodes[node].grad, self.g.nodes[node]["grad"], self.how)

    def equals(self, *parts: str | None) -> str:
        """`a = b = c`, leaving out parts that are missing or repeat the one before."""
        kept: list[str] = []
        for part in parts:
            if part is not None and (not kept or kept[-1] != part):
                kept.append(part)
        return (latexdoc.EQUALS if self.how.latex else " = ").join(kept)

    def numbers(self) -> bool:
        return self.texts is not None

    def worked(self, expr: Expr, node: str, grad: bool = False) -> list[str]:
        """With numbers: the expression with the values put in, then `node`'s value (or gradient)."""
        if not self.numbers():
            return []
        shown = self.texts.nodes[node]
        return [self.plugged(expr), shown.grad if grad else shown.value]

    # -- pieces of answers ------------------------------------------------------------------------
    def local(self, u: str, v: str, factor: Expr) -> str:
        """`∂a₂/∂z₂ = σ′(z₂) = a₂(1 − a₂)`: activations also show the g′ a course writes."""
        op = ops.OPS[self.g.nodes[v]["op"]]
        parts = [self.partial(v, u)]
        if op.kind == "activation" and op.name != "identity":
            g = self.how.functions.get(op.name, op.name)
            parts.append(f"{g}'({self.name(u)})" if self.how.latex else f"{g}′({self.name(u)})")
        parts.append(self.f(factor))
        if self.numbers() and not isinstance(factor, Num):  # a name is plugged in as its value alone
            parts += [None if isinstance(factor, Name) else self.plugged(factor), self.texts.edges[u, v].local]
        return self.equals(*parts)

    def product(self, factors: list[Expr]) -> str:
        out = []
        for factor in factors:
            text = self.f(factor)
            e = to_sympy(factor)
            # Sums, negatives and (in plain text) fractions get parentheses so the product reads one way.
            minus = text.startswith(("-", notation.MINUS))
            wrap = e.is_Add or minus or (not self.how.latex and "/" in text)
            out.append(self.paren(text) if wrap else text)
        return self.value_times.join(out)

    def path_sum(self, p: str) -> tuple[str, str]:
        """(chain of partials, the same in forward values), each a sum over paths."""
        grad = self.d.gradients[p]
        chains = [self.times.join(self.partial(v, u) for u, v in path) for path in grad.paths]
        values = [self.product(fs) for fs in grad.factors]
        return " + ".join(chains), " + ".join(values)

    def path_numbers(self, p: str) -> str:
        """Each path's local partials as numbers: (−0.679)·0.218·0.622 (+ the next path's)."""
        paths = self.d.gradients[p].paths
        return " + ".join(self.value_times.join(self.local_number(u, v) for u, v in path) for path in paths)

    def grouped(self, p: str) -> str:
        """The gradient as a factor of α: in its simplest form; a sum in parentheses; node by node,
        the gradient by name."""
        if not self.d.by_paths:
            return self.partial(self.out, p)
        simpler = self.d.gradients[p].cancelled
        if simpler is not None:
            text = self.f(simpler)
            return self.paren(text) if to_sympy(simpler).is_Add else text
        text = self.path_sum(p)[1]
        return self.paren(text) if len(self.d.gradients[p].paths) > 1 else text

    def consumers(self, node: str, numeric: bool) -> str:
        """∂out/∂node = Σ over consumers c of ∂out/∂c · ∂c/∂node: symbols, or the local partials'
        formulas (`numeric`), written once per consumer."""
        terms = []
        for c, form in self.d.backward[node]:
            upstream = "" if c == self.out else self.partial(self.out, c)
            if not numeric:
                local = self.partial(c, node)
                terms.append(f"{upstream}{self.times}{local}" if upstream else local)
                continue
            local = self.f(form)
            if form == Num(1.0) and upstream:
                terms.append(upstream)
            elif form == Num(-1.0) and upstream:
                terms.append(f"{self.how.minus}{upstream}")
            else:
                bracketed = local.startswith("[") and local.endswith("]")
                if upstream and not bracketed and (" " in local or local.startswith(("-", notation.MINUS))):
                    local = self.paren(local)
                terms.append(f"{upstream}{self.value_times}{local}" if upstream else local)
        return self.sum(terms)

    def consumer_numbers(self, node: str) -> str:
        terms = []
        for c, form in self.d.backward[node]:
            local = self.local_number(node, c)
            if c == self.out:
                terms.append(local)
            elif form == Num(1.0):
                terms.append(self.grad_number(c))
            elif form == Num(-1.0):
                terms.append(f"{self.how.minus}{self.grad_number(c)}")
            else:
                terms.append(f"{self.grad_number(c)}{self.value_times}{local}")
        return " + ".join(terms)

    def grad(self, node: str) -> str | None:
        return self.texts.nodes[node].grad if self.numbers() else None

    # -- the parts --------------------------------------------------------------------------------
    def intro(self) -> str:
        """With numbers: the given ones, `With x = 1, w₁ = 0.5, y* = 0 and α = 0.5.`"""
        if not self.numbers():
            return ""
        given = [
            self.inline(f"{self.name(n)} = {self.texts.nodes[n].value}") for n in self.g if "op" not in self.g.nodes[n]
        ]
        alpha = notation.exact(self.g.graph["alpha"], self.texts.digits, self.how)
        given.append(self.inline(f"{self.name('alpha')} = {alpha}"))
        return f"With {', '.join(given[:-1])} and {given[-1]}."

    def sections(self) -> list[tuple[str, list[Line]]]:
        """The numbered parts, in the exercise's order (for the seed network, exactly its parts 1–7)."""
        d, g = self.d, self.g
        forward = [(self._forward(n, e), "") for n, e in d.forward.items()]
        leaves = ", ".join(self.inline(self.name(n)) for n in g if "op" not in g.nodes[n])
        what = "The loss" if g.nodes[self.out]["kind"] == "loss" else "The output"
        sections = [("Forward pass", forward), (f"{what} in terms of {leaves}", [self._loss()])]
        if d.by_paths:
            for p in reversed(list(d.gradients)):  # nearest the loss first: the exercise asks for w2 before w1
                sections += self._by_paths(p)
        else:
            sections += self._node_by_node()
        update = [(self._update(p), "") for p in d.gradients]
        sections.append(("Gradient-descent update with step size " + self.inline(self.name("alpha")), update))
        return [(title, body) for title, body in sections if body]  # no parameters: nothing to update

    def notes(self) -> list[Line]:
        lines = []
        for n, e in self.d.notes:
            worked = self.worked(e, n, grad=True)
            lines.append((self.equals(self.partial(self.out, n), self.f(e), *worked), "the factors cancel"))
        return lines

    def _forward(self, node: str, form: Expr) -> str:
        return self.equals(self.name(node), self.f(form), *self.worked(form, node))

    def _loss(self) -> Line:
        d, out = self.d, self.out
        if d.loss is None:
            size, depth = d.loss_extent.size, d.loss_extent.depth
            form = forms.node_form(self.g, out)
            return (
                self.equals(self.name(out), self.f(form), *self.worked(form, out)),
                f"too long to write in the leaves alone: {size:,} symbols, nested {depth} deep; "
                "part 1 builds it step by step",
            )
        return (self.equals(self.name(out), self.f(d.loss), *self.worked(d.loss, out)), "")

    def _by_paths(self, p: str) -> list[tuple[str, list[Line]]]:
        grad = self.d.gradients[p]
        dp = self.partial(self.out, p)
        chain, values = self.path_sum(p)
        seen = dict.fromkeys(
            (u, v, f)
            for path, fs in zip(grad.paths, grad.factors, strict=True)
            for (u, v), f in zip(path, fs, strict=True)
        )
        lines: list[Line] = [(self.local(u, v, f), "") for u, v, f in seen]
        numbers = [self.path_numbers(p), self.grad(p)] if self.numbers() else []
        lines.append((self.equals(dp, values, *numbers), ""))
        if grad.cancelled is not None:
            worked = self.worked(grad.cancelled, p, grad=True)
            lines.append((self.equals(dp, self.f(grad.cancelled), *worked), "after cancelling"))
        return [
            (f"{self.inline(dp)} by the chain rule", [(self.equals(dp, chain, self.grad(p)), "")]),
            ("The same in the forward values", lines),
        ]

    def _node_by_node(self) -> list[tuple[str, list[Line]]]:
        """What backprop computes: each node's gradient as a sum over the nodes it feeds, from the
        output down. A node feeding only the output needs no chain-rule line of its own."""
        d, out = self.d, self.out
        symbolic, values = [], []
        for n, consumers in d.backward.items():
            dn = self.partial(out, n)
            if [c for c, _ in consumers] != [out]:
                symbolic.append((self.equals(dn, self.consumers(n, numeric=False), self.grad(n)), ""))
            if [c for c, _ in consumers] == [out]:  # the output's own partial
                numbers = self.worked(consumers[0][1], n, grad=True)
            else:
                numbers = [self.consumer_numbers(n), self.grad(n)] if self.numbers() else []
            values.append((self.equals(dn, self.consumers(n, numeric=True), *numbers), ""))
        widest = max(d.gradients.values(), key=lambda grad: (grad.count, grad.factors_in_all))
        dp = self.inline(self.partial(out, widest.parameter))
        why = (
            f"{dp} would have {widest.count:,} terms"
            if widest.count > 1
            else f"{dp} would be a product of {widest.factors_in_all} partials"
        )
        return [
            (f"The chain rule node by node, as backprop computes it (path by path, {why})", symbolic),
            ("The same in the forward values", values),
        ]

    def _update(self, p: str) -> str:
        alpha, minus = self.name("alpha"), self.how.minus
        rule = f"{self.name(p)}{self.arrow}{self.name(p)} {minus} {alpha}{self.value_times}{self.grouped(p)}"
        return self.equals(rule, self.texts.nodes[p].update_step if self.numbers() else None)


# -- the formats -----------------------------------------------------------------------------------


def markdown(d: Derivation, texts=None) -> str:
    """The answers as Markdown; with `texts` (of the propagated graph, unicode) also the numbers."""
    w = Writer(d, UNICODE, texts)

    def item(line: Line) -> str:
        math, remark = line
        return f"- {math} ({remark})" if remark else f"- {math}"

    intro = w.intro()
    lines = [f"# {TITLE}", "", *([intro, ""] if intro else [])]
    for i, (title, body) in enumerate(w.sections(), 1):
        lines += [f"## {i}. {title}", "", *map(item, body), ""]
    notes = w.notes()
    if notes:
        lines += ["## Worth noticing", "", *map(item, notes), ""]
    return "\n".join(lines)


def latex(d: Derivation, texts=None, standalone: bool = False) -> str:
    """A fragment that compiles in a plain article or a Beamer frame (base LaTeX only, no package),
    or with `standalone` a whole document for `pdflatex`. `texts` must use `latexdoc.BREAKABLE`."""
    w = Writer(d, latexdoc.BREAKABLE, texts)
    body = latexdoc.fragment(w.sections(), w.notes(), w.intro())
    return latexdoc.document(body, TITLE) if standalone else body


# -- JSON ------------------------------------------------------------------------------------------


def _python(factors: list[Expr]) -> str:
    out = []
    for factor in factors:
        e = to_sympy(factor)
        text = sp.sstr(e)
        out.append(f"({text})" if e.is_Add or text.startswith("-") or "/" in text else text)
    return "*".join(out)


def as_json(d: Derivation) -> str:
    """Expressions a program can parse (SymPy syntax over the node ids). Path by path each gradient is
    a sum of products in the forward values; node by node it is a sum over consumers c of
    grad(c)·∂c/∂node, where grad(c) stands for ∂output/∂c (the function's name is under "gradient")."""
    g = d.graph
    data: dict = {
        "mode": "paths" if d.by_paths else "nodes",
        "forward": {n: sp.sstr(to_sympy(e)) for n, e in d.formulas.items() if n != d.out},
        "loss": None if d.loss is None else sp.sstr(to_sympy(d.loss)),
    }
    if d.by_paths:
        gradients = {}
        for p, grad in d.gradients.items():
            paths = [[notation.partial(_plain(g, v), _plain(g, u)) for u, v in path] for path in grad.paths]
            expression = " + ".join(_python(fs) for fs in grad.factors)
            gradients[p] = {
                # One path: the partials to multiply. Several (fan-out): one product per path, to add.
                "chain": paths[0] if len(paths) == 1 else [" · ".join(path) for path in paths],
                "paths": paths,
                "expression": expression,
                "simplified": sp.sstr(grad.simplified),
            }
        data["gradients"] = gradients
        data["update"] = {p: f"{p} - alpha*({v['expression']})" for p, v in gradients.items()}
    else:
        name = "grad"
        while name in g:  # a node of that name would read as the function
            name += "_"
        grad = sp.Function(name)

        def consumers(node: str) -> str:
            terms = [to_sympy(form) * (1 if c == d.out else grad(symbol(c))) for c, form in d.backward[node]]
            return sp.sstr(sp.Add(*terms))

        data["gradient"] = name
        data["backward"] = {n: consumers(n) for n in d.backward}
        data["gradients"] = {
            p: {"path_count": v.count, "expression": data["backward"][p]} for p, v in d.gradients.items()
        }
        data["update"] = {p: f"{p} - alpha*{name}({p})" for p in d.gradients}
    data["notes"] = {n: sp.sstr(to_sympy(e)) for n, e in d.notes}
    return json.dumps(data, indent=2, ensure_ascii=False)


def _plain(graph, node: str) -> str:
    """Readable ASCII-ish names for the JSON chain: ids, with the loss as `Loss`."""
    return "Loss" if graph.nodes[node]["kind"] == "loss" else node

"""The propagation as a sequence of steps: forward (one per operation, topological order), backward
(the start at the loss, then one per edge in reverse topological order), update (one per parameter).

Each step says what it computes (a node, an edge) and carries its caption, put together from the
graph's `Texts`, so the caption's numbers are the diagram's. What a frame shows after a step is the
drawing's business (`reveal`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import NNError, unknown
from .graph import parameters
from .texts import Texts

PHASES = ("forward", "backward", "both")


@dataclass(frozen=True)
class Step:
    kind: str  # "forward", "backward" or "update"
    number: int  # 1-based within its kind
    total: int
    node: str | None = None  # node computed, or whose gradient is complete, or updated
    edge: tuple[str, str] | None = None  # edge the gradient flows back along
    lines: tuple[str, ...] = ()  # caption lines
    adds: tuple[tuple[str, str], ...] = ()  # edges whose contributions this step sums (fan-out total)

    @property
    def counter(self) -> str:
        return f"{self.kind} {self.number} / {self.total}"


def check_phase(phase: str) -> str:
    if phase not in PHASES:
        raise unknown("phase", phase, PHASES)
    return phase


def _forward(texts: Texts) -> list[Step]:
    g = texts.graph
    nodes = [n for n in texts.ordered if "op" in g.nodes[n]]
    wrap = "${}$" if texts.how.latex else "{}"  # a LaTeX caption line keeps its math between $ signs
    return [
        Step("forward", i, len(nodes), node=n, lines=(wrap.format(texts.nodes[n].value_line),))
        for i, n in enumerate(nodes, 1)
    ]


def _labelled(texts: Texts, word: str, math: str, remark: str = "") -> str:
    body = f"${math}$" if texts.how.latex else math
    return f"{word}: {body}" + (f"   ({remark})" if remark else "")


def _backward(texts: Texts) -> list[Step]:
    g, out = texts.graph, texts.out
    total = len(texts.backward) + 1
    steps = [Step("backward", 1, total, node=out, lines=("The backward pass starts at the loss.",))]
    done: dict[str, list[tuple[str, str]]] = {}
    for i, (u, v) in enumerate(texts.backward, 2):
        done.setdefault(u, []).append((u, v))
        edge, node = texts.edges[u, v], texts.nodes[u]
        consumers = sum(1 for w in g.successors(u) if (u, w) in texts.backward)
        k = len(done[u])
        lines = [] if v == out else [_labelled(texts, "local", edge.local_line)]
        if consumers == 1:
            remark = "the loss's own derivative" if v == out else ""
            lines.append(_labelled(texts, "gradient", node.grad_line, remark))
        elif k < consumers:
            math = f"{node.grad_symbol} \\mathrel{{+}}= " if texts.how.latex else f"{node.grad_symbol} += "
            sum_so_far = f"contribution {k} of {consumers}; sum so far {node.running[k - 1]}"
            lines.append(_labelled(texts, "gradient", math + edge.grad_line, sum_so_far))
        else:
            every = "both" if consumers == 2 else f"all {consumers}"
            lines.append(_labelled(texts, "gradient", node.grad_line, f"the sum of {every} contributions"))
        complete = u if k == consumers else None
        adds = tuple(done[u]) if complete and consumers > 1 else ()
        steps.append(Step("backward", i, total, node=complete, edge=(u, v), lines=tuple(lines), adds=adds))
    return steps


def _update(texts: Texts) -> list[Step]:
    params = parameters(texts.graph)
    return [
        Step("update", i, len(params), node=p, lines=(_labelled(texts, "update", texts.nodes[p].update_line),))
        for i, p in enumerate(params, 1)
    ]


def sequence(texts: Texts, phase: str = "both") -> list[Step]:
    """The steps of `phase` (forward, backward or both) for the graph behind `texts`."""
    check_phase(phase)
    steps: list[Step] = []
    if phase in ("forward", "both"):
        steps += _forward(texts)
    if phase in ("backward", "both"):
        steps += _backward(texts) + _update(texts)
    if not steps:
        raise NNError("the graph has no operations, so there are no steps to show")
    return steps

"""Marking a student's own numbers: read an answers file, compare each number with the propagated
graph to the precision it was written with, find the first wrong one in the order the passes compute
them, and name a likely slip where a simple rule finds one.

An answers file is TOML with any of the tables [values] (forward values by node id), [locals] (local
derivatives by edge "u->v"), [gradients] (∂Loss/∂node by node id) and [update] (new parameters), and
optionally which network it answers: `variant = "7-3"` from a worksheet or a [network] table.

TOML turns `0.50` into the float 0.5 and loses the written precision, so the numbers' texts are also
read from the file's lines; an entry written some other way (an inline table, a dotted key) is judged
by its shortest form.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from . import notation, ops
from .errors import NNError, quoted
from .expr import BinOp, Call, Expr, Name, Neg, Num, names
from .forms import edge_form, node_form
from .graph import order, parameters
from .practice import NETWORK_KEYS, SECTIONS, edge_id
from .texts import Texts, backward_edges

TOLERANCE = 0.5  # percent: a number within this of the answer is right, however it was rounded
MAX_BYTES = 1_000_000
TABLES = (*SECTIONS, "network")
WHAT = {"values": "node", "locals": "edge", "gradients": "node", "update": "parameter"}


@dataclass(frozen=True)
class Written:
    """A number as the student wrote it: its value and its text (for its precision)."""

    value: float
    text: str

    @property
    def half_unit(self) -> float:
        """Half a unit in the last written digit: 0.0417 → 0.00005, 4.2e-2 → 0.005, 3 → 0.5."""
        body = self.text.replace("_", "").lstrip("+-").lower()
        mantissa, _, exponent = body.partition("e")
        decimals = len(mantissa.partition(".")[2])
        return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


@dataclass
class AnswerFile:
    answers: dict[str, dict[str, Written]]  # section → id → number
    network: dict | None = None  # the [network] table
    variant: str | None = None
    source: str = "the answers file"


@dataclass(frozen=True)
class Item:
    kind: str  # values, locals, gradients or update
    id: str  # node, "u->v" or parameter
    name: str  # as the diagram writes it: z₁, ∂a₁/∂z₁, ∂Loss/∂w₁, new w₁
    given: Written
    expected: float
    correct: bool


@dataclass
class Marked:
    items: list[Item]  # in the order the passes compute them
    line: str | None = None  # the first wrong one's line with the numbers plugged in
    slip: str | None = None  # a likely slip behind the first wrong one
    texts: Texts | None = field(default=None, repr=False)

    @property
    def first_wrong(self) -> Item | None:
        return next((i for i in self.items if not i.correct), None)

    @property
    def correct(self) -> int:
        return sum(i.correct for i in self.items)

    def as_data(self) -> dict:
        """What `check --json` prints."""
        first = self.first_wrong
        wrong = None
        if first is not None:
            wrong = {**_item(first), "line": self.line, "slip": self.slip}
        return {
            "items": [_item(i) for i in self.items],
            "first_wrong": wrong,
            "correct": self.correct,
            "total": len(self.items),
        }


def _item(item: Item) -> dict:
    return {
        "kind": item.kind,
        "id": item.id,
        "given": item.given.value,
        "expected": item.expected,
        "correct": item.correct,
    }


# -- reading -------------------------------------------------------------------------------------

_HEADER = re.compile(r"""\s*\[\s*(["']?)([A-Za-z0-9_-]+)\1\s*\]\s*(?:#.*)?""")
_ENTRY = re.compile(
    r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=\s*"""
    r"([+-]?[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9][0-9_]*)?)\s*(?:#.*)?"
)


def _literals(text: str) -> dict[tuple[str, str], str]:
    """The written text of each `key = number` line under a [table] header."""
    found, table = {}, None
    for line in text.splitlines():
        if header := _HEADER.fullmatch(line):
            table = header[2]
        elif line.lstrip().startswith("["):  # [a.b], [[x]]: not a table of numbers; its lines are not read
            table = None
        elif table and (entry := _ENTRY.fullmatch(line)):
            key = next(iter(tomllib.loads(f"{entry[1]} = 0")))  # the key as TOML reads it, quotes and all
            found[table, key] = entry[2]
    return found


def normal_edge(key: str) -> str:
    """`z1 -> a1` and `z1→a1` name the edge `z1->a1`."""
    return re.sub(r"\s*(?:->|→)\s*", "->", key.strip())


def loads(text: str, source: str = "the answers file") -> AnswerFile:
    """Parse an answers file; every problem is an `NNError` naming the entry and what is allowed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise NNError(f"{source} is not valid TOML ({err})") from None
    literals = _literals(text)
    result = AnswerFile({s: {} for s in SECTIONS}, source=source)
    for key, value in data.items():
        if key == "variant":
            if not isinstance(value, str):
                raise NNError(f'{source}: variant must be a string such as variant = "7-3", got {value!r}')
            result.variant = value
        elif key == "network":
            if not isinstance(value, dict):
                raise NNError(f"{source}: network must be a table, [network], with keys {', '.join(NETWORK_KEYS)}")
            result.network = value
        elif key in SECTIONS:
            if not isinstance(value, dict):
                raise NNError(f"{source}: {key} must be a table, [{key}], of numbers by {WHAT[key]} id")
            for entry, number in value.items():
                ident = normal_edge(entry) if key == "locals" else entry.strip()
                if not _finite(number):
                    example = '"z1->a1"' if key == "locals" else "w1"
                    raise NNError(
                        f"{source}: [{key}] {quoted(entry)} is not a number ({quoted(number)}); write numbers such as "
                        f"{example} = 0.0417"
                    )
                if ident in result.answers[key]:
                    raise NNError(f"{source}: [{key}] gives {ident!r} twice")
                written = literals.get((key, entry))
                if written is None or float(written.replace("_", "")) != number:
                    written = repr(number)
                result.answers[key][ident] = Written(float(number), written)
        else:
            allowed = ", ".join(f"[{t}]" for t in TABLES) + ", variant"
            raise NNError(f"{source}: unknown table or key {key!r} (allowed: {allowed})")
    if not any(result.answers.values()):
        raise NNError(f"{source} gives no numbers; put them under {', '.join(f'[{s}]' for s in SECTIONS)}")
    return result


def load(path: str | Path) -> AnswerFile:
    from .files import read_text  # a regular file of bounded size, read without blocking

    return loads(read_text(path, "answers file", MAX_BYTES), repr(str(path)))


def _finite(number) -> bool:
    """A real number a double holds (TOML integers can be far larger)."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        return False
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def network_table(answers: AnswerFile) -> dict:
    """The [network] table checked: exercise keys only, numbers and names of the right kind."""
    table = dict(answers.network or {})
    for key, value in table.items():
        if key not in NETWORK_KEYS:
            raise NNError(f"{answers.source}: [network] has no key {key!r} (allowed: {', '.join(NETWORK_KEYS)})")
        if key in ("g1", "g2", "loss"):
            if not isinstance(value, str):
                raise NNError(f'{answers.source}: [network] {key} must be a name such as "sigmoid", got {value!r}')
            ops.get(value, "loss" if key == "loss" else "activation")
        elif isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise NNError(f"{answers.source}: [network] {key} must be a number, got {value!r}")
    return {k: float(v) if k not in ("g1", "g2", "loss") else v for k, v in table.items()}


# -- marking -------------------------------------------------------------------------------------


def pass_order(g: nx.DiGraph) -> list[tuple[str, str]]:
    """Every quantity in the order backprop computes it: forward values in topological order (the
    loss last), then the backward pass edge by edge, each local derivative before the gradient it
    completes, then the updates."""
    ordered = order(g)
    out = ordered[-1]
    walked = backward_edges(g, ordered, targets=True)
    left = {u: sum(1 for e in walked if e[0] == u) for u, _ in walked}
    sequence = [("values", n) for n in ordered] + [("gradients", out)]
    for u, v in walked:
        sequence.append(("locals", edge_id(u, v)))
        left[u] -= 1
        if not left[u]:
            sequence.append(("gradients", u))
    return sequence + [("update", p) for p in parameters(g)]


def _expected(g: nx.DiGraph, kind: str, ident: str) -> float:
    if kind == "values":
        return g.nodes[ident]["value"]
    if kind == "locals":
        u, v = ident.split("->")
        return g.edges[u, v]["local"]
    if kind == "gradients":
        return g.nodes[ident]["grad"]
    return g.nodes[ident]["updated"]


def _name(texts: Texts, kind: str, ident: str) -> str:
    if kind == "locals":
        return texts.edges[tuple(ident.split("->"))].local_symbol
    node = texts.nodes[ident]
    if kind == "gradients":
        return node.grad_symbol or f"∂{node.name}/∂{node.name}"
    return f"new {node.name}" if kind == "update" else node.name


def _line(texts: Texts, kind: str, ident: str) -> str:
    if kind == "locals":
        return texts.edges[tuple(ident.split("->"))].local_line
    node = texts.nodes[ident]
    if kind == "values":
        return node.value_line
    if kind == "update":
        return node.update_line
    return node.grad_line or f"{_name(texts, kind, ident)} = 1 (the backward pass starts here)"


def check_ids(g: nx.DiGraph, answers: AnswerFile) -> None:
    """Every id names something the graph has, or one `NNError` that lists what it has."""
    known = {
        "values": list(order(g)),
        "locals": [edge_id(u, v) for u, v in g.edges],
        "gradients": list(order(g)),
        "update": parameters(g),
    }
    for kind, given in answers.answers.items():
        for ident in given:
            if ident not in known[kind]:
                raise NNError(
                    f"{answers.source}: [{kind}] has no {WHAT[kind]} {ident!r} "
                    f"(the network's {WHAT[kind]}s: {', '.join(known[kind]) or 'none'})"
                )


def tolerance(written: Written, expected: float, percent: float = TOLERANCE) -> float:
    """Half a unit in the last written digit or `percent` of the answer, whichever is looser."""
    return max(written.half_unit, abs(expected) * percent / 100)


def matches(written: Written, expected: float, percent: float = TOLERANCE) -> bool:
    slack = 1e-12 * max(1.0, abs(expected))  # 0.0417 is not exactly representable either
    return abs(written.value - expected) <= tolerance(written, expected, percent) + slack


def mark(g: nx.DiGraph, answers: AnswerFile, percent: float = TOLERANCE, digits: int = notation.DIGITS) -> Marked:
    """Each given number against the propagated graph `g`, in pass order; for the first wrong one, its
    line with the numbers plugged in and a likely slip."""
    if isinstance(percent, bool) or not isinstance(percent, int | float) or not 0 <= percent <= 100:
        raise NNError(f"the tolerance is a percentage from 0 to 100, got {percent!r}")
    check_ids(g, answers)
    texts = Texts(g, digits, targets=True)
    items = []
    for kind, ident in pass_order(g):
        written = answers.answers[kind].get(ident)
        if written is not None:
            expected = _expected(g, kind, ident)
            items.append(
                Item(kind, ident, _name(texts, kind, ident), written, expected, matches(written, expected, percent))
            )
    result = Marked(items, texts=texts)
    first = result.first_wrong
    if first is not None:
        result.line = _line(texts, first.kind, first.id)
        result.slip = slip(g, texts, first, percent)
    return result


# -- likely slips --------------------------------------------------------------------------------


def evaluate(expr: Expr, values: dict[str, float]) -> float:
    """A course-form expression (from `forms`) at the given values of its names."""
    match expr:
        case Num(value=v):
            return v
        case Name(id=n):
            return values[n]
        case Neg(operand=e):
            return -evaluate(e, values)
        case Call(func="Heaviside", args=(arg,)):
            return 1.0 if evaluate(arg, values) > 0 else 0.0
        case Call(func=func, args=args):
            return ops.get(func).forward(*(evaluate(a, values) for a in args))
        case BinOp(op=op, left=left, right=right):
            a, b = evaluate(left, values), evaluate(right, values)
            return {"+": a + b, "-": a - b, "*": a * b}[op] if op in "+-*" else a / b if op == "/" else a**b
    raise TypeError(expr)


def _activations(g: nx.DiGraph) -> dict[str, str]:
    """Activation output → its input: a₁ → z₁."""
    return {n: d["inputs"][0] for n, d in g.nodes(data=True) if "op" in d and ops.OPS[d["op"]].kind == "activation"}


def _z_for_a(g: nx.DiGraph, expr: Expr) -> list[tuple[str, str, float]]:
    """The expression with one activation's output replaced by its input: (a, z, value)."""
    values = {n: g.nodes[n]["value"] for n in g}
    found = []
    for a, z in _activations(g).items():
        if a in names(expr):
            try:
                found.append((a, z, evaluate(expr, {**values, a: values[z]})))
            except (NNError, ZeroDivisionError, OverflowError, ValueError):
                continue
    return found


def _single_path(g: nx.DiGraph, node: str, out: str) -> list[tuple[str, str]] | None:
    """The edges from `node` up to the loss when there is only one way up."""
    path = []
    while node != out:
        successors = list(g.successors(node))
        if len(successors) != 1:
            return None
        path.append((node, successors[0]))
        node = successors[0]
    return path


def _candidates(g: nx.DiGraph, texts: Texts, item: Item) -> list[tuple[float, str]]:
    """Numbers a common slip would have produced instead of the answer, each with its name."""
    kind, ident, e = item.kind, item.id, item.expected
    name = texts.nodes.get(ident).name if kind != "locals" else None
    found = [(-e, "sign flipped")]
    label = {n: texts.nodes[n].name for n in g}
    if kind == "values" and "op" in g.nodes[ident]:
        for a, z, c in _z_for_a(g, node_form(g, ident)):
            found.append((c, f"{label[z]} used where {label[a]} was meant"))
        if ident in _activations(g):
            z = _activations(g)[ident]
            found.append((g.nodes[z]["value"], f"the activation left out: {name} = g({label[z]}), not {label[z]}"))
        if g.nodes[ident]["op"] == "quadratic":
            found.append((2 * e, "the ½ of the quadratic loss left out"))
    elif kind == "locals":
        u, v = ident.split("->")
        for a, z, c in _z_for_a(g, edge_form(g, u, v)):
            found.append((c, f"{label[z]} used where {label[a]} was meant"))
    elif kind == "gradients" and ident != texts.out:
        alpha = g.graph["alpha"]
        path = _single_path(g, ident, texts.out)
        for u, v in path or []:
            local = g.edges[u, v]["local"]
            if local in (0.0, 1.0, -1.0):
                continue
            symbol = f"{texts.edges[u, v].local_symbol} = {texts.edges[u, v].local}"
            missing = "the activation's derivative" if v in _activations(g) else "a factor of the chain"
            found.append((e / local, f"{missing} left out ({symbol})"))
            for a, z, c in _z_for_a(g, edge_form(g, u, v)):
                where = texts.edges[u, v].local_symbol
                found.append((e / local * c, f"{label[z]} used where {label[a]} was meant (in {where})"))
        if path is None:
            for v in g.successors(ident):
                if (ident, v) in g.edges:
                    found.append((e - g.edges[ident, v]["grad"], f"the path through {label[v]} left out of the sum"))
        found.append((alpha * e, "off by α: α·∂Loss/∂w is the step, not the gradient"))
    elif kind == "update":
        w, grad, alpha = g.nodes[ident]["value"], g.nodes[ident]["grad"], g.graph["alpha"]
        found += [
            (w - grad, f"off by α: {name} − ∂Loss/∂{name} without the step size α"),
            (w + alpha * grad, f"sign flipped: the step is subtracted, {name} − α·∂Loss/∂{name}"),
            (alpha * grad, f"only the step α·∂Loss/∂{name}, not the new {name}"),
            (-alpha * grad, f"only the step, not the new {name}"),
        ]
    return found


def slip(g: nx.DiGraph, texts: Texts, item: Item, percent: float = TOLERANCE) -> str | None:
    """The name of the first simple slip that reproduces the wrong number, if any does."""
    for value, name in _candidates(g, texts, item):
        if math.isfinite(value) and matches(item.given, value, percent):
            return name
    return None


# -- the report ----------------------------------------------------------------------------------


def _shown(written: Written) -> str:
    """The number as written, with a typeset minus sign."""
    text = written.text
    return notation.MINUS + text[1:] if text.startswith("-") else text


def _answer(texts: Texts, item: Item) -> str:
    """The answer as the diagram writes it (an update with the digits that show its step)."""
    if item.kind == "locals":
        return texts.edges[tuple(item.id.split("->"))].local
    node = texts.nodes[item.id]
    shown = {"values": node.value, "gradients": node.grad, "update": node.update_value}[item.kind]
    return shown or notation.number(item.expected, texts.digits)


def report(marked: Marked) -> str:
    """The table of every given number, then the first wrong one with its line and a likely slip."""
    rows = [["quantity", "id", "given", "expected", ""]]
    for i in marked.items:
        mark_ = "✓ right" if i.correct else "✗ wrong"
        rows.append([i.name, i.id, _shown(i.given), _answer(marked.texts, i), mark_])
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("─" * w for w in widths))
    total = len(marked.items)
    lines += ["", f"{marked.correct} of {total} right."]
    first = marked.first_wrong
    if first is not None:
        lines += [
            "",
            f"First wrong, in the order the passes compute them: {first.name} ({first.kind} {first.id})",
            f"  you wrote {_shown(first.given)}; the answer is {_answer(marked.texts, first)}",
            f"  {marked.line}",
        ]
        if marked.slip:
            lines.append(f"  likely slip: {marked.slip}")
    return "\n".join(lines)

"""Worksheets and answer keys as printable PDFs: A4 portrait, the print theme, vector text.

Every block of a page (a text block, a diagram) is a Graphviz graph drawn to PDF by the one runner;
pypdf places the blocks on A4 pages. Text is typeset by Graphviz too (HTML-like tables, DejaVu Sans),
so no other PDF library or font is needed. Dates are fixed, so the same variants give the same bytes.

Per variant, the student sheet has two pages: the diagram with the given numbers and lines to write
on, then the exercise's seven questions with ruled room to answer. The key has the filled diagram,
then the symbolic answers (as `derive` writes them) and every number worked out.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, replace
from html import escape

import graphviz

from .. import layout, notation, pdfpages, practice, render, runner, style
from ..defaults import PDF_DATE
from ..errors import NNError
from ..reveal import Reveal
from ..texts import Texts

PAGE = (595.276, 841.89)  # A4 portrait, points
MARGIN = 42.0  # about 15 mm all round: inside every printer's unprintable edge
WIDTH = PAGE[0] - 2 * MARGIN
GAP = 10.0  # points between blocks
TITLE, BODY, SMALL = 15, 11, 8
ADVANCE = 0.52  # DejaVu Sans' mean advance per point of size, for wrapping by characters (a line a little
# too long only shrinks its block a little)
LINE = 24  # points between ruled lines to write on
RULE = "#8c8c8c"
THEME = style.get_theme("print")
BLANKS = practice.SECTIONS
ROOM = (4, 3, 2, 4, 2, 4, 3)  # ruled lines under each of the seven questions


@dataclass(frozen=True)
class Block:
    source: str  # DOT ("" for working space, drawn when the page is put together)
    fill: bool = False  # takes the height the other blocks leave (the diagram), scaled to fit
    working: bool = False  # ruled lines for working in whatever room is left at the bottom


@dataclass(frozen=True)
class Page:
    blocks: tuple[Block, ...]
    footer: Block


def check_blanks(text: str) -> tuple[str, ...]:
    """`values,gradients` → the kinds of answer left blank on the sheet; `all` for every kind."""
    chosen = [p.strip() for p in str(text).split(",") if p.strip()]
    if chosen == ["all"]:
        return BLANKS
    for part in chosen:
        if part not in BLANKS:
            raise NNError(f"--blank {part!r} is not a kind of answer (choose from: all, {', '.join(BLANKS)})")
    if not chosen:
        raise NNError(f"--blank needs at least one of: {', '.join(BLANKS)} (or all)")
    return tuple(b for b in BLANKS if b in chosen)


def given(texts: Texts, blanks: tuple[str, ...]) -> Reveal:
    """What the sheet shows: the leaves always, the kinds not blanked, lines to write on for the rest.
    An edge's local derivative and the gradient it carries back share one reveal, so blanking either
    blanks both on the edges; node gradients follow `gradients`."""
    g = texts.graph
    shown = Reveal.given(texts)
    if "values" not in blanks:
        shown.values, shown.forward_edges = set(g), set(g.edges)
    if "locals" not in blanks and "gradients" not in blanks:
        shown.backward_edges = set(texts.backward)
    if "gradients" not in blanks:
        shown.grads = {n for n, t in texts.nodes.items() if t.grad is not None}
    if "update" not in blanks:
        shown.updated = {n for n, t in texts.nodes.items() if t.update_value is not None}
    return shown


# -- text blocks ---------------------------------------------------------------------------------


def _font(text: str, size: int = BODY, bold: bool = False, colour: str = THEME.text) -> str:
    body = escape(text)
    return f'<FONT POINT-SIZE="{size}" COLOR="{colour}">{f"<B>{body}</B>" if bold else body}</FONT>'


def _wrapped(text: str, size: int = BODY, bold: bool = False, indent: str = "") -> str:
    """A paragraph broken into lines that fit the page width (Graphviz does not wrap)."""
    columns = int(WIDTH / (size * ADVANCE))
    lines = textwrap.wrap(text, columns, subsequent_indent=indent, break_on_hyphens=False) or [""]
    return '<BR ALIGN="LEFT"/>'.join(_font(line, size, bold) for line in lines) + '<BR ALIGN="LEFT"/>'


def _row(content: str, pad: int = 2) -> str:
    return f'<TR><TD ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="{pad}" WIDTH="{WIDTH:.0f}">{content}</TD></TR>'


def _rules(count: int) -> str:
    """Ruled lines to write on."""
    cell = f'<TD BORDER="1" SIDES="B" COLOR="{RULE}" HEIGHT="{LINE}" WIDTH="{WIDTH:.0f}"> </TD>'
    return f"<TR>{cell}</TR>" * count


def _text(rows: list[str], name: str) -> Block:
    dot = graphviz.Digraph(name)
    dot.attr(bgcolor="transparent", pad="0", margin="0")
    table = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">{"".join(rows)}</TABLE>>'
    dot.node("text", table, shape="plain", fontname=THEME.fontname)
    return Block(dot.source)


def _footer(v: practice.Variant, what: str, page: int, pages: int) -> Block:
    net = v.network
    text = (
        f"variant {v.id} · seed {v.seed} · g₁ {net['g1']}, g₂ {net['g2']}, {net['loss']} loss · "
        f"{what}, page {page} of {pages}"
    )
    return _text([_row(_font(text, SMALL, colour=THEME.local))], f"footer_{_slug(v.id)}_{what}_{page}")


def _slug(ident: str) -> str:
    return ident.replace("-", "_")


def _header(v: practice.Variant, title: str, name_line: bool) -> list[str]:
    rows = [_row(_font(f"{title} · variant {v.id} (seed {v.seed})", TITLE, bold=True), 0)]
    if name_line:
        rows.append(_row(_font("Name ______________________________    Date ______________"), 6))
    numbers, functions = practice.given(v.network)
    rows.append(_row(_wrapped(f"Given: {numbers}.") + _wrapped(f"{functions}.")))
    return rows


# -- the diagram ---------------------------------------------------------------------------------


def _diagram(texts: Texts, shown: Reveal, detail: str, name: str) -> Block:
    # A page's diagram box is about as wide as it is tall: ask for the rows that fill it best.
    pinned = layout.pin(texts, THEME, [], detail=detail, aspect=WIDTH / (PAGE[1] - 2 * MARGIN - 160))
    dot = render.to_digraph(texts, pinned, THEME, shown=shown, detail=detail, name=name)
    dot.attr(pad="0.04")  # the page has its margins: the diagram's own white border would only shrink it
    return Block(dot.source, fill=True)


# -- pages ---------------------------------------------------------------------------------------


def _instructions(blanks: tuple[str, ...]) -> str:
    asked = {
        "values": "the forward values (→)",
        "locals": "the local derivatives ∂v/∂u",
        "gradients": "the gradients ∂Loss/∂node (←)",
        "update": "the updated weights (w ← …)",
    }
    listed = [asked[b] for b in blanks]
    wanted = ", ".join(listed[:-1]) + (" and " if len(listed) > 1 else "") + listed[-1]
    return f"Fill in every line on the diagram: {wanted}. Write each number to 3 significant digits."


def sheet(v: practice.Variant, blanks: tuple[str, ...] = BLANKS) -> list[Page]:
    """The student's two pages: the diagram to fill in, then the seven questions with room."""
    texts = Texts(v.graph())
    slug = _slug(v.id)
    first = [*_header(v, "Backpropagation by hand", True), _row(_wrapped(_instructions(blanks)), 4)]
    rows = [_row(_font(f"Questions · variant {v.id} (seed {v.seed})", TITLE, bold=True), 0)]
    for i, (question, room) in enumerate(zip(practice.questions(v.network), ROOM, strict=True), 1):
        rows.append(_row(_wrapped(f"{i}. {question}", indent="    "), 6))
        rows.append(_rules(room))
    return [
        Page(
            (
                _text(first, f"sheet_{slug}_head"),
                _diagram(texts, given(texts, blanks), "values", f"sheet_{slug}"),
                Block("", working=True),
            ),
            _footer(v, "worksheet", 1, 2),
        ),
        Page((_text(rows, f"sheet_{slug}_questions"),), _footer(v, "worksheet", 2, 2)),
    ]


def _markdown_rows(markdown: str) -> list[str]:
    """`derive`'s Markdown as rows: `## n. title` bold, `- line` indented; the title and the line of
    given numbers are on the page already."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("## "):
            rows.append(_row(_wrapped(line[3:], bold=True), 1))
        elif line.startswith("- "):
            rows.append(_row(_wrapped("    " + line[2:], indent="        "), 0))
    return rows


def backward(texts: Texts) -> list[str]:
    """The backward pass as the diagram runs it: each local derivative, then each gradient it completes."""
    lines = []
    left = {u: sum(1 for e in texts.backward if e[0] == u) for u, _ in texts.backward}
    for u, v in texts.backward:
        lines.append(texts.edges[u, v].local_line)
        left[u] -= 1
        if not left[u]:
            lines.append(texts.nodes[u].grad_line)
    # The loss's own derivative is both an edge's local derivative and a node's gradient: once is enough.
    return list(dict.fromkeys(lines))


MONO = "DejaVu Sans Mono"


def _toml(shown: str, value: float) -> str:
    """A number as the diagram shows it, written so TOML reads it (`-`, and e-notation for ×10ⁿ)."""
    return format(value, ".3g") if "×" in shown else shown.replace(notation.MINUS, "-")


def answers_toml(v: practice.Variant, texts: Texts) -> str:
    """The answers as a `check` file, rounded as the diagram shows them: a marker can type a student's
    sheet in beside it, and an autograder can start from it."""
    shown = {
        "values": lambda n: texts.nodes[n].value,
        "locals": lambda e: texts.edges[tuple(e.split("->"))].local,
        "gradients": lambda n: texts.nodes[n].grad,
        "update": lambda n: texts.nodes[n].update_value,
    }
    parts = [f'variant = "{v.id}"']
    for section, values in practice.answers(texts.graph).items():
        lines = [f"[{section}]"]
        for ident, value in values.items():
            key = f'"{ident}"' if "->" in ident else ident
            lines.append(f"{key} = {_toml(shown[section](ident), value)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _answers_file(v: practice.Variant, texts: Texts) -> Block:
    """`answers_toml` under the key's diagram, a column a table."""
    variant, *sections = answers_toml(v, texts).strip().split("\n\n")

    def mono(lines: list[str]) -> str:
        body = '<BR ALIGN="LEFT"/>'.join(escape(line) for line in lines)
        return f'<FONT FACE="{MONO}" POINT-SIZE="{SMALL + 1}">{body}<BR ALIGN="LEFT"/></FONT>'

    columns = "".join(f'<TD ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{mono(s.split(chr(10)))}</TD>' for s in sections)
    title = _font("The answers as a file for graphviz-nn check, rounded as on the diagram:", BODY, bold=True)
    span = f'ALIGN="LEFT" COLSPAN="{len(sections)}"'
    table = (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD {span}>{title}</TD></TR><TR><TD {span} BALIGN="LEFT">{mono([variant])}</TD></TR>'
        f"<TR>{columns}</TR></TABLE>>"
    )
    dot = graphviz.Digraph(f"key_{_slug(v.id)}_file")
    dot.attr(bgcolor="transparent", pad="0", margin="0")
    dot.node("text", table, shape="plain", fontname=THEME.fontname)
    return Block(dot.source)


def key(v: practice.Variant, derivation) -> list[Page]:
    """The key's pages: the filled diagram, then the seven answers with the numbers plugged in (as
    `derive --numbers` writes them) and the backward pass node by node, as on the diagram."""
    from .. import answers

    texts = Texts(v.graph())
    derivation = replace(derivation, graph=texts.graph)  # the same structure, now with the numbers
    slug = _slug(v.id)
    head = _header(v, "Answer key", False)
    rows = [_row(_font(f"Answers · variant {v.id} (seed {v.seed})", TITLE, bold=True), 0)]
    rows += _markdown_rows(answers.markdown(derivation, texts))
    rows.append(_row(_wrapped("The backward pass node by node, as on the diagram", bold=True), 1))
    rows += [_row(_wrapped("    " + line, indent="        "), 0) for line in backward(texts)]
    return [
        Page(
            (
                _text(head, f"key_{slug}_head"),
                _diagram(texts, Reveal.everything(texts), "full", f"key_{slug}"),
                _answers_file(v, texts),
            ),
            _footer(v, "answer key", 1, 2),
        ),
        Page((_text(rows, f"key_{slug}_answers"),), _footer(v, "answer key", 2, 2)),
    ]


# -- output --------------------------------------------------------------------------------------


def dot_text(pages: list[Page]) -> str:
    """Every block's DOT, one graph after another (`dot -Tpdf -O` reads them all). Ruled working
    space is sized when the pages are put together, so it is not among them."""
    return "".join(b.source for p in pages for b in (*p.blocks, p.footer) if b.source)


def _draw(sources: list[str], jobs: int | None) -> dict[str, bytes]:
    unique = list(dict.fromkeys(sources))
    return dict(zip(unique, runner.draw_all(unique, "pdf", jobs), strict=True))


def _working(height: float, name: str) -> str:
    """A "Working" heading over as many ruled lines as fit in `height`."""
    count = int((height - 2 * BODY) // LINE)
    return _text([_row(_font("Working", BODY, bold=True), 0), _rules(count)], name).source if count >= 2 else ""


@dataclass
class _Plan:
    """Where a page's blocks go: (source, left, top, scale) each, top to bottom, and the room left."""

    placed: list[tuple[str, float, float, float]]
    top: float  # where a block below the last would start
    left_over: float  # height from there down to the footer


def _plan(page: Page, size) -> _Plan:
    """Blocks stacked from the top margin, the footer at the bottom; text at its size (shrunk only if a
    page overflows), the diagram as large as the width and the room left allow, centred."""
    footer_h = size(page.footer.source)[1]
    placed = [(page.footer.source, MARGIN, MARGIN * 0.6 + footer_h, 1.0)]
    room = PAGE[1] - 2 * MARGIN - footer_h - GAP
    drawn = [b for b in page.blocks if b.source]
    fixed = sum(size(b.source)[1] + GAP for b in drawn if not b.fill)
    shrink = min(1.0, room / fixed) if fixed else 1.0
    top = PAGE[1] - MARGIN
    for block in drawn:
        w, h = size(block.source)
        if block.fill:
            scale = min(1.0, WIDTH / w, (room - fixed * shrink) / h)
            placed.append((block.source, MARGIN + (WIDTH - w * scale) / 2, top, scale))
        else:
            scale = min(shrink, WIDTH / w)
            placed.append((block.source, MARGIN, top, scale))
        top -= h * scale + GAP
    return _Plan(placed, top, top - (PAGE[1] - MARGIN - room))


def pdf(pages: list[Page], jobs: int | None = None) -> bytes:
    """The pages as one PDF: every block drawn by Graphviz (several `dot` side by side), then placed
    on A4 pages as a form XObject."""
    from pypdf import PdfReader, PdfWriter

    drawn = _draw([b.source for p in pages for b in (*p.blocks, p.footer) if b.source], jobs)
    read = {}

    def part(source: str):
        if source not in read:
            read[source] = PdfReader(io.BytesIO(drawn[source])).pages[0]
        return read[source]

    def size(source: str) -> tuple[float, float]:
        box = part(source).mediabox
        return float(box.width), float(box.height)

    plans = [_plan(page, size) for page in pages]
    # Ruled working space fills what the diagram leaves: sized now, drawn in a second round.
    extra = {
        i: _working(plan.left_over, f"working_{i}")
        for i, (page, plan) in enumerate(zip(pages, plans, strict=True))
        if any(b.working for b in page.blocks)
    }
    drawn.update(_draw([s for s in extra.values() if s], jobs))
    writer = PdfWriter()
    for i, plan in enumerate(plans):
        placed = plan.placed + ([(extra[i], MARGIN, plan.top, 1.0)] if extra.get(i) else [])
        matrices = []
        for source, left, top, scale in placed:
            box = part(source).mediabox
            x, y = left - float(box.left) * scale, top - (float(box.bottom) + float(box.height)) * scale
            matrices.append((part(source), f"{scale:.6f} 0 0 {scale:.6f} {x:.3f} {y:.3f}"))
        pdfpages.add_page(writer, *PAGE, matrices)
    writer.add_metadata({"/Producer": "graphviz-nn", "/CreationDate": PDF_DATE, "/ModDate": PDF_DATE})
    writer.compress_identical_objects()  # each block brings its own copy of the font subsets
    data = io.BytesIO()
    writer.write(data)
    return data.getvalue()


def pages_for(chosen: list[practice.Variant], blanks: tuple[str, ...] = BLANKS) -> tuple[list[Page], list[Page]]:
    """The student sheets and the keys of every variant."""
    from .. import symbolic  # SymPy is slow to import: only keys pay for it
    from ..graph import seed_network

    derived = {}
    sheets, keys = [], []
    for v in chosen:
        kind = (v.network["g1"], v.network["g2"], v.network["loss"])
        if kind not in derived:  # the symbolic answers depend on the functions only (SymPy is slow)
            derived[kind] = symbolic.derive(seed_network(**v.network))
        sheets += sheet(v, blanks)
        keys += key(v, derived[kind])
    return sheets, keys

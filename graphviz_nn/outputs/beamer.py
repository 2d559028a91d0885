r"""A Beamer presentation: a title frame, then one frame per pass (forward, backward, update) whose
overlays show its steps, one page each. The pictures are the vector frames of one multi-page PDF
written beside the .tex (`\includegraphics<n>[page=k]`); the captions are LaTeX math, the same lines
as the pictures' captions written in the LaTeX notation. It compiles with plain `pdflatex`.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import notation, steps
from ..defaults import SLIDE_PIXELS
from ..errors import NNError, unknown
from ..frames import Frames
from ..texts import Texts

# The themes that come with Beamer itself (texlive-latex-recommended), so the deck compiles anywhere.
THEMES = (
    "default", "AnnArbor", "Antibes", "Bergen", "Berkeley", "Berlin", "Boadilla", "boxes", "CambridgeUS",
    "Copenhagen", "Darmstadt", "Dresden", "EastLansing", "Frankfurt", "Goettingen", "Hannover", "Ilmenau",
    "JuanLesPins", "Luebeck", "Madrid", "Malmoe", "Marburg", "Montpellier", "PaloAlto", "Pittsburgh",
    "Rochester", "Singapore", "Szeged", "Warsaw",
)  # fmt: skip
# Beamer's page shapes (aspectratio option → width, height in mm); --size picks the nearest.
PAGES = {
    "169": (160, 90),
    "1610": (160, 100),
    "149": (140, 90),
    "141": (148.5, 105),
    "54": (125, 100),
    "43": (128, 96),
    "32": (135, 90),
}
PICTURE_HEIGHT = 0.62  # of \textheight: room below for the caption's two lines
PICTURE_WIDTH_PX = 1600  # frames are vector; this only sets their proportions
TITLES = {"forward": "Forward pass", "backward": "Backward pass", "update": "Gradient-descent update"}
# Beyond Latin-1 (which inputenc knows), the few characters a title is likely to hold.
UNICODE = {
    "σ": r"$\sigma$", "α": r"$\alpha$", "∂": r"$\partial$", "→": r"$\to$", "←": r"$\leftarrow$",
    "·": r"$\cdot$", "−": "-", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "…": r"\dots{}",
    **{chr(0x2080 + d): f"$_{d}$" for d in range(10)},
}  # fmt: skip
SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "^": r"\^{}",
    "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
}  # fmt: skip


def check_theme(name: str | None) -> str | None:
    """The Beamer theme's own spelling, or None for Beamer's plain default."""
    if name is None:
        return None
    for theme in THEMES:
        if theme.lower() == name.strip().lower():
            return theme
    raise unknown("Beamer theme", name, THEMES)


def page(size: tuple[int, int] | None) -> str:
    """The Beamer aspect ratio nearest to --size (16:9 by default)."""
    w, h = size or SLIDE_PIXELS
    return min(PAGES, key=lambda k: abs(PAGES[k][0] / PAGES[k][1] - w / h))


def picture_size(size: tuple[int, int] | None) -> tuple[int, int]:
    """Pixels with the proportions of the picture's box on the page, so a frame fills it."""
    width, height = PAGES[page(size)]
    box = (width - 20, PICTURE_HEIGHT * (height - 12))  # Beamer's 1 cm side margins; head and foot lines
    return PICTURE_WIDTH_PX, round(PICTURE_WIDTH_PX * box[1] / box[0])


def pictures_name(tex: str | Path) -> str:
    """The frames' PDF beside the .tex: its name, kept to characters every TeX reads in a file name."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(tex).stem).strip("-") or "deck"
    return f"{stem}-frames.pdf"


def document(frames: Frames, pictures: str, size: tuple[int, int] | None = None, theme: str | None = None) -> str:
    """The .tex source for a deck of `size` proportions. `pictures` names the PDF of the frames beside
    it, page i + 1 for step i."""
    captions = _latex_steps(frames)
    title = frames.graph.graph.get("title") or "a computation graph"
    lines = [
        "% Made by graphviz-nn. Compile it in this folder with pdflatex; the pictures are the pages of",
        f"% {pictures}, which must stay beside it.",
        f"\\documentclass[aspectratio={page(size)}]{{beamer}}",
        *_preamble(frames, theme),
        r"\title{Backpropagation, step by step}",
        f"\\subtitle{{{_text(title[:1].upper() + title[1:])}}}",
        r"\author{}",
        r"\date{}",
        "",
        r"\begin{document}",
        "",
        r"\begin{frame}",
        r"  \titlepage",
        r"\end{frame}",
    ]
    for kind, numbers in _passes(frames):
        lines += ["", *_frame(frames, kind, numbers, captions, pictures)]
    lines += ["", r"\end{document}"]
    return "\n".join(lines) + "\n"


def _preamble(frames: Frames, theme: str | None) -> list[str]:
    lines = [r"\usepackage[utf8]{inputenc}"]
    if theme is not None:
        lines.append(f"\\usetheme{{{theme}}}")
    lines.append(r"\usefonttheme[onlymath]{serif}")  # \mathrm{Loss} and a_{2} in one typeface
    lines.append(r"\setbeamertemplate{navigation symbols}{}")
    background = frames.theme.background.lower()
    if background not in ("white", "#ffffff"):  # a dark frame on a page of the same colour
        lines += [
            f"\\definecolor{{framebackground}}{{HTML}}{{{background.lstrip('#').upper()}}}",
            f"\\definecolor{{frametext}}{{HTML}}{{{frames.theme.text.lstrip('#').upper()}}}",
            r"\setbeamercolor{background canvas}{bg=framebackground}",
            r"\setbeamercolor{normal text}{fg=frametext}",
        ]
    return lines


def _passes(frames: Frames) -> list[tuple[str, list[int]]]:
    """Consecutive steps of one kind: each run becomes one frame."""
    runs: list[tuple[str, list[int]]] = []
    for i, step in enumerate(frames.steps):
        if not runs or runs[-1][0] != step.kind:
            runs.append((step.kind, []))
        runs[-1][1].append(i)
    return runs


def _frame(frames: Frames, kind: str, numbers: list[int], captions: list[list[str]], pictures: str) -> list[str]:
    size = rf"width=\linewidth,height={PICTURE_HEIGHT}\textheight,keepaspectratio"
    lines = [f"\\begin{{frame}}[t]{{{TITLES[kind]}}}", r"  \centering"]
    for overlay, i in enumerate(numbers, 1):
        lines.append(f"  \\includegraphics<{overlay}>[page={i + 1},{size}]{{{pictures}}}%")
    lines += [r"  \par\medskip", r"  \raggedright\small"]
    for overlay, i in enumerate(numbers, 1):
        counter = _text(frames.steps[i].counter.capitalize())
        body = r"\\ ".join([f"\\textbf{{{counter}}}", *captions[i]])
        lines.append(f"  \\only<{overlay}>{{{body}}}%")
    lines.append(r"\end{frame}")
    return lines


def _latex_steps(frames: Frames) -> list[list[str]]:
    """Each step's caption lines in LaTeX: the same steps, built from the same graph in LaTeX notation."""
    kinds = {s.kind for s in frames.steps}
    phase = "both" if "forward" in kinds and len(kinds) > 1 else "forward" if "forward" in kinds else "backward"
    texts = Texts(frames.graph, frames.texts.digits, how=notation.LATEX, targets=frames.texts.targets)
    latex = steps.sequence(texts, phase)
    if [(s.kind, s.node, s.edge) for s in latex] != [(s.kind, s.node, s.edge) for s in frames.steps]:
        raise NNError("internal error: the LaTeX captions do not follow the frames' steps")
    captions = []
    for step in latex:
        lines = []
        for line in step.lines:
            if step.kind == "forward" and "$" not in line:  # a forward caption is the node's bare equation
                line = f"${line}$"
            lines.append(_mixed(line))
        captions.append(lines)
    return captions


def _mixed(line: str) -> str:
    """A caption line of text and $math$: the math kept, the text escaped for LaTeX."""
    parts = line.split("$")
    if len(parts) % 2 == 0:  # unbalanced: no math to keep
        return _text(line)
    out = []
    for k, part in enumerate(parts):
        out.append(f"${part}$" if k % 2 else re.sub(r" {2,}", r"\\quad ", _text(part)))
    return "".join(out)


def _text(text: str) -> str:
    """Plain text for LaTeX: specials escaped, minus signs before numbers set as minus signs, and
    characters beyond what inputenc knows replaced by a LaTeX form (or `?` where there is none)."""
    out = []
    for k, ch in enumerate(text):
        if ch in SPECIAL:
            out.append(SPECIAL[ch])
        elif ch == "-" and text[k + 1 : k + 2].isdigit() and (k == 0 or not text[k - 1].isalnum()):
            out.append("$-$")
        elif ord(ch) < 256:
            out.append(ch)
        else:
            out.append(UNICODE.get(ch, "?"))
    return "".join(out)

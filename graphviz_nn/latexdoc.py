"""derive's answers as LaTeX: a fragment for a plain article or a Beamer frame, or a whole document.

Every equation is inline math in display style inside a list item, so TeX breaks a long one after a
relation or a binary operator, the way it breaks a paragraph, and no line runs into the margin. For
that the formulas use plain parentheses (`BREAKABLE`): TeX cannot break inside `\\left( ... \\right)`.
Only base LaTeX is used, so the fragment needs no package and the document compiles with plain
`pdflatex`.
"""

from __future__ import annotations

import dataclasses

from . import notation

BREAKABLE = dataclasses.replace(notation.LATEX, parens=("(", ")"))
# The steps of an equation are where it should break first; other relations (the > of [z > 0], the ←
# of an update) never break (\relpenalty below), + − and \cdot only where a step is longer than a line.
EQUALS = r" = \allowbreak "

Line = tuple[str, str]  # (math, a remark in words after it, or "")


def equation(math: str, remark: str = "") -> str:
    r"""`$\displaystyle ...$`: full-size fractions, and TeX may break the line after = + - or \cdot."""
    text = rf"$\displaystyle {math}$"
    return rf"{text}\quad ({remark})" if remark else text


def fragment(sections: list[tuple[str, list[Line]]], notes: list[Line], intro: str = "") -> str:
    """The numbered parts as an enumerate list, each equation an item of its own; `intro` (text with
    its own math) goes before the list, `notes` after the parts as an unnumbered item."""
    lines = [intro, ""] if intro else []
    lines += [
        r"\begin{enumerate}",
        r"\raggedright",  # ragged lines: no stretched spaces where an equation breaks
        r"\relpenalty=10000",
        r"\renewcommand{\labelitemi}{$\bullet$}",  # the text bullet is a bitmap font without cm-super
    ]
    for title, body in sections:
        lines += [rf"\item {title}", r"  \begin{itemize}"]
        lines += [rf"  \item {equation(math, remark)}" for math, remark in body]
        lines.append(r"  \end{itemize}")
    if notes:
        lines += [r"\item[] Worth noticing:", r"  \begin{itemize}"]
        lines += [rf"  \item {equation(math, remark)}" for math, remark in notes]
        lines.append(r"  \end{itemize}")
    lines.append(r"\end{enumerate}")
    return "\n".join(lines) + "\n"


def document(body: str, title: str) -> str:
    """A complete article around `body`; `title` is plain ASCII text."""
    return "\n".join(
        [
            r"\documentclass[11pt]{article}",
            r"\begin{document}",
            rf"\section*{{{title}}}",
            "",
            body.rstrip("\n"),
            "",
            r"\end{document}",
            "",
        ]
    )

"""derive's LaTeX compiled by plain pdflatex: every activation × loss, with and without numbers, and
the node-by-node answers of long graphs, in one document whose log must show no overfull line."""

import shutil
import subprocess

import pytest
from click.testing import CliRunner
from helpers import COMBOS

from graphviz_nn import answers, engine, examples, graph, latexdoc, spec, symbolic
from graphviz_nn.cli import main
from graphviz_nn.texts import Texts

pytestmark = pytest.mark.skipif(
    not shutil.which("pdflatex"),
    reason="pdflatex is not installed (apt-get install texlive-latex-base texlive-latex-recommended)",
)


def compile_tex(folder, tex: str) -> str:
    (folder / "a.tex").write_text(tex)
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "a.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (folder / "a.log").read_text(errors="replace")
    assert result.returncode == 0, result.stdout[-3000:]
    assert (folder / "a.pdf").read_bytes().startswith(b"%PDF")
    return log


def fragments(g, numbers=(False, True)) -> list[str]:
    """The graph's answers without numbers and/or with them, from one derivation (it reads only the
    graph's structure, so both ways write the same one)."""
    g = engine.propagate(g)
    derived = symbolic.derive(g)
    return [answers.latex(derived, Texts(g, how=latexdoc.BREAKABLE) if n else None) for n in numbers]


def test_every_combination_compiles_in_a_plain_article_with_no_overfull_line(tmp_path):
    parts = []
    for g1, g2, loss in COMBOS:
        # x = 0.5 keeps a₂ inside (0, 1) for every g2, so cross-entropy has numbers to plug in
        g = graph.seed_network(g1=g1, g2=g2, loss=loss, x=0.5, w2=0.4)
        parts.append(rf"\subsection*{{{g1.replace('_', ' ')}, {g2.replace('_', ' ')}, {loss.replace('_', ' ')}}}")
        parts += fragments(g)
    for name, layers in (("chain", 12), ("micrograd-readme", None), ("2-2-1", None), ("tied-weights", None)):
        parts += [rf"\subsection*{{{name}}}", *fragments(examples.load(name, layers), numbers=(True,))]
    # no parameter at all: no gradient and no update to write, and no empty list LaTeX would reject
    bare = spec.from_dict({"inputs": {"x": 2.0}, "nodes": {"loss": "x * x"}})
    parts += [r"\subsection*{no parameters}", *fragments(bare)]
    log = compile_tex(tmp_path, latexdoc.document("\n".join(parts), "Every combination"))
    assert "Overfull \\hbox" not in log, log[log.index("Overfull") - 200 : log.index("Overfull") + 600]
    assert "Missing" not in log and "Undefined control sequence" not in log


def test_standalone_document_compiles_by_itself(tmp_path):
    target = tmp_path / "answers.tex"
    args = ["derive", "--standalone", "--numbers", "--g1", "relu", "--loss", "cross_entropy", "-o", str(target)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    tex = target.read_text()
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}") and tex.isascii()
    assert r"\usepackage" not in tex  # base LaTeX only
    log = compile_tex(tmp_path, tex)
    assert "Overfull \\hbox" not in log

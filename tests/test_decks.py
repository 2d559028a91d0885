"""PowerPoint and Beamer decks: read the .pptx back with python-pptx, compile the .tex with pdflatex."""

import math
import re
import shutil
import subprocess
import zipfile

import pytest
from helpers import refuses, run
from pypdf import PdfReader

from graphviz_nn import notation
from graphviz_nn.defaults import EXERCISE

pptx = pytest.importorskip("pptx", reason="python-pptx is a runtime dependency: pip install -e .")
from pptx.enum.shapes import MSO_SHAPE_TYPE  # noqa: E402
from pptx.util import Emu  # noqa: E402

SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
TIED = """title = "Tied: w_1 & 50% #1 {σ} ~ ^ \\\\ $x$"
alpha = 0.5
[inputs]
x = 1.0
[parameters]
w = 0.8
[targets]
y = 1.0
[nodes]
z1 = "w * x"
a1 = "sigmoid(z1)"
z2 = "w * a1"
a2 = "sigmoid(z2)"
loss = "quadratic(a2, y)"
"""


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def exercise_closed_form():
    """The exercise's numbers by hand: sigmoid, sigmoid, quadratic loss."""
    x, y, w1, w2 = (EXERCISE[k] for k in ("x", "y", "w1", "w2"))
    a1 = sigmoid(w1 * x)
    a2 = sigmoid(w2 * a1)
    dz2 = (a2 - y) * a2 * (1 - a2)
    dz1 = dz2 * w2 * a1 * (1 - a1)
    return {"a2": a2, "loss": 0.5 * (a2 - y) ** 2, "dw2": dz2 * a1, "dw1": dz1 * x, "dx": dz1 * w1}


def tied_closed_form():
    w, x, y = 0.8, 1.0, 1.0
    a1 = sigmoid(w * x)
    a2 = sigmoid(w * a1)
    dz2 = (a2 - y) * a2 * (1 - a2)
    dz1 = dz2 * w * a1 * (1 - a1)
    return {"first": dz2 * a1, "dw": dz2 * a1 + dz1 * x}


def step_count(**network):
    """How many steps the frames module makes of this graph."""
    from graphviz_nn import frames, selection

    return len(frames.prepare(selection.propagated(**network)))


@pytest.fixture(scope="module")
def exercise_deck(tmp_path_factory):
    path = tmp_path_factory.mktemp("pptx") / "deck.pptx"
    result = run("slides", "-o", str(path), "--quiet")
    assert result.exit_code == 0, result.output
    return path


def slide_parts(slide):
    pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    boxes = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.TEXT_BOX]
    return pictures, boxes


def test_pptx_reads_back_one_slide_per_step(exercise_deck):
    deck = pptx.Presentation(str(exercise_deck))
    steps = step_count()
    assert len(deck.slides) == steps + 1
    assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9
    assert Emu(deck.slide_width).inches == pytest.approx(13.333, abs=1e-3)
    assert "Backpropagation" in deck.slides[0].shapes.title.text
    counters = []
    for slide in list(deck.slides)[1:]:
        pictures, boxes = slide_parts(slide)
        assert len(pictures) == 1 and len(boxes) == 1
        picture, caption = pictures[0], boxes[0]
        assert picture.image.content_type == "image/png"
        # the PNG is drawn at the picture's size on a 1920-pixel-wide slide: no scaling blur
        width_px, height_px = picture.image.size
        assert width_px == round(picture.width / deck.slide_width * 1920)
        assert abs(width_px / height_px - picture.width / picture.height) < 0.01
        assert picture.top + picture.height <= caption.top  # the caption does not cover the picture
        assert caption.text_frame.text.strip(), "an editable caption"
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
        counters.append(slide.shapes.title.text)
    assert counters[0] == "Forward 1 / 5" and counters[-1] == "Update 2 / 2"


def test_pptx_caption_is_real_text_with_the_chain_rule(exercise_deck):
    deck = pptx.Presentation(str(exercise_deck))
    captions = [slide_parts(s)[1][0].text_frame.text for s in list(deck.slides)[1:]]
    numbers = exercise_closed_form()
    w2 = notation.number(numbers["dw2"])
    assert any("∂Loss/∂w₂ = ∂Loss/∂z₂ · ∂z₂/∂w₂ = " in c and c.endswith(f"= {w2}") for c in captions)
    assert any("σ(z₁)" in c for c in captions)


def test_pptx_notes_explain_each_step_with_its_numbers(exercise_deck):
    deck = pptx.Presentation(str(exercise_deck))
    notes = [s.notes_slide.notes_text_frame.text for s in list(deck.slides)[1:]]
    numbers = {k: notation.number(v) for k, v in exercise_closed_form().items()}
    assert notes[0].startswith("Forward pass:")
    assert f"comes to {numbers['loss']}, the loss" in notes[4]
    assert notes[5].startswith("The backward pass starts at the output Loss")
    assert any(f"all of ∂Loss/∂w₂ = {numbers['dw2']}" in n for n in notes)
    assert any(f"all of ∂Loss/∂w₁ = {numbers['dw1']}" in n for n in notes)
    assert any(f"all of ∂Loss/∂x = {numbers['dx']}" in n for n in notes)
    assert notes[-1].startswith("Gradient descent: w₂")
    for slide, text in zip(list(deck.slides)[1:], notes, strict=True):
        caption = slide_parts(slide)[1][0].text_frame.text
        assert caption in text  # the numbers of the step, as the caption shows them


def test_pptx_picture_has_the_vector_frame_behind_the_png(exercise_deck):
    deck = pptx.Presentation(str(exercise_deck))
    slide = deck.slides[3]
    picture = slide_parts(slide)[0][0]
    svg_blips = picture._element.findall(f".//{{{SVG_NS}}}svgBlip")
    assert len(svg_blips) == 1
    rid = svg_blips[0].get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed")
    part = slide.part.related_part(rid)
    assert part.content_type == "image/svg+xml"
    assert part.blob.startswith(b"<?xml") and b"<svg" in part.blob[:400]
    assert b"<text" not in part.blob  # glyphs are outlines: no font needed to show it


def test_pptx_is_deterministic_and_dated_alike(exercise_deck, tmp_path):
    again = tmp_path / "again.pptx"
    assert run("slides", "-o", str(again), "--quiet").exit_code == 0
    assert again.read_bytes() == exercise_deck.read_bytes()
    with zipfile.ZipFile(again) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = pptx.Presentation(str(again)).core_properties
    assert core.created.year == core.modified.year == 2000


def test_pptx_fan_out_notes_and_size(tmp_path):
    spec = tmp_path / "tied.toml"
    spec.write_text(TIED, encoding="utf-8")
    path = tmp_path / "tied.pptx"
    result = run("slides", "--spec", str(spec), "--size", "1600x1200", "--phase", "backward", "-o", str(path), "-q")
    assert result.exit_code == 0, result.output
    deck = pptx.Presentation(str(path))
    assert deck.slide_width * 3 == deck.slide_height * 4  # --size sets the slide's shape
    notes = [s.notes_slide.notes_text_frame.text for s in list(deck.slides)[1:]]
    numbers = {k: notation.number(v) for k, v in tied_closed_form().items()}
    assert any(f"contribution 1, and the sum so far is {numbers['first']}" in n for n in notes)
    assert any(f"their sum is ∂Loss/∂w = {numbers['dw']}" in n for n in notes)


# -- Beamer ------------------------------------------------------------------------------------------


def beamer_missing() -> str | None:
    if not shutil.which("pdflatex"):
        return "pdflatex is not installed (apt-get install texlive-latex-recommended texlive-pictures)"
    for needed in ("beamer.cls", "pgfcore.sty"):
        found = subprocess.run(["kpsewhich", needed], capture_output=True, text=True, check=False).stdout.strip()
        if not found:
            return f"{needed} is not installed (apt-get install texlive-latex-recommended texlive-pictures)"
    return None


def compile_tex(folder, name):
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return PdfReader(folder / name.replace(".tex", ".pdf"))


@pytest.fixture(scope="module")
def beamer_deck(tmp_path_factory):
    folder = tmp_path_factory.mktemp("beamer")
    result = run("slides", "-o", str(folder / "deck.tex"), "--quiet")
    assert result.exit_code == 0, result.output
    return folder


def test_beamer_writes_the_tex_and_one_pdf_of_frames(beamer_deck):
    assert sorted(p.name for p in beamer_deck.iterdir()) == ["deck-frames.pdf", "deck.tex"]
    steps = step_count()
    assert len(PdfReader(beamer_deck / "deck-frames.pdf").pages) == steps
    tex = (beamer_deck / "deck.tex").read_text(encoding="utf-8")
    pages = re.findall(r"\\includegraphics<(\d+)>\[page=(\d+),", tex)
    assert sorted(int(p) for _, p in pages) == list(range(1, steps + 1))  # every frame once
    assert len(re.findall(r"\\only<\d+>", tex)) == steps
    assert r"\documentclass[aspectratio=169]{beamer}" in tex and r"\usetheme" not in tex


def test_beamer_captions_are_latex_math_with_the_pictures_numbers(beamer_deck):
    from graphviz_nn import frames, selection

    tex = (beamer_deck / "deck.tex").read_text(encoding="utf-8")
    bodies = re.findall(r"\\only<\d+>\{(.*)\}%", tex)
    sequence = frames.prepare(selection.propagated())
    assert len(bodies) == len(sequence)
    for i, body in enumerate(bodies):
        unicode_numbers = re.findall(r"\d+\.\d+|\d+", " ".join(sequence.steps[i].lines).replace("½", ""))
        latex_numbers = re.findall(r"\d+\.\d+|\d+", body)
        for n in unicode_numbers:
            assert n in latex_numbers, (n, body)
    numbers = exercise_closed_form()
    w2 = notation.number(numbers["dw2"], notation=notation.LATEX)
    assert any(r"\frac{\partial \mathrm{Loss}}{\partial w_{2}}" in b and b.endswith(f"= {w2}$") for b in bodies)
    assert all(body.count("$") % 2 == 0 for body in bodies)
    assert "$a_{1} = \\sigma" in tex  # forward captions are math too


@pytest.mark.skipif(beamer_missing() is not None, reason=str(beamer_missing()))
def test_beamer_compiles_one_page_per_step_and_a_title(beamer_deck):
    pdf = compile_tex(beamer_deck, "deck.tex")
    assert len(pdf.pages) == step_count() + 1
    width, height = float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height)
    assert width / height == pytest.approx(16 / 9, rel=1e-3)
    assert "Backward 3 / 8" in pdf.pages[8].extract_text()


@pytest.mark.skipif(beamer_missing() is not None, reason=str(beamer_missing()))
def test_beamer_theme_dark_frames_and_awkward_title_compile(tmp_path):
    spec = tmp_path / "tied.toml"
    spec.write_text(TIED, encoding="utf-8")
    out = tmp_path / "my deck_1.tex"
    args = ("slides", "--spec", str(spec), "--theme", "dark", "--beamer-theme", "madrid", "-o", str(out), "-q")
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "my-deck-1-frames.pdf").is_file()
    tex = out.read_text(encoding="utf-8")
    assert r"\usetheme{Madrid}" in tex and "framebackground" in tex
    assert "sum so far $-$0.0585" in tex  # a minus sign in text, not a hyphen
    pdf = compile_tex(tmp_path, out.name)
    assert len(pdf.pages) == step_count(example="tied-weights") + 1
    assert "50% #1" in pdf.pages[0].extract_text()


def test_beamer_output_is_deterministic(beamer_deck, tmp_path):
    assert run("slides", "-o", str(tmp_path / "deck.tex"), "-q").exit_code == 0
    for name in ("deck.tex", "deck-frames.pdf"):
        assert (tmp_path / name).read_bytes() == (beamer_deck / name).read_bytes()


# -- refusals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-o", "deck.key"], "cannot tell the format of 'deck.key'"),
        (["-o", "deck.pdf", "--beamer-theme", "Madrid"], "--beamer-theme goes with a .tex deck"),
        (["-o", "deck.pptx", "--beamer-theme", "Madrid"], "--beamer-theme goes with a .tex deck"),
        (["-o", "deck.tex", "--beamer-theme", "Metropolis"], "unknown Beamer theme 'Metropolis'"),
        (["-o", "deck.pptx", "--size", "4000x200"], "leaves no room for the picture"),
    ],
)
def test_bad_input_one_error_line_nothing_written(args, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert expected in refuses(tmp_path, "slides", *args)


def test_a_failed_beamer_write_leaves_neither_file(tmp_path):
    (tmp_path / "deck-frames.pdf").mkdir()  # the frames cannot be written where the .tex expects them
    result = run("slides", "-o", str(tmp_path / "deck.tex"), "-q")
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck-frames.pdf"]
    assert (tmp_path / "deck-frames.pdf").is_dir()

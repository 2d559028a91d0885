import io as stdio
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from helpers import run
from PIL import Image
from pypdf import PdfReader

from graphviz_nn import frames, steps, style
from graphviz_nn.outputs import gif
from graphviz_nn.texts import Texts

SVG = "{http://www.w3.org/2000/svg}"


def test_step_counts_per_phase(seed):
    operations, edges, parameters = 5, seed.number_of_edges(), 2
    assert len(steps.sequence(Texts(seed), "forward")) == operations
    edges -= 1  # the target y* gets no gradient unless asked for
    assert len(steps.sequence(Texts(seed), "backward")) == 1 + edges + parameters
    assert len(steps.sequence(Texts(seed), "both")) == operations + 1 + edges + parameters
    kinds = [s.kind for s in steps.sequence(Texts(seed))]
    assert kinds == ["forward"] * 5 + ["backward"] * 8 + ["update"] * 2
    assert [s.counter for s in steps.sequence(Texts(seed))][7] == "backward 3 / 8"
    assert len(steps.sequence(Texts(seed, targets=True), "backward")) == 1 + edges + 1 + parameters


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace("×10", "e").translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")))


def test_captions_show_the_engines_numbers(seed):
    for step in steps.sequence(Texts(seed)):
        if step.kind == "backward" and step.edge is None:
            assert step.lines == ("The backward pass starts at the loss.",)
            continue
        last = _number(step.lines[-1].split(" = ")[-1].split()[0])
        if step.kind == "forward":
            expected = seed.nodes[step.node]["value"]
        elif step.kind == "update":
            expected = seed.nodes[step.node]["updated"]
        else:
            expected = seed.edges[step.edge]["grad"]
            local = _number(step.lines[0].split(" = ")[-1].split()[0])
            assert local == pytest.approx(seed.edges[step.edge]["local"], rel=5e-3)
        assert last == pytest.approx(expected, rel=5e-3), step.lines
    captions = [line for s in steps.sequence(Texts(seed)) for line in s.lines]
    assert "gradient: ∂Loss/∂a₁ = ∂Loss/∂z₂ · ∂z₂/∂a₁ = (−0.148) · (−1.2) = 0.178" in captions
    assert "update: w₁ ← w₁ − α·∂Loss/∂w₁ = 0.5 − 0.5·0.0417 = 0.4791" in captions


def _node_geometry(svg: bytes) -> tuple[str, dict[str, str]]:
    root = ET.fromstring(svg)
    shapes = {}
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") == "node" and not title.text.startswith("#"):  # the caption's text may re-centre
            title = title.text
            outline = next(e for e in group if e.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse", f"{SVG}text"))
            shapes[title] = outline.get("points") or outline.get("d") or f"{outline.get('x')},{outline.get('y')}"
    return f"{root.get('width')}x{root.get('height')}", shapes


def test_nothing_moves_between_frames(seed):
    sequence = frames.prepare(seed)
    svgs = frames.render_all(sequence, "svg")
    canvases, shapes = zip(*map(_node_geometry, svgs), strict=True)
    assert len(set(canvases)) == 1
    assert all(s == shapes[0] for s in shapes) and set(seed) <= set(shapes[0])
    pngs = frames.render_all(sequence, "png")
    assert len({Image.open(stdio.BytesIO(p)).size for p in pngs}) == 1


def test_a_dot_frame_renders_alone_with_plain_dot(seed, tmp_path):
    sequence = frames.prepare(seed, phase="backward")
    dot_text, png = frames.render_all(sequence, "dot")[4], frames.render_all(sequence, "png")[4]
    path = tmp_path / "frame.dot"
    path.write_bytes(dot_text)
    alone = subprocess.run(["dot", "-Tpng", str(path)], capture_output=True, check=True)
    assert alone.stderr == b""
    a, b = Image.open(stdio.BytesIO(alone.stdout)), Image.open(stdio.BytesIO(png))
    assert a.size == b.size and a.tobytes() == b.tobytes()


def test_animate_writes_a_looping_gif_with_held_ends_and_frame_files(tmp_path):
    gif, folder = tmp_path / "bp.gif", tmp_path / "frames"
    result = run(
        "animate",
        "-o",
        str(gif),
        "--duration",
        "700",
        "--phase",
        "forward",
        "--frames-dir",
        str(folder),
        "--frames-format",
        "svg",
    )
    assert result.exit_code == 0, result.output
    image = Image.open(gif)
    assert image.n_frames == 5 and image.info["loop"] == 0
    durations = []
    for i in range(image.n_frames):
        image.seek(i)
        durations.append(image.info["duration"])
    assert durations == [2100, 700, 700, 700, 2100]
    assert sorted(p.name for p in folder.iterdir()) == [f"frame-{i:03d}.svg" for i in range(5)]


def test_size_gives_an_exact_canvas(tmp_path):
    gif = tmp_path / "bp.gif"
    assert run("animate", "-o", str(gif), "--size", "640x360", "--phase", "forward", "--theme", "dark").exit_code == 0
    image = Image.open(gif)
    assert image.size == (640, 360)


def test_slides_is_one_vector_pdf_page_per_step(tmp_path):
    deck = tmp_path / "deck.pdf"
    result = run("slides", "-o", str(deck), "--size", "1920x1080", "--theme", "print")
    assert result.exit_code == 0, result.output
    reader = PdfReader(deck)
    assert len(reader.pages) == 15
    box = reader.pages[0].mediabox
    assert float(box.width) / float(box.height) == pytest.approx(16 / 9, rel=0.01)
    text = reader.pages[7].extract_text()
    assert "Backward 3 / 8" in text  # real text, not a picture of it


@pytest.mark.parametrize(
    "args,message",
    [
        (["animate", "--duration", "0"], "Error: --duration 0 is outside what a GIF can show (20 to 218450"),
        (["animate", "--duration", "-5"], "Error: --duration -5 is outside what a GIF can show"),
        (["animate", "--duration", "300000"], "Error: --duration 300000 is outside what a GIF can show"),
        (["animate", "--theme", "neon"], "Error: Invalid value for '--theme': 'neon' is not one of"),
        (["slides", "--phase", "sideways"], "Error: Invalid value for '--phase': 'sideways' is not one of"),
        (["slides", "--size", "big"], "Error: size 'big' is not WIDTHxHEIGHT in pixels, such as 1920x1080"),
        (["animate", "-o", "out.png"], "Error: cannot tell the format of 'out.png' (use one of the extensions: .gif)"),
    ],
)
def test_bad_frame_options(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert result.output.strip().startswith(message) and len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_frames_dir_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "frames"
    blocker.write_text("")
    result = run("animate", "-o", str(tmp_path / "bp.gif"), "--frames-dir", str(blocker))
    assert result.exit_code == 2 and "is a file; give a folder" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]


def test_dark_theme_frames_use_the_dark_background(seed):
    sequence = frames.prepare(seed, phase="forward", theme="dark")
    assert re.search(rf"bgcolor=\"{style.THEMES['dark'].background}\"", sequence.source(0))


def test_frames_are_deterministic(seed):
    a, b = frames.prepare(seed), frames.prepare(seed)
    assert [a.source(i) for i in range(len(a))] == [b.source(i) for i in range(len(b))]
    assert frames.render_all(a, "svg") == frames.render_all(b, "svg")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_gif_keeps_the_exact_background_and_nearly_every_pixel(seed, theme):
    """A white page must stay white in the GIF (a palette near-miss shows as a grey box on a course page)."""
    sequence = frames.prepare(seed, phase="forward", theme=theme)
    pngs = frames.render_all(sequence, "png")
    image = Image.open(stdio.BytesIO(gif.gif(pngs, 500)))
    image.seek(2)
    got = image.convert("RGB")
    want = Image.open(stdio.BytesIO(pngs[2])).convert("RGB")
    background = style.THEMES[theme].background.replace("white", "#ffffff")
    assert got.getpixel((1, 1)) == tuple(int(background[i : i + 2], 16) for i in (1, 3, 5))
    a, b = got.tobytes(), want.tobytes()
    same = sum(a[i : i + 3] == b[i : i + 3] for i in range(0, len(a), 3))
    assert same / (len(a) // 3) > 0.95

"""Pictures that fill a slide and read from the back row, measured on what Graphviz draws."""

import io
import re
import struct
import xml.etree.ElementTree as ET

import pytest
from helpers import SVG, misplaced_labels, smallest_text, svg_size
from PIL import Image
from pypdf import PdfReader

from graphviz_nn import diagram, examples, frames, layout, render, runner, selection, style
from graphviz_nn.outputs import image
from graphviz_nn.texts import Texts

THEMES = sorted(style.THEMES)


def _svg(dot) -> bytes:
    return runner.pipe(dot.source, "svg")


@pytest.mark.parametrize("name", sorted(examples.EXAMPLES))
def test_every_label_line_is_nearest_its_own_edge(name):
    """Each line of an edge's label lies nearer that edge than any other, whether a reader of the SVG
    takes a text's anchor (Graphviz writes text-anchor="start") or the middle of the line."""
    svg = _svg(diagram.to_digraph(selection.propagated(example=name)))
    for anchor in ("start", "centre"):
        assert misplaced_labels(svg, anchor) == [], anchor


def test_labels_stay_with_their_edges_in_a_wrapped_chain_and_top_to_bottom():
    chain = selection.propagated(example="chain", layers=6)
    assert misplaced_labels(_svg(diagram.to_digraph(chain, rows=3))) == []
    assert misplaced_labels(_svg(diagram.to_digraph(selection.propagated(), direction="TB"))) == []


def _graph_box(svg: bytes) -> tuple[float, float]:
    """Top and bottom (y) of everything drawn for nodes and edges, not the caption."""
    ys = []
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") in ("node", "edge") and not title.text.startswith("#"):
            for shape in group:
                if shape.get("points"):
                    ys += [float(p.split(",")[1]) for p in shape.get("points").split()]
    return min(ys), max(ys)


def test_exercise_frames_fill_a_1920x1080_slide_with_text_of_24_px():
    sequence = frames.prepare(selection.propagated(), size="1920x1080")
    for svg in frames.render_all(sequence, "svg"):
        assert svg_size(svg) == (1920, 1080)
        assert smallest_text(svg, 1920) >= 24
        top, bottom = _graph_box(svg)
        assert (bottom - top) / 1080 >= 0.6


def test_a_12_layer_chain_is_legible_on_a_slide():
    sequence = frames.prepare(selection.propagated(example="chain", layers=12), size="1920x1080")
    svg = runner.pipe(sequence.source(len(sequence) // 2, "svg"), "svg")
    assert svg_size(svg) == (1920, 1080) and smallest_text(svg, 1920) >= 14


@pytest.mark.parametrize(
    "size,names",
    [
        ("1280x720", sorted(examples.EXAMPLES)),
        ("1920x1080", ["exercise", "micrograd-readme"]),
        ("1000x1000", ["2-2-1"]),
    ],
)
def test_every_page_of_every_graph_has_exactly_the_size_asked(size, names):
    width, height = frames.parse_size(size)
    for name in names:
        sequence = frames.prepare(selection.propagated(example=name), size=size, phase="forward")
        pdf = PdfReader(io.BytesIO(runner.pipe(sequence.source(0, "pdf"), "pdf")))
        box = pdf.pages[0].mediabox
        assert (float(box.width), float(box.height)) == (width, height), name
        png = runner.pipe(sequence.source(len(sequence) - 1, "png"), "png")
        assert Image.open(io.BytesIO(png)).size == (width, height), name


def test_pngs_say_their_resolution():
    png = image.with_dpi(runner.pipe("digraph { a }", "png"), 300)
    at = png.index(b"pHYs")
    x, y, unit = struct.unpack(">IIB", png[at + 4 : at + 13])
    assert (x, y, unit) == (11811, 11811, 1)  # 300 dpi in pixels per metre
    assert Image.open(io.BytesIO(png)).info["dpi"] == pytest.approx((300, 300), abs=0.01)


def test_transparent_drawings_have_no_background():
    g = selection.propagated()
    png = runner.pipe(diagram.to_digraph(g, transparent=True).source, "png")
    assert Image.open(io.BytesIO(png)).convert("RGBA").getpixel((0, 0))[3] == 0
    svg = _svg(diagram.to_digraph(g, transparent=True)).decode()
    assert 'fill="white"' not in svg.split('<g id="node', 1)[0]


@pytest.mark.parametrize("name", THEMES)
def test_muted_text_reads_on_every_fill(name):
    theme = style.THEMES[name]
    fills = [theme.background, theme.parameter_fill, theme.operation_fill, theme.leaf_fill, theme.loss_fill]
    for fill in fills:
        assert style.contrast(theme.muted, fill) >= 3, fill
    assert style.contrast(theme.text, theme.background) > style.contrast(theme.muted, theme.background)


def test_pin_each_lays_out_every_detail_in_one_run_as_pin_does_each(monkeypatch):
    texts = Texts(selection.propagated(example="chain", layers=6))
    themed, details = style.THEMES["light"], list(render.DETAILS)
    alone = [layout.pin(texts, themed, [["a caption"]], detail=d, aspect=2.5) for d in details]
    runs = []
    real = runner.pipe
    monkeypatch.setattr(runner, "pipe", lambda source, fmt: (runs.append(fmt), real(source, fmt))[1])
    assert layout.pin_each(texts, themed, [["a caption"]], details, aspect=2.5) == alone
    assert runs == ["json0"]


@pytest.mark.parametrize("name", ["micrograd-readme", "tied-weights"])
def test_a_sum_in_progress_stays_inside_its_node(name):
    """A node that feeds several others shows its gradient's sum so far (`← −0.00416 + …`), which can
    be longer than the total: the pinned box has room for it, so the text stays inside the border."""
    sequence = frames.prepare(selection.propagated(example=name), size="1920x1080")
    states = [sequence.shown(i).partial for i in range(len(sequence))]
    longest = {}  # each summing node at the frame that shows its longest sum so far
    for i, state in enumerate(states):
        for node, added in state.items():
            running = sequence.texts.nodes[node].running  # a node with one consumer has no sum to show
            text = running[added - 1] if added <= len(running) else ""
            if text and (node not in longest or len(text) > longest[node][0]):
                longest[node] = (len(text), i)
    partial = sorted({i for _, i in longest.values()})
    assert partial, "the example has a fan-out node summing its gradient"
    sources = [sequence.source(i, "svg") for i in partial]
    boxes = [{m[1]: float(m[2]) for m in re.finditer(r'^\t"?(\w+)"? \[.*?\swidth=([\d.]+)', s, re.M)} for s in sources]
    free = runner.pipe("\n".join(s.replace("fixedsize=true", "fixedsize=false") for s in sources), "json0").decode()
    margins = 2 * 0.12 * sequence.scale  # inches: the text may take the node's margins, not more
    for i, doc, box in zip(partial, layout._documents(free), boxes, strict=True):
        for node in doc["objects"]:
            if node.get("name") in sequence.graph and node["name"] in box:
                assert float(node["width"]) - box[node["name"]] < margins, (name, i, node["name"])


def test_rows_wrap_a_long_chain_and_the_count_fits_the_slide():
    g = selection.propagated(example="chain", layers=12)
    texts = Texts(g)
    themed = style.THEMES["light"]
    one = layout.pin(texts, themed, [], rows=1)
    best = layout.pin(texts, themed, [])
    assert one.width / one.height > 6  # one row: a ribbon
    assert best.wrapped >= 1 and 1.2 < best.width / best.height < 3


def test_layouts_are_deterministic():
    g = selection.propagated(example="2-2-1")
    assert diagram.to_digraph(g).source == diagram.to_digraph(g).source


def test_bad_layout_choices_are_refused():
    from graphviz_nn.errors import NNError

    with pytest.raises(NNError, match="unknown direction 'RL'"):
        diagram.to_digraph(selection.propagated(), direction="RL")
    with pytest.raises(NNError, match="unknown detail 'some'"):
        frames.prepare(selection.propagated(), detail="some")


def test_a_node_feeding_many_sums_lays_out_in_one_row_quickly(tmp_path):
    """Wrapping many edges from row to row is never worth it, and makes Graphviz slow: refused."""
    from graphviz_nn.errors import NNError

    spec = tmp_path / "fan.toml"
    terms = " + ".join(["z"] * 40)
    spec.write_text(f'[inputs]\nx = 1.0\n[parameters]\nw = 0.5\n[targets]\ny = 1.0\n[nodes]\nz = "w * x"\n'
                    f'h = "{terms}"\nloss = "quadratic(h, y)"\n')  # fmt: skip
    g = selection.propagated(spec_path=str(spec))
    assert layout.pin(Texts(g), style.THEMES["light"], []).wrapped <= layout.MAX_WRAPPED
    with pytest.raises(NNError, match=r"--rows 2 would wrap \d+ edges"):
        diagram.to_digraph(g, rows=2)


def test_a_png_too_large_to_draw_is_refused_before_drawing():
    from graphviz_nn.errors import NNError

    dot = diagram.to_digraph(selection.propagated(example="chain", layers=12), rows=1)
    with pytest.raises(NNError, match=r"the PNG would be \d+×\d+ pixels .*lower --dpi"):
        image.check_pixels(dot, 600)
    image.check_pixels(dot, 72)  # the same diagram at screen resolution is fine


def test_a_traced_mlp_of_about_a_hundred_nodes_has_no_edge_across_a_label():
    import random

    from helpers import label_boxes, svg_edges

    from graphviz_nn import Value, trace

    rng = random.Random(1)
    layer = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
    for name, width in (("h", 4), ("k", 4), ("o", 1)):  # micrograd's MLP(3, [4, 4, 1])
        layer = [
            sum(
                (Value(rng.uniform(-1, 1), label=f"w{name}{j}{i}", kind="parameter") * x for i, x in enumerate(layer)),
                Value(0.0, label=f"b{name}{j}", kind="parameter"),
            ).tanh()
            for j in range(width)
        ]
    g = trace((layer[0] - Value(1.0, label="y", kind="target")) ** 2)
    assert 100 <= g.number_of_nodes() <= 140
    svg = _svg(diagram.to_digraph(g))
    edges = svg_edges(svg)
    for name, (left, top, right, bottom) in label_boxes(svg).items():
        for other, (line, _) in edges.items():
            assert other == name or not any(left < x < right and top < y < bottom for x, y in line), (name, other)

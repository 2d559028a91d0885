import io as stdio

import pytest
from PIL import Image

from graphviz_nn import diagram, engine, graph, runner, style


def _statement(source: str, head: str) -> str:
    """The DOT statement (one line) of a node or an edge."""
    return next(line for line in source.splitlines() if line.startswith(f"\t{head} ["))


def test_dot_text_has_labels_colours_and_stable_ids(seed):
    source = diagram.to_digraph(seed).source
    theme = style.THEMES["light"]
    expected = {
        "a1 -> z2": ["→ 0.622", "∂z₂/∂a₁ = w₂", "= −1.2", "← 0.178"],
        "z1 -> a1": ["→ 0.500", "∂a₁/∂z₁ = a₁(1 − a₁)", "= 0.235", "← 0.0417"],
        "z2": ["<B>z₂</B>\u00a0= w₂·a₁", "−0.747", "∂Loss/∂z₂", "= −0.148"],
        "loss": ["<B>Loss</B>\u00a0= ½(a₂ − y*)²", "0.230"],
        "w1": ["<B>w₁</B>", "∂Loss/∂w₁", "= 0.0417", "w₁ ← 0.5 − 0.5·0.0417", "= 0.4791"],
        "y": ["<B>y*</B>", "dashed"],
    }
    for head, texts in expected.items():
        statement = _statement(source, head)
        for text in texts:
            assert text in statement, (head, text)
    assert "α = 0.5" in source
    assert theme.forward in source and theme.gradient in source
    for node in seed:
        assert f"\t{node} [" in source


def test_same_input_same_bytes():
    a = diagram.to_digraph(engine.propagate(graph.seed_network(w1=0.3))).source
    b = diagram.to_digraph(engine.propagate(graph.seed_network(w1=0.3))).source
    assert a == b
    assert runner.pipe(a, "svg") == runner.pipe(b, "svg")


def test_themes_change_colours_not_structure(seed):
    light, dark = diagram.to_digraph(seed, "light").source, diagram.to_digraph(seed, "dark").source
    assert light != dark and style.THEMES["dark"].background in dark
    assert light.count(" -> ") == dark.count(" -> ") == seed.number_of_edges()


def test_png_renders_and_shows_both_value_colours(seed):
    png = runner.pipe(diagram.to_digraph(seed, dpi=60).source, "png")
    image = Image.open(stdio.BytesIO(png)).convert("RGB")
    assert image.width > 600 and image.height > 100
    colours = {rgb for _, rgb in image.getcolors(maxcolors=1 << 24)}
    for hex_colour in (style.THEMES["light"].forward, style.THEMES["light"].gradient):
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, hex_colour


@pytest.mark.parametrize("name", sorted(style.THEMES))
def test_value_colours_stay_apart_in_grayscale_and_for_colour_blind_readers(name):
    """Forward and gradient differ in lightness (grayscale) and, but for print, in hue (colour blindness);
    both stay legible on the background; every edge value also carries an arrow, → or ←."""
    theme = style.THEMES[name]
    assert abs(style.luminance(theme.forward) - style.luminance(theme.gradient)) >= 0.1
    for colour in (theme.forward, theme.gradient, theme.text):
        assert style.contrast(colour, theme.background) >= 4.5, colour
    if name != "print":
        fwd = [int(theme.forward[i : i + 2], 16) for i in (1, 3, 5)]
        grad = [int(theme.gradient[i : i + 2], 16) for i in (1, 3, 5)]
        assert fwd[2] > fwd[0] and grad[0] > grad[2]  # blue against orange: kept apart by every dichromacy
    seed = engine.propagate(graph.seed_network())
    source = diagram.to_digraph(seed, name).source
    assert source.count("→ ") >= seed.number_of_edges() and source.count("← ") >= seed.number_of_edges()

"""`train -o train.html`: the stepper page of a training run. Its bytes (self-contained, small, the same
every time), the pieces it is assembled from against the frames' own SVGs, its captions against the
numbers `train --json` prints, and the page in headless Chromium (the same controls, keys and
`data-step` / `#caption` contract as the backprop stepper)."""

import io
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from helpers import (
    BUDGET,
    SVG,
    console_errors,
    frame_texts,
    keys,
    open_page,
    press,
    refuses,
    run,
    state,
    visible_texts,
)

from graphviz_nn import examples, graph, notation, style, training, training_frames
from graphviz_nn.outputs import html

STEPS = 8  # a short run of the exercise: every page feature shows in it (test_training checks 25 steps)


@pytest.fixture(scope="module")
def drawn_run(tmp_path_factory):
    """One `train --steps 8 --json -o train.html`: the page, the JSON, and the frames the page was
    made of, (prepared, diagram SVGs, plot SVGs, panels), caught on their way from
    `training_frames.svgs` to the page, so they are drawn once for every test of this module."""
    path = tmp_path_factory.mktemp("train") / "train.html"
    caught = []
    draw = training_frames.svgs

    def svgs(prepared):
        parts = draw(prepared)
        caught.append((prepared, *parts))
        return parts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training_frames, "svgs", svgs)
        result = run("train", "--steps", str(STEPS), "--json", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert len(caught) == 1, "the page is made of one set of frames"
    # ... and they are the frames of the exercise's run as the library prepares them by default
    prepared = caught[0][0]
    expected = training_frames.prepare(training.train(graph.seed_network(), STEPS))
    assert prepared.indices == expected.indices and prepared.captions == expected.captions
    assert (prepared.theme, prepared.digits, prepared.size) == (expected.theme, expected.digits, expected.size)
    sources = [[d.source(i, "svg") for i in range(len(d))] for d in (prepared.diagrams, expected.diagrams)]
    assert sources[0] == sources[1], "the same pinned diagrams"
    return path, json.loads(result.stdout), caught[0]


@pytest.fixture(scope="module")
def exercise_run(drawn_run):
    """The page and the JSON of the run."""
    path, data, _ = drawn_run
    return path, data


@pytest.fixture(scope="module")
def frames(drawn_run):
    """The frames the page is made of, as the command drew them."""
    return drawn_run[2]


@pytest.fixture(scope="module")
def whole(frames):
    """The exercise's plots at the k-th step drawn whole (the page's frames after the first hold only
    what moves), each once for the module."""
    prepared = frames[0]
    plot, drawn = training_frames.svg_plot(prepared), {}

    def at(k: int) -> bytes:
        if k not in drawn:
            drawn[k] = plot.frame(prepared.indices[k], "svg")
        return drawn[k]

    return at


@pytest.fixture(scope="module")
def long_dark_run(tmp_path_factory):
    """One `train --steps 40 --frames 5 --size 960x540 --theme dark --json -o long.html`: a sample of a
    long run, in the dark theme; one test reads its sampled steps, another its colours."""
    path = tmp_path_factory.mktemp("long") / "long.html"
    args = ("--steps", "40", "--frames", "5", "--size", "960x540", "--theme", "dark", "--json", "-o", str(path))
    result = run("train", *args)
    assert result.exit_code == 0, result.output
    return path, json.loads(result.stdout)["steps"]


def drawn_paths(element) -> list[str]:
    """The path data an SVG element draws, in order: not its definitions (glyphs, markers)."""
    if element.tag == f"{SVG}defs":
        return []
    own = [element.get("d")] if element.tag == f"{SVG}path" else []
    return own + [d for child in element for d in drawn_paths(child)]


def plot_paths(svg: bytes, gid: str) -> list[str]:
    """The path data a frame's plot panel draws, read with ElementTree (not the page's parser)."""
    return drawn_paths(next(g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("id") == gid))


def shown_paths(driver, n: int) -> list[str]:
    """The path data the n-th plot panel of the page shows now (every ancestor displayed)."""
    return driver.execute_script(
        "const svg = document.querySelectorAll('svg.gvnn-plot')[arguments[0]];"
        "const shown = e => { for (; e && e !== svg; e = e.parentNode) if (e.style && e.style.display === 'none')"
        " return false; return true; };"
        "return [...svg.querySelectorAll('g path')].filter(shown).map(p => p.getAttribute('d'));",
        n,
    )


# -- the page as bytes ---------------------------------------------------------------------------
def test_page_is_self_contained_small_and_the_same_every_time(exercise_run, tmp_path, frames):
    path, _ = exercise_run
    data = path.read_bytes()
    again = tmp_path / "again.html"  # another process, with other hash seeds
    env = {**os.environ, "PYTHONHASHSEED": "4321"}
    args = [sys.executable, "-m", "graphviz_nn", "train", "--steps", str(STEPS), "-o", str(again)]
    subprocess.run(args, env=env, check=True, capture_output=True)
    assert again.read_bytes() == data, "the same input must give the same bytes"
    assert len(data) < BUDGET, len(data)
    _, diagrams, plots, _ = frames
    whole = sum(map(len, diagrams)) + len(plots[0]) * len(plots)  # as if every plot were drawn whole, as the first
    assert len(data) < whole / 5, "frames should share their parts, not repeat them"
    text = data.decode()
    for remote in ("http://", "https://", "//cdn", "src=", "<link", "@import", "@font-face"):
        assert remote not in text, remote
    assert set(re.findall(r"url\((.)", text)) <= {"#"}, "only the page's own clip paths"
    assert set(re.findall(r'href="(.)', text)) <= {"#"}, "only the page's own glyphs and markers"
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "every id once"
    assert f'<body data-step="0" data-steps="{STEPS + 1}">' in text
    assert text.count('id="caption"') == 1


def assert_plots_show_whole_frames(whole, plots, panels, drawings, steps) -> None:
    """At each of `steps`, the page's plot panels draw exactly what the frame drawn whole (`whole(k)`)
    draws: every part, as written (the frames after the first hold only what moves, the page the
    rest), so a static part missing at a later step, or a moving one left as it was, shows here."""
    gids = [gid for gid, _, _ in panels]
    for i in steps:
        drawn = html._plot_parts(whole(i), gids, {})
        for drawing, parts, gid in zip(drawings, drawn, gids, strict=True):
            shown = [e.looks[e.look[i]] for e in drawing.elements if e.looks[e.look[i]]]
            assert shown == [markup for _, markup in parts], (i, gid)
        if i:
            assert len(plots[i]) < len(plots[0]) / 3, "a later frame draws only what moves"


def test_every_step_shows_exactly_its_frame(frames, whole):
    """Assembled from the shared pieces, each step draws what its frame draws: the diagram's texts
    and every part of each plot panel."""
    prepared, diagrams, plots, panels = frames
    content = html.training_content(
        prepared.captions, prepared.theme, plots, panels, prepared.diagrams, diagrams, prepared.diagrams.states
    )
    graph_drawing, *plot_drawings = content.drawings
    assert [d.kind for d in content.drawings] == ["graph", "plot", "plot"]
    for i in range(len(prepared)):
        looks = [e.looks[e.look[i]] for e in graph_drawing.elements]
        shown = [t for look in looks for t in re.findall(r"<text[^>]*>([^<]*)</text>", look)]
        assert shown == frame_texts(diagrams[i]), f"step {i}"
    # the first step against its own frame's paths; the second, a middle one and the last (no arrow
    # of a next update) against frames drawn whole
    for drawing, (gid, _, _) in zip(plot_drawings, panels, strict=True):
        markup = "".join(e.looks[e.look[0]] for e in drawing.elements)
        wrapped = f'<g xmlns="{SVG[1:-1]}" xmlns:xlink="http://www.w3.org/1999/xlink">{markup}</g>'
        assert drawn_paths(ET.fromstring(wrapped)) == plot_paths(plots[0], gid), gid
    assert_plots_show_whole_frames(whole, plots, panels, plot_drawings, [1, 2, STEPS // 2, len(prepared) - 1])


def test_plots_with_a_dataset_show_whole_frames():
    """The other panels: the fitted curve and its legend, the weights' lines and their names at
    their ends (three weights)."""
    run_ = training.train(examples.load("chain", 3), 4, [(0.0, 0.5), (1.0, 0.9), (2.0, 0.2)])
    prepared = training_frames.prepare(run_, size=(480, 270))
    diagrams, plots, panels = training_frames.svgs(prepared)
    assert diagrams is None and len(panels) == 3
    plot = training_frames.svg_plot(prepared)
    drawings = html.plot_drawings(plots, panels)
    assert_plots_show_whole_frames(lambda k: plot.frame(prepared.indices[k], "svg"), plots, panels, drawings, [1, 4])


def test_pieces_put_back_together_are_each_look(frames):
    """A part's pieces (its shape, each text) are written once; each look shows its own, in order."""
    prepared, diagrams, plots, panels = frames
    content = html.training_content(
        prepared.captions, prepared.theme, plots, panels, prepared.diagrams, diagrams, prepared.diagrams.states
    )
    moving = [e for e in content.elements if e.kind != "static"]
    assert len(content.pieces) == len(moving)
    shared = 0
    for e, (pieces, shows) in zip(moving, content.pieces, strict=True):
        assert ["".join(pieces[p] for p in show) for show in shows] == e.looks
        shared += sum(len(show) for show in shows) - len(pieces)
    assert shared > 0, "a node's shape is shared by the looks of its changing numbers"


def test_panels_hold_their_axes_labels_and_titles(frames):
    _, _, plots, panels = frames
    width, height = (float(v) for v in ET.fromstring(plots[0]).get("viewBox").split()[2:])
    assert [label for _, label, _ in panels] == ["Loss after each step", "path of (w₁, w₂) on Loss contours"]
    boxes = [box for _, _, box in panels]
    for x, y, w, h in boxes:
        assert x > -10 and y > -10 and x + w < width + 10 and y + h < height + 10
        assert 1.2 < w / h < 3, "a panel, not a sliver"
    assert boxes[0][0] + boxes[0][2] <= boxes[1][0] + 10, "side by side, as in the figure"


# -- the page and the JSON agree -------------------------------------------------------------------
def weight(entry: dict, name: str) -> str:
    """A weight as the display policy writes it: the starting one as typed, later ones rounded."""
    return (notation.exact if entry["step"] == 0 else notation.number)(entry[name])


def update_line(before: dict, after: dict, name: str, label: str) -> str:
    """The caption's update of `name`: its value and gradient at this step (a negative factor in
    parentheses), and the value the step makes, as the JSON has it."""
    gradient = notation.number(before["gradient"][name])
    factor = f"({gradient})" if gradient.startswith("−") else gradient
    new = notation.updated(before[name], after[name])
    return f"{label} ← {label} − α·∂Loss/∂{label} = {weight(before, name)} − 0.5·{factor} = {new}"


def test_each_caption_states_the_update_the_json_makes(exercise_run, browser):
    path, data = exercise_run
    steps = data["steps"]
    assert len(steps) == STEPS + 1 and data["alpha"] == 0.5
    open_page(browser, path)
    for k, entry in enumerate(steps):
        step, caption = state(browser)
        lines = caption.splitlines()
        head = "Start" if k == 0 else f"Step {k} of {STEPS}"
        assert step == k and lines[0] == f"{head}: Loss = {notation.number(entry['loss'])}", (k, lines)
        if k < STEPS:
            for line, name, label in zip(lines[1:], ("w1", "w2"), ("w₁", "w₂"), strict=True):
                assert line == update_line(entry, steps[k + 1], name, label), k
        else:
            first, end = notation.number(steps[0]["loss"]), notation.number(entry["loss"])
            assert lines[1] == f"Done: Loss fell from {first} to {end} in {STEPS} steps of α = 0.5"
        texts = visible_texts(browser)
        for name, label in (("w1", "w₁"), ("w2", "w₂")):  # the parameter's box shows this step's weight
            at = texts.index(label)
            assert texts[at + 1] == weight(entry, name), (k, name, texts[at : at + 4])
        counter = browser.find_element("css selector", '[data-gvnn="counter"]').text
        assert counter == f"{k} / {STEPS}"
        press(browser, keys().ARROW_RIGHT)
    assert state(browser)[0] == STEPS, "→ stops at the last step"
    assert console_errors(browser) == []


def test_a_sample_of_a_long_run_names_its_steps(long_dark_run, browser):
    (path, steps), long, shown = long_dark_run, 40, 5
    assert len(steps) == long + 1
    assert f'data-steps="{shown}"' in path.read_text()
    open_page(browser, path)
    press(browser, keys().END)
    seen = []
    for _ in range(shown):
        _, caption = state(browser)
        head = caption.splitlines()[0]
        k = 0 if head.startswith("Start") else int(re.match(rf"Step (\d+) of {long}", head).group(1))
        assert head.endswith(f"Loss = {notation.number(steps[k]['loss'])}"), head
        assert browser.find_element("css selector", '[data-gvnn="counter"]').text == f"{k} / {long}"
        seen.append(k)
        press(browser, keys().ARROW_LEFT)
    assert seen == sorted(seen, reverse=True) and seen[0] == long and seen[-1] == 0, seen
    assert console_errors(browser) == []


# -- in a real browser ---------------------------------------------------------------------------
def test_keys_draw_each_frame_and_its_plots(exercise_run, frames, whole, browser):
    path, _ = exercise_run
    prepared, diagrams, plots, panels = frames
    open_page(browser, path)
    last = len(prepared) - 1
    Keys = keys()
    # Each step reached by keys: → from the start, End, then ← back from the end.
    route = [(0, []), (1, [Keys.ARROW_RIGHT]), (2, [Keys.ARROW_RIGHT]), (last, [Keys.END])]
    route.append((STEPS // 2, [Keys.ARROW_LEFT] * (last - STEPS // 2)))
    for k, presses in route:
        for key in presses:
            press(browser, key)
        step, caption = state(browser)
        assert step == k and caption == "\n".join(prepared.captions[k])
        assert visible_texts(browser) == frame_texts(diagrams[k]), f"step {k} draws frame {k}"
        for n, (gid, _, _) in enumerate(panels):
            assert shown_paths(browser, n) == plot_paths(whole(k) if k else plots[0], gid), (k, gid)
    press(browser, keys().END)
    assert state(browser)[0] == last
    press(browser, keys().HOME)
    assert state(browser)[0] == 0
    assert console_errors(browser) == []


def test_buttons_and_hover_on_a_weight(exercise_run, browser):
    path, data = exercise_run
    steps = data["steps"]
    open_page(browser, path)

    def click(name):
        browser.find_element("css selector", f'[data-gvnn="{name}"]').click()
        return state(browser)[0]

    assert [click("next"), click("next"), click("prev"), click("last"), click("first")] == [1, 2, 1, STEPS, 0]
    labels = [b.get_attribute("aria-label") for b in browser.find_elements("css selector", ".gvnn-bar button")]
    assert labels == ["First step", "Previous step", "Play", "Next step", "Last step"]
    press(browser, keys().ARROW_RIGHT)
    press(browser, keys().ARROW_RIGHT)
    w1 = browser.find_element("css selector", 'g.gvnn-el[aria-label="node w₁"]')
    browser.execute_script("arguments[0].focus()", w1)
    tip = browser.find_element("css selector", '[data-gvnn="tip"]')
    update = f"= {notation.updated(steps[2]['w1'], steps[3]['w1'])}"
    assert tip.is_displayed() and tip.text.splitlines()[-1].startswith("update: w₁ ← w₁")
    assert tip.text.splitlines()[-1].endswith(update), tip.text
    press(browser, keys().ESCAPE)
    assert not tip.is_displayed()
    assert console_errors(browser) == []


def test_a_phone_stacks_the_plots_and_does_not_scroll_sideways(exercise_run, browser):
    path, _ = exercise_run
    open_page(browser, path, 390, 844)
    press(browser, keys().END)
    widths = browser.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], widths
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('svg.gvnn-plot')].map(s => s.getBoundingClientRect().toJSON())"
    )
    assert len(boxes) == 2 and boxes[1]["top"] >= boxes[0]["bottom"] - 1, "one panel above the other"
    assert all(b["width"] > 300 for b in boxes), "each panel as wide as the phone"
    caption = browser.find_element("id", "caption")
    assert caption.is_displayed() and caption.rect["width"] <= 390


def test_loads_nothing_fits_a_projector_prints_reduces_motion_and_dark(exercise_run, frames, long_dark_run, browser):
    """Checks of one page load, each independent of the others, then the dark page's colours."""
    from PIL import Image

    path, _ = exercise_run
    _, diagrams, _, _ = frames
    open_page(browser, path)
    entries = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [e for e in entries if not e.startswith(("data:", "file:"))] == []
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    background = shot.getpixel((2, 2))
    small = shot.resize((shot.width // 4, shot.height // 4))
    inked = sum(
        n
        for n, c in small.getcolors(small.width * small.height)
        if max(abs(a - b) for a, b in zip(c, background, strict=True)) > 40
    )
    assert inked > 0.02 * small.width * small.height, "the page is blank"
    # A projector's 1920×1080 shows the whole step: diagram, caption, plots, controls.
    bottom = browser.execute_script("return document.querySelector('.gvnn-bar').getBoundingClientRect().bottom")
    assert bottom <= 1080, bottom

    press(browser, keys().ARROW_RIGHT)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element("css selector", ".gvnn-bar").is_displayed()
    assert browser.find_element("id", "caption").is_displayed()
    assert visible_texts(browser) == frame_texts(diagrams[1]), "print shows the current step"
    duration = "return getComputedStyle(document.querySelector('.gvnn-bar button')).transitionDuration"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
    assert browser.execute_script(duration) != "0s"
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )
    assert browser.execute_script(duration) == "0s"

    dark, _ = long_dark_run
    open_page(browser, dark)
    background = browser.execute_script("return getComputedStyle(document.documentElement).backgroundColor")
    hex_colour = style.THEMES["dark"].background
    assert background == "rgb({}, {}, {})".format(*(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)))
    assert console_errors(browser) == []


def test_a_dataset_page_is_the_plots_alone(tmp_path, browser):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n-2,0\n-1,0\n1,1\n2,1\n")
    path = tmp_path / "fit.html"
    result = run(
        "train", "--dataset", str(points), "--steps", "6", "--alpha", "3", "--size", "960x540", "-o", str(path)
    )
    assert result.exit_code == 0, result.output
    text = path.read_text()
    assert 'data-steps="7"' in text and 'class="gvnn-svg gvnn-fit"' not in text and "for its numbers" not in text
    open_page(browser, path)
    assert len(browser.find_elements("css selector", "svg.gvnn-plot")) == 3
    assert state(browser)[1].splitlines()[0].startswith("Start: mean Loss over 4 points = ")
    press(browser, keys().END)
    step, caption = state(browser)
    assert step == 6 and caption.splitlines()[0].startswith("Step 6 of 6: mean Loss over 4 points = ")
    assert console_errors(browser) == []


# -- bad input -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "train.txt"], ".html"),
        (["-o", "train.html", "--duration", "5"], "--duration 5"),
        (["-o", "train.html", "--steps", "0"], "--steps"),
        (["-o", "train.html", "--theme", "neon"], "neon"),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_on_disk(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert message in refuses(tmp_path, "train", *args)

"""The HTML stepper: the page's bytes (self-contained, small, deterministic), its tooltips against
closed forms and against what each frame shows, and the page itself in headless Chromium (Debian's
chromium + chromium-driver, driven by Selenium), opened from file:// as a student would."""

import io
import math
import os
import re
import subprocess
import sys

import pytest
from helpers import (
    BUDGET,
    console_errors,
    error_line,
    frame_texts,
    keys,
    open_page,
    own_clock,
    press,
    refuses,
    run,
    run_clock,
    state,
    stop_clock,
    visible_texts,
)

from graphviz_nn import Value, frames, graph, notation, selection, stepper, style
from graphviz_nn.errors import NNError
from graphviz_nn.outputs import html

NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def exercise():
    sequence = frames.prepare(selection.propagated())
    svgs = frames.render_all(sequence, "svg")
    return sequence, svgs, html.content(sequence, svgs)


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "page.html"
    result = run("html", "-q", "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def dark_file(tmp_path_factory):
    """`html --theme dark`: its bytes and the page in the browser are each one test's."""
    path = tmp_path_factory.mktemp("dark") / "dark.html"
    assert run("html", "-q", "--theme", "dark", "-o", str(path)).exit_code == 0
    return path


# -- the page as bytes ---------------------------------------------------------------------------
def test_page_is_self_contained_small_and_the_same_every_time(page_file, tmp_path, exercise):
    data = page_file.read_bytes()
    again = tmp_path / "again.html"  # another process, with other hash seeds
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "graphviz_nn", "html", "-q", "-o", str(again)], env=env, check=True)
    assert again.read_bytes() == data, "the same input must give the same bytes"
    assert len(data) < BUDGET, len(data)
    _, svgs, _ = exercise
    assert len(data) < sum(map(len, svgs)) / 2, "frames should share their drawing, not repeat it"
    text = data.decode()
    for remote in ("http://", "https://", "//cdn", "src=", "<link", "@import", "url(", "@font-face"):
        assert remote not in text, remote
    assert re.search(r'<body data-step="0" data-steps="15">', text)
    assert text.count('id="caption"') == 1


def test_every_step_shows_exactly_its_frame(exercise):
    _, svgs, content = exercise
    for i, svg in enumerate(svgs):
        shown = []
        for element in content.elements:
            shown += re.findall(r"<text[^>]*>([^<]*)</text>", element.looks[element.look[i]])
        assert [html_unescape(t) for t in shown] == frame_texts(svg), f"step {i}"


def html_unescape(text: str) -> str:
    import html as stdhtml

    return stdhtml.unescape(text)


def tips_at(content, i: int) -> dict:
    return {e.key: e.tips[e.tip[i]] for e in content.elements}


def test_tooltips_plug_in_the_numbers_of_the_closed_forms(exercise):
    sequence, _, content = exercise
    x, w1, w2, y, alpha = 1.0, 0.5, -1.2, 1.0, 0.5  # the exercise's defaults
    z1 = w1 * x
    a1 = 1 / (1 + math.exp(-z1))
    z2 = w2 * a1
    a2 = 1 / (1 + math.exp(-z2))
    d_a2 = a2 - y
    d_z2 = d_a2 * a2 * (1 - a2)
    d_a1 = d_z2 * w2
    d_z1 = d_a1 * a1 * (1 - a1)
    d_w1 = d_z1 * x

    def n(v):
        return notation.number(v, 3)

    def op(v, given=False):  # given numbers are written exactly, as typed
        text = notation.exact(v, 3) if given else n(v)
        return f"({text})" if v < 0 else text

    last = tips_at(content, len(sequence) - 1)
    assert f"a₁ = σ(z₁) = σ({n(z1)}) = {n(a1)}" in last["a1"]
    assert f"local: ∂a₁/∂z₁ = a₁(1 − a₁) = {n(a1)}·(1 − {n(a1)}) = {n(a1 * (1 - a1))}" in last["z1", "a1"]
    assert f"gradient: ∂Loss/∂z₁ = ∂Loss/∂a₁ · ∂a₁/∂z₁ = {op(d_a1)} · {n(a1 * (1 - a1))} = {n(d_z1)}" in last["z1"]
    assert f"gradient: ∂Loss/∂a₂ = a₂ − y* = {n(a2)} − 1 = {n(d_a2)}" in last["a2", "loss"]
    update = notation.updated(w1, w1 - alpha * d_w1, 3)
    assert f"update: w₁ ← w₁ − α·∂Loss/∂w₁ = 0.5 − 0.5·{n(d_w1)} = {update}" in last["w1"]
    assert f"z₂ = w₂·a₁ = {op(w2, given=True)}·{n(a1)} = {n(z2)}" in last["z2"]


def test_tooltips_never_run_ahead_of_the_step(exercise):
    """Every number a tooltip shows is already drawn in that step's frame (or is a constant of a formula)."""
    _, svgs, content = exercise
    first = tips_at(content, 0)
    assert first["a2"][1] == "a₂ = σ(z₂) = ?" and "gradient: ∂Loss/∂a₂ = ?" in first["a2"]
    assert first["z1", "a1"][2] == "local: ∂a₁/∂z₁ = a₁(1 − a₁) = ?"
    for i, svg in enumerate(svgs):
        drawn = set(NUMBER.findall(" ".join(frame_texts(svg, internal=True))))
        for key, lines in tips_at(content, i).items():
            shown = set(NUMBER.findall(" ".join(lines))) - {"1"}  # the 1 of a₁(1 − a₁)
            assert shown <= drawn, (i, key, shown - drawn)


def test_a_sum_over_consumers_shows_its_running_total():
    g = selection.propagated(example="tied-weights")
    sequence = frames.prepare(g)
    content = html.content(sequence, frames.render_all(sequence, "svg"))
    partial = [
        (i, lines)
        for i in range(len(sequence))
        for key, lines in tips_at(content, i).items()
        if isinstance(key, str) and any("added)" in line for line in lines)
    ]
    assert partial, "tied-weights has a node fed back from two consumers"
    i, lines = partial[0]
    step = sequence.steps[i]
    u, _ = step.edge
    first = g.edges[step.edge]["grad"]
    assert any(f"= {notation.number(first, 3)} + …   (1 of 2 added)" in line for line in lines), lines
    assert u in {k for k, v in tips_at(content, i).items() if v == lines}


def test_forward_only_pages_show_no_gradients(tmp_path):
    path = tmp_path / "forward.html"
    assert run("html", "-q", "--phase", "forward", "-o", str(path)).exit_code == 0
    text = path.read_text()
    assert 'data-steps="5"' in text
    assert "gradient:" not in text and "∂Loss/∂" not in text


def test_theme_colours_the_page(dark_file):
    dark = style.THEMES["dark"]
    text = dark_file.read_text()
    assert f"html{{background:{dark.background};color:{dark.text}" in text
    assert f"--bg:{dark.background}" in text


# -- the command and the library entry -------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "page.txt"], "cannot tell the format"),
        (["-o", "page.html", "--phase", "sideways"], "sideways"),
        (["-o", "page.html", "--size", "big"], "WIDTHxHEIGHT"),
        (["-o", "page.html", "--theme", "neon"], "neon"),
        (["-o", "page.html", "--g1", "sigmod"], "sigmod"),
    ],
)
def test_bad_input_is_one_error_line_and_nothing_on_disk(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert message in refuses(tmp_path, "html", *args)


def test_a_folder_that_refuses_files(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("running as a user who may write anywhere")
    result = run("html", "-o", str(locked / "page.html"))
    assert result.exit_code == 2 and "permission" in error_line(result)


def test_stepper_takes_a_value_a_graph_or_the_exercise_options(tmp_path):
    x, w = Value(1.0, label="x"), Value(0.8, label="w", kind="parameter")
    loss = ((w * x).tanh() - 1) ** 2 / 2
    from_value = stepper(loss)
    assert len(from_value) == len(frames.prepare(graph_of(loss)))
    plain = graph.seed_network()
    assert len(stepper(plain)) == 15
    assert "value" not in plain.nodes["a1"], "the caller's graph is propagated on a copy"
    assert len(stepper(x=1, w1=0.5, g1="tanh", phase="backward")) == 8 + 2
    assert "tanh" in stepper(g1="tanh")._repr_html_()
    with pytest.raises(TypeError):
        stepper(plain, x=2)
    with pytest.raises(TypeError):
        stepper("x")
    with pytest.raises(NNError):
        stepper(g1="sigmod")


def graph_of(value):
    from graphviz_nn import trace

    return trace(value)


def test_saved_page_is_the_commands_page_and_displays_get_their_own_ids(tmp_path, page_file):
    s = stepper()
    saved = s.save(tmp_path / "s.html")
    assert saved.read_bytes() == page_file.read_bytes()
    one, two = s._repr_html_(), s._repr_html_()
    ids = [re.search(r'<div class="gvnn" id="([^"]+)"', h).group(1) for h in (one, two)]
    assert ids[0] != ids[1]
    assert 'id="caption"' not in one, "#caption belongs to the page, not to each notebook cell"
    with pytest.raises(NNError):
        s.save(tmp_path / "s.txt")
    assert not (tmp_path / "s.txt").exists()


def test_help_loads_neither_the_page_nor_graphviz():
    code = (
        "import sys\nfrom graphviz_nn import cli\n"
        "try:\n    cli.main(['html', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m in ('graphviz_nn.outputs.html', 'networkx', 'graphviz')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "--output" in out and out.strip().endswith("[]"), out


# -- in a real browser ---------------------------------------------------------------------------
def test_keyboard_steps_through_every_frame(browser, page_file, exercise):
    sequence, svgs, _ = exercise
    open_page(browser, page_file)
    Keys = keys()
    assert browser.find_element("tag name", "body").get_attribute("data-steps") == str(len(sequence))
    for i in range(len(sequence)):
        step, caption = state(browser)
        assert step == i and caption == "\n".join(sequence.caption(i)), (i, caption)
        assert visible_texts(browser) == frame_texts(svgs[i]), f"step {i} draws frame {i}"
        press(browser, Keys.ARROW_RIGHT)
    assert state(browser)[0] == len(sequence) - 1, "→ stops at the last step"
    press(browser, Keys.HOME)
    assert state(browser)[0] == 0
    press(browser, Keys.ARROW_LEFT)
    assert state(browser)[0] == 0
    press(browser, Keys.END)
    assert state(browser) == (len(sequence) - 1, "\n".join(sequence.caption(len(sequence) - 1)))
    assert console_errors(browser) == []


def test_buttons_slider_and_play(browser, page_file, exercise):
    sequence, _, _ = exercise
    last = len(sequence) - 1
    with own_clock(browser):
        open_page(browser, page_file)
        buttons_slider_and_play(browser, last)


def buttons_slider_and_play(browser, last):

    def click(name):
        browser.find_element("css selector", f'[data-gvnn="{name}"]').click()
        return state(browser)[0]

    assert [click("next"), click("next"), click("prev"), click("last"), click("first")] == [1, 2, 1, last, 0]
    slider = browser.find_element("css selector", '[data-gvnn="slider"]')
    slider.send_keys(keys().ARROW_RIGHT)  # the slider's own keys move one step
    assert state(browser)[0] == 1
    labels = [b.get_attribute("aria-label") for b in browser.find_elements("css selector", ".gvnn-bar button")]
    assert labels == ["First step", "Previous step", "Play", "Next step", "Last step"]
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("css selector", '[data-gvnn="speed"]')).select_by_value("4")
    play = browser.find_element("css selector", '[data-gvnn="play"]')
    stop_clock(browser)  # from here the page's time moves only when run_clock moves it
    play.click()
    assert play.get_attribute("aria-pressed") == "true" and play.get_attribute("aria-label") == "Pause"
    assert state(browser)[0] == 1, "the slider's step: nothing moves while the clock stands still"
    run_clock(browser, 1300)  # a beat at 4× is 1500 / 4 = 375 ms: three beats and a bit
    press(browser, " ")  # Space pauses
    paused = state(browser)[0]
    assert paused >= 3 and play.get_attribute("aria-pressed") == "false"
    run_clock(browser, 800)  # two beats at 4×
    assert state(browser)[0] == paused
    assert console_errors(browser) == []


def test_focus_and_hover_show_the_revealed_formula(browser, page_file, exercise):
    sequence, _, content = exercise
    open_page(browser, page_file)
    index = {e.key: i for i, e in enumerate(content.elements)}
    tip = browser.find_element("css selector", '[data-gvnn="tip"]')
    assert not tip.is_displayed()
    browser.find_element("tag name", "body").send_keys(keys().TAB)  # the first node takes the focus
    first = content.elements[0]
    assert tip.is_displayed() and tip.text == "\n".join(first.tips[first.tip[0]])
    a2 = browser.find_element("css selector", f'g.gvnn-el[data-el="{index["a2"]}"]')
    from selenium.webdriver import ActionChains

    ActionChains(browser).move_to_element(a2).perform()
    assert tip.text.splitlines()[1] == "a₂ = σ(z₂) = ?", "step 1 has not computed a₂ yet"
    press(browser, keys().END)
    edge = browser.find_element("css selector", f'g.gvnn-el[data-el="{index["z1", "a1"]}"]')
    browser.execute_script("arguments[0].focus()", edge)
    element = content.elements[index["z1", "a1"]]
    assert tip.text == "\n".join(element.tips[element.tip[len(sequence) - 1]])
    assert "local: ∂a₁/∂z₁ = a₁(1 − a₁) = 0.622·(1 − 0.622) = 0.235" in tip.text.splitlines()
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", edge)
    assert outline == "solid", "focus is visible"
    press(browser, keys().ESCAPE)
    assert not tip.is_displayed()
    assert console_errors(browser) == []


def test_a_phone_sees_the_step_without_sideways_scrolling(browser, page_file):
    open_page(browser, page_file, 390, 844)
    press(browser, keys().END)
    widths = browser.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], widths
    caption = browser.find_element("id", "caption")
    assert caption.is_displayed() and caption.rect["width"] <= 390
    # The drawing scrolls inside its own box, at a readable size, to the step's part.
    scroller = browser.find_element("css selector", '[data-gvnn="scroll"]')
    assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", scroller)
    assert browser.execute_script("return arguments[0].scrollLeft", scroller) >= 0


def test_loads_nothing_is_not_blank_prints_the_step_and_reduces_motion(browser, page_file, exercise):
    """Checks of one page load, each independent of the others: no fetches, ink on the screen, print
    shows the current step alone, reduced motion turns transitions off."""
    from PIL import Image

    _, svgs, _ = exercise
    open_page(browser, page_file)
    entries = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [e for e in entries if not e.startswith(("data:", "file:"))] == []
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    background = shot.getpixel((2, 2))
    small = shot.resize((shot.width // 4, shot.height // 4))
    colours = small.getcolors(small.width * small.height)
    inked = sum(n for n, c in colours if max(abs(a - b) for a, b in zip(c, background, strict=True)) > 40)
    assert inked > 0.02 * small.width * small.height, "the page is blank"

    press(browser, keys().ARROW_RIGHT)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element("css selector", ".gvnn-bar").is_displayed()
    assert browser.find_element("id", "caption").is_displayed()
    assert visible_texts(browser) == frame_texts(svgs[1]), "one look per node and edge: the current step's"

    duration = "return getComputedStyle(document.querySelector('.gvnn-bar button')).transitionDuration"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
    assert browser.execute_script(duration) != "0s"
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )
    assert browser.execute_script(duration) == "0s"
    assert console_errors(browser) == []


def test_two_steppers_on_one_page_do_not_steer_each_other(browser, tmp_path):
    s = stepper(phase="forward")
    one, two = s._repr_html_(), stepper(phase="forward", theme="dark")._repr_html_()
    path = tmp_path / "two.html"
    path.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{one}{two}</body></html>')
    open_page(browser, path)
    roots = browser.find_elements("css selector", "div.gvnn")
    assert len(roots) == 2
    roots[0].find_element("css selector", '[data-gvnn="next"]').click()
    assert [r.get_attribute("data-step") for r in roots] == ["1", "0"]
    last = roots[1].find_element("css selector", '[data-gvnn="last"]')
    last.click()
    last.send_keys(keys().ARROW_LEFT)  # keys inside the second steer the second
    assert [r.get_attribute("data-step") for r in roots] == ["1", "3"]
    press(browser, keys().ARROW_RIGHT)  # outside both: a notebook's own keys are left alone
    assert [r.get_attribute("data-step") for r in roots] == ["1", "3"]
    captions = [r.find_element("css selector", "figcaption").text.splitlines()[0] for r in roots]
    assert captions == ["Forward 2 / 5", "Forward 4 / 5"]
    assert console_errors(browser) == []


def test_dark_page_in_the_browser(browser, dark_file):
    open_page(browser, dark_file)
    background = browser.execute_script("return getComputedStyle(document.documentElement).backgroundColor")
    hex_colour = style.THEMES["dark"].background
    assert background == "rgb({}, {}, {})".format(*(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)))
    assert console_errors(browser) == []

"""What the tests share: points and builders for the seed network, and oracles that share nothing with
graphviz_nn's op table (SymPy written from scratch here, central finite differences).

Fixtures live in conftest.py; everything a test imports comes from here.
"""

import contextlib
import functools
import itertools
import math
import operator
import shutil

import mpmath
import sympy as sp

from graphviz_nn import engine, graph, ops

# -- points and builders ---------------------------------------------------------------------------

# Inputs that keep a2 inside (0, 1) for every g2, so cross-entropy is defined for all combinations.
SAFE = {"x": 1.0, "y": 1.0, "w1": 0.5, "w2": 0.4}
COMBOS = list(itertools.product(ops.ACTIVATIONS, ops.ACTIVATIONS, ops.LOSSES))


def safe_point(rng):
    """A random point that also keeps a2 inside (0, 1): |z1| ≤ 0.6, so a1 < 1.04 and softplus(z2) < 1."""
    return {
        "x": rng.uniform(0.5, 1.0),
        "y": rng.uniform(0.05, 0.95),
        "w1": rng.uniform(0.2, 0.6),
        "w2": rng.uniform(0.1, 0.4),
    }


def network(g1="sigmoid", g2="sigmoid", loss="quadratic", **values):
    return engine.propagate(graph.seed_network(g1=g1, g2=g2, loss=loss, **{**SAFE, **values}))


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# -- SymPy oracle of the seed network --------------------------------------------------------------

# At a kink the slope is a convention: the left one, as the engine documents (relu′(0) = 0, and the
# leaky slope at 0); a ReLU that outputs 0 makes the next z exactly 0, so the point is common.
ELEMENTARY = {
    "sigmoid": lambda z: 1 / (1 + sp.exp(-z)),
    "tanh": sp.tanh,
    "relu": lambda z: sp.Piecewise((z, z > 0), (0, True)),
    "leaky_relu": lambda z: sp.Piecewise((z, z > 0), (z / 100, True)),
    "identity": lambda z: z,
    "softplus": lambda z: sp.log(1 + sp.exp(z)),
}
LOSS = {
    "quadratic": lambda a, y: (a - y) ** 2 / 2,
    "cross_entropy": lambda a, y: -(y * sp.log(a) + (1 - y) * sp.log(1 - a)),
}
X, Y, W1, W2 = sp.symbols("x y w1 w2", real=True)
Z1, A1, Z2, A2 = sp.symbols("z1 a1 z2 a2", real=True)
LEAVES = {"x": X, "y": Y, "w1": W1, "w2": W2}
SEED_EDGES = [("x", "z1"), ("w1", "z1"), ("z1", "a1"), ("a1", "z2"), ("w2", "z2"), ("z2", "a2"), ("a2", "loss")]
SEED_EDGES.append(("y", "loss"))


@functools.cache
def composed(g1, g2, loss):
    """Loss(g2(w2·g1(w1·x)), y) and its forward values, as SymPy expressions of the leaves."""
    z1 = W1 * X
    a1 = ELEMENTARY[g1](z1)
    z2 = W2 * a1
    a2 = ELEMENTARY[g2](z2)
    return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": LOSS[loss](a2, Y)}


@functools.cache
def leaf_gradient(g1, g2, loss, leaf):
    """∂Loss/∂leaf by differentiating the whole composition: once per combination and leaf, whichever
    test asks first."""
    return sp.diff(composed(g1, g2, loss)["loss"], LEAVES[leaf])


# What the oracle's forms and derive's answers read back are made of, evaluated in mpmath at the
# caller's precision. Walking the trees at each point costs far less than printing them as Python
# source for lambdify (the tests evaluate each form at a handful of points).
MPMATH = {sp.exp: mpmath.exp, sp.log: mpmath.log, sp.tanh: mpmath.tanh}
COMPARISONS = {sp.StrictGreaterThan: operator.gt, sp.GreaterThan: operator.ge, sp.StrictLessThan: operator.lt}
COMPARISONS.update({sp.LessThan: operator.le, sp.Equality: operator.eq, sp.Unequality: operator.ne})


def evaluator(symbols, forms):
    """The forms as one function of the symbols' values (mpmath numbers), as lambdify would make it:
    each shared subexpression evaluated once per call. A Piecewise takes its first true branch and evaluates only
    that one (a branch never taken may hold 1/0, as log of a ReLU's 0 does; NaN if taken)."""

    def at(*values):
        known = dict(zip(symbols, values, strict=True))

        def value(e):
            if e in known:
                return known[e]
            if e.is_Rational:
                result = mpmath.mpf(e.p) / e.q
            elif e.is_Float:
                result = mpmath.mpf(e)
            elif e is sp.nan or e is sp.zoo:
                result = mpmath.nan
            elif e.is_Add or e.is_Mul:
                terms = [value(a) for a in e.args]
                result = functools.reduce(operator.add if e.is_Add else operator.mul, terms)
            elif e.is_Pow:
                result = value(e.base) ** (int(e.exp) if e.exp.is_Integer else value(e.exp))
            elif e.func in MPMATH:
                result = MPMATH[e.func](value(e.args[0]))
            elif isinstance(e, sp.Heaviside):  # as SymPy defines it: H(0) is its second argument, ½
                z = value(e.args[0])
                result = mpmath.mpf(0) if z < 0 else value(e.args[1]) if z == 0 else mpmath.mpf(1)
            elif isinstance(e, sp.Piecewise):
                result = next((value(v) for v, c in e.args if holds(c)), mpmath.nan)
            else:
                raise TypeError(f"no evaluation for {type(e).__name__}: {e}")
            known[e] = result
            return result

        def holds(c):
            if c is sp.true or c is sp.false:
                return bool(c)
            if type(c) in COMPARISONS:
                return COMPARISONS[type(c)](value(c.lhs), value(c.rhs))
            if isinstance(c, sp.ITE):
                return holds(c.args[1]) if holds(c.args[0]) else holds(c.args[2])
            if isinstance(c, sp.And | sp.Or):
                return (all if isinstance(c, sp.And) else any)(holds(a) for a in c.args)
            if isinstance(c, sp.Not):
                return not holds(c.args[0])
            raise TypeError(f"no evaluation for {type(c).__name__}: {c}")

        return [value(f) for f in forms]

    return at


@functools.cache
def oracle_forms(g1, g2, loss):
    """Differentiated once per combination: (values, grads, locals) as SymPy forms, every node's value
    in the leaves, ∂Loss/∂node for every node (the leaves' by differentiating the whole composition,
    the others from the loss written as a function of that node: forms in the leaves and z1, a1, z2,
    a2), and ∂v/∂u for every edge u → v."""
    f1, f2, lf = ELEMENTARY[g1], ELEMENTARY[g2], LOSS[loss]
    values = composed(g1, g2, loss)
    grads = {leaf: leaf_gradient(g1, g2, loss, leaf) for leaf in LEAVES}
    tails = {"z1": (Z1, lf(f2(W2 * f1(Z1)), Y)), "a1": (A1, lf(f2(W2 * A1), Y)), "z2": (Z2, lf(f2(Z2), Y))}
    tails["a2"] = (A2, lf(A2, Y))
    for name, (node, tail) in tails.items():
        grads[name] = sp.diff(tail, node)
    grads["loss"] = sp.Integer(1)
    local_forms = {
        ("x", "z1"): sp.diff(W1 * X, X),
        ("w1", "z1"): sp.diff(W1 * X, W1),
        ("z1", "a1"): sp.diff(f1(Z1), Z1),
        ("a1", "z2"): sp.diff(W2 * A1, A1),
        ("w2", "z2"): sp.diff(W2 * A1, W2),
        ("z2", "a2"): sp.diff(f2(Z2), Z2),
        ("a2", "loss"): sp.diff(lf(A2, Y), A2),
        ("y", "loss"): sp.diff(lf(A2, Y), Y),
    }
    return values, grads, local_forms


@functools.cache
def seed_oracle(g1, g2, loss):
    """The oracle's forms as a function of a point, evaluated with 30-digit mpmath: point → (values,
    grads, locals) as numbers, for the forms `oracle_forms` describes."""
    values, grads, local_forms = oracle_forms(g1, g2, loss)
    names = [*values, *grads, *local_forms]
    n_values, n_grads = len(values), len(grads)

    # The forward values from the leaves; then the rest at the leaves and those values (z1, a1, z2, a2
    # put in as 30-digit numbers rather than substituted as formulas: the same numbers, far less work).
    forward = evaluator([X, Y, W1, W2], list(values.values()))
    backward = evaluator([X, Y, W1, W2, Z1, A1, Z2, A2], [*grads.values(), *local_forms.values()])

    def at_point(point):
        with mpmath.workdps(30):
            leaves = [mpmath.mpf(point[k]) for k in LEAVES]
            inner = dict(zip(values, forward(*leaves), strict=True))
            rest = backward(*leaves, *(inner[n] for n in ("z1", "a1", "z2", "a2")))
            numbers = [float(v) for v in [*inner.values(), *rest]]
        cut = (0, n_values, n_values + n_grads, len(names))
        return tuple(dict(zip(names[i:j], numbers[i:j], strict=True)) for i, j in itertools.pairwise(cut))

    return at_point


# -- finite differences ----------------------------------------------------------------------------


def finite_differences(build, leaves, h=1e-6):
    """Central differences of the loss w.r.t. each leaf; build() returns the graph. Each side is the
    engine's forward pass over that graph with the one leaf's value moved: what a graph built with
    that value computes, without building it again."""
    g = build()
    out = graph.output(g)
    result = {}
    for leaf in leaves:
        v = g.nodes[leaf]["value"]
        step = h * max(1.0, abs(v))
        sides = []
        for moved in (v + step, v - step):
            g.nodes[leaf]["value"] = moved
            engine.forward(g)
            sides.append(g.nodes[out]["value"])
        g.nodes[leaf]["value"] = v
        result[leaf] = (sides[0] - sides[1]) / (2 * step)
    return result


# -- reading derive's JSON back --------------------------------------------------------------------

# Parsing our own JSON output back (never user input) with the function names the format promises.
NAMES = {name: sp.Function(name) for name in ("sigmoid", "softplus", "relu", "leaky_relu")}
NAMES.update(tanh=sp.tanh, exp=sp.exp, log=sp.log, Heaviside=sp.Heaviside, x=X, y=Y, w1=W1, w2=W2)


def parse(text):
    """derive's expression text as SymPy, its activations replaced by this module's definitions."""
    expr = sp.sympify(text, locals=NAMES)
    for name, fn in NAMES.items():
        if isinstance(fn, sp.core.function.UndefinedFunction):
            expr = expr.replace(fn, lambda z, name=name: ELEMENTARY[name](z))
    return expr


# -- reading SVG drawings back ---------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _bezier(d: str, steps: int = 12) -> list[tuple[float, float]]:
    """An SVG path of cubic pieces (what Graphviz draws) as a polyline."""
    import re

    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", d)]
    points = list(zip(numbers[0::2], numbers[1::2], strict=False))
    line = [points[0]]
    for i in range(1, len(points) - 2, 3):
        p0, p1, p2, p3 = points[i - 1 : i + 3]
        for k in range(1, steps + 1):
            t = k / steps
            a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
            line.append(tuple(a * p0[j] + b * p1[j] + c * p2[j] + e * p3[j] for j in (0, 1)))
    return line


def distance(point, line) -> float:
    """Shortest distance from a point to a polyline."""
    best = math.inf
    for (ax, ay), (bx, by) in itertools.pairwise(line):
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((point[0] - ax) * dx + (point[1] - ay) * dy) / length))
        best = min(best, math.hypot(point[0] - ax - t * dx, point[1] - ay - t * dy))
    return best


def svg_edges(svg: bytes, anchor: str = "start") -> dict[str, tuple[list, list]]:
    """Each edge's drawn path and its label lines' positions: the text's own anchor point, or with
    anchor="centre" the middle of the line (estimated from its length)."""
    import xml.etree.ElementTree as ET

    edges = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "edge":
            continue
        path = group.find(f"{SVG}path")
        lines = []
        for text in group.iter(f"{SVG}text"):
            size, x = float(text.get("font-size")), float(text.get("x"))
            if anchor == "centre" and text.get("text-anchor") == "start":
                x += 0.3 * size * len(text.text)
            lines.append(((x, float(text.get("y")) - 0.35 * size), text.text))
        edges[group.find(f"{SVG}title").text] = (_bezier(path.get("d")), lines)
    return edges


def misplaced_labels(svg: bytes, anchor: str = "start") -> list[tuple[str, str, str]]:
    """Label lines that lie as near another edge as their own: (edge, text, the nearer edge)."""
    edges = svg_edges(svg, anchor)
    wrong = []
    for name, (line, texts) in edges.items():
        for point, text in texts:
            own = distance(point, line)
            nearer = [other for other, (path, _) in edges.items() if other != name and distance(point, path) <= own]
            if nearer:
                wrong.append((name, text, nearer[0]))
    return wrong


def svg_size(svg: bytes) -> tuple[float, float]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    return float(root.get("width").removesuffix("pt")), float(root.get("height").removesuffix("pt"))


def smallest_text(svg: bytes, width_px: float) -> float:
    """The smallest font size, in pixels, when the SVG is shown `width_px` wide."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    view_width = float(root.get("viewBox").split()[2])
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text") if (t.text or "").strip()]
    return min(sizes) * width_px / view_width


# -- the command line ------------------------------------------------------------------------------


def run(*args):
    """The command line, in process: a click result with exit code and output."""
    from click.testing import CliRunner

    from graphviz_nn.cli import main

    return CliRunner().invoke(main, list(args), prog_name="graphviz-nn")


def error_line(result):
    """The one `Error:` line a refused command prints (and nothing else, no traceback)."""
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def refuses(folder, command: str, *args: str) -> str:
    """Run `command` in `folder` (the current folder) and check it refuses: exit 2, one `Error:` line,
    nothing new on disk. Returns the line."""
    before = sorted(folder.iterdir())
    result = run(command, *args)
    assert result.exit_code == 2, result.output
    line = error_line(result)
    assert sorted(folder.iterdir()) == before
    return line


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail instead of hanging if work ever becomes unbounded again (not a timing test)."""
    import signal

    def expire(*_):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# -- pages in a real browser (Debian's chromium + chromium-driver, driven by Selenium) -------------

BUDGET = 800_000  # bytes, for the exercise's stepper page


def frame_texts(svg: bytes, internal: bool = False) -> list[str]:
    """The texts a frame's SVG draws, in order, read with ElementTree (not the page's parser);
    without the caption and legend below the graph unless `internal`."""
    import xml.etree.ElementTree as ET

    from graphviz_nn.render import FOOTER

    root = ET.fromstring(svg)
    texts = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") not in ("node", "edge"):
            continue
        if not internal and group.findtext(f"{SVG}title", "") == FOOTER:
            continue
        texts += [t.text or "" for t in group.iter(f"{SVG}text")]
    return texts


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1920,1080",
)


def keys():
    from selenium.webdriver.common.keys import Keys

    return Keys


def press(driver, key):
    """A key pressed on the page, as sending it to <body> does: the focus taken off whatever has it
    (its blur handlers run), then the key's down and up through the browser's input events. The
    same events as WebElement.send_keys, for about a quarter of the browser's work."""
    from selenium.webdriver import ActionChains

    driver.execute_script("const a = document.activeElement; if (a && a !== document.body) a.blur();")
    ActionChains(driver).send_keys(key).perform()


def state(driver):
    """The page's step (<body data-step>) and its caption's rendered text, read in one call."""
    step, caption = driver.execute_script(
        "return [document.body.getAttribute('data-step'), document.getElementById('caption').innerText]"
    )
    return int(step), caption


def visible_texts(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('svg.gvnn-svg text')]"
        ".filter(t => t.getClientRects().length).map(t => t.textContent)"
    )


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def open_page(driver, path, width=1920, height=1080):
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
    if width < 500:  # below the smallest window: emulate a phone's viewport
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True},
        )
    driver.get(path.as_uri())
    driver.get_log("browser")  # start each page with an empty log


@contextlib.contextmanager
def own_clock(driver):
    """A tab of its own, closed after: a page whose clock `stop_clock` stopped keeps a virtual clock
    for good (even a page loaded later would wait on it), so that page must not be the shared tab."""
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    try:
        yield
    finally:
        driver.close()
        driver.switch_to.window(first)


def stop_clock(driver):
    """Stop the page's clock (timers, `performance.now()`): from now on only `run_clock` moves it."""
    driver.execute_cdp_cmd("Emulation.setVirtualTimePolicy", {"policy": "pause"})


def run_clock(driver, ms: float):
    """Let the page's clock run `ms` milliseconds, its timers firing in order as fast as they can, and
    stop it again: time driven by the test, not slept through. Returns once the page is there."""
    from selenium.webdriver.support.ui import WebDriverWait

    now = "return performance.now()"
    start = driver.execute_script(now)
    driver.execute_cdp_cmd("Emulation.setVirtualTimePolicy", {"policy": "advance", "budget": ms})
    WebDriverWait(driver, 10, poll_frequency=0.02).until(lambda d: d.execute_script(now) >= start + ms - 1)


def label_boxes(svg: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Each edge label's box (left, top, right, bottom), its lines measured in DejaVu Sans."""
    import xml.etree.ElementTree as ET

    from PIL import ImageFont

    fonts = {}

    def width(text: str, size: float, bold: bool) -> float:
        if (size, bold) not in fonts:
            name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
            fonts[size, bold] = ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{name}", round(size * 10))
        return fonts[size, bold].getlength(text) / 10

    boxes = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        if group.get("class") != "edge":
            continue
        xs, ys = [], []
        for text in group.iter(f"{SVG}text"):
            size, x, y = float(text.get("font-size")), float(text.get("x")), float(text.get("y"))
            xs += [x, x + width(text.text, size, text.get("font-weight") == "bold")]
            ys += [y - 0.75 * size, y + 0.2 * size]
        if xs:
            boxes[group.find(f"{SVG}title").text] = (min(xs), min(ys), max(xs), max(ys))
    return boxes

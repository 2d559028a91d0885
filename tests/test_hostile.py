"""Hostile input, second wave: every class of issue 11 outside `derive`, each with its own cases.

Every error case checks the whole contract: one `Error: ` line, exit 2 (1 for the environment), no
traceback, and nothing new on disk.
"""

import io
import math
import os
import re
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import deadline
from PIL import Image

from graphviz_nn import Value, engine, examples, expr, files, frames, graph, raster, spec, trace
from graphviz_nn.cli import main
from graphviz_nn.errors import NNError
from graphviz_nn.outputs import gif

HUGE = "9" * 400  # an integer no double can hold


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="graphviz-nn")


def snapshot(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_size if p.is_file() else -1) for p in folder.rglob("*"))


def error_line(result, code: int = 2) -> str:
    lines = result.output.strip().splitlines()
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty working folder; the test then checks it is left as it was."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fails(folder: Path, *args, code: int = 2) -> str:
    """Run a command that must fail, and check it left `folder` exactly as it found it."""
    before = snapshot(folder)
    line = error_line(run(*args), code)
    assert snapshot(folder) == before, (args, line)
    return line


def leaves(inputs: str = "x = 1.0", nodes: str = 'loss = "2 * x"', head: str = "") -> str:
    return f"{head}\n[inputs]\n{inputs}\n[nodes]\n{nodes}\n"


def built(text: str):
    return engine.propagate(spec.loads(text))


# -- 1. no tracebacks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,message",
    [
        (leaves(f"x = {HUGE}"), "inputs.x is too large for a double"),
        (leaves(f"x = -{HUGE}"), "inputs.x is too large for a double"),
        (leaves("x = 0x" + "f" * 300), "inputs.x is too large for a double"),
        (leaves(head=f"alpha = {HUGE}"), "alpha is too large for a double"),
        ("[parameters]\nw = " + HUGE + '\n[nodes]\nloss = "2 * w"', "parameters.w is too large for a double"),
        ("[inputs]\nx = 1.0\n[targets]\ny = " + HUGE + '\n[nodes]\nloss = "x * y"', "targets.y is too large"),
        (leaves(nodes=f'loss = "x * {HUGE}"'), "has a number too large for a double"),
        (leaves(nodes='loss = "x * 1e400"'), "has a number too large for a double"),
        (leaves(nodes='loss = "x + 2 ** 5000"'), "2 ** 5000 is not a finite real number"),
        (leaves(nodes='loss = "x * (1e300 * 1e300)"'), "1e+300 * 1e+300 is not a finite real number"),
        (leaves(nodes='loss = "x + (-8) ** 0.5"'), "(-8) ** 0.5 is not a finite real number"),
        (leaves(nodes='loss = "x * 1e300 * 1e300"'), "overflows"),  # x first: computed, not folded
        (leaves("x = " + "9" * 5000), "is not a usable spec"),  # beyond Python's own digit limit
        ("x = " + "[" * 3000 + "]" * 3000, "nested too deeply"),
    ],
)
def test_numbers_no_double_can_hold_are_one_error_line(text, message, here):
    (here / "spec.toml").write_text(text)
    assert message in fails(here, "inspect", "--spec", "spec.toml")


@pytest.mark.parametrize("option", ["--alpha", "--x", "--w1"])
def test_huge_numbers_on_the_command_line(option, here):
    assert "is not a finite number" in fails(here, "inspect", option, HUGE)


def test_every_option_refuses_an_empty_value_on_every_command(here):
    checked = 0
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.name not in ("help", "version"):
                for value in ("", " "):
                    fails(here, name, max(param.opts, key=len), value)
                    checked += 1
    assert checked > 50


@pytest.mark.parametrize("option", ["--example", "--spec", "--x", "--g1", "--layers", "-o"])
def test_a_huge_value_still_makes_a_short_error_line(option, here):
    typed = "x" * 5000
    line = fails(here, "render", option, typed)
    assert len(line) < 700 and "…" in line


def test_paths_the_system_cannot_look_up(here):
    os.symlink("loop2", here / "loop1")
    os.symlink("loop1", here / "loop2")
    for args in (["render", "-o", "loop1/net.png"], ["animate", "--frames-dir", "loop1/f"], ["derive", "-o", "loop2"]):
        assert "Too many levels of symbolic links" in fails(here, *args)
    assert "File name too long" in fails(here, "render", "-o", "n" * 300 + ".png")


@pytest.mark.parametrize("duration", [0, 19, -5, 218451, 10**30])
def test_durations_a_gif_cannot_show_are_refused_before_drawing(duration, here, monkeypatch):
    monkeypatch.setattr(frames, "prepare", lambda *a, **k: pytest.fail("drew frames before checking --duration"))
    line = fails(here, "animate", "--duration", duration, "-o", "out/a.gif")
    assert "20 to 218450 milliseconds per frame" in line


def test_the_longest_duration_fits_the_gif_with_its_held_ends():
    pngs = []
    for shade in (0, 128, 255):
        out = io.BytesIO()
        Image.new("RGB", (8, 8), (shade, shade, shade)).save(out, "PNG")
        pngs.append(out.getvalue())
    for duration, held in [(gif.MIN_DELAY_MS, gif.HOLD_MIN_MS), (218450, gif.MAX_DELAY_MS)]:
        image = Image.open(io.BytesIO(gif.gif(pngs, duration)))
        delays = []
        for i in range(image.n_frames):
            image.seek(i)
            delays.append(image.info["duration"])
        assert delays == [held, duration, held]
    assert gif.check_duration(218450) == 218450 and gif.MAX_DELAY_MS >= 3 * 218450


def test_spec_paths_that_never_end_or_are_huge(here):
    os.mkfifo(here / "pipe.toml")
    with open(here / "huge.toml", "wb") as handle:  # sparse: 3 GB on paper, nothing on disk
        handle.truncate(3 * 2**30)
    (here / "folder.toml").mkdir()
    with deadline(20):  # a blocking open of the FIFO would hang here
        assert "not a regular file" in fails(here, "inspect", "--spec", "/dev/zero")
        assert "not a regular file" in fails(here, "inspect", "--spec", "pipe.toml")
        assert "larger than 1 MB" in fails(here, "inspect", "--spec", "huge.toml")
        assert "is a directory" in fails(here, "inspect", "--spec", "folder.toml")
        with pytest.raises(NNError, match="is a folder"):
            spec.load(here / "folder.toml")
    (here / "bytes.toml").write_bytes(b"[inputs]\nx = 1.0\xff\n")
    assert "is not UTF-8 text" in fails(here, "inspect", "--spec", "bytes.toml")


def test_the_largest_size_on_a_big_graph_is_refused_before_drawing(here, monkeypatch):
    monkeypatch.setattr(frames, "render_all", lambda *a, **k: pytest.fail("rendered past the pixel budget"))
    line = fails(here, "animate", "--size", "8000x8000", "--example", "chain", "--layers", "12", "-o", "a.gif")
    assert re.search(r"\d+ frames of 8000×8000 pixels are too many", line) and "600 million pixels" in line


def test_pixel_budget_per_frame_and_per_animation():
    slides = gif.MAX_PIXELS // (1920 * 1080)
    gif.check_pixels(slides, 1920, 1080)
    gif.check_pixels(1, 8000, 8000)
    with pytest.raises(NNError, match="million pixels a frame"):
        gif.check_pixels(1, 8001, 8000)
    with pytest.raises(NNError, match="600 million pixels in all"):
        gif.check_pixels(slides + 1, 1920, 1080)
    # The GIF checks the PNG headers too, before decoding anything.
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (9000).to_bytes(4, "big") * 2
    with pytest.raises(NNError, match="9000×9000"):
        gif.gif([header], 500)


def test_the_budget_check_measures_the_frames_it_will_draw(monkeypatch):
    """The estimate made before drawing matches the PNGs Graphviz then draws, with and without a size."""
    from graphviz_nn import cli, selection

    seen = []
    monkeypatch.setattr(gif, "check_pixels", lambda count, w, h: seen.append((count, w, h)))
    for size in (None, "640x360"):
        prepared = frames.prepare(selection.propagated(), "forward", size=size)
        cli._gif_budget(prepared)
        png = frames.render_all(prepared, "png")[0]
        assert seen[-1][0] == len(prepared)
        assert abs(seen[-1][1] - raster.png_size(png)[0]) <= 2 and abs(seen[-1][2] - raster.png_size(png)[1]) <= 2


@pytest.mark.parametrize(
    "expression,message",
    [
        ("sigmoid(" * 61 + "x" + ")" * 61, "nested more than 60 levels deep"),
        ("-" * 80 + "x", "nested more than 60 levels deep"),
        ("x + (" * 61 + "x" + ")" * 61, "nested more than 60 levels deep"),
        ("(" * 250 + "x" + ")" * 250, "is not a valid expression"),  # Python's parser refuses first
        ("+".join(["x"] * 1001), "longer than 2000 characters"),
    ],
)
def test_deep_nesting_is_one_error_line(expression, message, here):
    (here / "spec.toml").write_text(leaves(nodes=f'loss = "{expression}"'))
    assert message in fails(here, "inspect", "--spec", "spec.toml")


# -- 2. no silent fallbacks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["inspect", "--spec", ""], "--spec is empty (expected: A TOML spec file"),
        (["inspect", "--example", " "], "--example is empty (expected: A built-in example"),
        (["inspect", "--example", "chain", "--layers", "0"], "'--layers': 0 is not in the range 1<=x<=12"),
        (["examples", "--show", "chain", "--layers", "0"], "'--layers': 0 is not in the range 1<=x<=12"),
        (["examples", "--layers", "3"], "--layers goes with --show chain"),
        (["animate", "--frames-dir", ""], "--frames-dir is empty (expected: Also write every frame"),
        (["animate", "--frames-format", "svg"], "--frames-format goes with --frames-dir"),
        (["animate", "--frames-dir", "./a.gif", "-o", "a.gif"], "--frames-dir and -o name the same path"),
        (["derive", "-o", ""], "--output is empty (expected: Write to this file"),
        (["render", "-o", " "], "--output is empty (expected: File to write;"),
    ],
)
def test_empty_or_out_of_range_values_are_errors(args, message, here):
    assert message in fails(here, *args)


def test_the_library_refuses_empty_names_too(tmp_path):
    from graphviz_nn import selection

    with pytest.raises(NNError, match="--spec is empty; give the path of a TOML spec file"):
        selection.structure(spec_path=" ")
    with pytest.raises(NNError, match="--example is empty; choose one of: exercise"):
        selection.structure(example="")
    with pytest.raises(NNError, match=r"the output path is empty; give a file name such as out\.gif"):
        files.output_format("", ("gif",))
    with pytest.raises(NNError, match="the output folder path is empty"):
        files.check_writable("", "folder")  # not Path(""), which is the current folder
    assert list(tmp_path.iterdir()) == []


def test_a_value_kind_is_never_guessed():
    with pytest.raises(NNError, match="kind is one of input, parameter, target"):
        Value(1.0, kind="weight")
    v = Value(1.0, label="w")
    v.kind = "weights"  # set after creation, as micrograd code sets labels
    with pytest.raises(NNError, match="w: a Value's kind is one of"):
        trace(v * 2)


# -- 3. names ---------------------------------------------------------------------------------------


def test_automatic_names_never_take_a_users_name():
    text = """
    [inputs]
    n1 = 2.0
    n3 = 0.5
    [parameters]
    mul1 = -3.0
    [nodes]
    n2 = "n1 * mul1 + n3 * n1"
    loss = "(n2 + mul1) * 2 + n1 * n3"
    """
    g = built(text)
    automatic = [n for n in g if n not in ("n1", "n3", "mul1", "n2", "loss")]
    assert automatic and not {"n1", "n2", "n3", "mul1"} & set(automatic)
    n2 = 2.0 * -3.0 + 0.5 * 2.0
    assert g.nodes["n2"]["value"] == n2 and g.nodes["loss"]["value"] == (n2 - 3.0) * 2 + 2.0 * 0.5
    assert g.nodes["mul1"]["grad"] == 2 * 2.0 + 2  # through n2 and directly
    # The same through Value: labels n1 and mul1 keep their ids; unnamed values get others.
    n1, mul1 = Value(2.0, label="n1"), Value(-3.0, label="mul1", kind="parameter")
    t = trace((n1 * mul1 + n1) * 2)
    assert {"n1", "mul1"} <= set(t) and len(set(t)) == len(t) == 5


def test_labels_that_are_names_keep_them_before_derived_ones():
    a, b = Value(1.0, label="x 2"), Value(2.0, label="x_2")
    g = trace(a * b)
    assert g.nodes["x_2"]["value"] == 2.0 and g.nodes["x_2_2"]["value"] == 1.0


def test_internal_ids_are_unreachable_from_user_names():
    with pytest.raises(NNError, match="reserved for the drawing"):
        graph.add_leaf(graph.new_graph(), "#footer", "input", 1.0)
    with pytest.raises(NNError, match="cannot be a name"):
        spec.loads(leaves('"#footer" = 1.0', 'loss = "2 * x"'))
    assert "footer" in trace(Value(1.0, label="#footer") * 2)
    g = built(leaves("__footer__ = 2.0", 'loss = "3 * __footer__"'))
    source = frames.prepare(g, "forward").source(0)
    # The user's node and the caption are two nodes; the caption still says the step.
    user = next(line for line in source.splitlines() if line.strip().startswith("__footer__ ["))
    caption = next(line for line in source.splitlines() if line.strip().startswith('"#footer" ['))
    assert "Forward 1 / 1" in caption and "Forward" not in user


def test_names_that_are_dot_keywords_stay_nodes(here):
    """`node`, `edge` and `graph` are statements in DOT: as ids they must be quoted, not obeyed."""
    names = ["node", "edge", "graph", "strict", "subgraph", "digraph"]
    text = leaves("\n".join(f"{n} = {i + 1}.0" for i, n in enumerate(names)), f'loss = "{" + ".join(names)}"')
    (here / "kw.toml").write_text(text)
    assert run("render", "--spec", "kw.toml", "-o", "kw.svg").exit_code == 0
    titles = {t.text for t in ET.parse(here / "kw.svg").iter("{http://www.w3.org/2000/svg}title")}
    assert set(names) <= titles


@pytest.mark.parametrize(
    "bad,message,fixed",
    [
        (leaves(nodes='loss = "x"'), 'such as "identity(x)"', leaves(nodes='loss = "identity(x)"')),
        (
            leaves(nodes='z = "2 * 3"\nloss = "x * z"'),
            "put constants under [inputs]",
            leaves("x = 1.0\nz = 6.0", 'loss = "x * z"'),
        ),
        (
            leaves(nodes='z = "2 * x"'),
            'add `loss = "quadratic(a, y)"`',
            leaves(nodes='z = "2 * x"\nloss = "quadratic(z, x)"'),
        ),
        (
            leaves(nodes='z = "2 * x"'),
            'name the output node with `output = "..."`',
            leaves(nodes='z = "2 * x"', head='output = "z"'),
        ),
        (
            leaves(nodes='z = "2 * x"\noutput = "z"'),
            "put it before the first [section]",
            leaves(nodes='z = "2 * x"', head='output = "z"'),
        ),
        (
            leaves("x = 2.0\nw = 3.0", 'loss = "x ** w"'),
            "write exp(v * log(u))",
            leaves("x = 2.0\nw = 3.0", 'loss = "exp(w * log(x))"'),
        ),
        (leaves("1x = 1.0", 'loss = "2 * 1x"'), "start with a letter or _", leaves("_1x = 1.0", 'loss = "2 * _1x"')),
        (leaves("lambda = 1.0", 'loss = "2 * x"'), "Python keyword", leaves("lam = 1.0", 'loss = "2 * lam"')),
        (leaves("x = 1.0\nalpha = 0.1"), "put `alpha = ...` before the first [section]", leaves(head="alpha = 0.1")),
    ],
)
def test_every_fix_an_error_suggests_works(bad, message, fixed):
    with pytest.raises(NNError) as caught:
        spec.loads(bad)
    assert message in str(caught.value), str(caught.value)
    assert math.isfinite(built(fixed).nodes[graph.output(built(fixed))]["value"])


def test_the_output_names_a_node_that_exists():
    text = leaves(nodes='z = "2 * x"', head='output = "zz"')
    with pytest.raises(NNError, match=r"output 'zz' is not a node under \[nodes\] \(choose from: z\)"):
        spec.loads(text)
    with pytest.raises(NNError, match=r"output 'x' is not a node"):
        spec.loads(leaves(nodes='z = "2 * x"', head='output = "x"'))
    assert graph.output(built(text.replace('"zz"', '"z"'))) == "z"


def test_command_line_suggestions_work(here):
    line = fails(here, "inspect", "--example", "chian")
    assert "did you mean 'chain'?" in line
    assert run("inspect", "--example", "chain").exit_code == 0
    assert "--layers goes with --example chain" in fails(here, "inspect", "--layers", "2")
    assert run("inspect", "--example", "chain", "--layers", "2").exit_code == 0
    assert "edit a copy of the spec instead" in fails(here, "inspect", "--example", "chain", "--w1", "2")
    copy = run("examples", "--show", "chain").output.replace("w1 = 0.5", "w1 = 2.0")
    (here / "chain.toml").write_text(copy)
    assert run("inspect", "--spec", "chain.toml").exit_code == 0


# -- 4. nothing left behind ------------------------------------------------------------------------


def test_failing_commands_leave_the_disk_as_they_found_it(here):
    (here / "bad.toml").write_text(leaves(nodes='loss = "w * q"'))
    (here / "keep").mkdir()
    (here / "keep" / "old.txt").write_text("mine")
    bad_inputs = [["--x", "abc"], ["--spec", "bad.toml"], ["--example", "nope"], ["--spec", "missing.toml"]]
    for name, command in main.commands.items():
        if name == "examples":
            continue
        outputs = [p for p in command.params if p.name == "path"]
        for bad in bad_inputs:
            fails(here, name, *bad)  # default output paths (output/...) must not appear either
            if outputs:
                fails(here, name, *bad, max(outputs[0].opts, key=len), "new/deeper/out.x")
    fails(here, "animate", "--x", "abc", "--frames-dir", "new/frames", "-o", "new/a.gif")
    fails(here, "animate", "--duration", "5", "--frames-dir", "keep", "-o", "keep/a.gif")
    fails(here, "derive", "--format", "nope", "-o", "new/answers.md")
    fails(here, "examples", "--show", "nope")


def test_frames_are_removed_when_the_gif_then_fails(here, monkeypatch):
    real = files.write_atomic

    def refuse_gifs(path, data):
        if str(path).endswith(".gif"):
            raise NNError("cannot write 'a.gif' (disk full); choose another path")
        return real(path, data)

    monkeypatch.setattr(files, "write_atomic", refuse_gifs)
    line = fails(here, "animate", "-q", "--phase", "forward", "--frames-dir", "new/frames", "-o", "a.gif")
    assert "disk full" in line


def test_a_frame_set_that_fails_part_way_is_removed(tmp_path, monkeypatch):
    contents = {f"frame-{i}.png": b"x" * 10 for i in range(5)}
    real = Path.write_bytes
    calls = []

    def flaky(self, data):
        calls.append(self)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky)
    with pytest.raises(NNError, match="No space left on device"):
        files.write_folder(tmp_path / "a" / "b" / "frames", contents)
    assert snapshot(tmp_path) == []
    # Into a folder that exists: the files written before the failure go, the folder's own stay.
    monkeypatch.setattr(Path, "write_bytes", real)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    written = []

    def atomic(path, data):
        if len(written) == 2:
            raise NNError("disk full")
        written.append(Path(path))
        written[-1].write_bytes(data)
        return written[-1]

    monkeypatch.setattr(files, "write_atomic", atomic)
    with pytest.raises(NNError, match="disk full"):
        files.write_folder(tmp_path / "mine", contents)
    assert snapshot(tmp_path) == [("mine", -1), ("mine/notes.txt", 4)]


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupt(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(tmp_path / "new" / "out.png", b"data")
    assert snapshot(tmp_path) == []


# -- 5. one line when Graphviz fails -------------------------------------------------------------


@pytest.mark.parametrize(
    "script,message",
    [
        ("echo 'Warning: one' >&2; echo 'Error: syntax error in line 3' >&2; exit 1", "syntax error in line 3"),
        ("kill -9 $$", "the program was killed (signal 9)"),
        ("exit 3", "the program exited with status 3"),
    ],
)
def test_graphviz_failures_fold_into_one_error_line(script, message, here, monkeypatch):
    bin_dir = here.parent / f"{here.name}-bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    line = fails(here, "render", "-o", "new/net.png")
    assert line.startswith("Error: Graphviz failed: ") and message in line


# -- 6. the Python API -------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf, 10**400])
def test_value_refuses_what_is_not_a_finite_double(number):
    with pytest.raises(NNError):
        Value(number)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: Value(1e308) * Value(10.0), "mul of 1e\\+308, 10 overflows"),
        (lambda: Value(1e200) ** 2, "overflows a double"),
        (lambda: Value(1000.0).exp(), "exp\\(1000.0\\) overflows a double"),
        (lambda: Value(1e308) + 1e308, "overflows"),
        (lambda: Value(-1.0) ** Value(2.0), "Value \\*\\* Value needs a positive base"),
        (lambda: 0 ** Value(2.0), "needs a positive number"),
        (lambda: Value(-1.0).log(), "log needs a positive input"),
    ],
)
def test_value_overflow_and_domain_errors_are_clear(make, message):
    with pytest.raises(NNError, match=message):
        make()


def test_value_to_a_value_power_for_a_positive_base():
    for u0 in (0.5, 2.0, 3.7):
        for v0 in (-1.5, 0.0, 2.5):
            u, v = Value(u0, label="u"), Value(v0, label="v")
            out = u**v
            out.backward()
            assert math.isclose(out.data, u0**v0, rel_tol=1e-14)
            assert math.isclose(u.grad, v0 * u0 ** (v0 - 1), rel_tol=1e-12, abs_tol=1e-15)
            assert math.isclose(v.grad, u0**v0 * math.log(u0), rel_tol=1e-12, abs_tol=1e-15)
            g = trace(out)
            assert math.isclose(g.nodes["u"]["grad"], u.grad, rel_tol=1e-12, abs_tol=1e-15)
    w = Value(3.0, label="w")
    out = 2**w
    out.backward()
    assert math.isclose(out.data, 8.0, rel_tol=1e-14) and math.isclose(w.grad, 8 * math.log(2), rel_tol=1e-12)
    with pytest.raises(TypeError):
        Value(2.0) ** "3"


def test_titles_and_keys_from_the_api_are_checked_too():
    with pytest.raises(NNError, match="title must be one line of printable text"):
        trace(Value(1.0) * 2, title="two\nlines")
    with pytest.raises(NNError, match="title must be one line"):
        graph.new_graph(title=5)
    with pytest.raises(NNError, match="1 cannot be a name"):
        spec.from_dict({"inputs": {1: 2.0}, "nodes": {"loss": "2 * x"}})
    with pytest.raises(NNError, match="a spec is a table of keys"):
        spec.from_dict(["inputs"])


def test_labels_with_control_characters_keep_dot_and_svg_valid():
    x = Value(2.0, label="line\nbreak\x00<&>\u2028")
    w = Value(0.5, label="w\t1", kind="parameter")
    g = trace(x * w)
    label = g.nodes["line_break"]["label"]
    assert label.isprintable() and "␊" in label and "␀" in label
    svg = g._repr_mimebundle_()["image/svg+xml"]
    root = ET.fromstring(svg.encode())  # XML refuses raw control characters
    text = "".join(root.itertext())
    assert "line␊break␀<&>" in text and "\x00" not in svg
    with pytest.raises(TypeError, match="label must be a string"):
        Value(1.0, label=3)


# -- 7. misleading refusals ---------------------------------------------------------------------


def test_a_flat_sum_of_70_inputs_is_one_level_deep():
    n = 70
    xs = {f"x{i}": (i % 7 - 3) / 4 for i in range(n)}
    ws = {f"w{i}": ((i * 5) % 11 - 5) / 10 for i in range(n)}
    text = spec.dumps(
        {
            "inputs": xs,
            "parameters": {**ws, "b": 0.25},
            "targets": {"y": 1.0},
            "nodes": {"z": " + ".join(f"w{i}*x{i}" for i in range(n)) + " + b", "loss": "quadratic(z, y)"},
        }
    )
    g = built(text)
    z = math.fsum(ws[f"w{i}"] * xs[f"x{i}"] for i in range(n)) + 0.25
    assert math.isclose(g.nodes["z"]["value"], z, rel_tol=1e-12)
    for i in range(n):  # ∂Loss/∂wᵢ = (z − y)·xᵢ
        assert math.isclose(g.nodes[f"w{i}"]["grad"], (z - 1.0) * xs[f"x{i}"], rel_tol=1e-12, abs_tol=1e-15)


def test_the_longest_flat_chain_needs_no_recursion():
    terms = (expr.MAX_LENGTH + 1) // 2  # "x+x+...+x" at the length limit
    g = built(leaves(nodes='loss = "' + "+".join(["x"] * terms) + '"'))
    assert g.nodes["loss"]["value"] == terms and g.nodes["x"]["grad"] == terms


def test_sixty_levels_of_real_nesting_are_fine():
    g = built(leaves(nodes='loss = "' + "identity(" * 59 + "x" + ")" * 59 + '"'))
    assert g.nodes["loss"]["value"] == 1.0


def test_zero_to_a_half_is_zero():
    g = built(leaves("x = 3.0", 'loss = "x + 0 ** 0.5"'))
    assert g.nodes["loss"]["value"] == 3.0
    assert (Value(0.0) ** 0.5).data == 0.0
    assert expr.fold(expr.parse("0 ** 0.5")) == expr.Num(0.0)


def test_a_byte_order_mark_is_accepted(here):
    (here / "bom.toml").write_bytes("\ufeff".encode() + leaves().encode())
    result = run("inspect", "--json", "--spec", "bom.toml")
    assert result.exit_code == 0, result.output
    assert spec.loads("\ufeff" + leaves()).nodes["x"]["value"] == 1.0


# -- representative cases from tests/fuzz_cli.py ----------------------------------------------------


@pytest.mark.parametrize(
    "args,message",
    [
        (["animate", "--frames-dir", "", "-o", "a.gif"], "--frames-dir is empty"),
        (["render", "-o", "out"], "cannot tell the format of 'out'"),
        (["inspect", "--example", "chain", "--layers", ""], "'--layers': '' is not a valid integer range"),
    ],
)
def test_fuzzer_cases(args, message, here):
    assert message in fails(here, *args)


def test_fuzzer_spec_cases(here):
    cases = {
        'title = "a\\u0001b"\n' + leaves(): "the title must be one line of printable text",
        leaves(nodes='h0 = "eval(-1, x)"\nloss = "2 * h0"'): "unknown operation 'eval'",
        leaves("None = 1.0"): "'None' cannot be a name: it is a Python keyword",
        leaves(head='output = "__footer__"'): "output '__footer__' is not a node under [nodes]",
    }
    for text, message in cases.items():
        (here / "spec.toml").write_text(text)
        assert message in fails(here, "inspect", "--spec", "spec.toml")
    assert examples.get("chain", 2)["nodes"]  # the examples stay valid specs

"""The commands. With `options`, the only modules that know about click and the terminal.

Each command imports what it needs when it runs, so `graphviz-nn --help` loads nothing but click.
"""

from __future__ import annotations

import os
import sys

import click

from .defaults import SLIDE_PIXELS
from .errors import GraphvizMissing, NNError
from .options import (
    detail_option,
    digits_option,
    frame_options,
    layout_options,
    network,
    network_options,
    theme_option,
)
from .version import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Group(click.Group):
    """Every failure becomes one `Error: ...` line and a non-zero exit, never a traceback."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exit_:
            sys.exit(exit_.exit_code)
        except click.exceptions.Abort:
            _fail("aborted", 1)
        except click.UsageError as err:
            if type(err).__name__ == "NoArgsIsHelpError" and err.ctx:  # bare `graphviz-nn`: show the help
                click.echo(err.ctx.get_help())
                sys.exit(0)
            _fail(err.format_message(), 2)
        except click.ClickException as err:
            _fail(err.format_message(), err.exit_code)
        except GraphvizMissing as err:
            _fail(str(err), 1)
        except NNError as err:
            _fail(str(err), 2)
        except RecursionError:
            _fail("the graph is nested too deeply to process; use a smaller graph", 2)
        except MemoryError:
            _fail("out of memory; use a smaller graph or a smaller --size", 1)
        except OSError as err:  # the file system refused something the checks could not foresee
            _fail(f"{err.strerror or err}: {err.filename or ''}; check the paths and permissions", 1)
        except KeyboardInterrupt:
            _fail("interrupted", 130)


class Command(click.Command):
    """Refuses an empty value for any option typed on the command line (`--key ''`): an empty path or
    name never means the default, on any command, present or future."""

    def parse_args(self, ctx, args):
        rest = super().parse_args(ctx, args)
        for param in self.params:
            value = ctx.params.get(param.name)
            typed = ctx.get_parameter_source(param.name) == click.core.ParameterSource.COMMANDLINE
            if typed and isinstance(value, str) and not value.strip():
                option = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
                expected = f" (expected: {' '.join(param.help.split())})" if getattr(param, "help", None) else ""
                raise click.UsageError(f"{option} is empty{expected}", ctx)
        return rest


def command(name: str | None = None):
    """A subcommand with -h/--help and --version, like the group itself."""

    def decorate(fn):
        fn = click.version_option(__version__, "--version", prog_name="graphviz-nn")(fn)
        return main.command(name, cls=Command, context_settings=CONTEXT)(fn)

    return decorate


def _fail(message: str, code: int) -> None:
    line = " ".join(message.split())
    if len(line) > 600:  # one readable line whatever was typed: keep the start and the end
        line = f"{line[:420]} … {line[-160:]}"
    click.echo(f"Error: {line}", err=True)
    sys.exit(code)


def _echo_json(data) -> None:
    """Full floats, unicode as it is: what every --json prints."""
    import json

    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _graph(options: dict):
    from .selection import propagated

    return propagated(**network(options))


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="graphviz-nn")
def main():
    """See backpropagation: the exercise's network as an annotated Graphviz diagram."""


def run() -> None:
    """The program: run the command, then leave at once. Tearing the interpreter down would free,
    object by object, what the operating system frees in one go (some 30 to 60 ms a command, a
    tenth of a render); exit handlers still run and output is flushed first."""
    import atexit
    import contextlib

    try:
        main(prog_name="graphviz-nn")
        code = 0
    except SystemExit as exit_:
        if not isinstance(exit_.code, int | None):
            raise
        code = exit_.code or 0
    atexit._run_exitfuncs()  # scratch folders' finalizers, for one
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): the output is not wanted
            stream.flush()
    os._exit(code)


@command("render")
@network_options
@click.option(
    "-o",
    "--output",
    "path",
    default="output/network.png",
    show_default=True,
    help="File to write; the extension picks the format: .png, .svg, .pdf or .dot.",
)
@click.option("--dpi", type=click.IntRange(30, 600), default=150, show_default=True, help="Resolution of PNG output.")
@click.option("--transparent", is_flag=True, help="No background (PNG and SVG), for slides of any colour.")
@click.option("--target-gradients", is_flag=True, help="Also follow the gradient into the target y*.")
@theme_option
@digits_option
@detail_option("full")
@layout_options
def render_cmd(path, dpi, transparent, target_gradients, theme, digits, detail, direction, rows, **options):
    """Draw the full diagram: every value, local derivative and gradient."""
    from . import files, runner

    fmt = files.output_format(path, files.DIAGRAM_FORMATS)
    if transparent and fmt not in ("png", "svg"):
        raise NNError(f"--transparent applies to .png and .svg, not .{fmt}")
    files.check_writable(path)
    with runner.ahead("json0", *([fmt] if fmt != "dot" else [])):  # Graphviz starts while Python builds the graph
        from . import diagram  # NetworkX and the drawing load while Graphviz starts
        from .outputs import image

        dot = diagram.to_digraph(
            _graph(options), theme, dpi if fmt == "png" else None, digits, detail, direction, rows,
            transparent=transparent, targets=target_gradients,
        )  # fmt: skip
        saved = image.save(dot, path, dpi if fmt == "png" else None)
    click.echo(f"wrote {saved}")


@command()
@network_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@digits_option
def inspect(as_json, digits, **options):
    """Print every value, local derivative and gradient as tables or JSON (full precision)."""
    from . import export

    g = _graph(options)
    if as_json:
        _echo_json(export.as_data(g))
    else:
        click.echo(export.as_tables(g))


@command()
@network_options
@click.option(
    "--format",
    "fmt",
    default=None,
    type=click.Choice(["markdown", "latex", "json"]),
    help="How to write the answers  [default: by the -o extension (.md, .tex, .json), else markdown]",
)
@click.option("--standalone", is_flag=True, help="With latex: a whole document for pdflatex, not a fragment.")
@click.option("--numbers", is_flag=True, help="Plug the network's numbers into every answer (markdown, latex).")
@digits_option
@click.option("-o", "--output", "path", default=None, help="Write to this file instead of the terminal.")
def derive(fmt, standalone, numbers, digits, path, **options):
    """Print the exercise's seven answers symbolically (forward pass, loss, chain rule, update)."""
    from . import files

    if fmt is None and path is not None:
        fmt = DERIVE_FORMATS[files.output_format(path, tuple(DERIVE_FORMATS))]
    fmt = fmt or ("latex" if standalone else "markdown")
    if standalone and fmt != "latex":
        raise click.UsageError("--standalone goes with --format latex")
    if numbers and fmt == "json":
        raise click.UsageError("--numbers goes with --format markdown or latex (for numbers as JSON: inspect --json)")
    if _typed("digits") and not numbers:
        raise click.UsageError("--digits goes with --numbers")
    if path is not None:
        files.check_writable(path)

    from . import answers, symbolic  # SymPy is slow to import: only this command pays for it
    from .latexdoc import BREAKABLE
    from .notation import UNICODE
    from .selection import propagated, structure
    from .texts import Texts

    graph = (propagated if numbers else structure)(**network(options))
    derivation = symbolic.derive(graph)
    texts = Texts(graph, digits, BREAKABLE if fmt == "latex" else UNICODE) if numbers else None
    if fmt == "json":
        text = answers.as_json(derivation)
    elif fmt == "latex":
        text = answers.latex(derivation, texts, standalone)
    else:
        text = answers.markdown(derivation, texts)
    if path is not None:
        click.echo(f"wrote {files.write_atomic(path, text.rstrip(chr(10)) + chr(10))}")
    else:
        click.echo(text.rstrip("\n"))


DERIVE_FORMATS = {"md": "markdown", "markdown": "markdown", "txt": "markdown", "tex": "latex", "json": "json"}


def _render_frames(options: dict, frame: dict, fmt: str, check=None, on_frame=None, **prepare):
    """Prepare the frames, let `check` refuse them before anything is drawn, then draw them
    (`on_frame(i, data)` sees each as soon as it is drawn)."""
    from . import frames

    sequence = frames.prepare(
        _graph(options), frame["phase"], frame["theme"], frame["size"], digits=frame["digits"],
        targets=frame["target_gradients"], detail=frame["detail"], direction=frame["direction"], rows=frame["rows"],
        **prepare,
    )  # fmt: skip
    if check is not None:
        check(sequence)
    if frame["quiet"] or not sys.stderr.isatty():
        return sequence, frames.render_all(sequence, fmt, on_frame=on_frame)
    with click.progressbar(length=len(sequence), label=f"rendering {len(sequence)} frames", file=sys.stderr) as bar:
        return sequence, frames.render_all(sequence, fmt, progress=bar.update, on_frame=on_frame)


def _gif_budget(sequence) -> tuple[int, int]:
    """The GIF's pixel bound, checked from the prepared canvas before any frame is drawn; its size."""
    from .outputs import gif

    if sequence.size:
        width, height = sequence.size
    else:  # the pinned drawing and its padding, at the frames' resolution
        width, height = (
            round((side + 144 * pad) * sequence.dpi / 72)
            for side, pad in zip((sequence.layout.width, sequence.layout.height), sequence.pad, strict=True)
        )
    gif.check_pixels(len(sequence), width, height)
    return width, height


def _typed(name: str) -> bool:
    """Whether option `name` was given on the command line (not left at its default)."""
    return click.get_current_context().get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE


ANIMATION_SIZE = "1280x720"  # a GIF for a course page; slides take the slide's size (or --size)
SLIDE_SIZE = "{}x{}".format(*SLIDE_PIXELS)


def _frame_settings(options: dict, default_size: str | None = None) -> dict:
    from .frames import parse_size

    keys = ("phase", "size", "theme", "quiet", "digits", "target_gradients", "detail", "direction", "rows")
    frame = {k: options.pop(k) for k in keys}
    if frame["size"] is None:
        frame["size"] = default_size
    parse_size(frame["size"])
    return frame


@command()
@network_options
@frame_options
@click.option("-o", "--output", "path", default="output/backprop.gif", show_default=True, help="GIF to write.")
@click.option(
    "--duration",
    type=int,
    default=1500,
    show_default=True,
    help="Milliseconds per frame (20 to 218450); the first and last frames hold longer.",
)
@click.option("--frames-dir", type=click.Path(), default=None, help="Also write every frame into this folder.")
@click.option(
    "--frames-format",
    type=click.Choice(["png", "svg", "pdf", "dot"]),
    default="png",
    show_default=True,
    help="Format of the files in --frames-dir.",
)
def animate(path, duration, frames_dir, frames_format, **options):
    """Write an animated GIF of the forward and backward pass, one step per frame (1280x720 unless
    --size says otherwise)."""
    from . import files, frames
    from .outputs import folder, gif

    frame = _frame_settings(options, ANIMATION_SIZE)
    gif.check_duration(duration)
    files.output_format(path, ("gif",))
    if frames_dir is None and _typed("frames_format"):
        raise NNError("--frames-format goes with --frames-dir, the folder to write the frames into")
    if frames_dir is not None:
        if os.path.realpath(frames_dir) == os.path.realpath(path):
            raise NNError("--frames-dir and -o name the same path; give the frames a folder of their own")
        files.check_writable(frames_dir, "folder")
    files.check_writable(path)
    encoder = []  # made once the frames' count and size are known; fed each frame as it is drawn

    def start(sequence) -> None:
        encoder.append(gif.Animation(len(sequence), _gif_budget(sequence), pdf=True))

    # Drawn as PDF: Graphviz's PNG would spend most of its time compressing what the GIF decodes again.
    sequence, pdfs = _render_frames(options, frame, "pdf", check=start, on_frame=lambda i, pdf: encoder[0].add(i, pdf))
    animation = encoder[0].finish(duration)
    written, created = [], []
    if frames_dir is not None:
        outputs = pdfs if frames_format == "pdf" else frames.render_all(sequence, frames_format)
        created = files.missing(frames_dir)
        written = folder.write_frames(frames_dir, outputs, frames_format)
    try:
        saved = files.write_atomic(path, animation)
    except BaseException:
        files.remove(written, created)  # all or nothing: no frames without their GIF
        raise
    if written:
        click.echo(f"wrote {len(written)} frames to {frames_dir}")
    click.echo(f"wrote {saved}")


@command()
@network_options
@frame_options
@click.option(
    "-o",
    "--output",
    "path",
    default="output/backprop.pdf",
    show_default=True,
    help="Deck to write; the extension picks the format: .pdf, .pptx (PowerPoint) or .tex (Beamer).",
)
@click.option("--beamer-theme", default=None, help="Beamer theme of a .tex deck, such as Madrid (default: plain).")
def slides(path, beamer_theme, **options):
    """Write a deck, one step per slide: a PDF, a PowerPoint file with editable captions and speaker
    notes, or a Beamer presentation with the frames beside it as one PDF. Slides are 1920x1080 (16:9)
    unless --size says otherwise."""
    from . import files

    frame = _frame_settings(options, SLIDE_SIZE)
    fmt = files.output_format(path, ("pdf", "pptx", "tex"))
    if beamer_theme is not None and fmt != "tex":
        raise click.UsageError("--beamer-theme goes with a .tex deck")
    files.check_writable(path)
    if fmt == "pptx":
        written = [_pptx_deck(path, options, frame)]
    elif fmt == "tex":
        written = _beamer_deck(path, beamer_theme, options, frame)
    else:
        from .outputs import deck

        _, pdfs = _render_frames(options, frame, "pdf")
        written = [files.write_atomic(path, deck.pdf_deck(pdfs))]
    for name in written:
        click.echo(f"wrote {name}")


def _pptx_deck(path: str, options: dict, frame: dict):
    from . import files, frames, raster
    from .outputs import pptx

    layout = pptx.geometry(frames.parse_size(frame["size"]))
    picture = "{}x{}".format(*layout.picture_pixels)  # the caption is the slide's text, not the picture's
    raster.preload()
    sequence, pdfs = _render_frames(options, dict(frame, size=picture), "pdf", captions=False)
    pngs = raster.pngs_from_pdfs(pdfs, layout.picture_pixels)
    svgs = frames.render_all(sequence, "svg:cairo")  # glyphs as outlines: the same look without the fonts
    return files.write_atomic(path, pptx.deck(sequence, pngs, svgs, layout))


def _beamer_deck(path: str, theme: str | None, options: dict, frame: dict):
    """The .tex and the frames' PDF beside it, written as one: a failure leaves neither."""
    from pathlib import Path

    from . import files, frames
    from .outputs import beamer, deck

    theme = beamer.check_theme(theme)
    size = frames.parse_size(frame["size"])
    picture = "{}x{}".format(*beamer.picture_size(size))
    sequence, pdfs = _render_frames(options, dict(frame, size=picture), "pdf", captions=False)
    pictures = beamer.pictures_name(path)
    tex = beamer.document(sequence, pictures, size, theme)
    return files.write_folder(Path(path).parent, {Path(path).name: tex.encode(), pictures: deck.pdf_deck(pdfs)})


@command()
@network_options
@click.option("--steps", type=int, default=25, show_default=True, help="Gradient-descent steps to take (1-1000).")
@click.option(
    "--dataset",
    type=click.Path(dir_okay=False),
    default=None,
    help="A CSV file with columns x and y: train on every point, the loss being their mean.",
)
@click.option(
    "-o",
    "--output",
    "path",
    default=None,
    help="Frames to write: .gif (an animation), .pdf (a page a frame) or .html (a page to step through)  "
    "[default: output/train.gif, none with --json]",
)
@click.option("--json", "as_json", is_flag=True, help="Print every step's weights, loss and gradients as JSON.")
@click.option("--size", default=None, help="Frame in pixels  [default: 1920x1080]")
@click.option(
    "--frames",
    "max_frames",
    type=click.IntRange(2, 60),
    default=60,
    show_default=True,
    help="Most frames to draw (2-60); a longer run shows evenly spaced steps, the JSON every step.",
)
@click.option(
    "--duration", type=int, default=500, show_default=True, help="Milliseconds per GIF frame (a page's step at 1×)."
)
@theme_option
@digits_option
def train(steps, dataset, path, as_json, size, max_frames, duration, theme, digits, **options):
    """Repeat the update w ← w − α·∂Loss/∂w: frames of the network at each step above the loss curve
    and the weights' path; or every step as JSON."""
    from . import files, frames, training
    from .selection import structure

    chosen = network(options)
    training.check_steps(steps)
    points = None
    if dataset is not None:
        typed = sorted({"x", "y"} & set(chosen["given"]))
        if typed:
            raise NNError(f"--{typed[0]} comes from the dataset; leave it out with --dataset")
        points = training.read_dataset(dataset)
    if path is None and not as_json:
        path = "output/train.gif"
    fmt = None if path is None else files.output_format(path, ("gif", "pdf", "html", "htm"))
    if fmt == "gif":
        from .outputs import gif

        gif.check_duration(duration)
    elif fmt in ("html", "htm"):
        from .outputs import html

        html.check_ms(duration)
    pixels = frames.parse_size(size)
    if path is not None:
        files.check_writable(path)
    run = training.train(structure(**chosen), steps, points)
    data = run.as_data() if as_json else None  # before drawing: a name clash fails fast
    if path is not None:
        written = _training_file(run, path, fmt, theme, digits, pixels, max_frames, duration)
        click.echo(f"wrote {written}", err=as_json)  # stdout carries the JSON alone
    if run.diverged and not as_json:
        click.echo(f"note: {run.diverged}", err=True)
    if as_json:
        _echo_json(data)


def _training_file(run, path, fmt, theme, digits, pixels, max_frames, duration):
    from . import files, training_frames

    prepared = training_frames.prepare(run, theme, digits, pixels, max_frames)
    if fmt == "gif":
        from .outputs import gif

        width, height = pixels or SLIDE_PIXELS
        gif.check_pixels(len(prepared.indices), width, height)  # before anything is drawn
        return files.write_atomic(path, gif.gif(training_frames.draw(prepared, "png"), duration))
    if fmt in ("html", "htm"):
        from .outputs import html

        diagrams, plots, panels = training_frames.svgs(prepared)
        texts = prepared.diagrams.states if prepared.diagrams else None  # each frame's own numbers
        counts = [f"{run.states[i].step} / {run.steps}" for i in prepared.indices]  # the caption's step
        shown = html.training_content(
            prepared.captions, prepared.theme, plots, panels, prepared.diagrams, diagrams, texts, duration, counts
        )
        return files.write_atomic(path, html.page(shown))
    from .outputs import deck

    return files.write_atomic(path, deck.pdf_deck(training_frames.draw(prepared, "pdf")))


@command()
@network_options
@click.option(
    "-o",
    "--output",
    "path",
    default="output/gradients.png",
    show_default=True,
    help="Plot to write; the extension picks the format: .png, .svg or .pdf.",
)
@click.option(
    "--activations",
    default="sigmoid,tanh,relu",
    show_default=True,
    help="The activations to compare, one panel each (every activation of the graph is set to it).",
)
@click.option("--positive-weights", is_flag=True, help="Make every weight positive first, so ReLU units stay on.")
@click.option("--size", default=None, help="Picture in pixels  [default: 1920x1080]")
@theme_option
def gradients(path, activations, positive_weights, size, theme, **options):
    """Plot |∂Loss/∂w| for each weight on a log scale, one panel per activation: the vanishing
    gradient of a deep sigmoid chain (try --example chain --layers 12)."""
    from . import files, frames, training
    from .outputs import plots
    from .selection import structure

    chosen = network(options)
    fmt = files.output_format(path, ("png", "svg", "pdf"))
    pixels = frames.parse_size(size) or SLIDE_PIXELS
    names = training.check_activations(activations)
    files.check_writable(path)
    g = structure(**chosen)
    profiles = {a: training.gradient_profile(g, a, positive_weights) for a in names}
    labels = {p: g.nodes[p]["label"] for p in next(iter(profiles.values()))}
    title = f"How much gradient reaches each of the {len(labels)} weights, the first layer's on the left"
    title += "\nevery weight made positive, so ReLU units stay on" if positive_weights else ""
    picture = plots.vanishing(profiles, labels, title, theme, fmt, pixels)
    click.echo(f"wrote {files.write_atomic(path, picture)}")


@command("html")
@network_options
@frame_options
@click.option("-o", "--output", "path", default="output/backprop.html", show_default=True, help="HTML page to write.")
def html_cmd(path, **options):
    """Write an interactive stepper: one self-contained HTML page (works from disk, embeds in a course
    page) stepped with the keyboard, buttons, a slider or play; hover a node for its numbers."""
    from . import files
    from .outputs import html

    frame = _frame_settings(options)
    files.output_format(path, html.FORMATS)
    files.check_writable(path)
    sequence, svgs = _render_frames(options, frame, "svg")
    click.echo(f"wrote {files.write_atomic(path, html.page(html.content(sequence, svgs)))}")


@command()
@click.option("--show", "name", default=None, help="Print this example as a spec file to copy and edit.")
@click.option("--layers", type=click.IntRange(1, 12), default=None, help="Depth, for the chain example (1-12).")
def examples(name, layers):
    """List the built-in examples, or print one as a spec file."""
    from . import examples as builtin
    from . import spec

    if name is not None:
        layers_option = f" --layers {layers}" if layers else ""
        note = (
            f"Made by `graphviz-nn examples --show {name}{layers_option}`. Copy it, edit it, then run\n"
            f"graphviz-nn render --spec {name}.toml"
        )
        click.echo(spec.dumps(builtin.get(name, layers), note).rstrip("\n"))
        return
    if layers is not None:
        raise NNError("--layers goes with --show chain")
    width = max(map(len, builtin.EXAMPLES))
    for key, make in builtin.EXAMPLES.items():
        click.echo(f"{key.ljust(width)}  {make()['title']}")


@command()
@click.option(
    "-o",
    "--output",
    "path",
    default=None,
    help="Student sheets to write: .pdf, or .dot for every page's DOT  [default: output/worksheet.pdf]",
)
@click.option(
    "--key",
    "key_path",
    default=None,
    help="Answer key to write: .pdf or .dot  [default: output/worksheet-key.pdf]",
)
@click.option("--variants", "count", type=int, default=1, show_default=True, help="How many variants (1 to 200).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the numbers; printed on every page.")
@click.option(
    "--blank",
    default="all",
    show_default=True,
    help="What the sheet leaves to fill in: all, or some of values,locals,gradients,update (an edge's local "
    "derivative and the gradient it carries share a line, so blanking either blanks both there).",
)
@click.option("--g1", default="sigmoid", show_default=True, help="First activation.")
@click.option("--g2", default="sigmoid", show_default=True, help="Second activation.")
@click.option("--loss", default="quadratic", show_default=True, help="Loss: quadratic or cross_entropy.")
@click.option(
    "--random-activations",
    is_flag=True,
    help="Draw g1 (sigmoid, tanh, relu, softplus) and the loss per variant; g2 stays the sigmoid, as a2 is a "
    "probability. Ids then read SEED-rN.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print every variant's network and answers as JSON (full floats); PDFs only where -o or --key ask.",
)
def worksheet(path, key_path, count, seed, blank, g1, g2, loss, random_activations, as_json):
    """Write worksheets of fresh variants of the exercise (numbers to work by hand, lines to fill in, the
    seven questions) and their answer key (filled diagram, symbolic answers, every number worked out)."""
    from pathlib import Path

    from . import files, practice
    from .outputs import worksheet as sheets

    if random_activations and any(_typed(n) for n in ("g1", "g2", "loss")):
        raise NNError("--random-activations draws g1, g2 and the loss; leave out --g1, --g2 and --loss")
    blanks = sheets.check_blanks(blank)
    if not as_json:
        path = path or "output/worksheet.pdf"
        key_path = key_path or "output/worksheet-key.pdf"
    targets = [(p, files.output_format(p, ("pdf", "dot"))) for p in (path, key_path) if p is not None]
    if path is not None and key_path is not None and Path(path).resolve() == Path(key_path).resolve():
        raise NNError("-o and --key name the same file; give the sheets and the key a file each")
    for p, _ in targets:
        files.check_writable(p)
    chosen = practice.variants(practice.check_seed(seed), count, g1, g2, loss, random_activations)
    written = []
    if targets:
        pages = dict(zip((path, key_path), sheets.pages_for(chosen, blanks), strict=True))
        made = {p: sheets.pdf(pages[p]) if fmt == "pdf" else sheets.dot_text(pages[p]) for p, fmt in targets}
        written = [files.write_atomic(p, data) for p, data in made.items()]
    if as_json:
        _echo_json(practice.as_data(chosen, seed))
    for p in written:
        click.echo(f"wrote {p}", err=as_json)
    if not as_json:
        click.echo(
            f"variants {chosen[0].id} to {chosen[-1].id} (seed {seed})" if count > 1 else f"variant {chosen[0].id}"
        )


def _answers_graph(answers, variant: str | None, options: dict):
    """The network an answers file is marked against: a worksheet variant (--variant or `variant = ...`
    in the file), the file's [network] table, or the usual network options. Beside a variant, a
    [network] table or typed options may name its activations and loss, and must agree with it."""
    from . import marking, practice
    from .selection import propagated

    net = network(options)
    typed = sorted(net.pop("given"))
    if variant and answers.variant and variant.strip() != answers.variant.strip():
        raise NNError(f"--variant {variant} and the file's variant = {answers.variant!r} differ; give one")
    variant = variant or answers.variant
    table = marking.network_table(answers) if answers.network is not None else None
    if table is not None and typed:
        raise NNError(f"{answers.source} has a [network] table and --{typed[0].replace('_path', '')} sets it too")
    if not variant:
        return propagated(**table) if table is not None else propagated(**net, given=typed)
    other = [n for n in typed if n in ("spec_path", "example", "layers")]
    if other:
        raise NNError(f"--{other[0].replace('_path', '')} names another graph than variant {variant}")
    named = table if table is not None else {n: net[n] for n in typed}
    where = f"{answers.source}'s [network]" if table is not None else "the options"
    functions = {k: named.get(k, net[k]) for k in ("g1", "g2", "loss")}
    chosen = practice.from_id(variant, **functions)
    for key, value in named.items():
        if value != chosen.network[key]:
            raise NNError(f"{where} give {key} = {value!r}, but variant {variant} has {key} = {chosen.network[key]!r}")
    return chosen.graph()


@command()
@click.argument("answers_path", metavar="ANSWERS.toml")
@network_options
@click.option("--variant", default=None, help="A worksheet's variant id, such as 7-3 (as printed on the sheet).")
@click.option(
    "--tolerance",
    type=float,
    default=0.5,
    show_default=True,
    help="Percent of the answer a number may be off (or half a unit in its last written digit, if looser).",
)
@click.option(
    "-o", "--output", "path", default=None, help="Also draw the diagram with each number marked: .png, .svg or .pdf."
)
@click.option("--json", "as_json", is_flag=True, help="Print the marks as JSON, for autograders.")
@digits_option
@theme_option
def check(answers_path, variant, tolerance, path, as_json, digits, theme, **options):
    """Mark a student's own numbers from a TOML file with tables [values] (by node), [locals] (by edge
    "u->v"), [gradients] (∂Loss/∂node) and [update]: a table of right and wrong, the first wrong one
    in pass order with its chain-rule line and a likely slip. Exit 0 all right, 1 some wrong, 2 bad file."""
    from . import files, marking

    answers = marking.load(answers_path)
    if path is not None:
        fmt = files.output_format(path, ("png", "svg", "pdf"))
        files.check_writable(path)
    marked = marking.mark(_answers_graph(answers, variant, options), answers, tolerance, digits)
    if path is not None:
        from .outputs import image
        from .outputs import marked as drawing

        dpi = 150 if fmt == "png" else None
        written = image.save(drawing.to_digraph(marked, theme, dpi), path, dpi)
    if as_json:
        _echo_json(marked.as_data())
    else:
        click.echo(marking.report(marked))
    if path is not None:
        click.echo(f"wrote {written}", err=as_json)
    if marked.first_wrong is not None:
        sys.exit(1)  # some wrong: a verdict, not an error, so no `Error:` line

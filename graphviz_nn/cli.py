"""The command line: the only module that knows about the terminal."""

from __future__ import annotations

import functools
import json
import math
import os
import sys

import click

from . import __version__, engine, graph, io, ops, render, style
from .errors import GraphvizMissing, NNError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class FiniteFloat(click.ParamType):
    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


NUMBER = FiniteFloat()


def _name_in(kind: str):
    def check(ctx, param, value):
        try:
            ops.get(value, kind)
        except NNError as err:
            raise click.BadParameter(str(err)) from err
        return value

    return check


EXERCISE_ONLY = ("x", "y", "w1", "w2", "g1", "g2", "loss")


def network_options(command):
    """Which graph to use (the exercise's network by default) and the exercise's inputs."""
    d = graph.DEFAULTS
    options = [
        click.option(
            "--spec",
            type=click.Path(dir_okay=False),
            default=None,
            help="A TOML spec file describing any scalar graph (see examples/).",
        ),
        click.option("--example", default=None, help="A built-in example (list them with `graphviz-nn examples`)."),
        click.option("--layers", type=int, default=None, help="Depth of the chain example."),
        click.option("--x", "x", type=NUMBER, default=d["x"], show_default=True, help="Input feature x."),
        click.option("--y", "y", type=NUMBER, default=d["y"], show_default=True, help="Target class y*."),
        click.option("--w1", type=NUMBER, default=d["w1"], show_default=True, help="First weight w1."),
        click.option("--w2", type=NUMBER, default=d["w2"], show_default=True, help="Second weight w2."),
        click.option(
            "--g1",
            default=d["g1"],
            show_default=True,
            callback=_name_in("activation"),
            help=f"First activation: {', '.join(ops.ACTIVATIONS)}.",
        ),
        click.option(
            "--g2",
            default=d["g2"],
            show_default=True,
            callback=_name_in("activation"),
            help="Second activation (same choices).",
        ),
        click.option(
            "--loss",
            default=d["loss"],
            show_default=True,
            callback=_name_in("loss"),
            help=f"Loss: {', '.join(ops.LOSSES)}.",
        ),
        click.option(
            "--alpha",
            type=NUMBER,
            default=d["alpha"],
            show_default=True,
            help="Gradient-descent step size α (overrides a spec's).",
        ),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def _given(name: str) -> bool:
    source = click.get_current_context().get_parameter_source(name)
    return source == click.core.ParameterSource.COMMANDLINE


def structure(options: dict):
    """The graph the options describe, not yet propagated: a spec file, an example, or the exercise."""
    from . import examples, spec

    if options["spec"] and options["example"]:
        raise NNError("give --spec or --example, not both")
    if options["layers"] is not None and not options["example"]:
        raise NNError("--layers goes with --example chain")
    custom = options["spec"] or (options["example"] not in (None, "exercise"))
    if custom:
        given = [f"--{name}" for name in EXERCISE_ONLY if _given(name)]
        if given:
            raise NNError(
                f"{given[0]} sets the exercise's network; a spec or example sets its own values "
                "(edit a copy of the spec instead)"
            )
        g = spec.load(options["spec"]) if options["spec"] else examples.load(options["example"], options["layers"])
        if _given("alpha"):
            g.graph["alpha"] = options["alpha"]
        return g
    if options["example"] == "exercise" and options["layers"] is not None:
        examples.get("exercise", options["layers"])
    return graph.seed_network(**{k: options[k] for k in (*EXERCISE_ONLY, "alpha")})


def build(options: dict):
    """Build and propagate the graph the options describe."""
    return engine.propagate(structure(options))


class Group(click.Group):
    """Every failure becomes one `Error: ...` line and a non-zero exit, never a traceback."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exit_:
            sys.exit(exit_.exit_code)
        except click.exceptions.Abort:
            click.echo("Error: aborted", err=True)
            sys.exit(1)
        except click.UsageError as err:
            _fail(err.format_message(), 2)
        except click.ClickException as err:
            _fail(err.format_message(), err.exit_code)
        except GraphvizMissing as err:
            _fail(str(err), 1)
        except NNError as err:
            _fail(str(err), 2)


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    sys.exit(code)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="graphviz-nn")
def main():
    """See backpropagation: the exercise's network as an annotated Graphviz diagram."""


@main.command(context_settings=CONTEXT)
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
@click.option("--theme", type=click.Choice(list(style.THEMES)), default="light", show_default=True, help="Colours.")
def render_cmd(path, dpi, theme, **options):
    """Draw the full diagram: every value, local derivative and gradient."""
    fmt = io.output_format(path, ("png", "svg", "pdf", "dot"))
    io.check_writable(path)
    dot = render.to_digraph(build(options), style.get_theme(theme), dpi=dpi if fmt == "png" else None)
    click.echo(f"wrote {io.save(dot, path)}")


render_cmd.name = "render"


def inspect_data(g) -> dict:
    """The numbers of a propagated graph as plain data (the shape `inspect --json` promises)."""
    return {
        "nodes": {
            n: {k: d[k] for k in ("kind", "label", "op", "value", "grad", "updated") if d.get(k) is not None}
            for n, d in g.nodes(data=True)
        },
        "edges": [{"source": u, "target": v, "local": d["local"], "grad": d["grad"]} for u, v, d in g.edges(data=True)],
        "update": {n: g.nodes[n]["updated"] for n in graph.parameters(g)},
    }


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in [headers, *rows]]
    lines.insert(1, "  ".join("─" * w for w in widths))
    return "\n".join(lines)


@main.command(context_settings=CONTEXT)
@network_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def inspect(as_json, **options):
    """Print every value, local derivative and gradient as tables or JSON."""
    g = build(options)
    data = inspect_data(g)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from . import forms

    loss = g.nodes[graph.output(g)]["label"]
    node_rows = [
        [
            d["label"],
            d["kind"],
            forms.text(g, forms.node_form(g, n)) if "op" in d else "",
            repr(d["value"]),
            repr(d["grad"]),
        ]
        for n, d in g.nodes(data=True)
    ]
    click.echo(_table(["node", "kind", "computes", "value", f"∂{loss}/∂node"], node_rows))
    edge_rows = [
        [
            f"{g.nodes[u]['label']} → {g.nodes[v]['label']}",
            forms.local_label(g, u, v).rsplit(" = ", 1)[0],
            repr(d["local"]),
            repr(d["grad"]),
        ]
        for u, v, d in g.edges(data=True)
    ]
    click.echo()
    click.echo(_table(["edge", "local derivative", "local", "gradient flowing back"], edge_rows))
    if data["update"]:
        alpha = g.graph["alpha"]
        click.echo()
        click.echo(
            _table(
                [f"parameter (α = {alpha:g})", "value", "updated"],
                [[g.nodes[n]["label"], repr(g.nodes[n]["value"]), repr(w)] for n, w in data["update"].items()],
            )
        )


@main.command(context_settings=CONTEXT)
@network_options
@click.option(
    "--format",
    "fmt",
    default="markdown",
    show_default=True,
    type=click.Choice(["markdown", "latex", "json"]),
    help="How to write the answers.",
)
@click.option("-o", "--output", "path", default=None, help="Write to this file instead of the terminal.")
def derive(fmt, path, **options):
    """Print the exercise's seven answers symbolically (forward pass, loss, chain rule, update)."""
    from . import answers, symbolic  # SymPy is slow to import: only this command pays for it

    if path:
        io.check_writable(path)
    derivation = symbolic.derive(structure(options))
    text = {"markdown": answers.markdown, "latex": answers.latex, "json": answers.as_json}[fmt](derivation)
    if path:
        click.echo(f"wrote {io.write_atomic(path, text if text.endswith(chr(10)) else text + chr(10))}")
    else:
        click.echo(text.rstrip("\n"))


def frame_options(command):
    """What animate and slides share: which steps, the canvas, the colours, the terminal."""
    options = [
        click.option(
            "--phase",
            type=click.Choice(["forward", "backward", "both"]),
            default="both",
            show_default=True,
            help="Which pass to show; backward includes the weight update.",
        ),
        click.option("--size", default=None, help="Canvas in pixels, such as 1920x1080 for 16:9 slides."),
        click.option(
            "--theme", type=click.Choice(list(style.THEMES)), default="light", show_default=True, help="Colours."
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def _render_frames(options: dict, phase: str, size: str | None, theme: str, quiet: bool, fmt: str):
    from . import frames

    sequence = frames.prepare(build(options), phase, theme, size)
    if quiet or not sys.stderr.isatty():
        return sequence, frames.render_all(sequence, fmt)
    with click.progressbar(length=len(sequence), label=f"rendering {len(sequence)} frames", file=sys.stderr) as bar:
        return sequence, frames.render_all(sequence, fmt, progress=bar.update)


@main.command(context_settings=CONTEXT)
@network_options
@frame_options
@click.option("-o", "--output", "path", default="output/backprop.gif", show_default=True, help="GIF to write.")
@click.option(
    "--duration",
    type=click.IntRange(min=1),
    default=1500,
    show_default=True,
    help="Milliseconds per frame; the first and last frames hold longer.",
)
@click.option("--frames-dir", type=click.Path(), default=None, help="Also write every frame into this folder.")
@click.option(
    "--frames-format",
    type=click.Choice(["png", "svg", "pdf", "dot"]),
    default="png",
    show_default=True,
    help="Format of the files in --frames-dir.",
)
def animate(path, duration, frames_dir, frames_format, phase, size, theme, quiet, **options):
    """Write an animated GIF of the forward and backward pass, one step per frame."""
    from . import frames

    frames.parse_size(size)
    io.output_format(path, ("gif",))
    if frames_dir and os.path.exists(frames_dir) and not os.path.isdir(frames_dir):
        raise NNError(f"--frames-dir {frames_dir!r} is a file; give a folder")
    io.check_writable(path)
    sequence, pngs = _render_frames(options, phase, size, theme, quiet, "png")
    if frames_dir:
        files = pngs if frames_format == "png" else frames.render_all(sequence, frames_format)
        frames.write_frames(frames_dir, files, frames_format)
        click.echo(f"wrote {len(files)} frames to {frames_dir}")
    click.echo(f"wrote {io.write_atomic(path, frames.gif(pngs, duration))}")


@main.command(context_settings=CONTEXT)
@network_options
@frame_options
@click.option("-o", "--output", "path", default="output/backprop.pdf", show_default=True, help="PDF deck to write.")
def slides(path, phase, size, theme, quiet, **options):
    """Write a PDF deck, one step per page, with vector text."""
    from . import frames

    frames.parse_size(size)
    io.output_format(path, ("pdf",))
    io.check_writable(path)
    _, pdfs = _render_frames(options, phase, size, theme, quiet, "pdf")
    click.echo(f"wrote {io.write_atomic(path, frames.pdf_deck(pdfs))}")


@main.command(context_settings=CONTEXT)
@click.option("--show", "name", default=None, help="Print this example as a spec file to copy and edit.")
@click.option("--layers", type=int, default=None, help="Depth, for the chain example.")
def examples(name, layers):
    """List the built-in examples, or print one as a spec file."""
    from . import examples as builtin
    from . import spec

    if name:
        layers_option = f" --layers {layers}" if layers else ""
        note = (
            f"Made by `graphviz-nn examples --show {name}{layers_option}`. Copy it, edit it, then run\n"
            f"graphviz-nn render --spec {name}.toml"
        )
        click.echo(spec.dumps(builtin.get(name, layers), note).rstrip("\n"))
        return
    width = max(map(len, builtin.EXAMPLES))
    for key, make in builtin.EXAMPLES.items():
        click.echo(f"{key.ljust(width)}  {make()['title']}")

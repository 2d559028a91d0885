"""The commands. With `options`, the only modules that know about click and the terminal."""

from __future__ import annotations

import json
import os
import sys

import click

from . import __version__, export, io, render, style
from .errors import GraphvizMissing, NNError
from .options import build, frame_options, network_options, structure

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
            click.echo("Error: aborted", err=True)
            sys.exit(1)
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
        except OSError as err:  # the file system refused something the checks could not foresee
            _fail(f"{err.strerror or err}: {err.filename or ''}; check the paths and permissions", 1)


def command():
    """A subcommand with -h/--help and --version, like the group itself."""

    def decorate(fn):
        fn = click.version_option(__version__, "--version", prog_name="graphviz-nn")(fn)
        return main.command(context_settings=CONTEXT)(fn)

    return decorate


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    sys.exit(code)


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="graphviz-nn")
def main():
    """See backpropagation: the exercise's network as an annotated Graphviz diagram."""


@command()
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
    fmt = io.output_format(path, io.DIAGRAM_FORMATS)
    io.check_writable(path)
    dot = render.to_digraph(build(options), style.get_theme(theme), dpi=dpi if fmt == "png" else None)
    click.echo(f"wrote {io.save(dot, path)}")


render_cmd.name = "render"


@command()
@network_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def inspect(as_json, **options):
    """Print every value, local derivative and gradient as tables or JSON."""
    g = build(options)
    click.echo(json.dumps(export.as_data(g), indent=2, ensure_ascii=False) if as_json else export.as_tables(g))


@command()
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


def _render_frames(options: dict, phase: str, size: str | None, theme: str, quiet: bool, fmt: str):
    from . import frames

    sequence = frames.prepare(build(options), phase, theme, size)
    if quiet or not sys.stderr.isatty():
        return sequence, frames.render_all(sequence, fmt)
    with click.progressbar(length=len(sequence), label=f"rendering {len(sequence)} frames", file=sys.stderr) as bar:
        return sequence, frames.render_all(sequence, fmt, progress=bar.update)


@command()
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
    type=click.Choice(io.DIAGRAM_FORMATS),
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


@command()
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


@command()
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

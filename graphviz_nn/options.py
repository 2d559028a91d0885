"""The command line's shared options: which graph, with which numbers, and how frames look. Like
`cli`, this layer alone knows about click; it imports nothing heavy, so `--help` stays quick."""

from __future__ import annotations

import functools
import math

import click

from . import ops, style
from .defaults import DIGITS, MAX_DIGITS
from .defaults import EXERCISE as DEFAULTS
from .errors import quoted

NETWORK = ("spec_path", "example", "layers", "alpha", "x", "y", "w1", "w2", "g1", "g2", "loss")


class FiniteFloat(click.ParamType):
    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        try:
            number = float(value)
        except (ValueError, OverflowError):
            self.fail(f"{quoted(value)} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"{quoted(value)} is not a finite number", param, ctx)
        return number


NUMBER = FiniteFloat()


def _name_in(kind: str):
    def check(ctx, param, value):
        from .errors import NNError

        try:
            ops.get(value, kind)
        except NNError as err:
            raise click.BadParameter(str(err)) from err
        return value

    return check


def _apply(command, options):
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def network_options(command):
    """Which graph to use (the exercise's network by default) and the exercise's inputs."""
    options = [
        click.option(
            "--spec",
            "spec_path",
            type=click.Path(dir_okay=False),
            default=None,
            help="A TOML spec file describing any scalar graph (see examples/).",
        ),
        click.option("--example", default=None, help="A built-in example (list them with `graphviz-nn examples`)."),
        click.option("--layers", type=click.IntRange(1, 12), default=None, help="Depth of the chain example (1-12)."),
        *(
            click.option(f"--{name}", type=NUMBER, default=DEFAULTS[name], show_default=True, help=text)
            for name, text in [
                ("x", "Input feature x."),
                ("y", "Target class y*."),
                ("w1", "First weight w1."),
                ("w2", "Second weight w2."),
            ]
        ),
        click.option(
            "--alpha", type=NUMBER, default=None, help=f"Gradient-descent step size α  [default: {DEFAULTS['alpha']:g}]"
        ),
        *(
            click.option(f"--{name}", default=DEFAULTS[name], show_default=True, callback=_name_in(kind), help=text)
            for name, kind, text in [
                ("g1", "activation", f"First activation: {', '.join(ops.ACTIVATIONS)}."),
                ("g2", "activation", "Second activation (same choices)."),
                ("loss", "loss", f"Loss: {', '.join(ops.LOSSES)}."),
            ]
        ),
    ]
    return _apply(command, options)


def digits_option(command):
    return click.option(
        "--digits",
        type=click.IntRange(1, MAX_DIGITS),
        default=DIGITS,
        show_default=True,
        help="Significant digits of the numbers shown.",
    )(command)


def theme_option(command):
    return click.option(
        "--theme", type=click.Choice(list(style.THEMES)), default="light", show_default=True, help="Colours."
    )(command)


def layout_options(command):
    """How the drawing is arranged: its direction and, left to right, how many rows it wraps into."""
    options = [
        click.option(
            "--direction",
            type=click.Choice(["LR", "TB"]),
            default="LR",
            show_default=True,
            help="Left to right (wrapping into rows) or top to bottom.",
        ),
        click.option(
            "--rows",
            type=click.IntRange(1, 6),
            default=None,
            help="Rows to wrap into (1-6); by default the number that best fills a 16:9 slide.",
        ),
    ]
    return _apply(command, options)


def detail_option(default: str):
    choices = ["full", "values", "numbers", "nodes"] + (["auto"] if default == "auto" else [])
    return click.option(
        "--detail",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="full: formulas and numbers; values: symbols and numbers; numbers: numbers only; nodes: numbers "
        "on the nodes, edges labelled only where a gradient splits"
        + ("; auto: the most that stays legible on a slide." if default == "auto" else "."),
    )


def frame_options(command):
    """What animate, slides and html share: which steps, the canvas, the colours, the terminal."""
    options = [
        click.option(
            "--phase",
            type=click.Choice(["forward", "backward", "both"]),
            default="both",
            show_default=True,
            help="Which pass to show; backward includes the weight update.",
        ),
        click.option("--size", default=None, help="Canvas in pixels, such as 1920x1080 for 16:9 slides."),
        click.option("--target-gradients", is_flag=True, help="Also follow the gradient into the target y*."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar."),
    ]
    return detail_option("auto")(layout_options(digits_option(theme_option(_apply(command, options)))))


def network(params: dict) -> dict:
    """Take the network options out of a command's parameters, as `selection.structure` keywords,
    with `given` naming those typed on the command line."""
    ctx = click.get_current_context(silent=True)
    given = set()
    if ctx is not None:
        given = {n for n in NETWORK if ctx.get_parameter_source(n) == click.core.ParameterSource.COMMANDLINE}
    chosen = {n: params.pop(n) for n in NETWORK if n in params}
    if "alpha" not in given and chosen.get("alpha") is None:
        chosen.pop("alpha", None)
    return {**chosen, "given": given}

"""The command line's shared options: which graph to build, with which numbers, and frame settings.
Like `cli`, this layer alone knows about click."""

from __future__ import annotations

import functools
import math

import click

from . import engine, graph, ops, style
from .errors import NNError


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
        *(
            click.option(f"--{name}", type=NUMBER, default=d[name], show_default=True, help=text)
            for name, text in [
                ("x", "Input feature x."),
                ("y", "Target class y*."),
                ("w1", "First weight w1."),
                ("w2", "Second weight w2."),
                ("alpha", "Gradient-descent step size α (overrides a spec's)."),
            ]
        ),
        *(
            click.option(f"--{name}", default=d[name], show_default=True, callback=_name_in(kind), help=text)
            for name, kind, text in [
                ("g1", "activation", f"First activation: {', '.join(ops.ACTIVATIONS)}."),
                ("g2", "activation", "Second activation (same choices)."),
                ("loss", "loss", f"Loss: {', '.join(ops.LOSSES)}."),
            ]
        ),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def _given(name: str) -> bool:
    source = click.get_current_context().get_parameter_source(name)
    return source == click.core.ParameterSource.COMMANDLINE


def structure(options: dict):
    """The graph the options describe, not yet propagated: a spec file, an example, or the exercise."""
    from . import examples, spec

    name, layers = options["example"], options["layers"]
    if options["spec"] and name:
        raise NNError("give --spec or --example, not both")
    if layers is not None and not name:
        raise NNError("--layers goes with --example chain")
    example = examples.get(name, layers) if name else None  # checks the name and where --layers goes
    if options["spec"] or name not in (None, "exercise"):
        given = [f"--{option}" for option in EXERCISE_ONLY if _given(option)]
        if given:
            raise NNError(
                f"{given[0]} sets the exercise's network; a spec or example sets its own values "
                "(edit a copy of the spec instead)"
            )
        g = spec.load(options["spec"]) if options["spec"] else spec.build(example, name)
        if _given("alpha"):
            g.graph["alpha"] = options["alpha"]
        return g
    return graph.seed_network(**{k: options[k] for k in (*EXERCISE_ONLY, "alpha")})


def build(options: dict):
    """Build and propagate the graph the options describe."""
    return engine.propagate(structure(options))


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

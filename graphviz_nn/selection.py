"""Which graph a command works on: a spec file, a built-in example, or the exercise's network with the
given numbers. Library logic: the command line only collects the options and says which were typed."""

from __future__ import annotations

from collections.abc import Iterable

from . import engine, graph
from .defaults import EXERCISE as DEFAULTS
from .errors import NNError

EXERCISE_ONLY = ("x", "y", "w1", "w2", "g1", "g2", "loss")


def structure(
    spec_path: str | None = None,
    example: str | None = None,
    layers: int | None = None,
    alpha: float | None = None,
    given: Iterable[str] = (),
    **exercise,
) -> graph.ComputationGraph:
    """The graph described, not yet propagated. `given` names the exercise options that were set
    explicitly: they are refused with a spec or an example, which set their own values."""
    unknown = sorted(set(exercise) - set(EXERCISE_ONLY))
    if unknown:
        raise TypeError(f"unknown network option {unknown[0]!r}")
    if spec_path is not None and not str(spec_path).strip():
        raise NNError("--spec is empty; give the path of a TOML spec file (see examples/)")
    if example is not None and not example.strip():
        from .examples import EXAMPLES

        raise NNError(f"--example is empty; choose one of: {', '.join(EXAMPLES)}")
    if spec_path and example:
        raise NNError("give --spec or --example, not both")
    if layers is not None and example != "chain":
        raise NNError("--layers goes with --example chain")
    if spec_path or example not in (None, "exercise"):
        typed = [f"--{option}" for option in EXERCISE_ONLY if option in set(given)]
        if typed:
            raise NNError(
                f"{typed[0]} sets the exercise's network; a spec or example sets its own values "
                "(edit a copy of the spec instead)"
            )
        from . import examples, spec  # the TOML reader and the examples only when they are asked for

        g = spec.load(spec_path) if spec_path else examples.load(example, layers)
        if alpha is not None:
            g.graph["alpha"] = graph.finite(alpha, "alpha")
        return g
    values = {**{k: DEFAULTS[k] for k in EXERCISE_ONLY}, **exercise}
    return graph.seed_network(**values, alpha=DEFAULTS["alpha"] if alpha is None else alpha)


def propagated(**options) -> graph.ComputationGraph:
    """`structure(**options)`, propagated: every value, local derivative, gradient and update."""
    return engine.propagate(structure(**options))

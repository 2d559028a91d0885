"""graphviz_nn: see backpropagation on a computation graph drawn with Graphviz.

The public names load on first use, so the command line starts without NetworkX or Graphviz.
"""

from importlib import import_module

from .version import __version__

_PUBLIC = {
    "ComputationGraph": "graph",
    "seed_network": "graph",
    "to_digraph": "diagram",
    "Value": "value",
    "trace": "value",
    "stepper": "outputs.html",
}
__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'graphviz_nn' has no attribute {name!r}")
    import_module(".diagram", __name__)  # registers the diagram as every graph's display in Jupyter
    return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)

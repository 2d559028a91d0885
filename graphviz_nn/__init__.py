"""graphviz_nn: see backpropagation on a computation graph drawn with Graphviz."""

__version__ = "0.1.0"

from .graph import ComputationGraph, seed_network
from .render import to_digraph
from .value import Value, trace

__all__ = ["ComputationGraph", "Value", "seed_network", "to_digraph", "trace"]

"""graphviz_nn: see backpropagation on a computation graph drawn with Graphviz."""

__version__ = "0.1.0"

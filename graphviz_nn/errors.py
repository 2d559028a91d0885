"""The one exception family the library raises for bad input; the CLI turns it into `Error: ...`."""


class NNError(ValueError):
    """Bad input or an impossible computation, with a message that says what to do."""


class GraphvizMissing(NNError):
    """The Graphviz `dot` program is not installed."""


def quoted(value: object, limit: int = 60) -> str:
    """`value!r`, shortened so an error stays one readable line whatever was typed or read."""
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[: limit - 5]}…{shown[-4:]}"


def unknown(what: str, name: object, choices) -> NNError:
    """`unknown activation 'sigmod' (choose from: ...)`, with a suggestion when one is close."""
    import difflib

    options = sorted(choices)
    close = difflib.get_close_matches(str(name)[:100], options, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return NNError(f"unknown {what} {quoted(name)} (choose from: {', '.join(options)}){hint}")

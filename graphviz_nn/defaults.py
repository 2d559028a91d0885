"""The exercise's default numbers and the display's digits, in a module of their own so the command
line can show them in `--help` without importing NetworkX or the formula machinery."""

DIGITS = 3  # significant digits of computed numbers unless --digits says otherwise
MAX_DIGITS = 15  # what a double carries reliably

EXERCISE = {
    "x": 1.0,
    "y": 1.0,
    "w1": 0.5,
    "w2": -1.2,
    "g1": "sigmoid",
    "g2": "sigmoid",
    "loss": "quadratic",
    "alpha": 0.5,
}

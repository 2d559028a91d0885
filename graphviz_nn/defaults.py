"""The project's defaults: the exercise's numbers, the display's digits, the slide every picture is
made for, and the fixed date that keeps PDFs the same bytes. A module of their own, so the command
line can show them in `--help` without importing NetworkX or the formula machinery."""

DIGITS = 3  # significant digits of computed numbers unless --digits says otherwise
MAX_DIGITS = 15  # what a double carries reliably
SLIDE_PIXELS = (1920, 1080)  # a 16:9 slide: decks, train frames and plots unless --size says otherwise
PDF_DATE = "D:20000101000000Z"  # creation and change dates written into every PDF
MOVING = "moving-"  # the SVG ids of the plot artists a training step changes start so (plots and page)

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

"""The project's defaults: the exercise's numbers, the display's digits, the slide every picture is
made for, and the fixed date that keeps PDFs the same bytes. A module of their own, so the command
line can show them in `--help` without importing NetworkX or the formula machinery."""

DIGITS = 3  # significant digits of computed numbers unless --digits says otherwise
MAX_DIGITS = 15  # what a double carries reliably
SLIDE_PIXELS = (1920, 1080)  # a 16:9 slide: decks, train frames and plots unless --size says otherwise
PDF_DATE = "D:20000101000000Z"  # creation and change dates written into every PDF
# The SVG id of every plot artist a training step changes starts so: such a part is named the same
# in every frame (matplotlib's own ids count the parts drawn before it), and the page tells a frame's
# moving parts from the static ones it leaves out (`TrainingPlot.frame(..., moving_only=True)`).
MOVING = "moving-"

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

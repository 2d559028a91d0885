"""How things look: themes and colours. How numbers and formulas are written lives in `notation`."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import unknown


@dataclass(frozen=True)
class Theme:
    """Colours chosen from the Okabe–Ito palette: forward and gradient differ in hue for colour-blind
    readers, and every value also carries a non-colour cue (→ / ← and bold) for grayscale."""

    name: str
    background: str
    text: str
    forward: str  # forward values
    gradient: str  # gradients flowing back
    local: str  # local derivatives, secondary text
    muted: str  # pending parts of a frame: at least 3:1 on every fill, lighter than text
    edge: str
    parameter_fill: str
    operation_fill: str
    leaf_fill: str
    loss_fill: str
    highlight: str  # the current node or edge of a frame
    fontname: str = "DejaVu Sans"


THEMES = {
    # Forward values are dark blue and gradients orange-red: apart in hue for colour-blind readers and
    # in lightness for grayscale, each at least 4.5:1 against the background (tests check all three).
    "light": Theme(
        "light",
        background="white",
        text="#1a1a1a",
        forward="#003f7f",
        gradient="#c25400",
        local="#4d4d4d",
        muted="#7f7f7f",
        edge="#5a5a5a",
        parameter_fill="#fff1c1",
        operation_fill="#eef3f8",
        leaf_fill="#ffffff",
        loss_fill="#fbe3d6",
        highlight="#cc79a7",
    ),
    "dark": Theme(
        "dark",
        background="#1b1d23",
        text="#f0f0f0",
        forward="#9ccff5",
        gradient="#e8762c",
        local="#c0c0c0",
        muted="#8f8f8f",
        edge="#a0a0a0",
        parameter_fill="#4a3f1c",
        operation_fill="#262a33",
        leaf_fill="#1b1d23",
        loss_fill="#4a2a1c",
        highlight="#e58ac0",
    ),
    "print": Theme(
        "print",
        background="white",
        text="#000000",
        forward="#000000",
        gradient="#5e5e5e",
        local="#333333",
        muted="#707070",
        edge="#000000",
        parameter_fill="#e6e6e6",
        operation_fill="#ffffff",
        leaf_fill="#ffffff",
        loss_fill="#d0d0d0",
        highlight="#000000",
    ),
}


def luminance(colour: str) -> float:
    """WCAG relative luminance of `#rrggbb` or `white`."""
    hex_colour = "#ffffff" if colour == "white" else colour
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def get_theme(name: str) -> Theme:
    if name not in THEMES:
        raise unknown("theme", name, THEMES)
    return THEMES[name]

"""Plots made with matplotlib: the training panels (the loss curve, the weights' path over the loss
surface, the fitted curve over a dataset) and the vanishing-gradient plot.

In the diagrams' themes and font (DejaVu Sans), and deterministic: the same input gives the same
bytes (no dates or versions in the files, a fixed SVG hash salt). matplotlib is imported only
inside these functions, and only through its object API (no pyplot, no global backend).
"""

from __future__ import annotations

import io
import math
from contextlib import contextmanager

from .. import notation, style
from ..defaults import MOVING, SLIDE_PIXELS
from ..training import Run, fitted, prediction, surface

PNG_DPI = 100  # a figure of `size` pixels is size/100 inches: 0.72 points a pixel in PDF and SVG
METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


@contextmanager
def _style(theme: style.Theme, scale: float):
    import matplotlib

    rc = {
        "font.family": theme.fontname,
        "font.size": 17 * scale,
        "axes.titlesize": 20 * scale,
        "axes.labelsize": 19 * scale,
        "xtick.labelsize": 17 * scale,
        "ytick.labelsize": 17 * scale,
        "legend.fontsize": 17 * scale,
        "text.color": theme.text,
        "axes.labelcolor": theme.text,
        "axes.edgecolor": theme.edge,
        "axes.facecolor": theme.background,
        "figure.facecolor": theme.background,
        "savefig.facecolor": theme.background,
        "xtick.color": theme.text,
        "ytick.color": theme.text,
        "grid.color": theme.muted,
        "axes.grid": True,
        "grid.linewidth": 0.6,
        "svg.hashsalt": "graphviz-nn",
        "svg.fonttype": "path",
        "pdf.fonttype": 42,  # TrueType: the PDF's text stays text
        "axes.unicode_minus": True,
    }
    with matplotlib.rc_context(rc):
        yield


def save(fig, fmt: str) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=PNG_DPI, metadata=METADATA[fmt])
    return out.getvalue()


def _figure(size: tuple[int, int], theme: style.Theme):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] / PNG_DPI, size[1] / PNG_DPI), dpi=PNG_DPI, facecolor=theme.background)
    FigureCanvasAgg(fig)  # the Agg canvas, without choosing pyplot's global backend
    return fig


def _decade_ticks(ax, low: float, high: float) -> None:
    """On a log axis over more than three decades, a tick at each decade reads; the eight minor ticks
    between them only clutter (and are most of the time matplotlib spends drawing the axes)."""
    from matplotlib.ticker import NullLocator

    if high / low > 1e3:
        ax.yaxis.set_minor_locator(NullLocator())


def _scale(size: tuple[int, int]) -> float:
    """Font scale: 1 on a 1920×1080 canvas (text 17 to 20 points at 100 dpi, 24 to 28 pixels)."""
    return min(size[0] / 1920, size[1] / 1080)


# -- training ---------------------------------------------------------------------------------------


class TrainingPlot:
    """The plot panels of a training run, drawn once and updated per frame (fixed axes, so nothing
    moves from frame to frame): [fitted curve (with a dataset) | loss | weights]. With `caption_rows`,
    room below for a caption (frames with no diagram above them)."""

    def __init__(
        self,
        run: Run,
        theme: str | style.Theme,
        size: tuple[int, int],
        digits: int,
        caption_rows: int = 0,
        scale: float = 1.0,
    ):
        import numpy as np

        self.run, self.digits = run, digits
        self.theme = theme if isinstance(theme, style.Theme) else style.get_theme(theme)
        self.size, self.scale = size, scale  # 1 on a 1920×1080 frame
        self.caption_rows = caption_rows
        self._background = None  # the static panels, once drawn (for `image`)
        states = run.states
        self.steps = np.array([s.step for s in states], float)
        self.losses = np.array([s.loss for s in states], float)
        self.weights = {p: np.array([s.weights[p] for s in states], float) for p in run.parameters}
        self.labels = {p: run.graph.nodes[p]["label"] for p in run.parameters}
        self.loss_name = "mean Loss" if run.points else "Loss"
        with _style(self.theme, self.scale):
            self.fig = _figure(size, self.theme)
            panels = 3 if run.points else 2
            caption = (0.045 * caption_rows + 0.02) if caption_rows else 0
            self.fig.subplots_adjust(left=0.06, right=0.985, top=0.92, bottom=caption + 0.15, wspace=0.28)
            axes = list(self.fig.subplots(1, panels))
            self.fit_ax = axes.pop(0) if run.points else None
            self.loss_ax, self.weight_ax = axes
            self._draw_loss()
            self._draw_weights()
            if self.fit_ax is not None:
                self._draw_fit()
            self.caption = [
                self.fig.text(
                    0.012, caption - 0.045 * (i + 1) + 0.01, "", fontsize=20 * self.scale, gid=f"{MOVING}caption{i}"
                )
                for i in range(caption_rows)
            ]
            if caption_rows:
                self.caption[0].set_fontweight("bold")

    # -- static parts and the artists each frame updates ---------------------------------------------
    def _draw_loss(self) -> None:
        import numpy as np

        ax, t = self.loss_ax, self.theme
        ax.set_title(f"{self.loss_name} after each step", color=t.text)
        ax.set_xlabel("step")
        ax.set_xlim(0, max(self.run.steps, 1))
        finite = self.losses[np.isfinite(self.losses)]
        low, high = float(finite.min()), float(finite.max())
        if low > 0 and high / low > 50:
            ax.set_yscale("log")
            ax.set_ylim(low / 1.5, high * 1.5)
            _decade_ticks(ax, low, high)
        else:
            pad = (high - low) * 0.08 or max(abs(high), 1e-3) * 0.1
            ax.set_ylim(min(0.0, low - pad) if low >= 0 else low - pad, high + pad)
        (self.loss_line,) = ax.plot([], [], color=t.forward, linewidth=2.5 * self.scale, gid=f"{MOVING}loss")
        (self.loss_dot,) = ax.plot(
            [], [], "o", color=t.highlight, markersize=11 * self.scale, zorder=5, clip_on=False, gid=f"{MOVING}loss-dot"
        )

    def _draw_weights(self) -> None:
        params = self.run.parameters
        if len(params) == 2:
            self._draw_contours()
        elif len(params) == 1:
            self._draw_profile()
        else:
            self._draw_trajectories()

    def _bounds(self, values) -> tuple[float, float]:
        low, high = float(values.min()), float(values.max())
        span = max(high - low, 0.5)
        return low - 0.35 * span, high + 0.35 * span

    def _draw_contours(self) -> None:
        import numpy as np
        from matplotlib.colors import LinearSegmentedColormap

        ax, t = self.weight_ax, self.theme
        a, b = self.run.parameters
        n = 61 if not self.run.points else max(25, int(61 * math.sqrt(10 / max(len(self.run.points), 10))))
        xs, ys = np.linspace(*self._bounds(self.weights[a]), n), np.linspace(*self._bounds(self.weights[b]), n)
        z = np.ma.masked_invalid(surface(self.run, list(xs), list(ys)))
        finite = z.compressed()
        if finite.size and finite.max() > finite.min():
            levels = np.unique(np.quantile(finite, np.linspace(0.04, 0.96, 9)))
            shades = LinearSegmentedColormap.from_list("surface", [t.background, t.loss_fill])  # high loss: loss colour
            ax.contourf(xs, ys, z, levels=[finite.min(), *levels, finite.max()], cmap=shades, alpha=0.9)
            lines = ax.contour(xs, ys, z, levels=levels, colors=t.local, linewidths=0.8 * self.scale)
            ax.clabel(lines, fontsize=14 * self.scale, fmt=lambda v: notation.number(v, 2))
        ax.set_xlim(xs[0], xs[-1])
        ax.set_ylim(ys[0], ys[-1])
        ax.set_xlabel(self.labels[a])
        ax.set_ylabel(self.labels[b], rotation=0, labelpad=18 * self.scale)
        ax.set_title(f"path of ({self.labels[a]}, {self.labels[b]}) on Loss contours")
        ax.grid(False)
        ax.plot(self.weights[a][0], self.weights[b][0], "s", color=t.text, markersize=8 * self.scale, zorder=4)
        self._path_artists()

    def _draw_profile(self) -> None:
        import numpy as np

        ax, t = self.weight_ax, self.theme
        (p,) = self.run.parameters
        xs = np.linspace(*self._bounds(self.weights[p]), 201)
        ax.plot(xs, surface(self.run, list(xs)), color=t.local, linewidth=1.5 * self.scale)
        ax.set_xlim(xs[0], xs[-1])
        ax.set_xlabel(self.labels[p])
        ax.set_title(f"{self.loss_name} as a function of {self.labels[p]}")
        self._path_artists()

    def _draw_trajectories(self) -> None:
        ax = self.weight_ax
        ax.set_xlim(0, max(self.run.steps, 1))
        every = [v for p in self.run.parameters for v in self.weights[p]]
        low, high = min(every), max(every)
        pad = (high - low) * 0.08 or 0.5
        ax.set_ylim(low - pad, high + pad)
        ax.set_xlabel("step")
        ax.set_title("each weight after each step")
        self.trajectories = {
            p: ax.plot([], [], linewidth=2 * self.scale, gid=f"{MOVING}weight{n}")[0]
            for n, p in enumerate(self.run.parameters)
        }
        # Each line named at its end, where the eye is: a legend of many colours is hard to match.
        self.tags = {
            p: ax.text(0, 0, f" {self.labels[p]}", color=line.get_color(), va="center", fontsize=15 * self.scale)
            for p, line in self.trajectories.items()
        }
        for n, tag in enumerate(self.tags.values()):
            tag.set_gid(f"{MOVING}tag{n}")

    def _path_artists(self) -> None:
        t, ax = self.theme, self.weight_ax
        (self.path,) = ax.plot(
            [],
            [],
            "-o",
            color=t.gradient,
            linewidth=2 * self.scale,
            markersize=4 * self.scale,
            zorder=5,
            gid=f"{MOVING}path",
        )
        (self.here,) = ax.plot(
            [],
            [],
            "o",
            color=t.highlight,
            markerfacecolor="none",
            markeredgewidth=3 * self.scale,
            markersize=16 * self.scale,
            zorder=6,
            gid=f"{MOVING}here",
        )  # fmt: skip  (a ring, so the arrow of the next update shows inside it)
        self.next = None

    def _draw_fit(self) -> None:
        import numpy as np

        ax, t, run = self.fit_ax, self.theme, self.run
        px = np.array([x for x, _ in run.points])
        py = np.array([y for _, y in run.points])
        low, high = self._bounds(px)
        self.xs = list(np.linspace(low, high, 160))
        ax.scatter(px, py, s=60 * self.scale**2, color=t.text, zorder=4, label="data (x, y*)")
        name = run.graph.nodes[prediction(run.graph)]["label"]
        (self.fit_line,) = ax.plot(
            [], [], color=t.forward, linewidth=2.5 * self.scale, label=f"{name}(x)", gid=f"{MOVING}fit"
        )
        ax.set_xlim(low, high)
        curves = [fitted(run, i, self.xs) for i in range(len(run.states))]
        every = [v for c in curves for v in c if math.isfinite(v)] + list(py)
        pad = (max(every) - min(every)) * 0.08 or 0.5
        ax.set_ylim(min(every) - pad, max(every) + pad)
        self.curves = curves
        ax.set_xlabel("x")
        ax.set_title(f"the fit {name}(x) over {len(run.points)} points")
        ax.legend(loc="best", frameon=False).set_gid(f"{MOVING}legend")  # "best" may move with the fit

    # -- one frame --------------------------------------------------------------------------------
    def frame(self, index: int, fmt: str, caption: list[str] | None = None, moving_only: bool = False) -> bytes:
        """The panels at state `index` as `fmt` bytes: everything up to it drawn, the update about to
        be applied as an arrow on the weights' path. With `moving_only`, only the artists a frame
        changes (ids starting with MOVING) are drawn, in their axes' groups: what a frame adds to
        the first one drawn whole (the static rest is most of the drawing time)."""
        self._update(index, caption)
        with _style(self.theme, self.scale), self._moving_only(moving_only):
            return save(self.fig, fmt)

    @contextmanager
    def _moving_only(self, hide: bool):
        """The static artists hidden for the duration, if `hide` (the axes themselves stay: their
        groups hold the moving parts)."""
        hidden = []
        if hide:
            keep = self.changing()
            candidates = [self.fig.patch, *self.fig.texts, *(a for ax in self.fig.axes for a in ax.get_children())]
            hidden = [a for a in candidates if a not in keep and a.get_visible()]
        for artist in hidden:
            artist.set_visible(False)
        try:
            yield
        finally:
            for artist in hidden:
                artist.set_visible(True)

    def pdf_pages(self, indices: list[int], captions: list[list[str]] | None = None) -> bytes:
        """The panels at each state of `indices` (with its caption, if any) as the pages of one PDF:
        the fonts are embedded once for every page, where saving each frame subsets them again."""
        from matplotlib.backends.backend_pdf import PdfPages

        out = io.BytesIO()
        with _style(self.theme, self.scale):
            pages = PdfPages(out, metadata=METADATA["pdf"])
        try:
            for index, caption in zip(indices, captions or [None] * len(indices), strict=True):
                self._update(index, caption)  # outside the style, as in `frame`: the arrow's head is sized there
                with _style(self.theme, self.scale):
                    pages.savefig(self.fig, dpi=PNG_DPI)
        finally:
            with _style(self.theme, self.scale):  # the fonts are embedded on closing, as TrueType
                pages.close()
        return out.getvalue()

    def image(self, index: int, caption: list[str] | None = None):
        """The same panels as a Pillow RGB image, with no PNG to encode and decode on the way. The
        static parts (axes, contours, data) are drawn once; each frame repaints only what moves."""
        from PIL import Image

        canvas = self.fig.canvas
        with _style(self.theme, self.scale):
            if self._background is None:
                for artist in self.moving():
                    artist.set_animated(True)  # left out of the full draw, drawn per frame below
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._update(index, caption)
            canvas.restore_region(self._background)
            for artist in self.moving():
                artist.set_animated(True)
                self.fig.draw_artist(artist)
            return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")

    @property
    def panels(self) -> list:
        """The axes, left to right: [fitted curve (with a dataset),] loss, weights."""
        return [ax for ax in (self.fit_ax, self.loss_ax, self.weight_ax) if ax is not None]

    def changing(self) -> set:
        """What a frame may draw differently from the first: the moving artists, and a legend placed
        "best", which may move with the fit."""
        return {*self.moving(), *(ax.get_legend() for ax in self.panels if ax.get_legend() is not None)}

    def moving(self) -> list:
        """The artists a frame changes: the curves and points that grow, the arrow, the captions."""
        moving = [self.loss_line, self.loss_dot, *self.caption]
        if hasattr(self, "path"):
            moving += [self.path, self.here, *([self.next] if self.next is not None else [])]
        if hasattr(self, "trajectories"):
            moving += [*self.trajectories.values(), *self.tags.values()]
        if self.fit_ax is not None:
            moving.append(self.fit_line)
        return moving

    def _update(self, index: int, caption: list[str] | None) -> None:
        k = index + 1
        self.loss_line.set_data(self.steps[:k], self.losses[:k])
        self.loss_dot.set_data(self.steps[index : index + 1], self.losses[index : index + 1])
        params = self.run.parameters
        if len(params) == 2:
            a, b = params
            self.path.set_data(self.weights[a][:k], self.weights[b][:k])
            self.here.set_data(self.weights[a][index : index + 1], self.weights[b][index : index + 1])
            self._arrow(index, self.weights[a], self.weights[b])
        elif len(params) == 1:
            (p,) = params
            self.path.set_data(self.weights[p][:k], self.losses[:k])
            self.here.set_data(self.weights[p][index : index + 1], self.losses[index : index + 1])
        else:
            for p, line in self.trajectories.items():
                line.set_data(self.steps[:k], self.weights[p][:k])
            self._place_tags(index)
        if self.fit_ax is not None:
            self.fit_line.set_data(self.xs, self.curves[index])
        for row, text in zip(self.caption, [*(caption or []), *[""] * self.caption_rows], strict=False):
            row.set_text(text)

    def _place_tags(self, index: int) -> None:
        """Names at the lines' current ends, nudged apart vertically so none covers another."""
        low, high = self.weight_ax.get_ylim()
        pixels = self.weight_ax.get_position().height * self.size[1]
        gap = (high - low) * 15 * self.scale * PNG_DPI / 72 * 1.15 / pixels  # one line of the tags' text
        ends = sorted((self.weights[p][index], p) for p in self.run.parameters)
        placed: list[float] = []
        for y, _ in ends:
            placed.append(max(y, placed[-1] + gap) if placed else y)
        overflow = placed[-1] - (high - gap / 2) if placed else 0
        for (_, p), y in zip(ends, placed, strict=True):
            self.tags[p].set_position((self.steps[index], y - max(overflow, 0)))

    def _arrow(self, index: int, xs, ys) -> None:
        if self.next is not None:
            self.next.remove()
            self.next = None
        if index + 1 < len(xs):
            self.next = self.weight_ax.annotate(
                "",
                xy=(xs[index + 1], ys[index + 1]),
                xytext=(xs[index], ys[index]),
                arrowprops={"arrowstyle": "-|>", "color": self.theme.highlight, "lw": 2.5 * self.scale},
                zorder=7,
            )
            self.next.arrow_patch.set_gid(f"{MOVING}next")  # the arrow is its own part (the text is empty)


# -- the vanishing-gradient plot ------------------------------------------------------------------


ACTIVATION_TITLES = {"sigmoid": "sigmoid σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}


def vanishing(
    profiles: dict[str, dict[str, float]],
    labels: dict[str, str],
    title: str,
    theme: str | style.Theme = "light",
    fmt: str = "png",
    size: tuple[int, int] = SLIDE_PIXELS,
) -> bytes:
    """|∂Loss/∂w| for each weight (x axis, first layer left), one panel per activation, on one shared
    log scale. An exact zero cannot sit on a log scale: it is marked `0` at the bottom and counted."""
    import numpy as np

    theme = theme if isinstance(theme, style.Theme) else style.get_theme(theme)
    scale = _scale(size)
    every = [abs(v) for p in profiles.values() for v in p.values() if v != 0]
    low = min(every) / 8 if every else 1e-3
    high = max(every) * 3 if every else 1
    with _style(theme, scale):
        fig = _figure(size, theme)
        fig.subplots_adjust(left=0.075, right=0.99, top=0.8, bottom=0.1, wspace=0.08)
        axes = fig.subplots(1, len(profiles), sharey=True)
        axes = np.atleast_1d(axes)
        fig.suptitle(title, y=0.965, fontsize=26 * scale, fontweight="bold", color=theme.text)
        for ax, (activation, grads) in zip(axes, profiles.items(), strict=True):
            params = list(grads)
            sizes = [abs(grads[p]) for p in params]
            positions = np.arange(1, len(params) + 1)
            ax.set_yscale("log")
            ax.set_ylim(low, high)
            _decade_ticks(ax, low, high)
            bars = [s if s > 0 else np.nan for s in sizes]
            ax.bar(positions, bars, width=0.7, color=theme.gradient, zorder=3)
            for x, s in zip(positions, sizes, strict=True):
                if s == 0:
                    ax.text(x, low * 1.3, "0", ha="center", va="bottom", color=theme.gradient, fontweight="bold")
            ax.set_xticks(positions, [labels[p] for p in params])
            ax.set_xlim(0.4, len(params) + 0.6)
            if len(params) > 8:
                ax.tick_params(axis="x", labelsize=15 * scale)
            ax.grid(axis="x", visible=False)
            ax.set_title(ACTIVATION_TITLES.get(activation, activation), fontweight="bold", pad=34 * scale)
            ax.text(0.5, 1.015, _summary(grads, labels), transform=ax.transAxes, ha="center", va="bottom",
                    color=theme.local, fontsize=17 * scale)  # fmt: skip
        axes[0].set_ylabel("|∂Loss/∂w|  (log scale)")
        return save(fig, fmt)


def _summary(grads: dict[str, float], labels: dict[str, str]) -> str:
    """How much of the last weight's gradient reaches the first: the vanishing factor, in words."""
    params = list(grads)
    first, last = abs(grads[params[0]]), abs(grads[params[-1]])
    zeros = sum(1 for v in grads.values() if v == 0)
    if zeros == len(params):
        return "all 0: a unit with z ≤ 0 passes no gradient back"
    if zeros:
        return f"{zeros} of {len(params)} gradients are exactly 0"
    if len(params) == 1:
        return f"|∂Loss/∂{labels[params[0]]}| = {notation.number(first)}"
    return f"|∂Loss/∂{labels[params[0]]}| / |∂Loss/∂{labels[params[-1]]}| = {notation.number(first / last)}"

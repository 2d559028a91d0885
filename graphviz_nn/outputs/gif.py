"""An animated GIF of drawn frames (PDF frames from Graphviz, or PNGs)."""

from __future__ import annotations

import collections
import io
from concurrent.futures import ThreadPoolExecutor

from .. import raster
from ..errors import NNError

MAX_DELAY_MS = 655_350  # a GIF stores each frame's delay in hundredths of a second, in 16 bits
MIN_DELAY_MS = 20  # browsers show a delay of 0 or 1 hundredth as 100 ms, so 20 ms is the shortest kept
HOLD_FACTOR = 3  # the first and last frames hold this many times longer (at least HOLD_MIN_MS)
HOLD_MIN_MS = 2000
# Memory: one frame decoded is 3 bytes a pixel; the GIF writer keeps every frame at 1 byte a pixel.
MAX_FRAME_PIXELS = 8000 * 8000
MAX_PIXELS = 600_000_000  # every frame together: 289 frames of 1920×1080, about 1.1 GB at the peak
IN_FLIGHT_BYTES = 200_000_000  # decoded frames waiting at once: 4 of 1920×1080, 1 of 8000×8000


def check_duration(duration: int) -> int:
    """Milliseconds per frame that the GIF format can store and viewers honour, held ends included."""
    longest = MAX_DELAY_MS // HOLD_FACTOR
    if isinstance(duration, bool) or not isinstance(duration, int) or not MIN_DELAY_MS <= duration <= longest:
        raise NNError(
            f"--duration {duration} is outside what a GIF can show ({MIN_DELAY_MS} to {longest} milliseconds "
            f"per frame; the first and last frames hold {HOLD_FACTOR} times longer)"
        )
    return duration


def check_pixels(count: int, width: int, height: int) -> None:
    """Refuse an animation too big to assemble in memory, before anything is drawn."""
    if width * height > MAX_FRAME_PIXELS:
        raise NNError(
            f"a frame of {width}×{height} pixels is too large for a GIF (at most {MAX_FRAME_PIXELS / 1e6:.0f} "
            "million pixels a frame); choose a smaller --size"
        )
    if count * width * height > MAX_PIXELS:
        raise NNError(
            f"{count} frames of {width}×{height} pixels are too many for one GIF (at most "
            f"{MAX_PIXELS / 1e6:.0f} million pixels in all); choose a smaller --size or --phase forward/backward"
        )


class Animation:
    """A GIF put together as its frames arrive: each frame is turned into pixels and sampled for the
    palette as soon as it is drawn (while Graphviz draws the next ones), then all are quantized and
    written by `finish`. One palette built from all frames and no dithering keep text crisp and
    colours identical from frame to frame. Frames come as PDF (`pdf=True`, rasterized by PDFium) or
    as PNG. Memory holds the frames' pixels when they fit in `IN_FLIGHT_BYTES`, else the frames as
    they came, turned into pixels a second time a few at a time."""

    def __init__(self, count: int, size: tuple[int, int], pdf: bool = False):
        if count < 1:
            raise NNError("an animation needs at least one frame")
        check_pixels(count, *size)
        self.count, self.size = count, size
        self.pixels = (lambda frame: raster.from_pdf(frame, size)) if pdf else raster.from_png
        if pdf:
            raster.preload()
        self.sample = raster.Sample(count, size)
        self.keep = 3 * size[0] * size[1] * count <= IN_FLIGHT_BYTES
        self.frames: list = [None] * count  # the pixels if they are kept, else the frames as they came

    def add(self, index: int, frame: bytes) -> None:
        image = self.pixels(frame)
        if image.size != self.size:
            raise NNError(f"frame {index} is {image.size} pixels, not {self.size} like the others")
        self.sample.add(index, image)
        self.frames[index] = image if self.keep else frame

    def finish(self, duration: int, hold: int | None = None) -> bytes:
        """The GIF: looping forever, holding on the first and last frames."""
        from PIL import Image

        check_duration(duration)
        palette = self.sample.palette()
        ahead = max(1, min(4, IN_FLIGHT_BYTES // (3 * self.size[0] * self.size[1])))  # decoded frames at once

        def quantized(frame):
            image = frame if self.keep else self.pixels(frame)
            return image.quantize(palette=palette, dither=Image.Dither.NONE)

        hold = min(hold or max(HOLD_FACTOR * duration, HOLD_MIN_MS), MAX_DELAY_MS)
        durations = [duration] * self.count
        durations[0] = durations[-1] = hold
        out = io.BytesIO()
        with ThreadPoolExecutor(max_workers=ahead) as pool:  # quantizing and PNG decoding release the GIL
            frames = _in_order(pool, quantized, self.frames, ahead)
            next(frames).save(
                out, "GIF", save_all=True, append_images=frames, duration=durations, loop=0, optimize=False, disposal=1
            )
        return out.getvalue()


def gif(pngs: list[bytes], duration: int, hold: int | None = None) -> bytes:
    """An animated GIF of frames already drawn (see `Animation` to build one as frames arrive)."""
    check_duration(duration)
    if not pngs:
        raise NNError("an animation needs at least one frame")
    animation = Animation(len(pngs), raster.png_size(pngs[0]))
    ahead = max(1, min(4, IN_FLIGHT_BYTES // (3 * animation.size[0] * animation.size[1])))
    with ThreadPoolExecutor(max_workers=ahead) as pool:  # PNG decoding releases the GIL
        for _ in _in_order(pool, lambda item: animation.add(*item), list(enumerate(pngs)), ahead):
            pass
    return animation.finish(duration, hold)


def _in_order(pool: ThreadPoolExecutor, fn, items: list, ahead: int):
    """`pool.map(fn, items)` with at most `ahead` frames in flight, so few decoded frames exist at once."""
    pending: collections.deque = collections.deque()
    for item in items:
        if len(pending) == ahead:
            yield pending.popleft().result()
        pending.append(pool.submit(fn, item))
    while pending:
        yield pending.popleft().result()

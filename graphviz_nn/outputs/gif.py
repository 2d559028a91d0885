"""An animated GIF of rendered PNG frames."""

from __future__ import annotations

import collections
import heapq
import io
from concurrent.futures import ThreadPoolExecutor

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


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header, without decoding it."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def gif(pngs: list[bytes], duration: int, hold: int | None = None) -> bytes:
    """An animated GIF that loops forever, holding on the first and last frames. One palette built
    from all frames and no dithering keep text crisp and colours identical from frame to frame.
    Frames are decoded a few at a time, so memory holds the compressed PNGs and the GIF's own frames."""
    from PIL import Image

    check_duration(duration)
    if not pngs:
        raise NNError("an animation needs at least one frame")
    width, height = png_size(pngs[0])
    check_pixels(len(pngs), width, height)

    def rgb(png: bytes):
        return Image.open(io.BytesIO(png)).convert("RGB")

    # The palette comes from a sample of every frame; nearest-neighbour shrinking keeps exact colours.
    small = (max(1, width // 6), max(1, height // 6))
    sample = Image.new("RGB", (small[0], small[1] * len(pngs)))
    ahead = max(1, min(4, IN_FLIGHT_BYTES // (3 * width * height)))  # decoded frames at once
    with ThreadPoolExecutor(max_workers=ahead) as pool:  # PNG decoding releases the GIL
        shrunk = _in_order(pool, lambda p: rgb(p).resize(small, Image.Resampling.NEAREST), pngs, ahead)
        for i, image in enumerate(shrunk):
            sample.paste(image, (0, small[1] * i))
        palette = _palette(sample)
        del sample
        frames = _in_order(pool, lambda p: rgb(p).quantize(palette=palette, dither=Image.Dither.NONE), pngs, ahead)
        hold = min(hold or max(HOLD_FACTOR * duration, HOLD_MIN_MS), MAX_DELAY_MS)
        durations = [duration] * len(pngs)
        durations[0] = durations[-1] = hold
        out = io.BytesIO()
        next(frames).save(
            out, "GIF", save_all=True, append_images=frames, duration=durations, loop=0, optimize=False, disposal=1
        )
    return out.getvalue()


def _in_order(pool: ThreadPoolExecutor, fn, items: list, ahead: int):
    """`pool.map(fn, items)` with at most `ahead` frames in flight, so few decoded frames exist at once."""
    pending: collections.deque = collections.deque()
    for item in items:
        if len(pending) == ahead:
            yield pending.popleft().result()
        pending.append(pool.submit(fn, item))
    while pending:
        yield pending.popleft().result()


def _palette(sample, exact: int = 64):
    """255 colours: the most frequent ones exactly (background, fills, text), so a white page stays
    white; median cut of the sample for the anti-aliased rest. Pillow looks colours up through a
    coarse cache that can hand a cell to any entry in it, so no other entry may sit within a few
    levels of an exact colour."""
    from PIL import Image

    def far(colour, others) -> bool:
        return all(max(abs(a - b) for a, b in zip(colour, other, strict=True)) > 8 for other in others)

    kept: list[tuple[int, int, int]] = []
    # At most one colour per pixel; a bigger bound only makes Pillow allocate a bigger table.
    for _, colour in heapq.nlargest(8 * exact, sample.getcolors(maxcolors=sample.width * sample.height)):
        if len(kept) == exact:
            break
        if far(colour, kept):
            kept.append(colour)
    cut = sample.quantize(colors=255 - len(kept), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    flat = cut.getpalette()[: 3 * (255 - len(kept))]
    rest = [c for c in (tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)) if far(c, kept)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for rgb in kept + rest for c in rgb])
    return palette

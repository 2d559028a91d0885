"""An animated GIF of rendered PNG frames."""

from __future__ import annotations

import heapq
import io
from concurrent.futures import ThreadPoolExecutor

from ..errors import NNError

MAX_DELAY_MS = 655_350  # a GIF stores each frame's delay in hundredths of a second, in 16 bits
HOLD_FACTOR = 3  # the first and last frames hold this many times longer (at least HOLD_MIN_MS)
HOLD_MIN_MS = 2000


def check_duration(duration: int) -> int:
    """Milliseconds per frame that the GIF format can store, held ends included."""
    longest = MAX_DELAY_MS // HOLD_FACTOR
    if not 10 <= duration <= longest:
        raise NNError(f"--duration {duration} is outside what a GIF can store (10 to {longest} milliseconds per frame)")
    return duration


def gif(pngs: list[bytes], duration: int, hold: int | None = None) -> bytes:
    """An animated GIF that loops forever, holding on the first and last frames. One palette built
    from all frames and no dithering keep text crisp and colours identical from frame to frame."""
    from PIL import Image

    check_duration(duration)
    with ThreadPoolExecutor() as pool:  # PNG decoding releases the GIL
        images = list(pool.map(lambda p: Image.open(io.BytesIO(p)).convert("RGB"), pngs))
    # The palette comes from a sample of every frame; nearest-neighbour shrinking keeps exact colours.
    width, height = images[0].size
    small = (max(1, width // 6), max(1, height // 6))
    sample = Image.new("RGB", (small[0], small[1] * len(images)))
    for i, image in enumerate(images):
        sample.paste(image.resize(small, Image.Resampling.NEAREST), (0, small[1] * i))
    palette = _palette(sample)
    with ThreadPoolExecutor() as pool:
        frames = list(pool.map(lambda im: im.quantize(palette=palette, dither=Image.Dither.NONE), images))
    hold = min(hold or max(HOLD_FACTOR * duration, HOLD_MIN_MS), MAX_DELAY_MS)
    durations = [duration] * len(frames)
    durations[0] = durations[-1] = hold
    out = io.BytesIO()
    frames[0].save(
        out, "GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0, optimize=False, disposal=1
    )
    return out.getvalue()


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

"""The GIF's frames are drawn as PDF and rasterized by PDFium: the pixels must be the frame Graphviz
draws as PNG (same size, same background and fills, text within anti-aliasing), and the GIF keeps them."""

import io
import threading

import numpy as np
import pytest
from PIL import Image, ImageChops

from graphviz_nn import frames, raster, runner, selection, style
from graphviz_nn.outputs import gif


def _colour(hex_colour: str) -> tuple[int, int, int]:
    hex_colour = hex_colour.replace("white", "#ffffff")
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _close_share(a, b, tolerance: int = 32) -> float:
    """The share of pixels whose channels all differ by at most `tolerance`."""
    red, green, blue = ImageChops.difference(a, b).split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue).histogram()
    return sum(worst[: tolerance + 1]) / (a.width * a.height)


@pytest.fixture(scope="module")
def graph():
    return selection.propagated()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_pdf_frame_rasterizes_to_the_png_frame(graph, theme):
    sequence = frames.prepare(graph, "forward", theme, "1280x720")
    last = len(sequence) - 1
    want = raster.from_png(runner.pipe(sequence.source(last, "png"), "png"))
    got = raster.from_pdf(runner.pipe(sequence.source(last, "pdf"), "pdf"), want.size)
    assert got.mode == "RGB" and got.size == want.size
    colours = style.THEMES[theme]
    assert got.getpixel((0, 0)) == got.getpixel((got.width - 1, got.height - 1)) == _colour(colours.background)
    # Page and node fills are exact, so the GIF's palette keeps them; so is text where a glyph covers
    # whole pixels, though PDFium leaves about half as many of those as cairo (it does not snap glyph
    # stems to pixels; it looks as sharp at 1:1 scale) and anti-aliases line edges a little differently.
    have, should = ({colour: n for n, colour in image.getcolors(1 << 24)} for image in (got, want))
    for fill in (colours.background, colours.parameter_fill, colours.operation_fill, colours.loss_fill):
        assert have.get(_colour(fill)) == pytest.approx(should[_colour(fill)], rel=0.2), fill
    for ink in (colours.text, colours.forward):
        assert have.get(_colour(ink), 0) > 0.4 * should[_colour(ink)], ink
    assert _close_share(got, want) > 0.94  # the rest is anti-aliasing, placed the same


def test_exact_pads_with_the_corner_colour_and_crops():
    image = Image.new("RGB", (10, 8), (1, 2, 3))
    image.putpixel((9, 7), (200, 0, 0))
    padded = raster.exact(image, (12, 9))
    assert padded.size == (12, 9) and padded.getpixel((11, 8)) == (1, 2, 3) and padded.getpixel((9, 7)) == (200, 0, 0)
    assert raster.exact(image, (5, 4)).tobytes() == image.crop((0, 0, 5, 4)).tobytes()
    assert raster.exact(image, (10, 8)) is image


def test_rasterizing_from_several_threads_gives_what_one_thread_gives(graph):
    """PDFium allows one call at a time; the module serializes callers, so threads are safe."""
    sequence = frames.prepare(graph, "forward", size="320x180")
    pdfs = frames.render_all(sequence, "pdf")
    alone = [raster.from_pdf(pdf, (320, 180)).tobytes() for pdf in pdfs]
    together: dict[int, bytes] = {}

    def draw(i: int) -> None:
        for _ in range(3):
            together[i] = raster.from_pdf(pdfs[i], (320, 180)).tobytes()

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(len(pdfs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [together[i] for i in range(len(pdfs))] == alone


def test_a_gif_of_pdf_frames_keeps_their_pixels(graph):
    sequence = frames.prepare(graph, "forward", "dark", "640x360")
    animation = gif.Animation(len(sequence), (640, 360), pdf=True)
    pdfs = frames.render_all(sequence, "pdf", on_frame=animation.add)
    image = Image.open(io.BytesIO(animation.finish(500)))
    assert image.n_frames == len(pdfs)
    for i in (0, len(pdfs) - 1):
        image.seek(i)
        got, want = image.convert("RGB"), raster.from_pdf(pdfs[i], (640, 360))
        assert got.getpixel((1, 1)) == _colour(style.THEMES["dark"].background)
        assert _close_share(got, want, tolerance=16) > 0.999  # 255 colours: only anti-aliasing moves


def test_a_gif_too_big_to_keep_in_memory_is_the_same_gif(graph, monkeypatch):
    """Past the memory bound the frames are kept as they came and rasterized again while writing."""
    sequence = frames.prepare(graph, "forward", size="320x180")
    pdfs = frames.render_all(sequence, "pdf")

    def made() -> tuple[bool, bytes]:
        animation = gif.Animation(len(pdfs), (320, 180), pdf=True)
        for i, pdf in enumerate(pdfs):
            animation.add(i, pdf)
        return animation.keep, animation.finish(500)

    kept, in_memory = made()
    monkeypatch.setattr(gif, "IN_FLIGHT_BYTES", 3 * 320 * 180 * 2)  # two frames' pixels at once
    again, streamed = made()
    assert kept and not again and streamed == in_memory


def test_deck_pictures_are_pngs_of_the_pdf_frames_with_one_palette(graph):
    """A PowerPoint deck's pictures: exactly the frame's size, the page and fills exact, the rest
    within anti-aliasing of the rasterized PDF, and one palette shared by every picture."""
    sequence = frames.prepare(graph, "backward", "light", "640x360")
    pdfs = frames.render_all(sequence, "pdf")
    pictures = [Image.open(io.BytesIO(png)) for png in raster.pngs_from_pdfs(pdfs, (640, 360))]
    assert len(pictures) == len(pdfs) and {p.format for p in pictures} == {"PNG"}
    assert {p.size for p in pictures} == {(640, 360)} and {p.mode for p in pictures} == {"P"}
    assert len({bytes(p.getpalette()) for p in pictures}) == 1
    colours = style.THEMES["light"]
    for i in (0, len(pdfs) - 1):
        got, want = pictures[i].convert("RGB"), raster.from_pdf(pdfs[i], (640, 360))
        assert got.getpixel((1, 1)) == _colour(colours.background)
        for fill in (colours.background, colours.parameter_fill, colours.operation_fill, colours.loss_fill):
            exact = (np.asarray(want) == _colour(fill)).all(axis=2)  # held exactly by the palette
            assert exact.any() and (np.asarray(got)[exact] == _colour(fill)).all(), fill
        assert _close_share(got, want, tolerance=16) > 0.999

"""A PowerPoint deck: a title slide, then one slide per step with the frame as a picture, the counter
and the chain-rule caption as editable text, and speaker notes that say what the step does.

The picture is stored the way PowerPoint stores an inserted SVG: a PNG at the slide's resolution in
the picture, and the vector frame (SVG, glyphs drawn as outlines so no font is needed) in Office's
svgBlip extension. PowerPoint 2016 and later and LibreOffice show the vector; Keynote, Google Slides
and older PowerPoint show the PNG.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from .. import notation
from ..defaults import SLIDE_PIXELS
from ..errors import NNError
from ..frames import Frames

EMU_PER_INCH = 914_400
SLIDE_WIDTH = 12_192_000  # 13.333 in, PowerPoint's 16:9 width; --size sets the height by its ratio
MARGIN = 0.35  # inches, left and right
TITLE_TOP, TITLE_HEIGHT = 0.2, 0.65
CAPTION_HEIGHT = 1.05  # room for two caption lines at the largest size (three at the smallest)
CAPTION_POINTS = (12.0, 22.0)  # the caption's size: as large as fits its longest line on one line
CHAR_WIDTH = 0.55  # an average glyph's width in ems, to size the caption before any font is known
FIXED_DATE = datetime(2000, 1, 1)  # core properties and zip entries: the same bytes for the same input
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"  # Office's URI for an SVG behind a picture
SVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"


@dataclass(frozen=True)
class Geometry:
    """Where things go on a slide, in EMU, and the pixel size the frames are drawn at."""

    pixels: tuple[int, int]  # the whole slide at --size resolution

    @property
    def width(self) -> int:
        return SLIDE_WIDTH

    @property
    def height(self) -> int:
        return round(SLIDE_WIDTH * self.pixels[1] / self.pixels[0])

    def inches(self, value: float) -> int:
        return round(value * EMU_PER_INCH)

    @property
    def title(self) -> tuple[int, int, int, int]:
        m = self.inches(MARGIN)
        return m, self.inches(TITLE_TOP), self.width - 2 * m, self.inches(TITLE_HEIGHT)

    @property
    def caption(self) -> tuple[int, int, int, int]:
        m, height = self.inches(MARGIN), self.inches(CAPTION_HEIGHT)
        return m, self.height - height - self.inches(0.15), self.width - 2 * m, height

    @property
    def picture(self) -> tuple[int, int, int, int]:
        m, gap = self.inches(MARGIN), self.inches(0.1)
        top = self.title[1] + self.title[3] + gap
        return m, top, self.width - 2 * m, self.caption[1] - gap - top

    @property
    def picture_pixels(self) -> tuple[int, int]:
        """The picture's box at the slide's resolution: the frames are drawn exactly this size."""
        scale = self.pixels[0] / self.width
        return round(self.picture[2] * scale), round(self.picture[3] * scale)


def geometry(size: tuple[int, int] | None) -> Geometry:
    """The slide for `--size` (pixels; 1920x1080 by default), refused if no picture would fit."""
    layout = Geometry(size or SLIDE_PIXELS)
    width, height = layout.picture_pixels
    if width < 64 or height < 64 or layout.picture[3] < layout.inches(1.5):
        w, h = layout.pixels
        raise NNError(
            f"--size {w}x{h} leaves no room for the picture on a slide; use a larger size, "
            "no wider than about 3:1 (1920x1080 is a 16:9 slide)"
        )
    return layout


def deck(frames: Frames, pngs: list[bytes], svgs: list[bytes], layout: Geometry) -> bytes:
    """The .pptx bytes: the same input gives the same bytes."""
    from pptx import Presentation
    from pptx.util import Pt

    prs = Presentation()
    _stretch_template(prs, layout)
    prs.slide_width, prs.slide_height = layout.width, layout.height
    colours = _colours(frames.theme)
    _title_slide(prs, frames, layout, colours)
    lines = [line for i in range(len(frames)) for line in frames.steps[i].lines]
    points = Pt(_caption_points(lines, layout.caption[2]))
    for i in range(len(frames)):
        slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": the counter is the slide's title
        _background(slide, colours)
        counter = frames.caption(i)[0]
        _place(slide.shapes.title, layout.title)
        _write(slide.shapes.title.text_frame, [counter], Pt(26), colours["text"], bold=True)
        picture = slide.shapes.add_picture(io.BytesIO(pngs[i]), *layout.picture)
        _attach_svg(slide, picture, svgs[i])
        picture.name = f"Frame {i + 1}"
        picture._element.nvPicPr.cNvPr.set("descr", f"{counter}: the network after this step")
        box = slide.shapes.add_textbox(*layout.caption)
        box.name = "Caption"
        _write(box.text_frame, list(frames.steps[i].lines), points, colours["text"])
        slide.notes_slide.notes_text_frame.text = notes(frames, i)
    core = prs.core_properties
    core.title = _deck_title(frames)
    core.author = core.last_modified_by = "graphviz-nn"
    core.created = core.modified = FIXED_DATE
    core.revision = 1
    out = io.BytesIO()
    prs.save(out)
    return _fixed_zip(out.getvalue())


def _stretch_template(prs, layout: Geometry) -> None:
    """python-pptx's template is 4:3: stretch its placeholders to the slide, so a slide the lecturer
    adds later gets boxes that span it. Layouts first: a layout box without a place of its own
    follows the master's, which must not be stretched twice."""
    fx, fy = layout.width / prs.slide_width, layout.height / prs.slide_height
    for owner in [*prs.slide_layouts, prs.slide_master]:
        for shape in owner.placeholders:
            if shape._element.xfrm is not None:
                left, top, width, height = shape.left, shape.top, shape.width, shape.height
                shape.left, shape.width = round(left * fx), round(width * fx)
                shape.top, shape.height = round(top * fy), round(height * fy)


def _deck_title(frames: Frames) -> str:
    title = frames.graph.graph.get("title") or "a computation graph"
    return title[:1].upper() + title[1:]


def _title_slide(prs, frames: Frames, layout: Geometry, colours: dict) -> None:
    from pptx.util import Pt

    slide = prs.slides.add_slide(prs.slide_layouts[0])
    _background(slide, colours)
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    m, w = layout.inches(MARGIN), layout.width - 2 * layout.inches(MARGIN)
    _place(title, (m, round(layout.height * 0.28), w, layout.inches(1.3)))
    _place(subtitle, (m, round(layout.height * 0.28) + layout.inches(1.5), w, layout.inches(1.3)))
    _write(title.text_frame, ["Backpropagation, step by step"], Pt(40), colours["text"], bold=True)
    kinds = [k for k in ("forward", "backward", "update") if any(s.kind == k for s in frames.steps)]
    passes = {"forward": "the forward pass", "backward": "the backward pass", "update": "the update"}
    what = ", ".join(passes[k] for k in kinds[:-1]) + (" and " if len(kinds) > 1 else "") + passes[kinds[-1]]
    lines = [_deck_title(frames), f"{len(frames)} steps: {what}"]
    _write(subtitle.text_frame, lines, Pt(24), colours["text"])


def _colours(theme) -> dict:
    from pptx.dml.color import RGBColor

    def rgb(colour: str) -> RGBColor:
        named = {"white": "ffffff", "black": "000000"}
        return RGBColor.from_string(named.get(colour, colour.lstrip("#")).upper())

    return {"background": rgb(theme.background), "text": rgb(theme.text)}


def _background(slide, colours: dict) -> None:
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = colours["background"]


def _place(shape, box: tuple[int, int, int, int]) -> None:
    shape.left, shape.top, shape.width, shape.height = box


def _write(frame, lines: list[str], size, colour, bold: bool = False) -> None:
    """Lines as paragraphs of real text, left-aligned, wrapped at the box's edge if they must."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.text = ""
    for k, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold = size, bold
        run.font.color.rgb = colour


def _caption_points(lines: list[str], width_emu: int) -> float:
    """One size for every slide's caption: the largest at which the longest line fits on one line."""
    longest = max(map(len, lines), default=1)
    fit = width_emu / 12_700 / (CHAR_WIDTH * longest)  # 12,700 EMU to the point
    low, high = CAPTION_POINTS
    return round(min(high, max(low, fit)) * 2) / 2


def _attach_svg(slide, picture, svg: bytes) -> None:
    """Put the vector frame behind the picture's PNG, as PowerPoint does for an inserted SVG."""
    from lxml import etree
    from pptx.opc.constants import RELATIONSHIP_TYPE
    from pptx.opc.package import Part
    from pptx.oxml.ns import qn

    package = slide.part.package
    part = Part(package.next_image_partname("svg"), "image/svg+xml", package, svg)
    rid = slide.part.relate_to(part, RELATIONSHIP_TYPE.IMAGE)
    blip = picture._element.blipFill.find(qn("a:blip"))
    extensions = etree.SubElement(blip, qn("a:extLst"))
    extension = etree.SubElement(extensions, qn("a:ext"), uri=SVG_EXTENSION)
    svg_blip = etree.SubElement(extension, f"{{{SVG_NS}}}svgBlip", nsmap={"asvg": SVG_NS})
    svg_blip.set(qn("r:embed"), rid)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry dated alike: python-pptx stamps entries with the time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(item))
    return out.getvalue()


# -- speaker notes ----------------------------------------------------------------------------------


def notes(frames: Frames, i: int) -> str:
    """What step i does, in a sentence or two from its kind, then its numbers (the caption lines)."""
    step = frames.steps[i]
    explain = {"forward": _forward, "backward": _backward, "update": _update}[step.kind]
    return "\n".join([explain(frames, i), "", *step.lines])


def _forward(frames: Frames, i: int) -> str:
    texts, name = frames.texts, frames.steps[i].node
    node = texts.nodes[name]
    what = node.name if node.formula is None else f"{node.name} = {node.formula}"
    after = (
        "the loss: the forward pass ends here, and the backward pass will start from it."
        if name == texts.out
        else f"the value {node.name} passes on to the nodes that use it."
    )
    return f"Forward pass: {what} is worked out from values already known. It comes to {node.value}, {after}"


def _backward(frames: Frames, i: int) -> str:
    texts, step = frames.texts, frames.steps[i]
    loss = texts.nodes[texts.out].name
    if step.edge is None:
        return (
            f"The backward pass starts at the output {loss}: its derivative with respect to itself is 1, "
            "and every gradient from here on is this 1 multiplied by local derivatives, edge by edge."
        )
    u, v = step.edge
    source, target, edge = texts.nodes[u], texts.nodes[v], texts.edges[u, v]
    if v == texts.out:
        first = (
            f"{loss} uses {source.name} directly, so the gradient along this edge is the loss's own "
            f"derivative {edge.local_symbol} = {edge.local}."
        )
    else:
        first = (
            f"Chain rule along {source.name} → {target.name}: the gradient that has reached {target.name}, "
            f"{target.grad_symbol} = {target.grad}, times the local derivative {edge.local_symbol} = "
            f"{edge.local}, gives {edge.grad}."
        )
    walked = [e for e in texts.backward if e[0] == u]
    k = walked.index((u, v)) + 1
    if len(walked) == 1:
        second = f"{source.name} feeds only this node, so that is all of {source.grad_symbol} = {source.grad}."
    elif k < len(walked):
        second = (
            f"{source.name} is used by {len(walked)} nodes, so its gradient is the sum of one contribution "
            f"from each (fan-out): this is contribution {k}, and the sum so far is {source.running[k - 1]}."
        )
    else:
        second = (
            f"This is the last of the {len(walked)} contributions to {source.name}'s gradient (fan-out): "
            f"their sum is {source.grad_symbol} = {source.grad}."
        )
    return f"{first} {second}"


def _update(frames: Frames, i: int) -> str:
    texts = frames.texts
    node = texts.nodes[frames.steps[i].node]
    alpha = notation.exact(texts.graph.graph["alpha"], texts.digits)
    return (
        f"Gradient descent: {node.name} takes a step against its gradient {node.grad_symbol} = {node.grad}, "
        f"scaled by the step size α = {alpha}: {node.name} ← {node.update_step}."
    )

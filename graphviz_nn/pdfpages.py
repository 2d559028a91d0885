"""Pages put together from drawn PDF pages, each placed whole as a form XObject by a matrix: its
content is never parsed (pypdf's page merging parses every content stream, and took most of the
time of a worksheet or a training deck)."""

from __future__ import annotations


def add_page(writer, width: float, height: float, placed: list[tuple[object, str]]) -> None:
    """A page of `width` × `height` points on `writer`, holding each (pypdf page, "a b c d e f"
    matrix) of `placed`, in order."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    page = writer.add_blank_page(width=width, height=height)
    forms, ops = DictionaryObject(), []
    for k, (part, matrix) in enumerate(placed):
        forms[NameObject(f"/F{k}")] = _form(writer, part)
        ops.append(f"q {matrix} cm /F{k} Do Q")
    content = DecodedStreamObject()
    content.set_data("\n".join(ops).encode())
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): forms})
    page[NameObject("/Contents")] = writer._add_object(content)


def _form(writer, page):
    """A drawn page as a form XObject of the writer, its content kept as it is."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    contents = page["/Contents"].get_object()
    parts = contents if isinstance(contents, list) else [contents]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(p.get_object().get_data() for p in parts))
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(float(v)) for v in page.mediabox)
    form[NameObject("/Resources")] = page["/Resources"].get_object().clone(writer)
    return writer._add_object(form.flate_encode())  # pypdf has no public way to add an object

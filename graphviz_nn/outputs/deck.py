"""A PDF deck: one rendered vector frame per page."""

from __future__ import annotations

import io

from ..defaults import PDF_DATE  # the same bytes for the same input, whenever it is made


def pdf_deck(pdfs: list[bytes]) -> bytes:
    """One PDF, one frame per page, pages kept as Graphviz's vector output."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in pdfs:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    writer.add_metadata({"/Producer": "graphviz-nn", "/CreationDate": PDF_DATE, "/ModDate": PDF_DATE})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

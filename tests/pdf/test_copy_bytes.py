"""Objects the copy does not change are written as their own bytes, references renumbered."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from invoicebackup import _pdf
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Dictionary, Ref
from tests.oracle import assert_same_pages
from tests.pdf_craft import build_pdf, stream

from .craft import BASIC, classic

#: A font dictionary whose bytes hold what a pattern searched in the bytes would misread
#: as references: ``N G R`` in a literal string, in a comment and after a name ending in
#: digits; and what the serialiser would write differently: an octal escape, a real
#: written ``1.50``, a name spelled with ``#20``, extra spaces.
_FONT = (
    b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica\n"
    b"  /Note (see 4 0 R \\101)   % 4 0 R is not a reference here\n"
    b"  /W1 4 0 R /Widths [1.50  2] /Odd /A#20B /Content 4 0 R>>"
)


def _copied(data: bytes) -> tuple[bytes, Dictionary]:
    """The backup of *data* alone, and its first page's dictionary."""
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC)
    )
    parsed = _pdf.open_pdf(data, key="k/doc.pdf", filename="doc.pdf")
    writer.add_document(parsed, field_prefix="d0")
    writer.finish(file_id=b"test")
    backup = out.getvalue()
    return backup, PdfFile(backup).pages()[0].dictionary


def _object(backup: bytes, ref: Ref) -> bytes:
    """The bytes the backup writes for object *ref*, between ``obj`` and ``endobj``."""
    found = re.search(rb"\n%d 0 obj\n(.*?)\nendobj\n" % ref.num, backup, re.DOTALL)
    assert found is not None
    return found[1]


def test_an_unchanged_object_keeps_its_bytes_with_only_its_references_renumbered() -> None:
    """A font is copied byte for byte, only the tokeniser's references renumbered.

    Strings, comments, names and numbers stay as the source spelled them, and the
    look-alikes of references in a string and a comment are not touched.
    """
    data = classic({**BASIC, 5: _FONT})
    backup, page = _copied(data)
    resources = page[b"Resources"]
    assert isinstance(resources, Dictionary)
    fonts = resources[b"Font"]
    assert isinstance(fonts, Dictionary)
    font_ref = fonts[b"F1"]
    content_ref = page[b"Contents"]
    assert isinstance(font_ref, Ref)
    assert isinstance(content_ref, Ref)
    renumbered = b"%d 0 R" % content_ref.num
    expected = _FONT.replace(b"/W1 4 0 R", b"/W1 " + renumbered).replace(
        b"/Content 4 0 R", b"/Content " + renumbered
    )
    assert _object(backup, font_ref).strip() == expected


def test_a_stream_is_copied_with_its_data_as_stored() -> None:
    """A content stream keeps its dictionary's spelling and its data, byte for byte."""
    backup, page = _copied(classic(BASIC))
    content = page[b"Contents"]
    assert isinstance(content, Ref)
    assert _object(backup, content).strip() == BASIC[4]


def test_a_reference_of_another_generation_never_nulls_the_object_for_the_others() -> None:
    """``6 1 R`` to an object of generation 0 is null (ISO 32000-1 §7.3.10), and only there.

    Found by the hostile property: the copy numbered source objects by number alone, so
    when page 1's ``/F1 6 1 R`` was met first, object 6 was written once as null and
    page 2's ``/F1 6 0 R`` pointed at that null: its font was lost without a word.
    """
    text = b"BT /F1 12 Tf 72 700 Td (Page) Tj ET"
    data = build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 7 1 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 7 0 R >> >> /Contents 6 0 R >>",
            stream(b"", text),
            stream(b"", text),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ]
    )
    backup, _first_page = _copied(data)
    # qpdf reads the source's page 1 font as null and page 2's as Helvetica; so must the backup.
    assert_same_pages(data, backup, 1)


def test_an_annotation_cleaning_leaves_alone_keeps_its_bytes() -> None:
    """A link with nothing to clean is copied as its bytes; one whose action goes is rebuilt."""
    link = b"<</Type /Annot /Subtype /Link  /Rect [0 0 10 10] /P 3 0 R /A <</S /URI /URI (a)>>>>"
    unsafe = b"<</Type /Annot /Subtype /Link  /Rect [0 0 10 10] /A <</S /Launch /F (x)>>>>"
    page = BASIC[3].replace(b"/Parent", b"/Annots [6 0 R 7 0 R] /Parent")
    backup, copied = _copied(classic({**BASIC, 3: page, 6: link, 7: unsafe}))
    kept, cleaned = copied[b"Annots"]  # type: ignore[misc]
    assert isinstance(kept, Ref)
    assert isinstance(cleaned, Ref)
    page_ref = PdfFile(backup).pages()[0].ref
    assert page_ref is not None
    assert _object(backup, kept).strip() == link.replace(b"/P 3 0 R", b"/P %d 0 R" % page_ref.num)
    assert b"Launch" not in _object(backup, cleaned)

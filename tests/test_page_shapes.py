"""Page digests recorded while a backup is written equal those ``verify`` reads from it.

The writer records the shape of each object it copies from the value it holds
(:mod:`invoicebackup._snapshot`) instead of reading the object back; these tests compare
what it records with :func:`~invoicebackup.pdf.digest.page_digests` of the finished file,
read with :class:`~invoicebackup.pdf.reader.PdfFile` as ``verify`` reads it: on the sample
project (placeholders, a cover sheet, waivers, an image, signed documents and their
sealed originals), on hostile inputs (references to nothing, to another generation, to
free objects; filters and parameters held indirectly), on every numbering and key order
of a small document (hypothesis), after a document whose copy failed midway, and with
stream data left out of the copy that is read back.
"""

from __future__ import annotations

import io
import os
import zlib
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicebackup import BackupOptions, InMemoryStore, _pdf, compile_backup
from invoicebackup._snapshot import READ_BACK
from invoicebackup.errors import BadDocumentError
from invoicebackup.pdf.digest import PAGE_DIGESTS, page_digests
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.testing import sample_documents, sample_project, text_pdf
from tests.backup_helpers import ADMIN, NOW, attachment, invoice, project
from tests.pdf_craft import build_pdf, stream
from tests.property.test_page_digests import NAMES, TEMPLATES, written

TODAY = date(2026, 11, 3)


def read_back(data: bytes) -> tuple[str, ...]:
    """The digests of *data* as ``verify`` computes them."""
    return tuple(page_digests(PdfFile(data, limits=READ_BACK)))


def writer_with_digests(out: io.BytesIO, limits: _pdf.Limits | None = None) -> _pdf.BackupWriter:
    return _pdf.BackupWriter(
        out,
        title="T",
        subject="S",
        created=datetime(2024, 1, 2, tzinfo=UTC),
        limits=limits,
        digests=True,
    )


def recorded_and_read(
    *documents: bytes, limits: _pdf.Limits | None = None
) -> tuple[list[str], tuple[str, ...]]:
    """Each of *documents* added (twice: a second occurrence shares its objects)."""
    out = io.BytesIO()
    writer = writer_with_digests(out, limits)
    try:
        for index, data in enumerate(documents):
            parsed = _pdf.open_pdf(data, key=f"k/{index}", filename=f"{index}.pdf")
            writer.add_document(parsed, field_prefix=f"a{index}")
            writer.add_document(parsed, field_prefix=f"b{index}")
        recorded = writer.page_digests()
        writer.finish(file_id=b"test")
    finally:
        writer.close()
    return recorded, read_back(out.getvalue())


def test_the_sample_projects_recorded_digests_are_those_read_back() -> None:
    """Every invoice of the sample, sealed originals embedded: recorded = read back."""
    project_ = sample_project(today=TODAY)
    store = InMemoryStore(sample_documents(today=TODAY))
    result = compile_backup(
        project_,
        invoice_ids=[inv.id for inv in project_.invoices],
        user_id="u-admin",
        store=store,
        options=BackupOptions(embed_signed_originals=True),
        now=NOW,
    )
    data = store.read_bytes(result.key)
    # What the sample exercises: our own pages, an image page, embedded originals.
    assert any(item.page is not None for item in result.left_out)
    assert result.manifest.cover_last_page
    sources = [source for record in result.invoices for source in record.sources]
    assert any(source.image is not None for source in sources)
    assert b"/Subtype/FileAttachment" in data
    assert len(result.manifest.page_digests) == result.page_count
    assert result.manifest.page_digests == read_back(data)


#: Hostile page content: references the writer writes as null or renumbers, filters and
#: decode parameters held indirectly, a /Type held indirectly, an indirect /Length.
HOSTILE = {
    "dangling": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 99 0 R /F2 5 0 R >> /XObject << /X 5 1 R >> >> "
        b"/Annots [99 0 R 6 0 R] >>",
        stream(b"/Extra [99 0 R 5 0 R null]", b"BT /F1 9 Tf (x) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Missing 42 0 R >>",
        b"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /P 3 0 R /Gone 77 0 R >>",
    ],
    # A page's /Resources held indirectly, a dictionary with a long tail after its last
    # reference (copied as a view of the source, as stream data is): read back whole (it
    # was left out of the copy as a stream's data is, and the read-back failed).
    "big_resources": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources 4 0 R /Contents 6 0 R >>",
        b"<< /Font << /F1 5 0 R >> /Junk (" + b"A" * 300_000 + b") >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(b"", b"BT /F1 9 Tf (x) Tj ET"),
    ],
    "fields": [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R 6 0 R] /DA (/Helv 0 Tf) >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R 7 0 R] >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (one) /V (1) /Rect [0 0 90 20] "
        b"/P 3 0 R /AP << /N 5 0 R >> >>",
        stream(b"/Type /XObject /Subtype /Form /BBox [0 0 90 20]", b"BT (1) Tj ET"),
        b"<< /FT /Tx /T (two) /Kids [7 0 R] /Parent 99 0 R >>",
        b"<< /Type /Annot /Subtype /Widget /Rect [0 30 90 50] /Parent 6 0 R /P 3 0 R >>",
    ],
    "indirect_filters": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents [4 0 R 5 0 R 6 0 R] "
        b"/Resources << /ProcSet 7 0 R >> >>",
        b"<< /Filter 8 0 R /Length 9 0 R >>\nstream\n"
        + zlib.compress(b"0 0 m 9 9 l S")
        + b"\nendstream",
        b"<< /Filter /FlateDecode /DecodeParms 98 0 R /Length %d >>\nstream\n"
        % len(zlib.compress(b"1 1 m 8 8 l S"))
        + zlib.compress(b"1 1 m 8 8 l S")
        + b"\nendstream",
        b"<< /Filter [97 0 R] /Length %d >>\nstream\n" % len(zlib.compress(b"2 2 m 7 7 l S"))
        + zlib.compress(b"2 2 m 7 7 l S")
        + b"\nendstream",
        b"<< /Type 10 0 R /Kids [3 0 R] >>",
        b"/FlateDecode",
        b"%d" % len(zlib.compress(b"0 0 m 9 9 l S")),
        b"/Pages",
    ],
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_references_digest_as_they_read_back(name: str) -> None:
    """References to nothing, to another generation, filters held indirectly: equal."""
    data = build_pdf(HOSTILE[name])
    recorded, read = recorded_and_read(data, text_pdf(["plain"]))
    assert len(recorded) == 4
    assert tuple(recorded) == read


@settings(max_examples=30, deadline=None)
@given(
    numbering=st.permutations(range(len(NAMES))),
    order=st.lists(st.integers(0, 7), max_size=8),
)
def test_any_numbering_and_key_order_records_what_reads_back(
    numbering: list[int], order: list[int]
) -> None:
    """A document with a shared font, annotations, a form XObject and links: equal."""
    recorded, read = recorded_and_read(written(numbering, order, TEMPLATES))
    assert tuple(recorded) == read


def test_a_document_whose_copy_failed_leaves_no_shape_behind() -> None:
    """Numbers of a dropped copy are given again: our own pages (read back) take them."""
    out = io.BytesIO()
    writer = writer_with_digests(out, _pdf.Limits(max_objects=6))
    many = text_pdf([f"page {n}" for n in range(6)])
    try:
        with pytest.raises(BadDocumentError):
            writer.add_document(_pdf.open_pdf(many, key="k/m", filename="m.pdf"), field_prefix="m")
        for n in range(8):
            writer.add_text_page([f"placeholder {n}"])
        writer.add_document(
            _pdf.open_pdf(text_pdf(["after"]), key="k/a", filename="a.pdf"), field_prefix="a"
        )
        recorded = writer.page_digests()
        writer.finish(file_id=b"test")
    finally:
        writer.close()
    assert tuple(recorded) == read_back(out.getvalue())


def test_stream_data_of_recorded_objects_is_not_copied_for_reading_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Large copied stream data is a hole in the copy read back; the digests still agree."""
    data = os.urandom(600_000)
    document = build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
            b"/Resources << /XObject << /I 5 0 R >> >> >>",
            stream(b"", b"q 100 0 0 100 0 0 cm /I Do Q"),
            stream(
                b"/Type /XObject /Subtype /Image /Width 1000 /Height 200 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8",
                data,
            ),
        ]
    )
    out = io.BytesIO()
    writer = writer_with_digests(out)
    try:
        writer.add_document(_pdf.open_pdf(document, key="k/i", filename="i.pdf"), field_prefix="i")
        spool = writer._spool
        assert spool is not None
        kept = bytearray()
        close = spool.close

        def read_then_close() -> None:
            # The copy is deleted once the pages are digested: read it just before.
            spool.copy.seek(0)
            kept.extend(spool.copy.read())
            close()

        monkeypatch.setattr(spool, "close", read_then_close)
        recorded = writer.page_digests()
        assert kept
        writer.finish(file_id=b"test")
    finally:
        writer.close()
    assert data in out.getvalue()
    assert data[:4096] not in kept
    assert tuple(recorded) == read_back(out.getvalue())


def test_a_corpus_like_mix_in_one_compile_records_what_reads_back() -> None:
    """Hostile documents as attachments of one invoice, compiled: recorded = read back."""
    names = sorted(HOSTILE)
    p = project([invoice("i-1", attachments=[attachment(f"{n}.pdf") for n in names])])
    store = InMemoryStore(
        {
            "docs/i-1.pdf": text_pdf(["Pay application"]),
            **{f"att/{n}.pdf": build_pdf(HOSTILE[n]) for n in names},
        }
    )
    result = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    data = store.read_bytes(result.key)
    assert result.manifest.page_digests == read_back(data)


#: Digests of fixed documents as ``sha256-page/1`` defined them before the writer recorded
#: shapes (computed with commit 42e092c's pdf/digest.py): backups already written hold such
#: digests, so the canonicalisation, shared now by writer and verifier, must keep them.
RECORDED_BEFORE = {
    "dangling": ["e6bda75b4834219768c95e063b0f79947ae7b3c28cb423c19d3a59faf949348d"],
    "fields": ["e11267d1d0734b422ce7145dcfce104af09367613fc94f8220e7c7cc225daa4d"],
    "indirect_filters": ["3ac7d51f06f83dfb01104ac83738cf0aca5cfa15332b775bb417d9e0223cc930"],
    "templates": [
        "5ecf7e686dd48babc23409ae7a19ed09e29901416b80b1354fb54589afb81011",
        "cf29563b76093af212ba8ce06bb44a85775d696259accbacf45806c5a1dae592",
    ],
}


#: The same documents' digests as ``sha256-page/2`` defined them when it was introduced
#: (none of them has a stream of generalized filters or a page outside the page tree, so
#: only the kind's name, hashed first, makes them differ from the first kind's).
RECORDED_V2 = {
    "dangling": ["43ee4e7b98e2399eebd05ed4d43d89de033112b46b45601cf1fe183f4bd9a480"],
    "fields": ["2d9b68af5709b7c253498a25e45be58bc2b8894675a78cdcf6d7bee2afd112b1"],
    "indirect_filters": ["5a99656fd81ac274f3c82fd29a733c2f80b23e9c45804fcbfd012ad1838bc2aa"],
    "templates": [
        "41d7d32032e478cab3b713faea4a2b53c66235c688a508aff06e94190a0be919",
        "b656d81bc947b16c0e4d12eb2364a9bcdcf038b424bbfb1efbf875649acb9e1a",
    ],
}


@pytest.mark.parametrize("kind", PAGE_DIGESTS)
@pytest.mark.parametrize("name", sorted(RECORDED_BEFORE))
def test_what_a_digest_is_did_not_change(kind: str, name: str) -> None:
    """A backup written before keeps verifying: the same file digests, by either kind, as then."""
    if name == "templates":
        data = written(list(range(len(NAMES))), [], TEMPLATES)
    else:
        data = build_pdf(HOSTILE[name])
    recorded = RECORDED_BEFORE if kind == "sha256-page/1" else RECORDED_V2
    assert page_digests(PdfFile(data), kind=kind) == recorded[name]

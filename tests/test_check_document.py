"""check_document gives the verdict compile_backup gives the same bytes under the same options.

An upload form calls :func:`~invoicebackup.check_document` before it stores an attachment: a
document it passes must go into a backup, and one it refuses must be the one a backup leaves
out, with the same code and reason. The property draws a document (PDFs, images, damaged and
empty bytes, neither) declared as one type or another, and options (image policy, Pillow
present or not, limits, policies, repair, format, passwords), compiles a backup holding it,
and compares.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.resources import files
from unittest import mock

import attrs
import pypdf
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BadDocumentError,
    Document,
    DocumentRole,
    check_document,
    compile_backup,
)
from invoicebackup._codes import LEFT_OUT_CODES
from invoicebackup.preview import Fate, document_fate
from invoicebackup.testing import active_content_pdf, lien_waiver_pdf, text_pdf
from tests.backup_helpers import ADMIN, NOW, invoice, project, store_for
from tests.image_helpers import encoded, quadrants

PASSWORD = "s3cret"
PHOTO = files("invoicebackup").joinpath("sample_delivery_photo.jpg").read_bytes()


def _encrypted() -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(text_pdf(["locked"])))
    writer.encrypt(user_password=PASSWORD, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _tiff(frames: int) -> bytes:
    pages = [quadrants((60, 40)) for _ in range(frames)]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


#: The bytes drawn from: what an upload form is given, good and bad.
CONTENTS: dict[str, bytes] = {
    "two-page PDF": text_pdf(["Invoice", "Continuation sheet"]),
    "lien waiver PDF": lien_waiver_pdf({"amount": "12,500.00"}),
    "PDF with JavaScript": active_content_pdf(),
    "encrypted PDF": _encrypted(),
    "PDF cut short": _half(text_pdf(["Invoice", "Continuation sheet"])),
    "sample photo (JPEG)": PHOTO,
    "JPEG cut short": _half(PHOTO),
    "opaque PNG": encoded(quadrants((80, 60)), "PNG"),
    # Needs Pillow: an alpha channel is decoded, not copied.
    "PNG with alpha": encoded(quadrants((80, 60), "RGBA"), "PNG"),
    "large PNG": encoded(quadrants((200, 150)), "PNG"),
    "three-page TIFF": _tiff(3),
    # Their headers read; their pixels cannot be decoded: only a copy finds out.
    "GIF cut short": _half(encoded(quadrants((80, 60)), "GIF")),
    "BMP cut short": _half(encoded(quadrants((80, 60)), "BMP")),
    "empty": b"",
    "CSV": b"item,quantity\nrebar,12\n",
    "spreadsheet": b"PK\x03\x04 a spreadsheet",
}

#: What a document may be declared as: its file name and media type.
DECLARED = [
    ("scan.pdf", "application/pdf"),
    ("scan.jpg", "image/jpeg"),
    ("scan.png", "image/png"),
    ("scan.gif", "image/gif"),
    ("scan.csv", "text/csv"),
    ("scan", "application/octet-stream"),
]


def _passwords(_document: Document) -> Sequence[str]:
    return [PASSWORD]


options_strategy = st.builds(
    BackupOptions,
    images=st.sampled_from(["pages", "skip"]),
    max_image_pixels=st.sampled_from([80_000_000, 10_000]),
    max_document_pages=st.sampled_from([10_000, 1]),
    max_document_bytes=st.sampled_from([512 * 1024 * 1024, 4_000]),
    on_bad_document=st.sampled_from(["placeholder", "skip", "fail"]),
    repair=st.booleans(),
    format=st.sampled_from(["pdf", "zip"]),
    passwords=st.sampled_from([None, _passwords]),
)


@contextmanager
def _without_pillow(missing: bool) -> Iterator[None]:
    """Pillow (the ``images`` extra) looks uninstalled inside the block when *missing*."""
    from invoicebackup import _images

    if not missing:
        yield
        return
    with mock.patch.object(_images, "pillow", return_value=None):
        yield


#: ``None`` (included), or the key, file name, code and reason it is left out with.
Verdict = tuple[str, str, str, str] | None


def compiled_verdict(
    document: Document, data: bytes, options: BackupOptions, role: DocumentRole
) -> Verdict:
    """What a compile of one invoice holding *document* makes of it: ``None`` if included.

    Left out: as its ``LeftOut`` says, or the error that refused the backup
    (``on_bad_document="fail"``).
    """
    if role is DocumentRole.INVOICE:
        holder = attrs.evolve(invoice("i-1"), document=document)
    else:
        holder = invoice("i-1", attachments=[document])
    p = project([holder])
    store = store_for(p, {document.key: data})
    try:
        result = compile_backup(
            p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, options=options, now=NOW
        )
    except BadDocumentError as error:
        return error.key, error.filename, error.code, error.reason
    left_out = [e for e in result.left_out if e.key == document.key]
    included = [s for r in result.invoices for s in r.sources if s.key == document.key]
    assert len(left_out) + len(included) == 1
    if not left_out:
        return None
    (entry,) = left_out
    assert entry.filename is not None
    return document.key, entry.filename, entry.code, entry.reason


def checked_verdict(
    document: Document, data: bytes, options: BackupOptions, role: DocumentRole
) -> Verdict:
    """What check_document says of *data*: ``None`` if it passes, else what it raised."""
    try:
        check_document(document, data, options=options, role=role)
    except BadDocumentError as error:
        return error.key, error.filename, error.code, error.reason
    return None


@given(
    content=st.sampled_from(sorted(CONTENTS)),
    declared=st.sampled_from(DECLARED),
    options=options_strategy,
    pillow_missing=st.booleans(),
    role=st.sampled_from([DocumentRole.ATTACHMENT, DocumentRole.INVOICE]),
)
def test_check_document_gives_the_verdict_a_compile_gives(
    content: str,
    declared: tuple[str, str],
    options: BackupOptions,
    pillow_missing: bool,
    role: DocumentRole,
) -> None:
    """Passes exactly what a compile includes; refuses the rest with the compile's code and reason.

    Whatever the bytes (PDF, image, damaged, empty, neither), the declared type, the image
    policy, whether Pillow is there, the limits, the bad-document policy, repair, format
    and passwords.
    """
    filename, media_type = declared
    document = Document(key=f"att/{filename}", filename=filename, media_type=media_type)
    data = CONTENTS[content]
    with _without_pillow(pillow_missing):
        expected = compiled_verdict(document, data, options, role)
        got = checked_verdict(document, data, options, role)
    event(f"verdict: {'included' if expected is None else expected[2]}")
    assert got == expected
    assert got is None or (got[:2] == (document.key, filename) and got[2] in LEFT_OUT_CODES)


def _photo() -> Document:
    return Document(key="att/delivered.jpg", filename="Delivered.jpg")


def test_a_photo_a_backup_includes_passes() -> None:
    """The sample delivery photo, a JPEG, goes into a backup as a page: it passes."""
    check_document(_photo(), PHOTO)
    assert compiled_verdict(_photo(), PHOTO, BackupOptions(), DocumentRole.ATTACHMENT) is None


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (BackupOptions(images="skip"), "image_skipped"),
        (BackupOptions(max_image_pixels=1_000), "too_large"),
        (BackupOptions(max_document_pages=1), "too_large"),
    ],
)
def test_an_image_left_out_is_refused_with_the_compiles_code(
    options: BackupOptions, code: str
) -> None:
    """Images left out by choice or over a limit raise BadDocumentError with the LeftOut code."""
    data = CONTENTS["three-page TIFF"]
    document = Document(key="att/pages.tif", filename="pages.tif", media_type="image/tiff")
    with pytest.raises(BadDocumentError) as caught:
        check_document(document, data, options=options)
    assert caught.value.code == code
    assert compiled_verdict(document, data, options, DocumentRole.ATTACHMENT) == (
        document.key,
        document.filename,
        caught.value.code,
        caught.value.reason,
    )


def test_an_image_that_needs_pillow_is_refused_without_the_images_extra() -> None:
    """Without Pillow a PNG with alpha is ``needs_images_extra``; an opaque PNG still passes."""
    document = Document(key="att/chart.png", filename="chart.png", media_type="image/png")
    with _without_pillow(True):
        with pytest.raises(BadDocumentError) as caught:
            check_document(document, CONTENTS["PNG with alpha"])
        check_document(document, CONTENTS["opaque PNG"])
    assert caught.value.code == "needs_images_extra"
    assert "Pillow" in caught.value.reason


def test_an_image_whose_pixels_cannot_be_decoded_is_damaged_though_it_opens() -> None:
    """A GIF cut short opens (its header is whole) but a backup cannot decode it: damaged.

    The preview opens, it does not copy, so it still says included; check_document copies
    as a PDF backup does, and a ZIP backup (which holds the bytes as they are) includes it.
    """
    from invoicebackup import InMemoryStore

    data = CONTENTS["GIF cut short"]
    document = Document(key="att/cut.gif", filename="cut.gif", media_type="image/gif")
    with pytest.raises(BadDocumentError) as caught:
        check_document(document, data)
    assert caught.value.code == "damaged"
    fate = document_fate(InMemoryStore({document.key: data}), document, invoice_id="i-1")
    assert fate.fate is Fate.INCLUDED
    check_document(document, data, options=BackupOptions(format="zip"))


def test_the_declared_type_decides_as_in_a_compile() -> None:
    """PDF bytes declared as a CSV attachment are left out unread; as an invoice's, they pass."""
    document = Document(key="att/costs.csv", filename="costs.csv", media_type="text/csv")
    with pytest.raises(BadDocumentError) as caught:
        check_document(document, text_pdf(["A"]))
    assert caught.value.code == "not_pdf"
    check_document(document, text_pdf(["A"]), role=DocumentRole.INVOICE)


def test_bad_document_error_lists_every_code_a_document_is_left_out_with() -> None:
    """BadDocumentError's documented codes are the left-out codes, but an unsigned invoice's."""
    doc = BadDocumentError.__doc__ or ""
    listed = doc.split("code:", 1)[1].split("reason:", 1)[0]
    assert {code for code in LEFT_OUT_CODES if f"``{code}``" in listed} == LEFT_OUT_CODES - {
        "unsigned"
    }

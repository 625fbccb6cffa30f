"""Each included document's pages are its source's pages, as an independent reader sees them.

Issue 17: "Defects 1, 2 and 11 are of one kind: the backup's pages differ from the
source's and nothing noticed." Each test crafts a source (:mod:`tests.pdf_craft`),
compiles it as an attachment and has :mod:`tests.oracle` compare the backup's pages
with pikepdf's reading of the source: boxes, rotation, content instructions, every
resource the content uses, images. The sources cover the file structures a document
may have (one table, incremental updates, cross-reference streams, object streams,
hybrid files) and the spellings the standard allows (every white-space byte, names of
every byte, escaped and raw).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from invoicebackup import BackupOptions, BackupResult, compile_backup

from .oracle import assert_backup_matches, differences
from .pdf_craft import (
    ATTACHMENT_KEY,
    NOW,
    USER_ID,
    build_pdf,
    one_attachment,
    resource_page,
    stream,
    update,
    xref_stream_pdf,
)

#: PDF white space (ISO 32000-1, 7.2.2).
WHITE_SPACE = (b"\x00", b"\t", b"\n", b"\x0c", b"\r", b" ")


def _updated(objects: list[bytes]) -> bytes:
    """*objects* in one table, then an update that rewrites the page tree node unchanged."""
    return update(build_pdf(objects), {2: objects[1]}, size=len(objects) + 1)


#: The file structures a source may have, each a function of its objects.
STRUCTURES: dict[str, Callable[[list[bytes]], bytes]] = {
    "one table": build_pdf,
    "incremental update": _updated,
    "xref stream": xref_stream_pdf,
    "object stream": lambda objects: xref_stream_pdf(objects, compressed=[2, 3, 4]),
    "hybrid": lambda objects: xref_stream_pdf(objects, compressed=[3], hybrid=True),
}


def _compiled(data: bytes) -> tuple[BackupResult, bytes]:
    project, store = one_attachment(data)
    result = compile_backup(
        project,
        invoice_ids=["i-1"],
        user_id=USER_ID,
        store=store,
        now=NOW,
        options=BackupOptions(on_bad_document="fail", embed_manifest=False),
    )
    return result, store.read_bytes(result.key)


def _check(data: bytes) -> None:
    """Compile *data* as the attachment; the oracle finds its pages (and the invoice's) intact."""
    _, store = one_attachment(data)
    listing = store.keys()  # InMemoryStore lists its keys but is not iterable
    documents = {key: store.read_bytes(key) for key in listing}
    result, backup = _compiled(data)
    assert assert_backup_matches(result, backup, documents) == 2
    assert ATTACHMENT_KEY in {s.key for s in result.invoices[0].sources}


@pytest.mark.parametrize("structure", STRUCTURES)
@pytest.mark.parametrize("space", WHITE_SPACE, ids=lambda b: f"0x{b[0]:02x}")
def test_every_white_space_byte_ends_a_name(structure: str, space: bytes) -> None:
    """``/Contents<ws>6 0 R`` is the page's content for each white-space byte, NUL included.

    Defect 1: after a NUL the engine read the key ``/Contents`` NUL ``6``: the page was blank.
    """
    _check(STRUCTURES[structure](resource_page([b"/F1"], space=space)))


#: Bytes a name may hold raw: not white space, not a delimiter, not ``#``; nor a vertical
#: tab, which the standard calls regular but qpdf and pypdf read as white space (see
#: test_a_vertical_tab_after_a_name_is_read_as_qpdf_reads_it).
RAW = [b for b in range(1, 256) if bytes([b]) not in b"\x00\t\n\x0b\x0c\r ()<>[]{}/%#"]


@pytest.mark.parametrize("structure", STRUCTURES)
def test_names_of_every_byte_are_written_as_the_bytes_they_are(structure: str) -> None:
    """Resource names of every byte 0x01-0xFF, escaped, and raw where legal, still resolve.

    Defect 2: a name that is not UTF-8 (``/F#E9``, GBK ``/#B0#A1``, Shift-JIS
    ``/#82#A0``) was written as other bytes while the content kept the old ones: fonts
    not found, images not drawn.
    """
    escaped = [b"/E#%02X" % byte for byte in range(1, 256)]
    raw = [b"/R" + bytes([byte]) for byte in RAW]
    cjk = [b"/#B0#A1", b"/#82#A0", b"/F\xe9", b"/#E5#95#8A"]
    _check(STRUCTURES[structure](resource_page(escaped + raw + cjk)))


@pytest.mark.parametrize("freed", [6, 4, 5])
def test_an_object_freed_by_an_update_reads_as_null(freed: int) -> None:
    """An update frees the content (or font, image) a page still refers to: null, as qpdf reads.

    Defect 11: the engine read the older revision's object: the old content reappeared.
    """
    objects = resource_page([b"/F1"])
    data = update(build_pdf(objects), {freed: None}, size=len(objects) + 1)
    _check(data)


def test_an_object_freed_in_an_xref_stream_update_reads_as_null() -> None:
    """The same with a cross-reference stream whose update lists the content as free."""
    objects = resource_page([b"/F1"])
    base = xref_stream_pdf(objects)
    # The update: a stream that lists object 6 as free (type 0) and points back.
    previous = int(base.rsplit(b"startxref", 1)[1].split()[0])
    rows = b"\x00" + (0).to_bytes(4, "big") + (1).to_bytes(2, "big")
    dictionary = b"/Type /XRef /Size 9 /W [1 4 2] /Index [6 1] /Root 1 0 R /Prev %d" % previous
    at = len(base)
    data = base + b"9 0 obj\n" + stream(dictionary, rows) + b"\nendobj\n"
    data += b"startxref\n%d\n%%%%EOF\n" % at
    _check(data)


def test_the_autocad_drawing_keeps_both_images(shared_dir: Path) -> None:
    """py-autocad-diagram.pdf writes ``/DeviceRGB<NUL>255``: both images still decode.

    Defect 1, the real file: the NUL was read as part of the name, the colour space
    written ``/DeviceRGB#00255``, which qpdf reads as null: both images were lost.
    """
    data = (shared_dir / "corpus" / "realworld" / "py-autocad-diagram.pdf").read_bytes()
    result, backup = _compiled(data)
    (_, source) = result.invoices[0].sources
    assert differences(data, backup, source.first_page) == []


def test_a_vertical_tab_after_a_name_is_read_as_qpdf_reads_it() -> None:
    """``/R<VT>`` as a resource name: the copy keeps what qpdf reads of the page.

    The pypdf path lost the page's /Contents and resources after the tab; the one reader
    keeps the name's bytes and the entries after it.
    """
    _check(build_pdf(resource_page([b"/R\x0b"])))


def test_the_oracle_reads_an_operator_that_is_not_text() -> None:
    """A damaged content stream's operator of any bytes is compared as bytes, not decoded as text.

    Found by the hostile property: the oracle itself raised UnicodeDecodeError on byte 0xF1.
    """
    objects = resource_page([b"/F1"])
    objects[5] = stream(b"", b"q \xf1 Q BT /F1 12 Tf (x) Tj ET\n")
    result, backup = _compiled(build_pdf(objects))
    source = next(s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY)
    assert source.first_page is not None
    assert differences(build_pdf(objects), backup, source.first_page) == []


@pytest.mark.parametrize(("freed", "category"), [(4, "/Font"), (5, "/XObject")])
def test_a_freed_font_or_image_does_not_come_back(freed: int, category: str) -> None:
    """Defect 11, for resources: the old revision's font or image is not in the backup either.

    The pages oracle cannot see this (qpdf reads the freed object as null in the source, so
    there is nothing to compare); the backup's page must not draw the old object either.
    """
    objects = resource_page([b"/F1"])
    data = update(build_pdf(objects), {freed: None}, size=len(objects) + 1)
    result, backup = _compiled(data)
    source = next(s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY)
    assert source.first_page is not None
    with pikepdf.open(io.BytesIO(backup)) as pdf:
        resources: Any = pdf.pages[source.first_page - 1].obj.get("/Resources")
        resource = resources.get(category, {}).get("/F1") if resources is not None else None
        assert not isinstance(resource, pikepdf.Dictionary | pikepdf.Stream), resource

"""Hand-made hostile PDFs and the small project around them, for the fault, limit and fuzz tests.

The PDFs are written byte by byte, independently of the engine under test, so that the
tests can fail: a fixture made by pypdf would share pypdf's bugs. :func:`one_attachment`
wraps any bytes as the single attachment of a one-invoice project; :func:`reachable`
and :func:`every_object` read a backup back with pypdf for the assertions.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from invoicebackup import (
    BillingPeriod,
    Contract,
    Document,
    InMemoryStore,
    Invoice,
    PermissionLevel,
    Permissions,
    Project,
    User,
)
from invoicebackup.testing import text_pdf

__all__ = [
    "ATTACHMENT_KEY",
    "INVOICE_KEY",
    "NOW",
    "USER_ID",
    "build_pdf",
    "every_object",
    "flate_bomb",
    "one_attachment",
    "page_count_of",
    "resource_page",
    "update",
    "xref_stream_pdf",
]

NOW = datetime(2024, 6, 3, 14, 5, tzinfo=UTC)
USER_ID = "u-admin"
INVOICE_KEY = "docs/invoice.pdf"
ATTACHMENT_KEY = "docs/attachment.pdf"


def build_pdf(objects: Sequence[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF of *objects* (object ``n`` is ``objects[n - 1]``) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R".encode() + trailer_extra
    out += f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    """An object body for a stream with the right ``/Length``."""
    return b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def flate_bomb(*, inflated_mib: int = 256) -> bytes:
    """Zeros that inflate to *inflated_mib* MiB through two ``/FlateDecode`` passes.

    Returns the twice-compressed bytes (a few KiB); decode with
    ``/Filter [/FlateDecode /FlateDecode]``.
    """
    inner = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    parts = [inner.compress(chunk) for _ in range(inflated_mib)]
    parts.append(inner.flush())
    return zlib.compress(b"".join(parts), 9)


def project(*, attachments: int = 1) -> Project:
    """One admin, one contract, one invoice with *attachments* attachments."""
    admin = User(
        id=USER_ID,
        name="Ada Admin",
        permissions=Permissions(commitments=PermissionLevel.ADMIN),
    )
    period = BillingPeriod(
        id="bp-1", start=date(2024, 5, 1), end=date(2024, 5, 31), due=date(2024, 6, 5)
    )
    keys = [ATTACHMENT_KEY] + [f"docs/attachment-{n}.pdf" for n in range(2, attachments + 1)]
    return Project(
        id="p-1",
        name="Harbour Tower",
        number="HT-01",
        users=[admin],
        contracts=[Contract(id="c-1", number="SC-1", title="Concrete")],
        billing_periods=[period],
        invoices=[
            Invoice(
                id="i-1",
                contract_id="c-1",
                billing_period_id="bp-1",
                position=1,
                number="1",
                document=Document(key=INVOICE_KEY, filename="Pay application 1.pdf"),
                attachments=[Document(key=key, filename=key.rsplit("/", 1)[-1]) for key in keys],
            )
        ],
    )


def one_attachment(data: bytes) -> tuple[Project, InMemoryStore]:
    """A one-invoice project whose invoice PDF is sound and whose attachment is *data*."""
    store = InMemoryStore({INVOICE_KEY: text_pdf(["Pay application 1"]), ATTACHMENT_KEY: data})
    return project(), store


def page_count_of(data: bytes) -> int:
    """How many pages pypdf reads in *data* (the backup read back)."""
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def every_object(data: bytes) -> Iterator[Any]:
    """Every object of *data*: each one in its cross-reference table and all they nest.

    Unreferenced objects are included (they are in the file, so a viewer can find
    them), and so is everything reachable from the trailer.
    """
    reader = pypdf.PdfReader(io.BytesIO(data))
    roots: list[Any] = [reader.trailer]
    for generation, entries in reader.xref.items():
        roots.extend(IndirectObject(idnum, generation, reader) for idnum in entries)
    roots.extend(IndirectObject(idnum, 0, reader) for idnum in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()
    stack = roots
    while stack:
        value = stack.pop()
        if isinstance(value, IndirectObject):
            if (value.idnum, value.generation) in seen:
                continue
            seen.add((value.idnum, value.generation))
            value = value.get_object()
        yield value
        if isinstance(value, (DictionaryObject, StreamObject)):
            stack.extend(value.values())
        elif isinstance(value, ArrayObject):
            stack.extend(value)


def update(base: bytes, objects: dict[int, bytes | None], *, size: int, root: int = 1) -> bytes:
    """*base* with an incremental update: each object of *objects* rewritten, or freed (None).

    The update's cross-reference section lists only those objects; its trailer points
    back to *base*'s table with ``/Prev``.
    """
    previous = int(base.rsplit(b"startxref", 1)[1].split()[0])
    out = bytearray(base)
    offsets: dict[int, int | None] = {}
    for number, body in sorted(objects.items()):
        if body is None:
            offsets[number] = None
            continue
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n"
    for number, offset in sorted(offsets.items()):
        entry = b"0000000000 00001 f \n" if offset is None else b"%010d 00000 n \n" % offset
        out += b"%d 1\n" % number + entry
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (size, root, previous)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def xref_stream_pdf(
    objects: Sequence[bytes], *, compressed: Sequence[int] = (), hybrid: bool = False
) -> bytes:
    """*objects* as :func:`build_pdf` numbers them, indexed by a cross-reference stream.

    The *compressed* objects (numbers; no streams) are in one object stream. A *hybrid*
    file also has a classic table, which leaves the compressed objects out and points to
    the stream with ``/XRefStm``, as files written for old and new readers do.
    """
    size = len(objects) + 1
    packed, xref_number = size, size + 1
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    for number, body in enumerate(objects, start=1):
        if number not in compressed:
            entries[number] = (1, len(out), 0)
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    if compressed:
        header = bytearray()
        data = bytearray()
        for index, number in enumerate(compressed):
            header += b"%d %d " % (number, len(data))
            data += objects[number - 1] + b"\n"
            entries[number] = (2, packed, index)
        entries[packed] = (1, len(out), 0)
        dictionary = b"/Type /ObjStm /N %d /First %d" % (len(compressed), len(header))
        out += b"%d 0 obj\n" % packed + stream(dictionary, bytes(header + data)) + b"\nendobj\n"
    entries[xref_number] = (1, len(out), 0)
    rows = b"".join(
        bytes([kind]) + field.to_bytes(4, "big") + generation.to_bytes(2, "big")
        for kind, field, generation in (entries.get(n, (0, 0, 0)) for n in range(xref_number + 1))
    )
    xref_at = len(out)
    dictionary = b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (xref_number + 1)
    out += b"%d 0 obj\n" % xref_number + stream(dictionary, rows) + b"\nendobj\n"
    if not hybrid:
        out += b"startxref\n%d\n%%%%EOF\n" % xref_at
        return bytes(out)
    table = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number in range(1, xref_number + 1):
        kind, field, generation = entries.get(number, (0, 0, 0))
        if kind == 1:  # the others only the stream lists
            out += b"%d 1\n%010d %05d n \n" % (number, field, generation)
    out += b"trailer\n<< /Size %d /Root 1 0 R /XRefStm %d >>\n" % (xref_number + 1, xref_at)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
IMAGE = stream(
    b"/Type /XObject /Subtype /Image /Width 2 /Height 1 /ColorSpace /DeviceGray"
    b" /BitsPerComponent 8",
    b"\x20\xe0",
)


def resource_page(names: list[bytes], *, space: bytes = b" ") -> list[bytes]:
    """A one-page document whose fonts and images are called *names*, the content using each.

    Object 3 is the page, 6 its content; *space* separates ``/Contents`` from its value.
    """
    fonts = b" ".join(name + b" 4 0 R" for name in names)
    images = b" ".join(name + b" 5 0 R" for name in names)
    content = b"".join(b"BT " + name + b" 12 Tf (x) Tj ET q " + name + b" Do Q\n" for name in names)
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /Font << "
        + fonts
        + b" >> /XObject << "
        + images
        + b" >> >> /Contents"
        + space
        + b"6 0 R >>"
    )
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        page,
        FONT,
        IMAGE,
        stream(b"", content),
    ]

"""Hand-made PDF files: objects written as bytes, cross-reference sections computed."""

from __future__ import annotations

import zlib

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"

#: A catalog, a page tree and one page whose content is object 4.
BASIC = {
    1: b"<</Type /Catalog /Pages 2 0 R>>",
    2: b"<</Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 200 100]>>",
    3: b"<</Type /Page /Parent 2 0 R /Contents 4 0 R /Resources <</Font <</F1 5 0 R>>>>>>",
    4: b"<</Length 8>>\nstream\nBT ET q\n\nendstream",
    5: b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica>>",
}


def body(objects: dict[int, bytes], start: int) -> tuple[bytes, dict[int, int]]:
    """The objects written one after another from offset *start*, and their offsets."""
    out = b""
    offsets = {}
    for number, value in objects.items():
        offsets[number] = start + len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, value)
    return out, offsets


def table(entries: dict[int, tuple[int, int, bytes]]) -> bytes:
    """A classic xref table: *entries* maps a number to (offset, generation, n|f)."""
    out = b"xref\n"
    for number in sorted(entries):
        offset, generation, kind = entries[number]
        out += b"%d 1\n%010d %05d %s \n" % (number, offset, generation, kind)
    return out


def classic(
    objects: dict[int, bytes], *, trailer: bytes = b"/Root 1 0 R", header: bytes = HEADER
) -> bytes:
    """A one-revision file with a classic table."""
    data, offsets = body(objects, len(header))
    start = len(header) + len(data)
    entries = {0: (0, 65535, b"f"), **{n: (o, 0, b"n") for n, o in offsets.items()}}
    size = max(offsets) + 1
    return (
        header
        + data
        + table(entries)
        + b"trailer\n<</Size %d %s>>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, start)
    )


def update(
    original: bytes,
    objects: dict[int, bytes],
    *,
    freed: tuple[int, ...] = (),
    prev: int | None = None,
    trailer: bytes = b"/Root 1 0 R",
) -> bytes:
    """*original* with an incremental update (§7.5.6) writing *objects* and freeing *freed*."""
    last = int(original.rsplit(b"startxref", 1)[1].split()[0])
    data, offsets = body(objects, len(original))
    start = len(original) + len(data)
    entries = {n: (o, 0, b"n") for n, o in offsets.items()}
    entries.update(dict.fromkeys(freed, (0, 1, b"f")))
    return (
        original
        + data
        + table(entries)
        + b"trailer\n<</Size 100 /Prev %d %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (last if prev is None else prev, trailer, start)
    )


def xref_stream_file(
    objects: dict[int, bytes],
    *,
    xref_data: bytes | None = None,
    compressed: dict[int, tuple[int, int]] | None = None,
) -> bytes:
    """A file whose cross-reference section is a stream (§7.5.8), /W [1 4 2].

    *compressed* maps an object number to (object stream, index): a type 2 entry.
    """
    compressed = compressed or {}
    data, offsets = body(objects, len(HEADER))
    number = max(objects) + 1
    start = len(HEADER) + len(data)
    offsets[number] = start
    rows = b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")
    for n in range(1, number + 1):
        if n in compressed:
            holder, index = compressed[n]
            rows += b"\x02" + holder.to_bytes(4, "big") + index.to_bytes(2, "big")
        else:
            rows += b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00\x00"
    packed = zlib.compress(rows if xref_data is None else xref_data)
    stream = b"<</Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d>>" % (
        number + 1,
        len(packed),
    )
    return (
        HEADER
        + data
        + b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, stream, packed)
        + b"startxref\n%d\n%%%%EOF\n" % start
    )

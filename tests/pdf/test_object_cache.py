"""Objects repeated byte for byte across the files of one compile are built once.

The cache must change nothing but the time: the same values, the same reference spans
(what a copy renumbers) and the same backup bytes as reading every file on its own.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from invoicebackup import _pdf
from invoicebackup.pdf import build
from invoicebackup.pdf.build import SyntaxLimits
from invoicebackup.pdf.objectcache import ObjectCache
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.pdf.values import Dictionary, Name, Ref

from .craft import BASIC, classic, xref_stream_file

_FONT = b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Widths [1 2 3] /Next 3 0 R>>"
#: The same font written under other numbers, at other offsets, after another object.
_FIRST = classic({**BASIC, 5: _FONT})
_SECOND = classic(
    {
        1: BASIC[1],
        2: BASIC[2],
        3: BASIC[3].replace(b"5 0 R", b"7 0 R"),
        4: BASIC[4],
        6: b"(a string that moves every offset after it)",
        7: _FONT,
    }
)


def _every_object(file: PdfFile) -> dict[int, object]:
    return {num: (file.object(num), file.source(num)) for num in file.numbers()}


def test_a_repeated_object_is_built_once_and_read_the_same() -> None:
    """The second file's font comes from the cache: same value, spans at its own offsets."""
    cache = ObjectCache(limits=SyntaxLimits())
    _every_object(PdfFile(_FIRST, cache=cache))
    before = cache.hits
    cached = _every_object(PdfFile(_SECOND, cache=cache))
    assert cache.hits > before
    assert cached == _every_object(PdfFile(_SECOND))


def test_an_object_whose_string_holds_endobj_is_read_whole() -> None:
    """A look-up key cut short by ``endobj`` in a string is never taken for the value."""
    font = b"<</Type /Font /Subtype /Type1 /Note (endobj stream) /BaseFont /Helvetica>>"
    cache = ObjectCache(limits=SyntaxLimits())
    _every_object(PdfFile(classic({**BASIC, 5: font}), cache=cache))
    changed = font.replace(b"/Helvetica", b"/Courier")
    second = classic({**BASIC, 5: changed})
    assert _every_object(PdfFile(second, cache=cache)) == _every_object(PdfFile(second))


def test_a_cache_for_other_bounds_is_not_used() -> None:
    """Values built within other syntax bounds are not taken (the bounds decide refusals)."""
    cache = ObjectCache(limits=SyntaxLimits(max_depth=3))
    PdfFile(_FIRST, cache=cache).pages()
    PdfFile(_FIRST, cache=cache).pages()
    assert cache.hits == 0


def _backup(cache: ObjectCache | None) -> bytes:
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC)
    )
    for index, data in enumerate((_FIRST, _SECOND, _FIRST)):
        parsed = _pdf.open_pdf(data, key=f"k/{index}.pdf", filename="d.pdf", cache=cache)
        writer.add_document(parsed, field_prefix=f"d{index}")
    writer.finish(file_id=b"test")
    return out.getvalue()


def test_a_backup_is_the_same_bytes_with_the_cache() -> None:
    """Determinism: what is written does not depend on what the cache held."""
    cache = _pdf.Limits().object_cache()
    assert _backup(cache) == _backup(None)
    assert cache.hits > 0


def _object_stream_file(members: list[tuple[int, bytes]]) -> bytes:
    """BASIC with object 5 and *members* in object stream 9 (in that order), uncompressed."""
    members = [(5, BASIC[5]), *members]
    header = b""
    body = b""
    for number, value in members:
        header += b"%d %d " % (number, len(body))
        body += value + b"\n"
    stream = b"<</Type /ObjStm /N %d /First %d /Length %d>>\nstream\n%s\nendstream" % (
        len(members),
        len(header),
        len(header) + len(body),
        header + body,
    )
    objects = {n: v for n, v in BASIC.items() if n != 5}
    objects[9] = stream
    for number in range(1, 9):
        objects.setdefault(number, b"null")  # a slot the table needs (members are streamed)
    compressed = {number: (9, index) for index, (number, _value) in enumerate(members)}
    return xref_stream_file(objects, compressed=compressed)


def test_objects_in_object_streams_are_built_once() -> None:
    """An object repeated in another file's object stream comes from the cache, read the same."""
    first = _object_stream_file([(6, _FONT.replace(b"3 0 R", b"5 0 R"))])
    second = _object_stream_file(
        [(7, b"(another object first)"), (6, _FONT.replace(b"3 0 R", b"5 0 R"))]
    )
    cache = ObjectCache(limits=SyntaxLimits())
    _every_object(PdfFile(first, cache=cache))
    file = PdfFile(second, cache=cache)
    file.object(5)  # the object stream itself, read
    before = cache.hits
    file.object(6)
    assert cache.hits == before + 1
    assert _every_object(file) == _every_object(PdfFile(second))


def test_an_object_stream_value_that_ends_in_a_number_is_read_again() -> None:
    """A value whose last token could run on into the next object is never taken from the cache.

    The same bytes (a padded integer) are the integer 12 before one object and, run on
    by what follows, the reference ``12 0 R`` before another.
    """
    padded = b"%s 12 " % (b" " * 30)
    directly = classic({**BASIC, 6: padded})
    cache = ObjectCache(limits=SyntaxLimits())
    assert PdfFile(directly, cache=cache).object(6) == 12
    # The same bytes as the direct object's (from after ``obj`` to before ``endobj``),
    # the next object's offset right after them.
    streamed = _object_stream_file([(6, b"\n" + padded), (7, b"0 R")])
    assert PdfFile(streamed).object(6) == Ref(12, 0)
    assert PdfFile(streamed, cache=cache).object(6) == Ref(12, 0)


def test_the_files_of_a_compile_share_their_names() -> None:
    """A name read by two files with one cache is one object; without it, one each."""
    cache = ObjectCache(limits=SyntaxLimits())
    first = PdfFile(_FIRST, cache=cache).object(3)
    second = PdfFile(_SECOND, cache=cache).object(3)
    alone = PdfFile(_SECOND).object(3)
    assert isinstance(first, Dictionary)
    assert isinstance(second, Dictionary)
    assert isinstance(alone, Dictionary)
    assert first is not second  # the page differs: built twice, its names shared
    (type_first,) = [key for key in first if key == Name(b"Type")]
    (type_second,) = [key for key in second if key == Name(b"Type")]
    (type_alone,) = [key for key in alone if key == Name(b"Type")]
    assert type_first is type_second
    assert type_alone is not type_first
    assert cache.names[b"Type"] is type_first


def test_the_shared_names_stop_growing_at_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_INTERNED names a file's names are still read, only no longer interned."""
    monkeypatch.setattr(build, "MAX_INTERNED", 3)
    cache = ObjectCache(limits=SyntaxLimits())
    file = PdfFile(_SECOND, cache=cache)
    values = _every_object(file)
    assert len(cache.names) == 3
    assert values == _every_object(PdfFile(_SECOND))

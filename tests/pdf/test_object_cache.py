"""Objects repeated byte for byte across the files of one compile are built once.

The cache must change nothing but the time: the same values, the same reference spans
(what a copy renumbers) and the same backup bytes as reading every file on its own.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from invoicebackup import _pdf
from invoicebackup.pdf.build import SyntaxLimits
from invoicebackup.pdf.objectcache import ObjectCache
from invoicebackup.pdf.reader import PdfFile

from .craft import BASIC, classic

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

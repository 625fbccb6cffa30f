"""The fast cross-reference reader reads what the engine reads, or leaves the file to it.

:func:`invoicebackup._rawpdf.xref_table` reads a simple file's one classic table and
trailer with regular expressions; :class:`invoicebackup._engine._Reader` uses it instead of
pypdf's reader. Whenever it accepts a file, the reader must end up with exactly the
tables and trailer pypdf builds; anything it is not sure of must give ``None``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import _engine, _rawpdf
from invoicebackup.testing import text_pdf

from .pdf_craft import build_pdf

_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"


def _simple(trailer_extra: bytes = b"") -> bytes:
    return build_pdf([_CATALOG, _PAGES, _PAGE], trailer_extra=trailer_extra)


def _same_as_engine(data: bytes) -> None:
    """Our reader's tables and trailer are the engine's, reading the same bytes."""
    ours = _engine._Reader(data)
    engine = pypdf.PdfReader(io.BytesIO(data), strict=False)
    assert ours.xref == engine.xref
    assert ours.xref_free_entry == engine.xref_free_entry
    assert ours.xref_objStm == engine.xref_objStm
    assert ours._startxref == engine._startxref
    assert _plain(ours.trailer) == _plain(engine.trailer)
    assert _page_count(ours) == _page_count(engine)


def _page_count(reader: pypdf.PdfReader) -> int | str:
    """How many pages *reader* finds, or the name of the error it raises."""
    try:
        return len(reader.pages)
    except Exception as error:  # the outcome is what is compared
        return type(error).__name__


def _plain(value: Any) -> str:
    """A trailer's text with each reference's reader left out (the readers differ)."""
    return re.sub(r"IndirectObject\((\d+), (\d+), \d+\)", r"R(\1, \2)", repr(value))


def test_a_simple_file_is_read_by_the_fast_path() -> None:
    data = _simple(b" /ID [<0a0b><0c0d>] /Info 1 0 R")
    table = _rawpdf.xref_table(data)
    assert table is not None
    assert [entry[0] for entry in table.entries] == [0, 1, 2, 3]
    assert table.entries[0] == (0, 0, 65535, False)
    _same_as_engine(data)


def test_a_comment_in_the_trailer_is_blanked_but_not_inside_a_string() -> None:
    data = _simple(b"\n% made by (hand)\n /Note (50% done)")
    table = _rawpdf.xref_table(data)
    assert table is not None
    assert b"made by" not in table.trailer
    assert b"(50% done)" in table.trailer
    _same_as_engine(data)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("an incremental update", lambda d: d.replace(b"/Size 4", b"/Size 4 /Prev 9")),
        ("encryption", lambda d: d.replace(b"/Size 4", b"/Size 4 /Encrypt 1 0 R")),
        ("an escaped string", lambda d: d.replace(b"/Size 4", b"/T (a\\)) %x\n/Size 4")),
    ],
)
def test_trailers_the_engine_must_read(
    name: str, change: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table is simple but the trailer is not: the engine reads the file."""
    data = change(_simple())
    engine_reads: list[bool] = []
    original = pypdf.PdfReader.read

    def spy(reader: pypdf.PdfReader, stream: Any) -> None:
        engine_reads.append(True)
        original(reader, stream)

    monkeypatch.setattr(pypdf.PdfReader, "read", spy)
    try:
        _engine._Reader(data)
    except NotImplementedError:  # /Encrypt names the catalog: no handler, as for the engine
        assert name == "encryption"
    assert engine_reads, name
    if name != "encryption":
        monkeypatch.undo()
        _same_as_engine(data)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("no %PDF- header", lambda d: b"%PDX" + d[4:]),
        ("bytes after %%EOF", lambda d: d + b"garbage"),
        ("a wrong startxref", lambda d: re.sub(rb"startxref\n\d+", b"startxref\n12", d)),
        ("an offset off by one", lambda d: d.replace(b"0000000015 00000 n", b"0000000016 00000 n")),
        ("a table not starting at 0", lambda d: d.replace(b"xref\n0 4", b"xref\n1 4")),
        ("a short entry", lambda d: d.replace(b"65535 f \n", b"65535 f\n")),
        ("a missing trailer keyword", lambda d: d.replace(b"trailer", b"trailex")),
        ("a count past the table", lambda d: d.replace(b"xref\n0 4", b"xref\n0 9")),
    ],
)
def test_anything_unusual_is_left_to_the_engine(name: str, change: Any) -> None:
    data = change(_simple())
    assert data != _simple(), name
    assert _rawpdf.xref_table(data) is None, name


def test_two_subsections_and_no_number_twice() -> None:
    data = _simple()
    two = data.replace(
        b"xref\n0 4\n0000000000 65535 f \n", b"xref\n0 1\n0000000000 65535 f \n1 3\n"
    )
    assert _rawpdf.xref_table(two) is not None
    _same_as_engine(two)
    twice = data.replace(
        b"xref\n0 4\n0000000000 65535 f \n", b"xref\n0 2\n0000000000 65535 f \n1 3\n"
    )
    assert _rawpdf.xref_table(twice) is None


@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255))
def test_any_one_byte_change_is_read_as_the_engine_reads_it_or_left_to_it(
    where: int, byte: int
) -> None:
    data = bytearray(text_pdf(["one", "two"]))
    tail = data.rindex(b"xref")
    position = tail + where % (len(data) - tail)
    data[position] = byte
    changed = bytes(data)
    if _rawpdf.xref_table(changed) is None:
        return
    _same_as_engine(changed)


def test_every_corpus_file_it_accepts_reads_as_the_engine_reads_it(shared_dir: Path) -> None:
    accepted = 0
    for path in sorted((shared_dir / "corpus").rglob("*.pdf")):
        data = path.read_bytes()
        if _rawpdf.xref_table(data) is None:
            continue
        accepted += 1
        _same_as_engine(data)
    assert accepted > 0


def test_long_runs_of_digits_or_white_space_are_left_to_the_engine() -> None:
    """Bounded patterns: a hostile number or gap is not converted or scanned, just declined."""
    data = _simple()
    huge = re.sub(rb"startxref\n\d+", b"startxref\n" + b"9" * 5000, data)
    assert _rawpdf.xref_table(huge) is None
    first = data.index(b"1 0 obj")
    padded = data[:first] + b" " * 100 + data[first:]
    # Offsets after the padding are now 100 bytes short, the first one points into the gap.
    assert _rawpdf.xref_table(padded) is None
    assert _rawpdf.locate(padded, first, 1, 0, max_depth=8) is None
    assert _rawpdf.locate(padded, first + 90, 1, 0, max_depth=8) is not None


def _pattern_header_end(data: bytes, idnum: int, generation: int) -> int | None:
    found = _rawpdf._HEADER.match(data, 0)
    if found is None or int(found[1]) != idnum or int(found[2]) != generation:
        return None
    return found.end()


@given(
    number=st.integers(min_value=0, max_value=10**10),
    generation=st.integers(min_value=0, max_value=99_999),
    spelling=st.sampled_from(
        [b"%d %d obj", b"%d  %d obj", b" %d %d obj", b"0%d %d obj", b"%d %dobj", b"%d %d ob"]
    ),
    other=st.sampled_from([(0, 0), (1, 0), (0, 1)]),
    tail=st.binary(max_size=4),
)
def test_the_usual_header_is_read_as_the_pattern_reads_it(
    number: int, generation: int, spelling: bytes, other: tuple[int, int], tail: bytes
) -> None:
    """The byte comparison of ``N G obj`` is a shortcut: it accepts what the pattern accepts."""
    data = spelling % (number + other[0], generation + other[1]) + tail
    expected = _pattern_header_end(data, number, generation)
    assert _rawpdf.header_end(data, 0, number, generation) == expected

"""The reader on files made to exercise one rule each (ISO 32000-1 section in each test)."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
import zlib
from pathlib import Path

import pikepdf
import pytest

from invoicebackup._repair import rewrite
from invoicebackup.pdf.build import SyntaxLimits, parse
from invoicebackup.pdf.errors import PdfError
from invoicebackup.pdf.filters import decode
from invoicebackup.pdf.pypdf_adapter import normalise
from invoicebackup.pdf.reader import Limits, Page, PdfFile
from invoicebackup.pdf.serialise import serialise
from invoicebackup.pdf.values import Array, Dictionary, Name, Ref, Stream, String, Value
from tests.pdf import craft
from tests.pdf.test_reader_corpus import assert_same_pages, read_pages

WHITE_SPACE = b"\x00\t\n\x0c\r "


def _dict(value: Value) -> Dictionary:
    assert isinstance(value, Dictionary)
    return value


def _pikepdf_file(**save: object) -> bytes:
    pdf = pikepdf.new()
    for number in range(3):
        pdf.add_blank_page(page_size=(300 + number, 400))
        page = pdf.pages[number]
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf (page %d) Tj ET" % number)
        page.obj.Resources = pikepdf.Dictionary(
            Font=pikepdf.Dictionary({"/F1": pikepdf.Dictionary(Type=pikepdf.Name.Font)})
        )
    pdf.pages[1].obj.Rotate = 90
    out = io.BytesIO()
    pdf.save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


@pytest.mark.parametrize(
    "save",
    [
        {},
        {"qdf": True},
        {"object_stream_mode": pikepdf.ObjectStreamMode.generate},
        {"linearize": True},
        {"linearize": True, "object_stream_mode": pikepdf.ObjectStreamMode.generate},
    ],
    ids=["classic", "qdf", "xref-and-object-streams", "linearized", "linearized-object-streams"],
)
def test_files_pikepdf_writes_read_the_same_as_pikepdf_reads_them(save: dict[str, object]) -> None:
    """§7.5.4 tables, §7.5.8 xref streams, §7.5.7 object streams, linearized files: same pages."""
    data = _pikepdf_file(**save)
    assert assert_same_pages("generated", data, read_pages(data)) == 3


def test_a_basic_hand_made_file_reads_its_page_with_inherited_media_box() -> None:
    """§7.7.3.4: a page inherits /MediaBox from its parent; /Contents is the stored bytes."""
    reader = PdfFile(craft.classic(craft.BASIC))
    (page,) = reader.pages()
    assert page.media_box == Array((0, 0, 200, 100)) == page.crop_box
    assert page.ref == Ref(3, 0)
    assert page.rotate == 0
    contents = reader.resolve(page.dictionary[b"Contents"])
    assert isinstance(contents, Stream)
    assert contents.data == b"BT ET q\n"
    assert list(_dict(page.resources[b"Font"])) == [Name(b"F1")]


def test_an_object_freed_in_a_later_update_reads_as_null_though_still_referenced() -> None:
    """§7.5.6, §7.5.4: the newest revision wins; a free entry makes the object null."""
    original = craft.classic(craft.BASIC)
    updated = craft.update(original, {}, freed=(5,))
    assert PdfFile(original).object(5) is not None
    reader = PdfFile(updated)
    assert reader.object(5) is None
    (page,) = reader.pages()
    assert reader.resolve(_dict(page.resources[b"Font"])[b"F1"]) is None


def test_an_update_replaces_an_object_and_the_newest_version_is_read() -> None:
    """§7.5.6: an object written again in an update is read from the update."""
    updated = craft.update(craft.classic(craft.BASIC), {5: b"<</Type /Font /BaseFont /Courier>>"})
    assert _dict(PdfFile(updated).object(5))[b"BaseFont"] == Name(b"Courier")


def test_a_prev_chain_that_loops_is_refused_as_damaged() -> None:
    """§7.5.6: /Prev must lead to older sections; a loop is refused, never followed forever."""
    original = craft.classic(craft.BASIC)
    looping = craft.update(original, {}, prev=len(original) + 0)
    # The update's own table starts right after the original: /Prev points to itself.
    with pytest.raises(PdfError) as caught:
        PdfFile(looping)
    assert caught.value.code == "damaged"
    assert "loops" in caught.value.reason


def test_a_hybrid_file_reads_objects_listed_only_in_its_xref_stream() -> None:
    """§7.5.8.4: a table's free entry is overridden by the /XRefStm stream of the same section."""
    header = craft.HEADER
    objects = dict(craft.BASIC)
    hidden = objects.pop(5)
    data, offsets = craft.body(objects, len(header))
    # Object 5 is written where only the cross-reference stream (object 6) tells.
    offsets[5] = len(header) + len(data)
    data += b"5 0 obj\n%s\nendobj\n" % hidden
    rows = b"\x01" + offsets[5].to_bytes(4, "big") + b"\x00\x00"
    packed = zlib.compress(rows)
    stream_offset = len(header) + len(data)
    data += (
        b"6 0 obj\n<</Type /XRef /Size 7 /Index [5 1] /W [1 4 2] /Filter /FlateDecode"
        b" /Length %d>>\nstream\n%s\nendstream\nendobj\n" % (len(packed), packed)
    )
    start = len(header) + len(data)
    entries = {0: (0, 65535, b"f"), 5: (0, 1, b"f"), **{n: (offsets[n], 0, b"n") for n in objects}}
    file = (
        header
        + data
        + craft.table(entries)
        + b"trailer\n<</Size 7 /Root 1 0 R /XRefStm %d>>\nstartxref\n%d\n%%%%EOF\n"
        % (stream_offset, start)
    )
    reader = PdfFile(file)
    assert _dict(reader.object(5))[b"BaseFont"] == Name(b"Helvetica")


@pytest.mark.parametrize("space", list(WHITE_SPACE), ids=[f"0x{b:02x}" for b in WHITE_SPACE])
def test_every_white_space_byte_ends_a_name(space: int) -> None:
    """§7.2.2 Table 1: NUL, HT, LF, FF, CR and SP are white space and end a name token."""
    with pytest.raises(PdfError, match="b'Page' is not a value"):
        # The name ended at the white space: what follows is a separate (bad) token.
        parse(b"[/Type" + bytes([space]) + b"Page]")
    assert parse(b"[/Type" + bytes([space]) + b"/Page]") == Array((Name(b"Type"), Name(b"Page")))
    assert _dict(parse(b"<</Type" + bytes([space]) + b"/Page>>"))[b"Type"] == Name(b"Page")


@pytest.mark.parametrize("byte", range(1, 256), ids=lambda b: f"0x{b:02x}")
def test_a_name_with_any_escaped_byte_is_that_byte_and_is_written_back_exactly(byte: int) -> None:
    """§7.3.5: ``#xx`` is the byte xx; the name is its bytes and keeps its spelling."""
    spelled = b"/A#%02X" % byte
    name = parse(spelled)
    assert name == Name(b"A" + bytes([byte]))
    assert serialise(name) == spelled
    assert parse(serialise(Name(b"A" + bytes([byte])))) == name


@pytest.mark.parametrize("spelled", [b"/F#E9", b"/F\xe9", b"/#B0#A1", b"/a#2fb", b"/\x7f"])
def test_names_round_trip_byte_for_byte_and_never_through_utf8(spelled: bytes) -> None:
    r"""§7.3.5: names are bytes; ``/F#E9`` and raw ``/F\xe9`` are one name, each kept as spelled."""
    assert serialise(parse(spelled)) == spelled
    assert parse(b"/F#E9") == parse(b"/F\xe9") == Name(b"F\xe9")


def test_literal_strings_keep_their_bytes_through_escapes_and_line_ends() -> None:
    """§7.3.4.2: escapes, balanced parentheses, octal, and an end of line read as LF."""
    value = parse(b"(a(b)c\\)\\\\\\101\\0\\\r\nd\r\ne\rf)")
    assert value == String(b"a(b)c)\\A\x00d\ne\nf")
    assert parse(serialise(value)) == value


def test_deep_nesting_is_refused_at_the_limit_without_recursion() -> None:
    """Nesting is bounded before it is built: a 100 000-deep array is refused, not recursed."""
    with pytest.raises(PdfError) as caught:
        parse(b"[" * 100_000 + b"]" * 100_000, limits=SyntaxLimits(max_depth=150))
    assert caught.value.code == "too_large"
    assert "150" in caught.value.reason
    assert parse(b"[" * 150 + b"]" * 150, limits=SyntaxLimits(max_depth=150)) is not None


def test_a_token_past_the_size_limit_is_refused_before_it_is_built() -> None:
    """A name or string longer than max_token is refused with its own reason."""
    limits = SyntaxLimits(max_token=1000)
    for data in (b"/" + b"a" * 2000, b"(" + b"a" * 2000 + b")", b"<" + b"0" * 2000 + b">"):
        with pytest.raises(PdfError) as caught:
            parse(data, limits=limits)
        assert caught.value.code == "too_large", data[:3]


def test_a_large_literal_string_costs_memory_proportional_to_its_size() -> None:
    """A 16 MB literal string with escapes needs at most a few copies of itself, not 14."""
    size = 16 * 1024 * 1024
    data = b"(" + (b"a" * 62 + b"\\)") * (size // 64) + b")"
    tracemalloc.start()
    try:
        value = parse(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(value, String)
    assert len(value.value) == 63 * size // 64
    assert peak < 3 * size


def _bomb(size: int) -> bytes:
    return zlib.compress(bytes(size), 9)


def test_a_flate_bomb_in_an_xref_stream_is_refused_by_the_decode_limit() -> None:
    """§7.4.4: an xref stream is inflated at most up to the limit; memory stays bounded."""
    limit = 1024 * 1024
    file = craft.xref_stream_file(craft.BASIC, xref_data=bytes(64 * 1024 * 1024))
    assert len(file) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(PdfError) as caught:
            PdfFile(file, limits=Limits(max_stream_output=limit))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "too_large"
    assert peak < 4 * limit


def test_a_flate_bomb_in_an_object_stream_is_refused_by_the_decode_limit() -> None:
    """§7.5.7: an object stream is inflated at most up to the limit."""
    limit = 1024 * 1024
    packed = _bomb(64 * 1024 * 1024)
    objects = dict(craft.BASIC)
    objects[6] = (
        b"<</Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d>>\nstream\n%s\nendstream"
        % (
            len(packed),
            packed,
        )
    )
    # Object 5 is written in the file too, but the table says it is in object stream 6.
    file = craft.xref_stream_file(objects, compressed={5: (6, 0)})
    reader = PdfFile(file, limits=Limits(max_stream_output=limit))
    tracemalloc.start()
    try:
        with pytest.raises(PdfError) as caught:
            reader.object(5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == "too_large"
    assert peak < 4 * limit


def test_an_xref_stream_file_with_a_predictor_reads() -> None:
    """§7.4.4.4: PNG Up predictor rows (what most writers use for xref streams) are undone."""
    data = _pikepdf_file(object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"/Predictor 12" in data or b"/DecodeParms" in data
    assert len(PdfFile(data).pages()) == 3


def _encrypted_by_qpdf(user: str, **options: object) -> bytes:
    pdf = pikepdf.open(io.BytesIO(_pikepdf_file()))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user=user, **options))  # type: ignore[arg-type]
    return out.getvalue()


def test_an_encrypted_file_is_refused_with_the_code_encrypted() -> None:
    """§7.6: a trailer with /Encrypt that the empty user password does not open is refused.

    The caller normalises it (with the password) first.
    """
    with pytest.raises(PdfError) as caught:
        PdfFile(_encrypted_by_qpdf("u"))
    assert caught.value.code == "encrypted"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"R": 4, "aes": True},
        {"R": 4, "aes": True, "metadata": False},
        {"R": 4, "aes": False, "metadata": False},
        {"R": 3, "aes": False, "metadata": False},
    ],
)
def test_a_file_qpdf_encrypted_with_the_empty_user_password_reads_as_the_plain_one(
    options: dict[str, object],
) -> None:
    """AES-256 (R6), AES-128 and RC4 as qpdf writes them: the same pages and content bytes."""
    plain = PdfFile(_pikepdf_file())
    file = PdfFile(_encrypted_by_qpdf("", **options))
    assert file.encrypted
    pages, expected = file.pages(), plain.pages()
    assert len(pages) == len(expected) == 3
    for page, want in zip(pages, expected, strict=True):
        assert _content(file, page) == _content(plain, want)


def _content(file: PdfFile, page: Page) -> bytes:
    content = file.resolve(page.dictionary[b"Contents"])
    assert isinstance(content, Stream)
    return bytes(content.data)


def test_a_table_listing_too_many_objects_is_refused_before_it_is_read() -> None:
    """The object limit is checked on the subsection header, before any entry is read."""
    file = craft.classic(craft.BASIC).replace(b"xref\n0 1\n", b"xref\n0 3000000\n")
    with pytest.raises(PdfError) as caught:
        PdfFile(file, limits=Limits(max_objects=1000))
    assert caught.value.code == "too_large"


def test_a_wrong_stream_length_is_refused_with_the_object_named() -> None:
    """§7.3.8.1: /Length must end at endstream; a reader that is not sure refuses."""
    objects = dict(craft.BASIC)
    objects[4] = b"<</Length 3>>\nstream\nBT ET q\n\nendstream"
    reader = PdfFile(craft.classic(objects))
    with pytest.raises(PdfError) as caught:
        reader.object(4)
    assert caught.value.code == "damaged"
    assert "object 4 0" in caught.value.reason


def test_reading_a_plain_file_never_imports_pypdf() -> None:
    """The engines are imported only to normalise a refused file, never to read a plain one."""
    script = (
        "import sys\n"
        "from invoicebackup.pdf.reader import PdfFile\n"
        "from tests.pdf import craft\n"
        "PdfFile(craft.classic(craft.BASIC)).pages()\n"
        "print('pypdf' in sys.modules, 'pikepdf' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, check=True, text=True
    )
    assert done.stdout.split() == ["False", "False"]


def test_a_catalog_reached_as_a_page_tree_leaf_is_damage_not_a_page() -> None:
    """``/Pages`` pointing back at the catalog: refused as damaged, never taken for a page.

    Found by the hostile property: the catalog was counted as one page (pypdf reads none).
    """
    data = craft.classic({1: b"<< /Type /Catalog /Pages 1 0 R >>"})
    with pytest.raises(PdfError) as caught:
        PdfFile(data).pages()
    assert caught.value.code == "damaged"
    assert "/Catalog" in caught.value.reason


def test_a_kid_that_refers_to_no_object_holds_no_page() -> None:
    """``/Kids [3 0 R 4 1 R]`` where object 4 has generation 0: one page, as qpdf and pypdf read.

    Found by the hostile property: the file was refused, then rewritten by pypdf with two pages.
    """
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    data = craft.classic(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R 4 1 R] /Count 2 >>",
            3: page,
            4: page,
        }
    )
    assert len(PdfFile(data).pages()) == 1
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1


def test_a_damaged_file_is_rewritten_with_the_pages_pypdf_read() -> None:
    """Refused (a wrong startxref), rewritten through pypdf: its pages, not its clone's.

    pypdf reads one page where a kid refers to another generation, but its clone of the
    catalog wrote two. Found by the hostile property.
    """
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    data = craft.classic(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R 4 1 R] /Count 2 >>",
            # The first page links to the second: the clone follows the link to object 4.
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [5 0 R] >>",
            4: page,
            5: b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /Dest [4 0 R /Fit] >>",
        }
    )
    at = data.rindex(b"startxref\n") + len(b"startxref\n")
    damaged = data[:at] + b"9" + data[at:]  # an offset past the end of the file
    with pytest.raises(PdfError):
        PdfFile(damaged)
    assert len(PdfFile(normalise(damaged)).pages()) == 1


def _three_pages(pages_entry: bytes) -> bytes:
    """Three pages under one /Pages node; the catalog's ``/Pages`` is *pages_entry*."""
    page = b"<< /Type /Page /Parent %s /MediaBox [0 0 %d 792] >>"
    return craft.classic(
        {
            1: b"<< /Type /Catalog /Pages " + pages_entry + b" >>",
            2: b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 3 >>",
            3: page % (b"2 0 R", 301),
            4: page % (b"6 0 R", 302),
            5: page % (b"6 0 R", 303),
            6: b"<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 5 0 R] /Count 2 >>",
        }
    )


@pytest.mark.parametrize("entry", [b"3 0 R", b"5 0 R", b"6 0 R"], ids=["page", "deep", "inner"])
def test_a_pages_entry_pointing_into_the_tree_reads_the_whole_tree_as_qpdf_does(
    entry: bytes,
) -> None:
    """§7.7.3: ``/Pages`` at a page or an inner node: its ``/Parent`` chain leads to the root.

    Found by the hostile property (``/Pages 2 0 R`` changed to ``3 0 R``, the first
    page): the reader read that page as the whole document, one page of three; qpdf
    corrects the root and reads three.
    """
    data = _three_pages(entry)
    file = PdfFile(data)
    assert file.page_tree_root() == Ref(2, 0)
    boxes = [page.media_box for page in file.pages()]
    assert boxes == [Array((0, 0, width, 792)) for width in (301, 302, 303)]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == len(boxes)


def test_page_tree_parent_links_that_loop_are_damage() -> None:
    """A ``/Parent`` chain that comes back to where it started is refused as damaged."""
    data = craft.classic(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Parent 3 0 R /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        }
    )
    with pytest.raises(PdfError) as caught:
        PdfFile(data).pages()
    assert caught.value.code == "damaged"
    assert "/Parent" in caught.value.reason


def _damaged_with_font(name: bytes) -> bytes:
    """A one-page file with a font resource named *name*, refused for a wrong ``startxref``."""
    data = craft.classic(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << " + name + b" 5 0 R >> >> /Contents 4 0 R >>",
            4: _stream(b"BT " + name + b" 12 Tf (hello) Tj ET"),
            5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        }
    )
    at = data.rindex(b"startxref\n") + len(b"startxref\n")
    damaged = data[:at] + b"9" + data[at:]  # an offset past the end of the file
    with pytest.raises(PdfError):
        PdfFile(damaged)
    return damaged


def _stream(data: bytes) -> bytes:
    """A stream object's body with its ``/Length``."""
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)


def _font_names(data: bytes) -> list[bytes]:
    (page,) = PdfFile(data).pages()
    fonts = PdfFile(data).resolve(page.resources.get(b"Font"))
    assert isinstance(fonts, Dictionary)
    return [key.value for key in fonts]


@pytest.mark.parametrize(
    "name", [b"/F\xd4y", b"/F#D4y", b"/F\xe9"], ids=["gbk", "escaped", "latin1"]
)
def test_a_rewrite_in_which_pypdf_changes_a_name_is_refused_and_qpdf_keeps_it(name: bytes) -> None:
    r"""A name that is not UTF-8 in a file the reader refuses: pypdf would write other bytes.

    pypdf reads a name's bytes as UTF-8, else GBK, else Latin-1, and writes the characters
    as UTF-8: the font resource ``/F\xd4y`` became ``/F#E8#A9#99`` (``詙``) while the
    content stream still uses ``/F\xd4y``. Found by the hostile property (a font's
    ``/Subtype`` changed). The rewrite through pypdf is refused as damaged, naming the
    name; qpdf (the ``repair`` step) keeps its bytes.
    """
    damaged = _damaged_with_font(name)
    with pytest.raises(PdfError) as caught:
        normalise(damaged)
    assert caught.value.code == "damaged"
    assert "name" in caught.value.reason
    repaired = rewrite(damaged, max_bytes=len(damaged))
    assert repaired is not None
    assert _font_names(repaired[0]) == [b"F\xd4y" if b"y" in name else b"F\xe9"]


def test_a_utf8_name_survives_the_rewrite_through_pypdf() -> None:
    """A non-ASCII name whose bytes are UTF-8 is kept by pypdf: its rewrite is not refused."""
    damaged = _damaged_with_font(b"/F\xc3\xa9")
    assert _font_names(normalise(damaged)) == [b"F\xc3\xa9"]


def test_a_rewrite_in_which_pypdf_loses_a_page_content_stream_is_refused() -> None:
    """A vertical tab before ``stream``: pypdf reads the dictionary alone, qpdf the stream.

    0x0B is not white-space in PDF (§7.2.2), so the reader refuses the object; pypdf's
    rewrite had the page's ``/Contents`` a plain dictionary (a blank page), where qpdf
    reads the text. Found by the hostile property. The rewrite through pypdf is refused;
    qpdf's keeps the content.
    """
    content = b"BT /F1 12 Tf 72 720 Td (hello) Tj ET"
    data = craft.classic(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            4: _stream(content).replace(b">>\nstream", b">>\x0bstream"),
        }
    )
    with pytest.raises(PdfError):
        PdfFile(data).object(4)
    with pytest.raises(PdfError) as caught:
        normalise(data)
    assert caught.value.code == "damaged"
    assert "stream" in caught.value.reason
    repaired = rewrite(data, max_bytes=len(data))
    assert repaired is not None
    file = PdfFile(repaired[0])
    (page,) = file.pages()
    stream = file.resolve(page.dictionary.get(b"Contents"))
    assert isinstance(stream, Stream)
    assert decode(stream.dictionary, bytes(stream.data), max_output=1 << 20) == content


def test_a_trailer_without_size_is_damage_as_qpdf_takes_it() -> None:
    """§7.5.5: ``/Size`` is required in the trailer; without it qpdf reconstructs the file.

    Found by the hostile property: with an object appended after ``%%EOF`` the reader read
    the table's pages where qpdf's reconstruction found other ones. Refused as damaged.
    """
    data = craft.classic(craft.BASIC)
    without = data.replace(b"/Size 6", b"/Sise 6")
    assert len(PdfFile(data).pages()) == 1
    with pytest.raises(PdfError) as caught:
        PdfFile(without)
    assert caught.value.code == "damaged"
    assert "/Size" in caught.value.reason
    with pikepdf.open(io.BytesIO(without)) as pdf:
        assert any("lacks /Size" in warning for warning in pdf.get_warnings())


@pytest.mark.parametrize(("written", "read"), [(b"80", 80), (b"-90", 270), (b"450", 90)])
def test_a_rotation_that_is_not_a_multiple_of_90_is_kept_as_qpdf_reads_it(
    written: bytes, read: int
) -> None:
    """``/Rotate 80``: kept (viewers differ on it), so the copy shows what the source shows.

    Found by the hostile property (``/Rotate 90`` changed to ``80``): the reader read 0 and
    the backup's page said 0 where the source says 80.
    """
    data = craft.classic(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Rotate " + written + b" >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        }
    )
    (page,) = PdfFile(data).pages()
    assert page.rotate == read
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert int(pdf.pages[0].obj.Rotate) % 360 == read

"""What the writer records for page digests instead of reading it back, and its memos.

The writer records each copied page's shape as it writes it (its dictionary with the
references as written, its ``/Resources`` as the object written for them), so that only
our own pages are read back from the copy; it keeps shapes of values it meets again by
identity and digests of inflated data by their compressed bytes. Each is checked against
what :mod:`invoicebackup.pdf.digest` computes afresh.
"""

from __future__ import annotations

import io
import os
import threading
import zlib

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicebackup import _pdf, _snapshot
from invoicebackup._snapshot import Packed, Recording, Renderings, Shapes, Spool, _pack
from invoicebackup.pdf.digest import (
    Head,
    RefMap,
    encoding,
    plain_digest,
    plain_of,
    render,
    shape,
)
from invoicebackup.pdf.values import Array, Dictionary, Name, Ref, Stream, Value
from invoicebackup.testing import text_pdf
from tests.pdf_craft import build_pdf, stream
from tests.test_page_shapes import read_back, recorded_and_read, writer_with_digests

#: A page whose /Resources is held indirectly (the reader resolves it for the digest).
INDIRECT_RESOURCES = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Rotate 90 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 400] /Contents 4 0 R /Resources 5 0 R >>",
    b"<< /Length 0 >>\nstream\n\nendstream",
    b"<< /Font << /F1 6 0 R >> /ProcSet [/PDF /Text] >>",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def _written(
    documents: list[bytes], *, prefixes: tuple[str, ...], placeholder: bool = False
) -> tuple[_pdf.BackupWriter, Shapes, list[str], bytes, int]:
    """*documents* copied once per prefix, then a placeholder if asked for.

    The writer, its shapes, the digests it recorded, the backup, and the index of the
    placeholder page (the page count when there is none).
    """
    out = io.BytesIO()
    writer = writer_with_digests(out)
    try:
        for index, data in enumerate(documents):
            parsed = _pdf.open_pdf(data, key=f"k/{index}", filename=f"{index}.pdf")
            for prefix in prefixes:
                writer.add_document(parsed, field_prefix=f"{prefix}{index}")
        page = writer.add_text_page(["left out"]) if placeholder else writer.page_count
        shapes = writer._shapes
        recorded = writer.page_digests()
        writer.finish(file_id=b"test")
    finally:
        writer.close()
    assert shapes is not None
    return writer, shapes, recorded, out.getvalue(), page


def test_copied_pages_are_recorded_and_only_our_own_pages_read_back() -> None:
    """Every copied page's shape is recorded as written; a placeholder's is read back."""
    writer, shapes, recorded, data, placeholder = _written(
        [text_pdf(["one", "two"]), build_pdf(INDIRECT_RESOURCES)],
        prefixes=("a", "b"),
        placeholder=True,
    )
    assert not shapes.copied_unread  # the copy's table leaves recorded objects out
    copied = {writer.page_number(index) for index in range(placeholder)}
    assert set(shapes.pages) == copied
    assert writer.page_number(placeholder) not in shapes.pages
    assert tuple(recorded) == read_back(data)


def test_the_copy_is_let_go_once_the_pages_are_digested() -> None:
    """After page_digests the copy is deleted and the writer writes on to the output alone.

    What finish writes then (the page tree, the catalog, an attachment) is in the backup,
    the backup's pages digest as recorded, and a second page_digests is refused.
    """
    out = io.BytesIO()
    writer = writer_with_digests(out)
    try:
        writer.add_document(
            _pdf.open_pdf(text_pdf(["one", "two"]), key="k", filename="a.pdf"), field_prefix="a"
        )
        spool = writer._spool
        assert spool is not None
        recorded = writer.page_digests()
        assert spool.copy.closed
        writer.attach("note.txt", b"after the digests")
        with pytest.raises(ValueError, match="digested"):
            writer.page_digests()
        writer.finish(file_id=b"test")
    finally:
        writer.close()
    data = out.getvalue()
    assert tuple(recorded) == read_back(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 2
        assert pdf.attachments["note.txt"].get_file().read_bytes() == b"after the digests"


@given(
    st.lists(st.tuples(st.integers(0, 2500), st.binary(min_size=1, max_size=60)), max_size=40),
    st.integers(0, 2600),
)
def test_packed_shapes_are_found_as_a_dictionary_finds_them(
    items: list[tuple[int, bytes]], mark: int
) -> None:
    """Shapes packed in one buffer by number: the last one set is found, forget cuts at a mark."""
    packed, model = Packed(), {}
    for number, found in items:
        packed[number] = found
        model[number] = found
    for number in range(-1, 2602):
        assert packed.get(number) == model.get(number)
        assert (number in packed) == (number in model)
    packed.forget(mark)
    packed[mark] = b"again"
    model = {number: found for number, found in model.items() if number < mark}
    model[mark] = b"again"
    assert all(packed.get(number) == model.get(number) for number in range(2602))


#: A page whose /Resources is a form field (recorded under our parent field): the writer
#: cannot say what the page reads as, so the page is read back, and the reader resolves
#: its resources from the copy: the recorded field must be listed there.
RESOURCES_NAMING_A_FIELD = [
    b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources 4 0 R "
    b"/Annots [4 0 R] /Contents 5 0 R >>",
    b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (f) /V (1) /Rect [0 0 90 20] /P 3 0 R "
    b"/Font << /F1 6 0 R >> >>",
    stream(b"", b"BT /F1 9 Tf (x) Tj ET"),
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]


def test_a_copied_page_read_back_has_what_it_reaches_listed_in_the_copy() -> None:
    """The copy's table lists every object then (recorded ones too): the digests agree."""
    writer, shapes, recorded, data, _ = _written(
        [build_pdf(RESOURCES_NAMING_A_FIELD), text_pdf(["x"])], prefixes=("a",)
    )
    assert shapes.copied_unread
    assert writer.page_number(0) not in shapes.pages
    assert tuple(recorded) == read_back(data)


_REFS = st.builds(Ref, st.integers(1, 6))
_LEAVES: st.SearchStrategy[Value] = st.one_of(
    st.integers(-5, 5), st.sampled_from([Name(b"A"), Name(b"Type"), None, True]), _REFS
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(Array),
        st.dictionaries(st.sampled_from([Name(b"K"), Name(b"L"), Name(b"Type")]), inner).map(
            Dictionary
        ),
    ),
    max_leaves=12,
).filter(lambda value: isinstance(value, (Array, Dictionary)))


@settings(max_examples=60, deadline=None)
@given(value=_VALUES, nulls=st.sets(st.integers(1, 6)), offset=st.integers(0, 50))
def test_a_shape_known_by_identity_is_the_shape_computed_afresh(
    value: Value, nulls: set[int], offset: int
) -> None:
    """Met again, under another numbering or with references written as null: equal.

    Both for a value's shape and for a dictionary's rendering (a page's resources).
    """
    shapes = Shapes(Spool(io.BytesIO()))
    try:

        def numbered(ref: Ref) -> Ref | None:
            return Ref(ref.num + offset)

        def some_null(ref: Ref) -> Ref | None:
            return None if ref.num in nulls else Ref(ref.num * 2)

        renderings = Renderings()
        for mapping in (numbered, some_null, numbered):
            assert shapes._shape(value, mapping, 1) == shape(value, mapping)
            if isinstance(value, Dictionary):

                def rendered(ref: RefMap, value: Dictionary = value) -> Head:
                    return render(value, ref)

                assert renderings.mapped(value, mapping, rendered, "value") == render(
                    value, mapping
                )
    finally:
        shapes.spool.close()


def _references(value: Value) -> list[Ref]:
    """Every reference in *value*, in the order its bytes would write them."""
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Dictionary):
        return [ref for item in value.values() for ref in _references(item)]
    if isinstance(value, Array):
        return [ref for item in value for ref in _references(item)]
    return []


@settings(max_examples=80, deadline=None)
@given(
    value=_VALUES,
    nulls=st.sets(st.integers(1, 6)),
    offset=st.integers(0, 50),
    unwritten=st.sampled_from([None, *range(1, 7)]),
)
def test_a_value_recorded_again_packs_what_its_shape_computed_afresh_packs(
    value: Value, nulls: set[int], offset: int, unwritten: int | None
) -> None:
    """Recorded a second time (the memo's quick path): the bytes computed afresh, or none.

    Each time under its own numbering, with some references written as null; a
    reference the bytes did not write (*unwritten*) leaves the object to be read back.
    """
    shapes = Shapes(Spool(io.BytesIO()))
    try:
        for round_, nulled in enumerate((set(), nulls, set(), nulls)):

            def number(ref: Ref, nulled: set[int] = nulled, round_: int = round_) -> int | None:
                return None if ref.num in nulled else ref.num + offset + round_

            written = Recording(number)
            refs = _references(value)
            for ref in refs:
                if ref.num != unwritten:
                    written(ref)
            shapes.record(100 + round_, value, written, size=len(refs) + 1)
            if any(ref.num == unwritten for ref in refs):
                assert 100 + round_ not in shapes.known
            else:
                assert shapes.known.get(100 + round_) == _pack(shape(value, written.map))
    finally:
        shapes.spool.close()


def test_inflated_digests_are_kept_by_the_compressed_bytes() -> None:
    """Two streams with the same Flate bytes are inflated once; bad data stays stored bytes."""
    flate = Dictionary({Name(b"Filter"): Name(b"FlateDecode")})
    data = zlib.compress(b"BT /F1 12 Tf (same) Tj ET" * 100)
    bad = b"not flate data at all"
    memo: dict[bytes, bytes | None] = {}
    for payload in (data, data, bad, bad):
        stream = Stream(flate, payload)
        assert plain_of(payload, encoding(stream), memo) == plain_digest(stream)
    assert len(memo) == 2
    assert None in memo.values()


def test_large_streams_hashed_on_the_digest_thread_digest_as_they_read_back() -> None:
    """Large Flate, raw and undecodable stream data (the digest thread's): equal; it stops."""
    content = b"q 10 0 0 10 0 0 cm /I Do /J Do /K Do /L Do Q\n" + b"% padding\n" * 20_000
    document = build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R "
            b"/Resources << /XObject << /I 5 0 R /J 6 0 R /K 7 0 R /L 8 0 R >> >> >>",
            stream(b"/Filter /FlateDecode", zlib.compress(content)),
            stream(
                b"/Type /XObject /Subtype /Image /Width 300 /Height 300 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8",
                os.urandom(270_000),
            ),
            stream(
                b"/Type /XObject /Subtype /Image /Width 300 /Height 300 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /FlateDecode",
                os.urandom(270_000),
            ),
            stream(
                b"/Type /XObject /Subtype /Image /Width 300 /Height 300 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /DCTDecode",
                os.urandom(270_000),
            ),
            stream(
                b"/Type /XObject /Subtype /Image /Width 300 /Height 300 /ColorSpace /DeviceRGB "
                b"/BitsPerComponent 8 /Filter /FlateDecode",
                zlib.compress(os.urandom(270_000)),
            ),
        ]
    )
    recorded, read = recorded_and_read(document, text_pdf(["small"]))
    assert tuple(recorded) == read
    assert not [t for t in threading.enumerate() if t.name.startswith("invoicebackup-digest")]


def test_an_object_whose_type_is_a_dictionary_has_a_shape() -> None:
    """``/Type << >>`` (hostile) is digested like any other entry, not a crash."""
    odd = Dictionary({Name(b"Type"): Dictionary({Name(b"K"): 1})})
    digest, refs = shape(odd)
    assert refs == ()
    assert digest != shape(Dictionary({Name(b"Type"): Dictionary()}))[0]


def test_a_pending_stream_counts_the_whole_file_it_keeps_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The digest thread's backlog is bounded by the files its views keep alive.

    A stream's data is a view of its whole file: two streams of one small file count the
    file once and stay pending; one of a file past the bound makes the oldest settle
    until the files held fit, and every shape is the one computed directly.
    """
    monkeypatch.setattr(_snapshot, "_LARGE", 1000)
    monkeypatch.setattr(_snapshot, "_PENDING", 1_000_000)
    small, large = memoryview(os.urandom(200_000)), memoryview(os.urandom(2_000_000))
    streams = [
        Stream(Dictionary({Name(b"Length"): 5000}), view)
        for view in (small[:5000], small[5000:10000], large[:5000])
    ]
    shapes = Shapes(Spool(io.BytesIO()))
    try:
        for number, item in enumerate(streams[:2], start=1):
            shapes.record(number, item, Recording(lambda ref: ref.num))
        assert len(shapes._pending) == 2
        shapes.record(3, streams[2], Recording(lambda ref: ref.num))
        assert not shapes._pending
        for number, item in enumerate(streams, start=1):
            assert shapes.known.get(number) == _pack(shape(item))
    finally:
        shapes.close()

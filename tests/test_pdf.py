"""The PDF boundary: sniffing, isolated parsing with typed errors, and assembly."""

from __future__ import annotations

import gc
import io
import weakref
from datetime import UTC, datetime
from typing import Any

import pikepdf
import pypdf
import pytest

from invoicebackup import BadDocumentError, _pdf
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.testing import (
    active_content_pdf,
    lien_waiver_pdf,
    linked_pdf,
    scanned_pdf,
    text_pdf,
)
from tests.backup_helpers import outline, reader

_OUTPUTS: dict[int, io.BytesIO] = {}


def _writer(limits: _pdf.Limits | None = None) -> _pdf.BackupWriter:
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC), limits=limits
    )
    _OUTPUTS[id(writer)] = out
    return writer


def _written(writer: _pdf.BackupWriter) -> bytes:
    writer.finish(file_id=b"test")
    return _OUTPUTS.pop(id(writer)).getvalue()


def _open(data: bytes, name: str = "doc.pdf") -> _pdf.ParsedPdf:
    return _pdf.open_pdf(data, key=f"k/{name}", filename=name)


def _check(data: bytes) -> list[str]:
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        return [str(problem) for problem in pdf.check_pdf_syntax()]


@pytest.mark.parametrize(
    ("data", "code", "kind"),
    [
        (b"", "empty", "empty"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "not_pdf", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not_pdf", "PNG"),
        (
            b"PK\x03\x04" + b"\x00" * 26 + b"mimetypeapplication/vnd.oasis.opendocument.text",
            "not_pdf",
            "ODT",
        ),
        (b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml", "not_pdf", "DOCX"),
        (b"  <!DOCTYPE html><html><body>404</body></html>", "not_pdf", "HTML"),
        (b"junk\n" * 10 + b"%PDF-1.4\n", None, "PDF"),
    ],
)
def test_sniff_names_what_a_file_really_is(data: bytes, code: str | None, kind: str) -> None:
    """Sniffing tells empty, PDF (header within 1 KiB) and the real type of other files."""
    sniffed = _pdf.sniff(data)
    assert sniffed.code == code
    assert kind in sniffed.kind


def test_a_header_after_the_first_kib_is_not_a_pdf() -> None:
    """``%PDF-`` must appear within the first KiB."""
    assert _pdf.sniff(b" " * 1100 + b"%PDF-1.4").code == "not_pdf"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0 not a pdf", "not_pdf"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF", "damaged"),
        (text_pdf(["x"])[:300], "damaged"),
    ],
)
def test_bad_documents_raise_typed_errors(data: bytes, code: str) -> None:
    """Every failure to open is a BadDocumentError with a stable code."""
    with pytest.raises(BadDocumentError) as caught:
        _open(data)
    assert caught.value.code == code
    assert caught.value.key == "k/doc.pdf"


@pytest.mark.parametrize(
    ("exception", "code"),
    [
        (AssertionError("bare assert"), "damaged"),
        (KeyError("/Root"), "damaged"),
        (ValueError("bad number"), "damaged"),
        (RecursionError("too deep"), "damaged"),
        (pypdf.errors.PdfReadError("broken"), "damaged"),
        (pypdf.errors.DependencyError("no AES backend"), "unsupported_encryption"),
        (NotImplementedError("an unknown security handler"), "unsupported_encryption"),
        (MemoryError(), "too_large"),
    ],
)
def test_pypdf_exceptions_are_translated(
    monkeypatch: pytest.MonkeyPatch, exception: BaseException, code: str
) -> None:
    """Whatever pypdf raises while decrypting a document becomes a BadDocumentError with a code."""

    def explode(*_args: object, **_kwargs: object) -> None:
        raise exception

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(text_pdf(["secret"])))
    # A user password: the reader does not open it, pypdf is asked to.
    writer.encrypt(user_password="open-sesame", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    monkeypatch.setattr(pypdf, "PdfReader", explode)
    with pytest.raises(BadDocumentError) as caught:
        _open(out.getvalue())  # encrypted: our reader refuses it, pypdf decrypts it
    assert caught.value.code == code


def test_a_user_password_is_reported_as_encrypted() -> None:
    """A document that needs a password to open is code ``encrypted``."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(text_pdf(["secret"])))
    writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(BadDocumentError) as caught:
        _open(out.getvalue())
    assert caught.value.code == "encrypted"


def test_an_owner_password_only_document_opens() -> None:
    """Owner-password-only encryption is opened with the empty password and flagged."""
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(text_pdf(["a", "b"])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    parsed = _open(out.getvalue())
    assert parsed.page_count == 2
    assert parsed.encrypted


def test_limits_report_too_large() -> None:
    """A document over the page or byte limit is ``too_large``."""
    with pytest.raises(BadDocumentError) as caught:
        _pdf.open_pdf(
            text_pdf(["a", "b", "c"]), key="k", filename="f", limits=_pdf.Limits(max_pages=2)
        )
    assert caught.value.code == "too_large"
    with pytest.raises(BadDocumentError) as caught:
        _pdf.open_pdf(text_pdf(["a"]), key="k", filename="f", limits=_pdf.Limits(max_bytes=10))
    assert caught.value.code == "too_large"


def test_deep_nesting_is_too_large_not_a_crash() -> None:
    """Objects nested deeper than the limit are reported (a bound), never a RecursionError."""
    nested = b"[" * 120 + b"]" * 120
    data = text_pdf(["x"]).replace(b"/Type /Page ", b"/Type /Page /Junk " + nested + b" ", 1)
    with pytest.raises(BadDocumentError) as caught:
        _pdf.open_pdf(data, key="k", filename="f", limits=_pdf.Limits(max_depth=50))
    assert caught.value.code == "too_large"


def test_form_fields_of_two_documents_keep_their_own_values() -> None:
    """Two waivers with a field ``amount`` stay two fields, each with its value."""
    writer = _writer()
    writer.add_document(_open(lien_waiver_pdf({"amount": "100.00"})), field_prefix="w1")
    writer.add_document(_open(lien_waiver_pdf({"amount": "250.00"})), field_prefix="w2")
    data = _written(writer)
    fields = reader(data).get_fields() or {}
    assert fields["w1.amount"]["/V"] == "100.00"
    assert fields["w2.amount"]["/V"] == "250.00"
    assert _check(data) == []


def test_the_same_parsed_document_added_twice_gets_separate_fields() -> None:
    """A document added twice (one parse) still gets fields of its own per occurrence."""
    writer = _writer()
    parsed = _open(lien_waiver_pdf({"amount": "7"}))
    writer.add_document(parsed, field_prefix="first")
    writer.add_document(parsed, field_prefix="second")
    data = _written(writer)
    pdf = reader(data)
    fields = pdf.get_fields() or {}
    assert {"first.amount", "second.amount"} <= set(fields)
    widgets = [a.get_object() for page in pdf.pages for a in page.get("/Annots", [])]
    assert len({id(w) for w in widgets}) == 2
    assert widgets[0].indirect_reference != widgets[1].indirect_reference
    assert _check(data) == []


@pytest.mark.parametrize("named", [False, True])
def test_links_inside_a_document_point_to_its_own_pages(named: bool) -> None:
    """A link to a document's last page still goes there after other pages come first."""
    writer = _writer()
    writer.add_document(_open(text_pdf(["cover"])), field_prefix="a")
    writer.add_document(_open(linked_pdf(pages=3, named=named)), field_prefix="b")
    writer.add_document(_open(linked_pdf(pages=3, named=named)), field_prefix="c")
    data = _written(writer)
    pdf = reader(data)
    for first in (1, 4):
        annots: Any = pdf.pages[first]["/Annots"]
        (link,) = [a.get_object() for a in annots]
        target = link["/Dest"][0]
        assert pdf.get_page_number(target.get_object()) == first + 2
    assert _check(data) == []


def test_active_content_is_removed() -> None:
    """JavaScript, OpenAction, Launch, /AA, /XFA and /SigFlags never reach the output."""
    writer = _writer()
    added = writer.add_document(_open(active_content_pdf()), field_prefix="a")
    data = _written(writer)
    for token in (
        b"/JavaScript",
        b"/JS",
        b"/OpenAction",
        b"/Launch",
        b"/AA",
        b"/XFA",
        b"/SigFlags",
    ):
        assert token not in data, token
    assert "document JavaScript" in added.removed
    assert "Launch action" in added.removed
    assert _check(data) == []


def test_pages_keep_size_and_rotation_and_scans_are_copied_untouched() -> None:
    """Landscape, rotated and scanned pages come out with their box, rotation and stream."""
    writer = _writer()
    writer.add_document(_open(text_pdf(["l"], page_size=(842, 595), rotation=90)), field_prefix="a")
    writer.add_document(_open(scanned_pdf(pixels=(50, 60))), field_prefix="b")
    data = _written(writer)
    pdf = reader(data)
    assert (pdf.pages[0].mediabox.width, pdf.pages[0].mediabox.height) == (842, 595)
    assert pdf.pages[0].rotation == 90
    resources: Any = pdf.pages[1]["/Resources"]
    image = resources["/XObject"]["/Im1"].get_object()
    original: Any = reader(scanned_pdf(pixels=(50, 60))).pages[0]["/Resources"]
    source = original["/XObject"]["/Im1"]
    assert image._data == source.get_object()._data
    assert _check(data) == []


def test_placeholder_pages_and_outline_round_trip() -> None:
    """Our own text page and bookmark tree read back as written."""
    writer = _writer()
    writer.add_document(_open(text_pdf(["a", "b"])), field_prefix="a")
    index = writer.add_text_page(["Could not include: é.pdf", "damaged: it has no pages"])
    writer.set_outline(
        [
            _pdf.OutlineNode(
                title="SC-1",
                page_index=0,
                children=(
                    _pdf.OutlineNode(title="doc", page_index=0),
                    _pdf.OutlineNode(title="é.pdf", page_index=index),
                ),
            )
        ]
    )
    data = _written(writer)
    assert len(reader(data).pages) == 3
    assert [page for level, _title, page in outline(data) if level == 1] == [0, 2]
    assert "Could not include" in reader(data).pages[2].extract_text()
    assert _check(data) == []


def test_output_is_deterministic() -> None:
    """The same documents and parameters give the same bytes."""

    def build() -> bytes:
        writer = _writer()
        writer.add_document(_open(lien_waiver_pdf({"amount": "1"})), field_prefix="a")
        writer.add_text_page(["x"])
        writer.attach("m.json", b"{}")
        return _written(writer)

    assert build() == build()


def test_samples_are_valid_pdfs() -> None:
    """Every hand-written sample passes qpdf's structural check."""
    for data in (
        text_pdf(["a"]),
        lien_waiver_pdf({"a": "1"}),
        scanned_pdf(),
        linked_pdf(named=True),
        active_content_pdf(),
    ):
        assert _check(data) == []


def _with_marker_and_chain(marker: bytes) -> bytes:
    """A page whose content carries *marker* and whose resources reach a chain of 40 objects."""
    from tests.pdf_craft import build_pdf

    content = b"BT /F1 12 Tf 72 720 Td (" + marker + b") Tj ET"
    chain = [b"<< /Next %d 0 R >>" % (n + 1) for n in range(5, 45)] + [b"<< >>"]
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Properties << /P0 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            *chain,
        ]
    )


def test_a_document_whose_copy_fails_leaves_nothing_in_the_output() -> None:
    """A limit passed while copying: reported, its pages and objects are not written at all."""
    writer = _writer(_pdf.Limits(max_objects=20))
    writer.add_document(_open(text_pdf(["before"])), field_prefix="a")
    with pytest.raises(BadDocumentError) as caught:
        writer.add_document(_open(_with_marker_and_chain(b"MARKER-42")), field_prefix="b")
    assert caught.value.code == "too_large"
    writer.add_document(_open(text_pdf(["after"])), field_prefix="c")
    data = _written(writer)
    assert b"MARKER-42" not in data
    assert [p.extract_text().strip() for p in reader(data).pages] == ["before", "after"]
    trailer: Any = reader(data).trailer
    size = int(trailer["/Size"])
    assert data.count(b" 00000 n \n") == size - 1  # every number in use: no hole
    assert _check(data) == []


def test_a_document_occurring_again_shares_its_objects_even_parsed_again() -> None:
    """Same bytes added three times (one parse twice, then a new parse): one image, three pages."""
    data_in = scanned_pdf(pixels=(300, 400))
    resources: Any = reader(data_in).pages[0]["/Resources"]
    image = resources["/XObject"]["/Im1"].get_object()
    writer = _writer()
    parsed = _open(data_in)
    for prefix, doc in (("a", parsed), ("b", parsed), ("c", _open(data_in))):
        writer.add_document(doc, field_prefix=prefix, shared_key="same-sha")
    data = _written(writer)
    assert data.count(image._data) == 1
    pages = reader(data).pages
    assert len({page.indirect_reference.idnum for page in pages}) == 3  # type: ignore[union-attr]
    assert _check(data) == []


def test_widgets_missing_from_the_form_are_adopted_as_the_documents_fields() -> None:
    """A widget its form does not list becomes a field under the document's parent field."""
    from tests.pdf_craft import build_pdf

    orphan = build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /V (12.00) "
            b"/Rect [72 700 272 720] /P 3 0 R >>",
        ]
    )
    writer = _writer()
    writer.add_document(_open(lien_waiver_pdf({"amount": "1"})), field_prefix="w")
    added = writer.add_document(_open(orphan), field_prefix="orphan")
    data = _written(writer)
    assert added.fields == 1
    assert any("widgets its form did not list" in note for note in added.notes)
    fields = reader(data).get_fields() or {}
    assert fields["orphan.amount"]["/V"] == "12.00"
    assert fields["w.amount"]["/V"] == "1"
    assert _check(data) == []


def test_a_repair_that_loses_a_page_is_no_repair() -> None:
    """A page qpdf cannot read may be rewritten as null: that repair is refused, not included."""
    whole = linked_pdf(pages=3, named=True).replace(b"[5 0 R /Fit]", b"[5 1 R /Fit]", 1)
    cut = whole[: whole.index(b"\n6 0 obj") + 2]  # the third page's resources are gone
    with pikepdf.Pdf.open(io.BytesIO(cut)) as pdf:
        pages = len(pdf.pages)
    outcome: int | str
    try:
        outcome = _pdf.open_pdf(cut, key="k/cut.pdf", filename="cut.pdf", repair=True).page_count
    except BadDocumentError as error:
        outcome = error.code
    assert outcome in ("damaged", pages)  # every page qpdf sees, or reported


def test_a_compacted_document_asks_for_its_bytes_when_the_writer_lacks_its_objects() -> None:
    """Compacted after a copy, a document copies again into the same output, not a new one."""
    parsed = _open(scanned_pdf(pixels=(40, 40)))
    first = _writer()
    first.add_document(parsed, field_prefix="a", shared_key="sha")
    parsed.compact()
    first.add_document(parsed, field_prefix="b", shared_key="sha")  # its objects are known
    assert len(reader(_written(first)).pages) == 2
    with pytest.raises(_pdf.NeedsBytes):
        _writer().add_document(parsed, field_prefix="a", shared_key="sha")


@pytest.mark.parametrize(
    "data",
    [
        text_pdf(["one", "two"]),
        lien_waiver_pdf({"amount": "5"}),
        linked_pdf(named=True),
        active_content_pdf(),
    ],
    ids=["text", "form", "links", "active"],
)
def test_a_released_document_is_freed_without_the_garbage_collector(data: bytes) -> None:
    """Parsed, copied and released, a document's file goes as soon as nothing names it.

    Nothing it read points back at it (no cycle), so memory does not wait for a full
    collection (and the collector has less to walk).
    """
    gc.collect()
    before = {id(o) for o in gc.get_objects() if isinstance(o, PdfFile)}
    writer = _writer()
    parsed = _open(data)
    writer.add_document(parsed, field_prefix="d")
    gc.disable()
    try:
        parsed.release()
        del parsed
        assert not [o for o in gc.get_objects() if isinstance(o, PdfFile) and id(o) not in before]
    finally:
        gc.enable()


def test_false_stays_false_in_copied_objects_and_the_form() -> None:
    """The engine's ``false`` is a true Python value: the copy must not turn it into ``true``.

    A text annotation's ``/Open false`` goes through the engine path (annotations are
    copied per occurrence), and a form's ``/NeedAppearances false`` must not ask
    viewers to regenerate appearances.
    """
    from tests.pdf_craft import build_pdf

    data = build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R"
            b" /AcroForm << /Fields [5 0 R] /NeedAppearances false >> >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >>"
            b" /Annots [4 0 R 5 0 R] >>",
            b"<< /Type /Annot /Subtype /Text /Rect [0 0 20 20] /Open false /Contents (n) >>",
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (a) /V (1) /Rect [0 30 90 50]"
            b" /P 3 0 R >>",
        ]
    )
    writer = _writer()
    writer.add_document(_open(data), field_prefix="a")
    out = _written(writer)
    assert b"/Open false" in out
    assert b"/Open true" not in out
    assert b"/NeedAppearances" not in out
    form = reader(out).root_object["/AcroForm"].get_object()
    assert isinstance(form, pypdf.generic.DictionaryObject)
    assert form.get("/NeedAppearances") is None


def test_a_finished_writer_is_freed_without_the_garbage_collector() -> None:
    """Nothing the writer builds (bookmarks written with their children) points back at it.

    A cycle would keep the writer, the backup's output stream and every bookmark until a
    full garbage collection.
    """
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC)
    )
    writer.add_document(_open(text_pdf(["one", "two"])), field_prefix="a")
    leaf = _pdf.OutlineNode(title="leaf", page_index=1, children=())
    writer.set_outline([_pdf.OutlineNode(title="top", page_index=0, children=(leaf,))])
    writer.finish(file_id=b"test")
    gone = weakref.ref(writer)
    gc.disable()
    try:
        del writer
        assert gone() is None
    finally:
        gc.enable()
    assert outline(out.getvalue()) == [(0, "top", 0), (1, "leaf", 1)]

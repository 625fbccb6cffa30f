"""Simple documents are copied from their tokens, to the same bytes as the engine path.

:func:`invoicebackup._pdf._simple_document` reads the pages of a simple document (one
classic table, a flat page tree, pages whose only annotations are a plain form's
widgets) and those widgets as tokens, and keeps each as the bytes of its copy. Whatever
it accepts, the output must be byte for byte what the engine path writes for the same
document; whatever it is not sure of, it leaves to the engine.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pypdf.generic import create_string_object

from invoicebackup import _pdf
from invoicebackup.errors import BadDocumentError
from invoicebackup.testing import active_content_pdf, lien_waiver_pdf, linked_pdf, text_pdf

from .backup_helpers import bench_generator
from .pdf_craft import build_pdf, stream
from .property.test_plain_objects import names, objects

_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_CONTENT = stream(b"", b"BT /F1 12 Tf 72 700 Td (x) Tj ET")
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_BASE = b"/Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
_RESOURCES = b"/Resources << /Font << /F1 5 0 R >> >>"


def _one_page(page: bytes, *, catalog: bytes = _CATALOG, pages: bytes = _PAGES) -> bytes:
    """A document whose page 3 is *page* (4: its content, 5: a font, 6: a spare number)."""
    return build_pdf([catalog, pages, page, _CONTENT, _FONT, b"42"])


@contextmanager
def _engine_only() -> Iterator[None]:
    with mock.patch.object(_pdf, "_simple_document", return_value=None):
        yield


def _copied(
    data: bytes, limits: _pdf.Limits | None = None
) -> tuple[tuple[bytes | str, list[_pdf.Added]], bool]:
    """*data* added twice to a backup (a second occurrence shares its objects).

    The output (or the code of the error that stopped it) and what each addition
    reported; whether the simple path took it.
    """
    limits = limits or _pdf.Limits()
    try:
        parsed = _pdf.open_pdf(data, key="k/doc.pdf", filename="doc.pdf", limits=limits)
    except BadDocumentError as error:
        return (error.code, []), False
    simple = parsed._simple_pages is not None
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC), limits=limits
    )
    added = []
    try:
        added.append(writer.add_document(parsed, field_prefix="a", shared_key="sha"))
        added.append(writer.add_document(parsed, field_prefix="b", shared_key="sha"))
    except BadDocumentError as error:
        return (error.code, added), simple
    writer.finish(file_id=b"test")
    return (out.getvalue(), added), simple


def _same_as_engine(data: bytes, limits: _pdf.Limits | None = None) -> bool:
    """Assert both paths write and report the same; whether the simple path took *data*."""
    ours, simple = _copied(data, limits)
    with _engine_only():
        engine, _ = _copied(data, limits)
    assert ours == engine
    return simple


@pytest.mark.parametrize(
    ("data", "simple"),
    [
        (text_pdf(["one", "two", "three"]), True),
        (_one_page(b"<< " + _BASE + b" " + _RESOURCES + b" >>"), True),
        (lien_waiver_pdf({"amount": "5"}), True),
        (linked_pdf(named=True), False),
        (active_content_pdf(), False),
    ],
    ids=["text", "crafted", "form", "links", "active"],
)
def test_the_library_samples_copy_to_the_same_bytes(data: bytes, simple: bool) -> None:
    assert _same_as_engine(data) is simple


#: Pages (and trees) the simple path must leave to the engine, each for one reason.
_NOT_SIMPLE = {
    "no /Type": _one_page(b"<< /Parent 2 0 R /MediaBox [0 0 612 792] " + _RESOURCES + b" >>"),
    "no media box": _one_page(b"<< /Type /Page /Parent 2 0 R " + _RESOURCES + b" >>"),
    "indirect media box": _one_page(
        b"<< /Type /Page /Parent 2 0 R /MediaBox 6 0 R " + _RESOURCES + b" >>"
    ),
    "media box of three numbers": _one_page(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 612 792] " + _RESOURCES + b" >>"
    ),
    "indirect rotation": _one_page(b"<< " + _BASE + b" /Rotate 6 0 R " + _RESOURCES + b" >>"),
    "no resources": _one_page(b"<< " + _BASE + b" >>"),
    "resources that are a number": _one_page(b"<< " + _BASE + b" /Resources 6 0 R >>"),
    "repeated key": _one_page(b"<< " + _BASE + b" /Rotate 90 /Rotate 0 " + _RESOURCES + b" >>"),
    "repeated nested key": _one_page(
        b"<< " + _BASE + b" /Resources << /Font << /F1 5 0 R /F1 5 0 R >> >> >>"
    ),
    "indirect annotations": _one_page(b"<< " + _BASE + b" " + _RESOURCES + b" /Annots 6 0 R >>"),
    "a direct annotation": _one_page(
        b"<< " + _BASE + b" " + _RESOURCES + b" /Annots [<< /Subtype /Widget >>] >>"
    ),
    "additional actions": _one_page(b"<< " + _BASE + b" " + _RESOURCES + b" /AA << >> >>"),
    "inherited resources": _one_page(
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        pages=b"<< /Type /Pages /Kids [3 0 R] /Count 1 " + _RESOURCES + b" >>",
    ),
    "bookmarks": _one_page(
        b"<< " + _BASE + b" " + _RESOURCES + b" >>",
        catalog=b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>",
    ),
    "no catalog type": _one_page(
        b"<< " + _BASE + b" " + _RESOURCES + b" >>", catalog=b"<< /Pages 2 0 R >>"
    ),
    "a page twice": _one_page(
        b"<< " + _BASE + b" " + _RESOURCES + b" >>",
        pages=b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>",
    ),
    "a string with an escape": _one_page(
        b"<< " + _BASE + b" " + _RESOURCES + b" /PieceInfo (a\\)b) >>"
    ),
}


@pytest.mark.parametrize("data", _NOT_SIMPLE.values(), ids=_NOT_SIMPLE.keys())
def test_what_the_simple_path_is_not_sure_of_goes_to_the_engine(data: bytes) -> None:
    assert _same_as_engine(data) is False


def test_an_empty_annotation_array_is_simple() -> None:
    assert _same_as_engine(_one_page(b"<< " + _BASE + b" " + _RESOURCES + b" /Annots [] >>"))


_CONTENT_BODY = b"BT /F1 12 Tf 72 700 Td (x) Tj ET"


def _indirect_length(length: bytes, *, page_extra: bytes = b"") -> bytes:
    """A one-page document whose content's ``/Length`` is object 6, *length*."""
    return build_pdf(
        [
            _CATALOG,
            _PAGES,
            b"<< " + _BASE + b" " + _RESOURCES + b" " + page_extra + b" >>",
            b"<< /Length 6 0 R >>\nstream\n" + _CONTENT_BODY + b"\nendstream",
            _FONT,
            length,
        ]
    )


#: Simple documents whose copy reaches objects the engine path reads before copying them
#: (it writes those from its objects, not byte for byte): the simple path must too.
_READ_FIRST = {
    "indirect resources": build_pdf(
        [
            _CATALOG,
            _PAGES,
            b"<< " + _BASE + b" /Resources 6 0 R >>",
            _CONTENT,
            _FONT,
            b"<< /Font << /F1 5 0 R >> /ProcSet [/PDF /Text] >>",
        ]
    ),
    "a page naming the catalog and the page tree": _one_page(
        b"<< " + _BASE + b" " + _RESOURCES + b" /PieceInfo [1 0 R 2 0 R] >>"
    ),
    "an indirect length": _indirect_length(b"%d" % len(_CONTENT_BODY)),
    "an indirect length named by the page too": _indirect_length(
        b"%d" % len(_CONTENT_BODY), page_extra=b"/PieceInfo 6 0 R"
    ),
    "an indirect length that is not an integer": _indirect_length(b"%d.0" % len(_CONTENT_BODY)),
}


@pytest.mark.parametrize("data", _READ_FIRST.values(), ids=_READ_FIRST.keys())
def test_objects_the_engine_reads_first_are_written_as_it_writes_them(data: bytes) -> None:
    assert _same_as_engine(data) is True


# -- forms ------------------------------------------------------------------------------

_WIDGET = (
    b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (amount) /V (5) /DA (/Helv 10 Tf 0 g) "
    b"/Rect [0 0 100 20] /P 3 0 R /AP << /N 8 0 R >> /F 4 >>"
)
_FORM = b"<< /Fields [7 0 R] /DA (/Helv 0 Tf 0 g) /DR << /Font << /Helv 5 0 R >> >> >>"


def _form(
    widget: bytes = _WIDGET,
    *,
    form: bytes = _FORM,
    annots: bytes = b"[7 0 R]",
    extra: tuple[bytes, ...] = (),
) -> bytes:
    """A one-page form: 7 is *widget*, 8 its appearance, then *extra* (9, 10…)."""
    return build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm " + form + b" >>",
            _PAGES,
            b"<< " + _BASE + b" " + _RESOURCES + b" /Annots " + annots + b" >>",
            _CONTENT,
            _FONT,
            b"42",
            widget,
            stream(b"/Subtype /Form /BBox [0 0 100 20]", b"/Tx BMC EMC"),
            *extra,
        ]
    )


#: Forms the simple path takes (each must still give the engine path's bytes).
_SIMPLE_FORMS = {
    "widget": _form(),
    "needs appearances": _form(form=_FORM[:-2] + b" /NeedAppearances true >>"),
    "indirect form": build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm 9 0 R >>",
            _PAGES,
            b"<< " + _BASE + b" " + _RESOURCES + b" /Annots [7 0 R] >>",
            _CONTENT,
            _FONT,
            b"42",
            _WIDGET,
            stream(b"/Subtype /Form /BBox [0 0 100 20]", b"/Tx BMC EMC"),
            _FORM,
        ]
    ),
    "two widgets": _form(
        form=b"<< /Fields [9 0 R 7 0 R] >>",
        annots=b"[7 0 R 9 0 R]",
        extra=(_WIDGET.replace(b"(amount)", b"(date)"),),
    ),
    "a form without fields": _form(form=b"<< /DA (/Helv 0 Tf 0 g) >>", annots=b"[]"),
    "a check box": _form(_WIDGET.replace(b"/Tx", b"/Btn").replace(b"(5)", b"/Yes")),
    "odd strings": _form(
        _WIDGET.replace(b"(5)", b"(\xfe\xff0A)").replace(b"(amount)", b"(\xe9t\xe9 \xff)")
    ),
}


@pytest.mark.parametrize("data", _SIMPLE_FORMS.values(), ids=_SIMPLE_FORMS.keys())
def test_simple_forms_copy_to_the_same_bytes(data: bytes) -> None:
    assert _same_as_engine(data) is True


#: Forms the simple path must leave to the engine, each for one reason.
_NOT_SIMPLE_FORMS = {
    "a link": _form(_WIDGET.replace(b"/Widget", b"/Link")),
    "an action": _form(_WIDGET[:-2] + b"/A << /S /URI /URI (https://example.com) >> >>"),
    "additional actions": _form(_WIDGET[:-2] + b"/AA << >> >>"),
    "a parent": _form(_WIDGET[:-2] + b"/Parent 6 0 R >>"),
    "kids": _form(_WIDGET[:-2] + b"/Kids [] >>"),
    "a destination": _form(_WIDGET[:-2] + b"/Dest [3 0 R /Fit] >>"),
    "a signature": _form(_WIDGET.replace(b"/Tx", b"/Sig")),
    "an indirect field type": _form(_WIDGET.replace(b"/FT /Tx", b"/FT 6 0 R")),
    "a widget the form does not list": _form(form=b"<< /Fields [] >>"),
    "a field on no page": _form(form=b"<< /Fields [7 0 R 9 0 R] >>", extra=(_WIDGET,)),
    "a field listed twice": _form(form=b"<< /Fields [7 0 R 7 0 R] >>"),
    "a widget twice on its page": _form(annots=b"[7 0 R 7 0 R]"),
    "a widget that is the page": _form(annots=b"[3 0 R]", form=b"<< /Fields [3 0 R] >>"),
    "XFA": _form(form=_FORM[:-2] + b" /XFA 6 0 R >>"),
    "signature flags": _form(form=_FORM[:-2] + b" /SigFlags 3 >>"),
    "a direct field": _form(form=b"<< /Fields [7 0 R << /T (x) >>] >>"),
    "indirect fields": _form(form=b"<< /Fields 9 0 R >>", extra=(b"[7 0 R]",)),
    "indirect default resources": _form(form=b"<< /Fields [7 0 R] /DR 9 0 R >>", extra=(b"<< >>",)),
    "an indirect appearance flag": _form(
        form=b"<< /Fields [7 0 R] /NeedAppearances 9 0 R >>", extra=(b"true",)
    ),
    "no form": _one_page(b"<< " + _BASE + b" " + _RESOURCES + b" /Annots [6 0 R] >>"),
    "a widget with an escape": _form(_WIDGET.replace(b"(5)", b"(5\\)")),
    "a repeated widget key": _form(_WIDGET[:-2] + b"/F 4 >>"),
    "a widget stream": _form(stream(_WIDGET[2:-2], b"x")),
}


@pytest.mark.parametrize("data", _NOT_SIMPLE_FORMS.values(), ids=_NOT_SIMPLE_FORMS.keys())
def test_what_the_simple_path_is_not_sure_of_in_a_form_goes_to_the_engine(data: bytes) -> None:
    assert _same_as_engine(data) is False


@pytest.mark.parametrize("max_depth", range(1, 7))
def test_a_form_nested_past_the_limits_fails_as_on_the_engine_path(max_depth: int) -> None:
    """Small nesting bounds: the same output, or the same error, on both paths."""
    limits = _pdf.Limits(max_depth=max_depth)
    for data in (_form(), lien_waiver_pdf({"amount": "5"})):
        _same_as_engine(data, limits)


#: Entries of a random widget: any key but those it needs (fixed) or the path refuses.
_WIDGET_ENTRY_NAMES = names.filter(
    lambda name: name not in (b"/Subtype", b"/FT", b"/T", b"/P", b"/AP", b"/Rect")
)
#: Literal strings of any bytes the tokens take (the engine guesses their encoding).
_RAW_STRINGS = (
    st.binary(max_size=12)
    .filter(lambda b: not any(c in b for c in b"()\\\r"))
    .map(lambda b: b"(" + b + b")")
)


@settings(max_examples=100, deadline=None)
@given(
    entries=st.lists(st.tuples(_WIDGET_ENTRY_NAMES, objects | _RAW_STRINGS), max_size=6),
    value=_RAW_STRINGS,
)
def test_any_plain_widget_copies_to_the_same_bytes(
    entries: list[tuple[bytes, bytes]], value: bytes
) -> None:
    """Random widget entries and values give the engine path's bytes (or both refuse)."""
    body = b" ".join(k + b" " + v for k, v in entries)
    widget = b"<< /Subtype /Widget /FT /Tx /T " + value + b" /P 3 0 R /AP << /N 8 0 R >> "
    widget += b"/Rect [0 0 1 1] " + body + b" >>"
    event(f"taken by the simple path: {_same_as_engine(_form(widget))}")


@given(st.binary(max_size=16))
def test_the_engine_keeps_a_strings_bytes_as_its_original_bytes(data: bytes) -> None:
    """What :func:`invoicebackup._pdf._dict_parts` relies on to write strings as they are."""
    assert create_string_object(data).original_bytes == data


def test_a_nested_page_tree_goes_to_the_engine() -> None:
    data = build_pdf(
        [
            _CATALOG,
            b"<< /Type /Pages /Kids [7 0 R] /Count 1 >>",
            b"<< " + _BASE.replace(b"2 0 R", b"7 0 R") + b" " + _RESOURCES + b" >>",
            _CONTENT,
            _FONT,
            b"42",
            b"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R] /Count 1 >>",
        ]
    )
    assert _same_as_engine(data) is False


def test_excluded_page_keys_are_left_out_of_the_copy() -> None:
    page = b"<< " + _BASE + b" " + _RESOURCES + b" /StructParents 3 /B [6 0 R] /PresSteps 6 0 R >>"
    (ours, _added), simple = _copied(_one_page(page))
    assert simple
    assert isinstance(ours, bytes)
    assert b"/StructParents" not in ours
    assert b"/PresSteps" not in ours
    assert _same_as_engine(_one_page(page))


def test_too_many_pages_is_still_reported_by_the_engine() -> None:
    data = text_pdf(["a", "b", "c"])
    with pytest.raises(BadDocumentError) as raised:
        _pdf.open_pdf(data, key="k", filename="f.pdf", limits=_pdf.Limits(max_pages=2))
    assert raised.value.code == "too_large"


#: Entries of a random page: any key but the ones the page needs (they are fixed).
_ENTRY_NAMES = names.filter(
    lambda name: name not in (b"/Type", b"/MediaBox", b"/Resources", b"/Contents", b"/Parent")
)


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(st.tuples(_ENTRY_NAMES, objects), max_size=6),
    box=st.sampled_from([b"[0 0 612 792]", b"[0.0 -1.5 595.28 841.89]", b"[ 0 0 1e0 1 ]"]),
)
def test_any_plain_page_copies_to_the_same_bytes(
    entries: list[tuple[bytes, bytes]], box: bytes
) -> None:
    """Random page entries give the engine path's bytes.

    Names, numbers, booleans, strings, references (to pages, objects or nothing),
    nested arrays and dictionaries.
    """
    body = b" ".join(k + b" " + v for k, v in entries)
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox " + box + b" /Contents 4 0 R "
    page += _RESOURCES + b" " + body + b" >>"
    _same_as_engine(_one_page(page))


def test_the_benchmark_documents_copy_to_the_same_bytes(tmp_path: Path) -> None:
    """Every kind of document the benchmark generates (all simple, the lien waivers too)."""
    workload = bench_generator().generate(tmp_path / "w", invoices=3, seed=7)
    kinds = set()
    for document in workload.manifest["documents"]:
        key = document["key"]
        assert _same_as_engine((workload.folder / key).read_bytes()), key
        kinds.add(key.rsplit("/", 1)[-1].split("-")[0])
    assert "lien" in kinds


@pytest.mark.corpus
def test_corpus_documents_copy_to_the_same_bytes(shared_dir: Path) -> None:
    folder = shared_dir / "corpus" / "realworld"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the real-world corpus is not here")
    taken = [
        path.name for path in sorted(folder.glob("*.pdf")) if _same_as_engine(path.read_bytes())
    ]
    assert taken, "no corpus document is simple: the comparison would check nothing"


def test_long_pages_and_names_are_not_kept_in_the_caches() -> None:
    """The caches bound their entries' size as well as their count (hostile input)."""
    long_name = b"/N" + b"x" * 300
    page = b"<< " + _BASE + b" " + _RESOURCES + b" /PieceInfo [" + b" 1" * 3000 + b"] "
    page += long_name + b" 1 >>"
    assert _same_as_engine(_one_page(page))
    assert all(len(body) <= _pdf._MAX_TEMPLATE_BYTES for body in _pdf._PAGE_TEMPLATES)
    assert all(len(text) <= _pdf._SHARED_STRING_BYTES for _kind, text in _pdf._TOKEN_BYTES)
    assert all(len(name) <= _pdf._SHARED_STRING_BYTES for name in _pdf._NAME_BYTES)


#: Simple documents to mutate (the fast path takes each of them whole).
_MUTATED_SOURCES = (
    text_pdf(["One", "Two"]),
    lien_waiver_pdf({"amount": "5", "claimant": "Volt Electric"}),
    _form(),
    _one_page(b"<< " + _BASE + b" /Rotate 90 " + _RESOURCES + b" /UserUnit 1.5 >>"),
)
#: What a mutation writes: the bytes that change how a page's tokens read.
_MUTATION_BYTES = st.sampled_from(
    [
        *(b" ", b"\n", b"/", b"<", b">", b"<<", b">>", b"[", b"]", b"(", b")", b"%", b"\\"),
        *(b"0", b"7", b"R", b"\x00", b"#", b".", b"-", b"e", b"Page", b"Type", b"Annots", b"obj"),
        *(b"Widget", b"Fields", b"Parent", b"Sig", b"A", b"AcroForm", b"P"),
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    source=st.sampled_from(_MUTATED_SOURCES),
    position=st.floats(min_value=0, max_value=1, exclude_max=True),
    replacement=_MUTATION_BYTES,
    insert=st.booleans(),
)
def test_a_mutated_simple_document_gives_what_the_engine_path_gives(
    source: bytes, position: float, replacement: bytes, insert: bool
) -> None:
    """Bytes changed anywhere in the body: the same output or the same error either way.

    Most mutations break the cross-reference table (both paths then go to the engine);
    those that keep it hit the catalog, the page tree and the pages the fast path reads.
    """
    body_end = source.rindex(b"xref")
    offset = int(position * body_end)
    cut = offset if insert else offset + len(replacement)
    mutated = source[:offset] + replacement + source[cut:]
    event(f"taken by the simple path: {_same_as_engine(mutated)}")

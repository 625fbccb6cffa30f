"""Simple documents are copied from their pages' tokens, to the same bytes as the engine path.

:func:`invoicebackup._pdf._simple_pages` reads the pages of a simple document (one
classic table, a flat page tree, pages without annotations) as tokens and keeps each as
the bytes of its copy. Whatever it accepts, the output must be byte for byte what the
engine path writes for the same document; whatever it is not sure of, it leaves to the
engine.
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
    with mock.patch.object(_pdf, "_simple_pages", return_value=None):
        yield


def _copied(data: bytes) -> tuple[bytes | str, bool]:
    """*data* added twice to a backup (a second occurrence shares its objects).

    The output, or the code of the error that stopped it; whether the simple path took it.
    """
    try:
        parsed = _pdf.open_pdf(data, key="k/doc.pdf", filename="doc.pdf")
    except BadDocumentError as error:
        return error.code, False
    simple = parsed._simple_pages is not None
    out = io.BytesIO()
    writer = _pdf.BackupWriter(
        out, title="T", subject="S", created=datetime(2024, 1, 2, tzinfo=UTC)
    )
    try:
        writer.add_document(parsed, field_prefix="a", shared_key="sha")
        writer.add_document(parsed, field_prefix="b", shared_key="sha")
    except BadDocumentError as error:
        return error.code, simple
    writer.finish(file_id=b"test")
    return out.getvalue(), simple


def _same_as_engine(data: bytes) -> bool:
    """Assert both paths write the same bytes; whether the simple path took *data*."""
    ours, simple = _copied(data)
    with _engine_only():
        engine, _ = _copied(data)
    assert ours == engine
    return simple


@pytest.mark.parametrize(
    ("data", "simple"),
    [
        (text_pdf(["one", "two", "three"]), True),
        (_one_page(b"<< " + _BASE + b" " + _RESOURCES + b" >>"), True),
        (lien_waiver_pdf({"amount": "5"}), False),
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
    "annotations": _one_page(b"<< " + _BASE + b" " + _RESOURCES + b" /Annots [] >>"),
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
    ours, simple = _copied(_one_page(page))
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
    """Every kind of document the benchmark generates; all are simple but the lien waivers."""
    workload = bench_generator().generate(tmp_path / "w", invoices=3, seed=7)
    for document in workload.manifest["documents"]:
        key = document["key"]
        simple = _same_as_engine((workload.folder / key).read_bytes())
        assert simple is ("lien-waiver" not in key), key


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
    _one_page(b"<< " + _BASE + b" /Rotate 90 " + _RESOURCES + b" /UserUnit 1.5 >>"),
)
#: What a mutation writes: the bytes that change how a page's tokens read.
_MUTATION_BYTES = st.sampled_from(
    [
        *(b" ", b"\n", b"/", b"<", b">", b"<<", b">>", b"[", b"]", b"(", b")", b"%", b"\\"),
        *(b"0", b"7", b"R", b"\x00", b"#", b".", b"-", b"e", b"Page", b"Type", b"Annots", b"obj"),
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

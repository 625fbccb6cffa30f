"""What the PDF boundary keeps, reports and recovers of real sources (issue 7, `_pdf.py`)."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pypdf
import pytest

from invoicebackup import BackupOptions, BackupResult, Document, InMemoryStore, _pdf, compile_backup
from invoicebackup.compile import SourceRecord
from invoicebackup.testing import text_pdf
from tests.backup_helpers import ADMIN, NOW, attachment, invoice, outline, project

pytestmark = pytest.mark.corpus


def _path(shared_dir: Path, name: str) -> Path:
    path = shared_dir / "corpus" / "realworld" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: the real-world corpus is not here")
    return path


def _compile(name: str, data: bytes, **options: object) -> tuple[BackupResult, bytes]:
    p = project([invoice("i-1", attachments=[attachment(name)])])
    store = InMemoryStore({"docs/i-1.pdf": text_pdf(["Pay application"]), f"att/{name}": data})
    result = compile_backup(
        p,
        invoice_ids=["i-1"],
        user_id=ADMIN.id,
        store=store,
        now=NOW,
        options=BackupOptions(on_bad_document="skip", **options),  # type: ignore[arg-type]
    )
    return result, store.read_bytes(result.key)


def _source(result: BackupResult) -> SourceRecord | None:
    sources = result.invoices[0].sources
    return sources[1] if len(sources) == 2 else None


def _corpus(shared_dir: Path, name: str, **options: object) -> tuple[BackupResult, bytes]:
    return _compile(name, _path(shared_dir, name).read_bytes(), **options)


def test_a_damaged_table_is_rebuilt_and_noted(shared_dir: Path) -> None:
    """A file whose cross-reference table is damaged is rewritten through pypdf; a note says so."""
    result, _ = _corpus(shared_dir, "jsc-xref-command-missing.pdf")
    source = _source(result)
    assert source is not None
    assert any("cross-reference table" in note for note in source.notes)


def test_nothing_process_wide_is_touched(shared_dir: Path) -> None:
    """Compiling a file pypdf must rewrite leaves pypdf's logger and the warning filters alone."""
    logger = logging.getLogger("pypdf")
    before = (list(logger.handlers), logger.propagate, logger.level, list(warnings.filters))
    _corpus(shared_dir, "jsc-xref-command-missing.pdf")
    assert (list(logger.handlers), logger.propagate, logger.level, list(warnings.filters)) == before


def _provider(*candidates: str) -> Callable[[Document], Iterable[str]]:
    seen: list[Document] = []

    def provide(document: Document) -> Iterable[str]:
        seen.append(document)
        return candidates

    provide.seen = seen  # type: ignore[attr-defined]
    return provide


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("py-r2-user-password.pdf", "asdfzxcv"),
        ("py-r4-aes-user-password.pdf", "asdfzxcv"),
        ("pk-graph-encrypted.pdf", "user"),
        ("qp-20-pages.pdf", "user"),
        ("sf-lo-user-password.pdf", "openpassword"),
        ("jsc-enc-utf8-password.pdf", "æøå"),
    ],
)
def test_the_password_provider_opens_corpus_files(
    shared_dir: Path, name: str, password: str
) -> None:
    """After the empty password, the provider's candidates are tried; the source is encrypted."""
    provider = _provider("wrong", password)
    result, data = _corpus(shared_dir, name, passwords=provider)
    source = _source(result)
    assert source is not None, result.left_out
    assert source.encrypted
    cover = result.manifest.cover_last_page or 0
    assert source.pages == len(pypdf.PdfReader(io.BytesIO(data)).pages) - cover - 1
    assert [d.key for d in provider.seen] == [f"att/{name}"]  # type: ignore[attr-defined]
    assert result.manifest.options.passwords is None


def _encrypted_sample(user: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(text_pdf(["a", "b"]))))
    writer.encrypt(user_password=user, owner_password="owner-" + user, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_wrong_passwords_report_encrypted_and_are_never_recorded() -> None:
    """No candidate opens it: reported `encrypted`; the manifest never holds the provider."""
    data = _encrypted_sample("s3cret")
    result, _ = _compile("locked.pdf", data, passwords=_provider("nope", "also-nope"))
    (entry,) = result.left_out
    assert entry.code == "encrypted"
    opened, _ = _compile("locked.pdf", data, passwords=_provider("nope", "s3cret"))
    source = _source(opened)
    assert source is not None
    assert source.encrypted
    assert source.pages == 2


def test_a_failing_password_provider_propagates_its_own_error() -> None:
    """The provider is the caller's code: its exception is not disguised as a bad document."""

    def broken(document: Document) -> Iterable[str]:
        raise LookupError(f"no vault entry for {document.key}")

    with pytest.raises(LookupError, match=r"att/locked\.pdf"):
        _compile("locked.pdf", _encrypted_sample("s3cret"), passwords=broken)


def test_source_outlines_are_kept_under_the_document_bookmark(shared_dir: Path) -> None:
    """The source's bookmarks sit under its own entry and open its own pages in the backup."""
    name = "pk-outlines.pdf"
    source_reader = pypdf.PdfReader(_path(shared_dir, name))
    result, data = _corpus(shared_dir, name)
    source = _source(result)
    assert source is not None
    tree = outline(data)
    (doc_index,) = [i for i, (_, title, _) in enumerate(tree) if title == name]
    depth = tree[doc_index][0]
    below = []
    for entry in tree[doc_index + 1 :]:
        if entry[0] <= depth:
            break
        below.append(entry)
    expected_titles: list[str] = []

    def walk(items: Sequence[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                expected_titles.append(str(item.title))

    walk(source_reader.outline)
    assert [title for _, title, _ in below] == expected_titles
    for _, title, page in below:
        assert source.first_page - 1 <= page <= source.last_page - 1, title


def test_cyclic_outlines_terminate(shared_dir: Path) -> None:
    """Looping bookmark trees are read once, bounded, and the document is included."""
    for name in ("qp-outlines-loop.pdf", "pk-cyclic-toc.pdf", "fm-bookmarks-circular.pdf"):
        result, _ = _corpus(shared_dir, name)
        assert _source(result) is not None, name


@pytest.mark.parametrize(
    ("name", "removed", "note"),
    [
        ("fm-page-labels.pdf", "page labels", None),
        ("sf-attachment.pdf", "embedded files", None),
        ("jsc-xfa-14315.pdf", None, _pdf.PURE_XFA_NOTE),
        ("jsc-signed-verified.pdf", None, _pdf.SIGNATURE_NOTE),
        ("ph-certified-docmdp.pdf", None, _pdf.CERTIFIED_NOTE),
    ],
)
def test_what_the_merge_drops_is_reported(
    shared_dir: Path, name: str, removed: str | None, note: str | None
) -> None:
    """Page labels, embedded files, pure XFA and signatures are in the manifest, never silent."""
    result, _ = _corpus(shared_dir, name)
    source = _source(result)
    assert source is not None
    if removed is not None:
        assert removed in source.removed
    if note is not None:
        assert note in source.notes


def test_optional_content_is_kept(shared_dir: Path) -> None:
    """The source's layers are declared in the backup's /OCProperties, states included."""
    name = "jsc-optional-content.pdf"
    source_root: Any = pypdf.PdfReader(_path(shared_dir, name)).trailer["/Root"]
    source_ocgs = source_root["/OCProperties"]["/OCGs"]
    _, data = _corpus(shared_dir, name)
    root: Any = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    properties = root["/OCProperties"]
    assert len(properties["/OCGs"]) == len(source_ocgs)
    names = sorted(str(o.get_object()["/Name"]) for o in properties["/OCGs"])
    assert names == sorted(str(o.get_object()["/Name"]) for o in source_ocgs)
    assert properties["/D"]["/Order"][0][0] == name


def test_repair_recovers_and_marks_and_can_be_turned_off(shared_dir: Path) -> None:
    """With the extra, a file pypdf cannot read is rewritten and marked repaired; off, reported."""
    name = "qp-bad-xref.pdf"
    result, _ = _corpus(shared_dir, name)
    source = _source(result)
    assert source is not None
    assert source.repaired
    assert source.notes[0].startswith("repaired:")
    off, _ = _corpus(shared_dir, name, repair=False)
    (entry,) = off.left_out
    assert entry.code == "damaged"


def test_without_pikepdf_repair_does_nothing(
    shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core stays pure Python: when pikepdf cannot be imported, the file is reported."""
    monkeypatch.setitem(__import__("sys").modules, "pikepdf", None)
    result, _ = _corpus(shared_dir, "qp-bad-xref.pdf")
    (entry,) = result.left_out
    assert entry.code == "damaged"

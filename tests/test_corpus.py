"""Real-world PDFs (../shared/corpus/realworld): each included whole or reported, no crash."""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pikepdf
import pypdf
import pytest

from invoicebackup import (
    BackupOptions,
    BackupResult,
    InMemoryStore,
    compile_backup,
    verify_backup,
)
from invoicebackup._snapshot import READ_BACK
from invoicebackup.compile import Action
from invoicebackup.pdf.digest import page_digests
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.testing import text_pdf
from tests.backup_helpers import ADMIN, NOW, attachment, invoice, project
from tests.oracle import assert_backup_matches, differences
from tests.test_verify import resaved

pytestmark = pytest.mark.corpus

#: Warnings qpdf's check gives about *source content* we copy byte for byte (streams whose
#: data is broken in the source, names with NUL bytes in the source); never about structure.
SOURCE_CONTENT_WARNINGS = (
    "error decoding stream data",
    "will be re-processed without filtering",
    "input stream is complete but output may still be valid",
    "null character not allowed in name token",
)

#: Codes a corpus file may be reported with; anything else is a bug.
TYPED_CODES = {"damaged", "encrypted", "not_pdf", "empty", "unsupported_encryption", "too_large"}


#: The files pypdf cannot read that pikepdf (the ``repair`` extra) recovers: a cut
#: ``startxref``/``%%EOF``, a ``/Root`` that is a direct object (and a broken header),
#: wrong xref offsets, a nesting-bomb trailer, an xref stream inside an object stream.
REPAIRED = [
    "pm-evil-xobjects.pdf",
    "qp-bad-direct-root.pdf",
    "qp-bad-xref.pdf",
    "qp-xref-compressed-in-compressed.pdf",
    "zz-truncated-no-eof.pdf",
]


def _corpus(shared_dir: Path) -> list[Path]:
    folder = shared_dir / "corpus" / "realworld"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the real-world corpus is not here")
    with (folder / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        names = [row["file"] for row in csv.DictReader(manifest, delimiter="\t")]
    return [folder / name for name in names]


def _structural_problems(data: bytes) -> list[str]:
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf, warnings.catch_warnings():
        # pikepdf cannot decode JBIG2 here; stream contents are not ours to check anyway.
        warnings.filterwarnings("ignore", "pikepdf is missing some specialized decoders")
        problems = [str(problem) for problem in pdf.check_pdf_syntax()]
    return [p for p in problems if not any(known in p for known in SOURCE_CONTENT_WARNINGS)]


def _compile_one(path: Path, policy: str) -> tuple[BackupResult, bytes]:
    p = project([invoice("i-1", attachments=[attachment(path.name)])])
    store = InMemoryStore(
        {"docs/i-1.pdf": text_pdf(["Pay application"]), "att/" + path.name: path.read_bytes()}
    )
    result = compile_backup(
        p,
        invoice_ids=["i-1"],
        user_id=ADMIN.id,
        store=store,
        now=NOW,
        options=BackupOptions(on_bad_document=policy, embed_manifest=False),
    )
    return result, store.read_bytes(result.key)


def test_every_corpus_file_is_included_whole_or_reported_with_a_typed_reason(
    shared_dir: Path,
) -> None:
    """One at a time as an attachment: all its pages, or one placeholder with a typed code."""
    outcomes: dict[str, str] = {}
    for path in _corpus(shared_dir):
        result, data = _compile_one(path, "placeholder")
        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        assert result.page_count == pages, path.name
        cover = result.manifest.cover_last_page or 0
        (record,) = result.invoices
        if result.left_out:
            (entry,) = result.left_out
            assert entry.code in TYPED_CODES, (path.name, entry.code)
            assert entry.action is Action.PLACEHOLDER
            assert pages == cover + 2, path.name
            outcomes[path.name] = entry.code
        elif record.sources[1].image is not None:
            # A ".pdf" whose bytes are an image (zz-not-pdf-jpeg, -png): one image page.
            assert (record.sources[1].pages, pages) == (1, cover + 2), path.name
            assert record.sources[1].notes, path.name  # its declared type did not match
            outcomes[path.name] = "image"
        else:
            (_, source) = record.sources
            if source.repaired:
                with pikepdf.Pdf.open(path) as pdf:
                    expected = len(pdf.pages)
            else:
                expected = len(pypdf.PdfReader(io.BytesIO(path.read_bytes()), strict=False).pages)
            assert source.pages == expected == pages - cover - 1, path.name
            # Issue 17: the pages are the source's pages, as qpdf reads the source.
            assert differences(path.read_bytes(), data, source.first_page) == [], path.name
            outcomes[path.name] = "repaired" if source.repaired else "included"
        assert _structural_problems(data) == [], path.name
    included = sum(1 for o in outcomes.values() if o in {"included", "repaired"})
    assert included >= 85, outcomes
    repaired = sorted(name for name, o in outcomes.items() if o == "repaired")
    assert repaired == REPAIRED, outcomes


@pytest.fixture(scope="module")
def whole_corpus(shared_dir: Path) -> tuple[BackupResult, bytes, dict[str, bytes]]:
    """Every corpus file attached to one invoice, compiled: result, backup, sources by key."""
    paths = _corpus(shared_dir)
    p = project([invoice("i-1", attachments=[attachment(path.name) for path in paths])])
    documents = {"att/" + path.name: path.read_bytes() for path in paths}
    store = InMemoryStore({"docs/i-1.pdf": text_pdf(["Pay application"]), **documents})
    result = compile_backup(
        p,
        invoice_ids=["i-1"],
        user_id=ADMIN.id,
        store=store,
        now=NOW,
        options=BackupOptions(on_bad_document="skip"),
    )
    return result, store.read_bytes(result.key), documents


def test_all_corpus_files_together_in_one_backup(
    whole_corpus: tuple[BackupResult, bytes, dict[str, bytes]],
) -> None:
    """Every corpus file attached to one invoice: one backup, page count and entries agree."""
    result, data, documents = whole_corpus
    paths = list(documents)
    assert result.page_count == len(pypdf.PdfReader(io.BytesIO(data)).pages)
    sources = result.invoices[0].sources
    assert result.page_count == (result.manifest.cover_last_page or 0) + sum(
        s.pages for s in sources
    )
    assert len(sources) - 1 + len(result.left_out) == len(paths)
    assert {e.code for e in result.left_out} <= TYPED_CODES
    assert _structural_problems(data) == []
    assert assert_backup_matches(result, data, documents) == len(sources) - 1
    # The digests recorded as the backup was written are those verify reads from it.
    assert result.manifest.page_digests == tuple(page_digests(PdfFile(data, limits=READ_BACK)))


#: How qpdf (through pikepdf) rewrites a file: its defaults (streams of the generalized
#: filters decoded and compressed again with Flate), linearized ("fast web view"), and
#: with object streams.
REWRITES = {
    "default": {},
    "linearized": {"linearize": True},
    "object-streams": {"object_stream_mode": pikepdf.ObjectStreamMode.generate},
}


@pytest.mark.parametrize("how", sorted(REWRITES))
def test_the_corpus_backup_verifies_after_qpdf_rewrites_it(
    whole_corpus: tuple[BackupResult, bytes, dict[str, bytes]], how: str
) -> None:
    """The whole corpus's backup, rewritten by qpdf as users do, verifies page by page.

    Among the corpus's files: an LZW image (qpdf writes it as Flate), and a form whose
    field has a widget on a page outside the page tree (linearizing drops that page).
    """
    _result, data, _documents = whole_corpus
    rewritten = resaved(data, **REWRITES[how])
    assert rewritten != data
    found = verify_backup(rewritten)
    assert found.mismatches == ()
    assert found.verified

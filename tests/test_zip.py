"""ZIP backups: each document as the bytes it was, named and ordered as the PDF, streamed."""

from __future__ import annotations

import errno
import gc
import hashlib
import io
import itertools
import json
import os
import re
import tracemalloc
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupResult,
    BadDocumentError,
    InMemoryStore,
    InvoiceBackupError,
    compile_backup,
)
from invoicebackup._zip import MAX_ENTRY_BYTES, entry_name
from invoicebackup.cli import EXIT_WARNINGS, main
from invoicebackup.manifest import MANIFEST_NAME
from invoicebackup.serialization import manifest_to_dict
from invoicebackup.testing import sample_documents, sample_project, write_sample_project
from tests.backup_helpers import ADMIN, NOW
from tests.test_faults import FailingWriteStore
from tests.test_memory import _workload

TODAY = date(2026, 11, 3)
EVERYTHING = ["k-2", "k-10", "k-11"]
ZIP = BackupOptions(format="zip", include_certificate=True)
#: The cover sheet's entry: number 000, ahead of the documents.
COVER = "000 - Cover sheet.pdf"


def _compile_zip(
    store: InMemoryStore, options: BackupOptions = ZIP
) -> tuple[BackupResult, zipfile.ZipFile]:
    result = compile_backup(
        sample_project(today=TODAY),
        contract_ids=EVERYTHING,
        user_id="u-admin",
        store=store,
        options=options,
        now=NOW,
    )
    return result, zipfile.ZipFile(io.BytesIO(store.read_bytes(result.key)))


def test_the_zip_holds_each_source_as_its_bytes_in_backup_order() -> None:
    """Every source is an entry holding exactly its bytes, in the PDF's order, then the manifest.

    The signed original is byte for byte the stored signed copy (its signature stays valid);
    the sub-tier waiver comes after the first-tier one; the manifest entry is the result's.
    """
    documents = sample_documents(today=TODAY)
    store = InMemoryStore(documents)
    result, archive = _compile_zip(store)
    assert result.key.endswith(".zip")
    pdf_store = InMemoryStore(documents)
    pdf = compile_backup(
        sample_project(today=TODAY),
        contract_ids=EVERYTHING,
        user_id="u-admin",
        store=pdf_store,
        options=BackupOptions(include_certificate=True),
        now=NOW,
    )
    records = result.invoices
    sources = [s for r in records for s in r.sources]
    # the same documents, in the same order, as the PDF backup of the same selection
    assert [(s.key, s.role) for s in sources] == [
        (s.key, s.role) for r in pdf.invoices for s in r.sources
    ]
    names = archive.namelist()
    assert names[-1] == MANIFEST_NAME
    in_order = [n for n in names if n not in (MANIFEST_NAME, COVER) and not n.endswith(".txt")]
    assert in_order == [s.entry for s in sources]
    for source in sources:
        assert source.entry is not None
        data = archive.read(source.entry)
        assert data == documents[source.key]
        assert source.sha256 == hashlib.sha256(data).hexdigest()
    signed = next(s for s in sources if s.signed)
    assert signed.entry is not None
    assert archive.read(signed.entry) == documents["signed/i-2.pdf"]
    waivers = [s.waiver.tier.value for s in sources if s.waiver]
    assert waivers == ["first", "sub"]
    embedded = json.loads(archive.read(MANIFEST_NAME))
    assert embedded == manifest_to_dict(result.manifest)
    assert [w["waiver_id"] for r in embedded["invoices"] for w in r["missing_waivers"]] == ["w-2-3"]
    # the page ranges count the ZIP's PDFs one after the other, as the PDF would (no placeholder)
    assert [s.pages for s in sources] == [s.pages for r in pdf.invoices for s in r.sources]
    assert sources[0].first_page == 1
    for before, after in itertools.pairwise(sources):
        assert after.first_page == before.last_page + 1


def test_the_entries_are_named_for_contract_invoice_and_document() -> None:
    """``NNN - {contract} - {invoice} - {document}.pdf``; a placeholder is a text entry."""
    store = InMemoryStore(sample_documents(today=TODAY))
    result, archive = _compile_zip(store)
    names = archive.namelist()
    assert names[0] == "001 - SC-2 - INV-0001 - Invoice 1.pdf"
    assert "004 - SC-2 - INV-0002 - Invoice 2 (signed).pdf" in names
    assert "007 - SC-2 - INV-0002 - Volt conditional waiver.pdf" in names
    placeholder = next(i for i in result.left_out if i.code == "damaged")
    assert placeholder.entry == "012 - sc-11 - PO-77 - Mill certificate (not included).txt"
    text = archive.read(placeholder.entry).decode()
    assert "docs/i-4-mill-cert.pdf" in text
    assert "(damaged)" in text
    numbers = [int(n[:3]) for n in names if n not in (MANIFEST_NAME, COVER)]
    assert numbers == list(range(1, len(numbers) + 1))
    # The cover sheet is number 000, written after the documents it lists, before the manifest.
    assert names[-2:] == [COVER, MANIFEST_NAME]


def test_the_zip_has_the_cover_sheet_as_a_pdf_of_its_own() -> None:
    """Entry 000 is the cover sheet: every invoice and the page it starts on, no link to follow.

    Its pages are counted as the manifest counts them (the documents read one after another);
    without the cover-sheet part there is none.
    """
    store = InMemoryStore(sample_documents(today=TODAY))
    result, archive = _compile_zip(store)
    with pikepdf.open(io.BytesIO(archive.read(COVER))) as cover:
        assert all("/Annots" not in page for page in cover.pages)
        assert "/StructTreeRoot" in cover.Root
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(archive.read(COVER))).pages
    )
    for record in result.invoices:
        assert record.first_page is not None
        line = next(line for line in text.splitlines() if f" {record.number} " in line)
        assert line.endswith(f" {record.first_page}"), line
    assert result.manifest.cover_first_page is None  # the documents' pages do not count it
    without = InMemoryStore(sample_documents(today=TODAY))
    _, bare = _compile_zip(
        without,
        BackupOptions(format="zip", include="attachments,first-tier-waivers,sub-tier-waivers"),
    )
    assert COVER not in bare.namelist()


def test_skip_and_fail_apply_to_a_zip_as_to_a_pdf() -> None:
    """Under "skip" a bad document has no entry; under "fail" nothing is written."""
    store = InMemoryStore(sample_documents(today=TODAY))
    result, archive = _compile_zip(store, BackupOptions(format="zip", on_bad_document="skip"))
    assert not [n for n in archive.namelist() if n.endswith(".txt")]
    assert {i.code for i in result.left_out} == {"damaged", "not_pdf"}
    store = InMemoryStore(sample_documents(today=TODAY))
    before = store.keys()
    with pytest.raises(BadDocumentError):
        _compile_zip(store, BackupOptions(format="zip", on_bad_document="fail"))
    assert store.keys() == before


def test_the_same_input_and_time_give_the_same_zip() -> None:
    """Fixed entry times, attributes and order: two compiles give the same bytes."""
    first = InMemoryStore(sample_documents(today=TODAY))
    second = InMemoryStore(sample_documents(today=TODAY))
    a, archive = _compile_zip(first)
    b, _ = _compile_zip(second)
    assert first.read_bytes(a.key) == second.read_bytes(b.key)
    assert {info.date_time for info in archive.infolist()} == {
        (2024, 6, 3, 14, 5, 0)
    }  # NOW, in UTC: the project has no zone
    assert {info.create_system for info in archive.infolist()} == {3}


def test_an_entry_larger_than_the_zip64_limit_gets_zip64_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the ZIP64 limit (lowered here to 1 000 bytes) entries carry ZIP64 records.

    The archive still reads back whole, every entry its source's bytes.
    """
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    documents = sample_documents(today=TODAY)
    store = InMemoryStore(documents)
    result, archive = _compile_zip(store)
    assert archive.testzip() is None
    large = [i for i in archive.infolist() if i.file_size > 1000]
    assert large
    for info in large:
        assert _has_zip64_extra(info.extra), info.filename
    for record in result.invoices:
        for source in record.sources:
            assert source.entry is not None
            assert archive.read(source.entry) == documents[source.key]


def _has_zip64_extra(extra: bytes) -> bool:
    """Whether a ZIP extra field holds a ZIP64 record (header id 0x0001)."""
    at = 0
    while at + 4 <= len(extra):
        kind = int.from_bytes(extra[at : at + 2], "little")
        size = int.from_bytes(extra[at + 2 : at + 4], "little")
        if kind == 1:
            return True
        at += 4 + size
    return False


@pytest.mark.parametrize("limit", [0, 3000, 12000])
def test_a_store_fault_while_the_zip_is_written_leaves_nothing(limit: int) -> None:
    """A disk filling up mid-archive: a typed error, and nothing in the store."""
    inner = InMemoryStore(sample_documents(today=TODAY))
    before = inner.keys()
    store = FailingWriteStore(
        inner, error=OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), limit=limit
    )
    with pytest.raises((InvoiceBackupError, OSError)):
        compile_backup(
            sample_project(today=TODAY),
            contract_ids=EVERYTHING,
            user_id="u-admin",
            store=store,
            options=ZIP,
            now=NOW,
        )
    assert inner.keys() == before


_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])", re.IGNORECASE)


@given(
    number=st.integers(1, 99_999),
    contract=st.text(),
    invoice=st.text(),
    document=st.text(),
    extension=st.sampled_from(["pdf", "txt"]),
)
def test_any_names_give_an_entry_name_safe_everywhere(
    number: int, contract: str, invoice: str, document: str, extension: str
) -> None:
    """Whatever the names, the entry name is NFC, short, and legal on Windows, macOS, Linux.

    No forbidden or control character, no trailing dot or space, not a reserved device
    name, at most 240 UTF-8 bytes; it starts with its number and ends with its extension.
    """
    name = entry_name(number, 3, contract, invoice, document, extension)
    assert unicodedata.is_normalized("NFC", name)
    assert len(name.encode()) <= MAX_ENTRY_BYTES
    assert not re.search(r'[\x00-\x1f\x7f<>:"/\\|?*]', name)
    assert name == name.rstrip(" .")
    assert not _RESERVED.fullmatch(name.split(".", 1)[0].strip())
    assert name.startswith(f"{number:03d} - ")
    assert name.endswith(f".{extension}")


def test_a_long_document_name_is_shortened_first() -> None:
    """The document's name gives way first; the contract and invoice stay whole."""
    name = entry_name(7, 3, "SC-2", "INV-0002", "Waiver " * 80, "pdf")
    assert name.startswith("007 - SC-2 - INV-0002 - Waiver")
    assert len(name.encode()) <= MAX_ENTRY_BYTES


def test_the_cli_writes_a_zip_and_its_manifest(tmp_path: Path) -> None:
    """``--format zip`` writes the ZIP and the manifest beside it; the JSON names both."""
    folder = write_sample_project(tmp_path / "project", today=TODAY)
    result = CliRunner().invoke(
        main,
        ["compile", str(folder), "--as", "u-admin", "--format", "zip", "--json"],
    )
    assert result.exit_code == EXIT_WARNINGS, result.output
    document = json.loads(result.stdout)["result"]
    backup = Path(document["backup_path"])
    assert backup.suffix == ".zip"
    assert Path(document["manifest_path"]).name == backup.stem + ".manifest.json"
    with zipfile.ZipFile(backup) as archive:
        assert archive.namelist()[-1] == MANIFEST_NAME


def _zip_peak(folder: Path, invoices: int) -> tuple[int, int]:
    """The lowest of two peaks of memory while compiling a ZIP of a generated workload.

    The lower one: how much waits to be hashed depends on the helper thread's scheduling.
    """
    made, store, total = _workload(folder, invoices)
    peaks = []
    for _ in range(2):
        gc.collect()
        tracemalloc.start()
        try:
            result = compile_backup(
                made,
                contract_ids=["c-1"],
                user_id=ADMIN.id,
                store=store,
                options=BackupOptions(format="zip"),
                now=NOW,
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        peaks.append(peak)
        assert result.size > 0.9 * total
    return min(peaks), total


def test_a_zip_streams_one_document_at_a_time(tmp_path: Path) -> None:
    """Three times the input, about the same peak: the archive is never held in memory.

    The peak is the documents read ahead and waiting to be hashed (bounded), not the
    archive: a compile that held it would triple its peak.
    """
    small, small_input = _zip_peak(tmp_path / "small", 8)
    large, large_input = _zip_peak(tmp_path / "large", 24)
    assert large_input > 2.9 * small_input
    assert large / small < 1.5, (small, large)  # holding the archive would be over 2
    assert large < 0.25 * large_input, (large, large_input)

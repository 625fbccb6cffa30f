"""invoicebackup.preview: each document's fate, as a compile with the same options gives it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from invoicebackup import BackupOptions, BadDocumentError, InMemoryStore, compile_backup
from invoicebackup.domain import Document
from invoicebackup.preview import Fate, document_fate, preview_backup
from invoicebackup.testing import sample_documents, sample_project

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
EVERYTHING = ["k-2", "k-10", "k-11"]


@pytest.mark.parametrize("on_bad_document", ["placeholder", "skip"])
@pytest.mark.parametrize("on_unsigned", ["unsigned", "skip"])
@pytest.mark.parametrize("missing", [None, "docs/i-3.pdf", "signed/i-2.pdf"])
def test_preview_warns_of_exactly_what_compile_leaves_out(
    on_bad_document: str, on_unsigned: str, missing: str | None
) -> None:
    """The documents a preview flags are the ones compile reports, with the same code.

    A missing signed version falls back to the unsigned PDF (or skips the invoice), as in
    compile; the preview says which documents go in and which are replaced.
    """
    project = sample_project()
    documents = dict(sample_documents())
    if missing is not None:
        del documents[missing]
    options = BackupOptions(on_bad_document=on_bad_document, on_unsigned=on_unsigned)
    preview = preview_backup(
        project,
        contract_ids=EVERYTHING,
        user_id="u-admin",
        store=InMemoryStore(documents),
        options=options,
    )
    result = compile_backup(
        project,
        contract_ids=EVERYTHING,
        user_id="u-admin",
        store=InMemoryStore(documents),
        options=options,
        now=NOW,
    )
    left_out = sorted((i.invoice_id, i.key or "", i.code, i.action.value) for i in result.left_out)
    flagged = sorted(
        (d.invoice_id, d.key, d.code or "", d.fate.value)
        for d in preview.documents
        if d.warns and d.code != "unsigned"
    )
    skipped_invoices = {d.invoice_id for d in preview.documents if d.code == "unsigned"}
    assert flagged == [entry for entry in left_out if entry[2] != "unsigned"]
    assert skipped_invoices == {i.invoice_id for i in result.left_out if i.code == "unsigned"}
    signed = {d.invoice_id for d in preview.documents if d.fate is Fate.REPLACED}
    assert signed == {r.invoice_id for r in result.invoices if r.signature.value == "signed"}
    for record in result.invoices:
        assert {s.key for s in record.sources} <= {
            d.key
            for d in preview.documents
            if d.invoice_id == record.invoice_id and d.fate is Fate.INCLUDED
        }


def test_preview_under_fail_says_refused_where_compile_raises() -> None:
    """Under on_bad_document="fail" the bad document is REFUSED; compile raises for it."""
    project = sample_project()
    options = BackupOptions(on_bad_document="fail")
    store = InMemoryStore(sample_documents())
    preview = preview_backup(
        project, contract_ids=["k-11"], user_id="u-admin", store=store, options=options
    )
    refused = [d for d in preview.documents if d.fate is Fate.REFUSED]
    with pytest.raises(BadDocumentError) as raised:
        compile_backup(
            project, contract_ids=["k-11"], user_id="u-admin", store=store, options=options, now=NOW
        )
    assert [(d.key, d.code) for d in refused] == [(raised.value.key, raised.value.code)]


def test_document_fate_of_one_document() -> None:
    """document_fate: included, missing (placeholder), not declared a PDF (skipped)."""
    store = InMemoryStore(sample_documents())
    good = Document(key="docs/i-3.pdf", filename="P.pdf")
    csv = Document(key="docs/i-2-quantities.csv", filename="Q.csv", media_type="text/csv")
    assert document_fate(store, good, invoice_id="i-3").fate is Fate.INCLUDED
    absent = Document(key="docs/absent.pdf", filename="A.pdf")
    assert document_fate(store, absent, invoice_id="i-3").code == "missing"
    skipped = document_fate(store, csv, invoice_id="i-2")
    assert (skipped.fate, skipped.code) == (Fate.SKIPPED, "not_pdf")

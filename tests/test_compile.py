"""compile_backup end to end: what goes in, in which order, what is reported, what is written."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import Any, BinaryIO

import attrs
import pikepdf
import pypdf
import pytest

from invoicebackup import (
    BackupOptions,
    BackupPreconditionsError,
    BackupResult,
    BadDocumentError,
    Contract,
    DocumentExistsError,
    Envelope,
    EnvelopeStatus,
    InMemoryStore,
    ProgressEvent,
    Project,
    UnsignedInvoiceError,
    _pdf,
    compile_backup,
    manifest_to_json,
    result_to_json,
)
from invoicebackup.compile import Action, DocumentRole, SignatureState
from invoicebackup.serialization import manifest_to_dict, manifest_to_json_bytes
from invoicebackup.testing import (
    InMemorySignatureProvider,
    active_content_pdf,
    lien_waiver_pdf,
    text_pdf,
)
from tests.backup_helpers import (
    ADMIN,
    NOW,
    attachment,
    cover_pages,
    invoice,
    outline,
    page_texts,
    project,
    reader,
    store_for,
)

NAME = "backups/Subcontractor invoice backup - Harbour Tower - HT-01 - 2024-06-03 - 1405.pdf"


def _encrypted(user_password: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(text_pdf(["locked 1", "locked 2"])))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _check(data: bytes) -> list[str]:
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        return [str(p) for p in pdf.check_pdf_syntax()]


def _compile(p: Project, store: InMemoryStore, **kwargs: Any) -> tuple[BackupResult, bytes]:
    result = compile_backup(p, user_id=ADMIN.id, store=store, now=NOW, **kwargs)
    return result, store.read_bytes(result.key)


def test_a_backup_holds_every_pdf_in_order_with_bookmarks_matching_page_ranges() -> None:
    """Contracts, invoices and documents come in order; result ranges equal the bookmarks."""
    contracts = [
        Contract(id="c-10", number="SC-10"),
        Contract(id="c-2", number="SC-2", title="Steel"),
    ]
    invoices = [
        invoice("i-10", contract_id="c-10", attachments=[attachment("w.pdf")]),
        invoice("i-2b", contract_id="c-2", position=2),
        invoice("i-2a", contract_id="c-2", position=1, attachments=[attachment("two.pdf")]),
    ]
    p = project(invoices, contracts=contracts)
    store = store_for(p, {"att/w.pdf": text_pdf(["waiver"]), "att/two.pdf": text_pdf(["t1", "t2"])})
    result = compile_backup(p, contract_ids=["c-10", "c-2"], user_id=ADMIN.id, store=store, now=NOW)
    data = store.read_bytes(result.key)
    assert result.key == NAME
    assert [r.invoice_id for r in result.invoices] == ["i-2a", "i-2b", "i-10"]
    cover = cover_pages(result)
    assert cover == 1
    assert result.page_count == len(reader(data).pages) == cover + 6
    assert [t.strip().splitlines()[0] for t in page_texts(data)[cover:]] == [
        "Invoice i-2a",
        "t1",
        "t2",
        "Invoice i-2b",
        "Invoice i-10",
        "waiver",
    ]
    marks = outline(data)
    invoice_marks = [(title, page) for depth, title, page in marks if depth == 1]
    assert [page + 1 for _, page in invoice_marks] == [r.first_page for r in result.invoices]
    assert [m[1:] for m in marks if m[0] == 0] == [
        ("Cover sheet", 0),
        ("SC-2 — Steel", cover),
        ("SC-10", result.invoices[2].first_page - 1),  # type: ignore[operator]
    ]
    assert [(s.filename, s.first_page, s.last_page) for s in result.invoices[0].sources] == [
        ("Pay app i-2a.pdf", cover + 1, cover + 1),
        ("two.pdf", cover + 2, cover + 3),
    ]
    assert result.invoices[0].last_page == cover + 3
    assert len(result.sha256) == 64
    assert result.size == len(data)
    assert _check(data) == []
    info = reader(data).metadata
    assert info is not None
    assert info.title == "Subcontractor invoice backup - Harbour Tower"
    assert info.subject


@pytest.mark.parametrize(
    ("selection", "code"),
    [
        ({"invoice_ids": ["i-gone"]}, "missing_period"),
        ({"invoice_ids": ["i-1", "i-unknown"]}, "unknown_invoice"),
        ({"contract_ids": ["c-unknown"]}, "unknown_contract"),
    ],
)
def test_failed_preconditions_write_nothing(selection: dict[str, Any], code: str) -> None:
    """A missing period or an unknown id raises before anything is read or written."""
    p = project([invoice("i-1"), invoice("i-gone", period="bp-deleted", position=2)])
    store = store_for(p)
    before = set(store.keys())
    with pytest.raises(BackupPreconditionsError) as caught:
        compile_backup(p, user_id=ADMIN.id, store=store, now=NOW, **selection)
    assert code in {problem.code for problem in caught.value.problems}
    assert set(store.keys()) == before


def test_a_denied_user_gets_an_error_and_no_output() -> None:
    """A read-only user cannot compile; nothing appears in the store."""
    p = project([invoice("i-1")])
    store = store_for(p)
    before = set(store.keys())
    with pytest.raises(BackupPreconditionsError) as caught:
        compile_backup(p, invoice_ids=["i-1"], user_id="u-reader", store=store, now=NOW)
    assert "not_admin_on_tool" in {problem.code for problem in caught.value.problems}
    assert set(store.keys()) == before


BAD = {
    "damaged": text_pdf(["x"])[:200],
    "encrypted": _encrypted("open-sesame"),
    # Its bytes are a web page: neither a PDF nor an image (an image's bytes become pages).
    "not_pdf": b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
    "empty": b"",
}


@pytest.mark.parametrize("code", [*BAD, "missing"])
@pytest.mark.parametrize("policy", ["placeholder", "skip", "fail"])
def test_bad_document_policies(code: str, policy: str) -> None:
    """Damaged, encrypted, disguised, empty and missing PDFs follow on_bad_document."""
    p = project([invoice("i-1", attachments=[attachment("bad.pdf"), attachment("ok.pdf")])])
    extra = {"att/ok.pdf": text_pdf(["fine"])}
    if code != "missing":
        extra["att/bad.pdf"] = BAD[code]
    store = store_for(p, extra)
    before = set(store.keys())
    options = BackupOptions(on_bad_document=policy)
    if policy == "fail":
        with pytest.raises(BadDocumentError) as caught:
            compile_backup(
                p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, options=options, now=NOW
            )
        assert (caught.value.code, caught.value.key) == (code, "att/bad.pdf")
        assert set(store.keys()) == before
        return
    result, data = _compile(p, store, invoice_ids=["i-1"], options=options)
    (entry,) = result.left_out
    assert (entry.code, entry.key, entry.filename) == (code, "att/bad.pdf", "bad.pdf")
    texts = page_texts(data)
    cover = cover_pages(result)
    if policy == "placeholder":
        assert entry.action is Action.PLACEHOLDER
        assert entry.page == cover + 2
        assert len(texts) == cover + 3
        assert "bad.pdf" in texts[cover + 1]
        assert code in texts[cover + 1]
        titles = [title for _, title, _ in outline(data)]
        assert "bad.pdf" in titles
    else:
        assert entry.action is Action.SKIPPED
        assert entry.page is None
        assert len(texts) == cover + 2
    assert "fine" in texts[-1]
    assert result.page_count == len(texts)
    assert _check(data) == []


@pytest.mark.parametrize("policy", ["placeholder", "skip", "fail"])
def test_an_attachment_that_is_not_a_pdf_is_skipped_and_listed(policy: str) -> None:
    """A "receipt.jpg" whose bytes are a web page, or a spreadsheet, is listed, under every policy.

    Neither is a PDF nor an image: neither is included, and neither is a bad document.
    """
    receipt = attachment("receipt.jpg", media_type="image/jpeg")
    sheet = attachment("costs.xlsx", media_type="application/vnd.ms-excel")
    p = project([invoice("i-1", attachments=[receipt, sheet])])
    store = store_for(p, {"att/receipt.jpg": BAD["not_pdf"]})  # the sheet is not even stored
    result, data = _compile(
        p, store, invoice_ids=["i-1"], options=BackupOptions(on_bad_document=policy)
    )
    assert [(e.filename, e.code, e.action) for e in result.left_out] == [
        ("receipt.jpg", "not_pdf", Action.SKIPPED),
        ("costs.xlsx", "not_pdf", Action.SKIPPED),
    ]
    assert len(page_texts(data)) == cover_pages(result) + 1


def test_an_owner_password_only_pdf_is_decrypted_and_included() -> None:
    """Permissions-only encryption does not keep a document out of the backup."""
    p = project([invoice("i-1", attachments=[attachment("owner.pdf")])])
    store = store_for(p, {"att/owner.pdf": _encrypted("")})
    result, data = _compile(p, store, invoice_ids=["i-1"])
    assert result.left_out == ()
    source = result.invoices[0].sources[1]
    assert (source.pages, source.encrypted) == (2, True)
    assert "locked 2" in page_texts(data)[source.last_page - 1]
    assert _check(data) == []


def test_form_fields_of_different_invoices_never_merge() -> None:
    """Two invoices' lien waivers with a field ``amount`` keep their own values."""
    p = project(
        [
            invoice("i-1", position=1, attachments=[attachment("w1.pdf")]),
            invoice("i-2", position=2, attachments=[attachment("w2.pdf")]),
        ]
    )
    store = store_for(
        p,
        {
            "att/w1.pdf": lien_waiver_pdf({"amount": "10,000.00", "vendor": "Acme"}),
            "att/w2.pdf": lien_waiver_pdf({"amount": "2,500.00", "vendor": "Acme"}),
        },
    )
    result, data = _compile(p, store, invoice_ids=["i-1", "i-2"])
    fields = reader(data).get_fields() or {}
    prefixes = [inv.sources[1].field_prefix for inv in result.invoices]
    assert None not in prefixes
    assert len(set(prefixes)) == 2
    assert fields[f"{prefixes[0]}.amount"]["/V"] == "10,000.00"
    assert fields[f"{prefixes[1]}.amount"]["/V"] == "2,500.00"
    assert "amount" not in fields
    assert _check(data) == []


def test_active_content_never_reaches_the_backup() -> None:
    """JavaScript, OpenAction and Launch actions of an attachment are removed and reported."""
    p = project([invoice("i-1", attachments=[attachment("active.pdf")])])
    store = store_for(p, {"att/active.pdf": active_content_pdf()})
    result, data = _compile(
        p, store, invoice_ids=["i-1"], options=BackupOptions(embed_manifest=False)
    )
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
    removed = result.invoices[0].sources[1].removed
    assert "document JavaScript" in removed


def test_the_same_inputs_and_now_give_byte_identical_backups() -> None:
    """Determinism: two compilations with the same now produce the same bytes (and a (2))."""
    p = project([invoice("i-1", attachments=[attachment("w.pdf")])])
    store = store_for(p, {"att/w.pdf": lien_waiver_pdf({"amount": "1"})})
    first = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    second = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    assert second.key == NAME[:-4] + " (2).pdf"
    assert store.read_bytes(first.key) == store.read_bytes(second.key)
    later = compile_backup(
        p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW + timedelta(minutes=1)
    )
    assert later.key.endswith("1406.pdf")
    assert store.read_bytes(later.key) != store.read_bytes(first.key)


class _RacingStore(InMemoryStore):
    """A store where another writer takes the first name between the check and the commit."""

    raced = False

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        if not self.raced:
            self.raced = True
            return self._taken(key)
        return super().create(key)

    @contextmanager
    def _taken(self, key: str) -> Iterator[BinaryIO]:
        yield io.BytesIO()
        raise DocumentExistsError(key, "created by someone else meanwhile")


def test_a_name_taken_at_commit_time_moves_on_to_the_next_number() -> None:
    """Relying on the store's atomic create, a lost race retries with ' (2)'."""
    p = project([invoice("i-1")])
    store = _RacingStore({inv.document.key: text_pdf(["x"]) for inv in p.invoices})
    result = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    assert store.raced
    assert result.key == NAME[:-4] + " (2).pdf"
    assert not store.exists(NAME)


def test_the_name_is_localised_and_filesystem_safe() -> None:
    """fr-CA titles the file in French; characters unsafe on some filesystems are replaced."""
    p = attrs.evolve(project([invoice("i-1")], language="fr-CA"), name='Tour: "A/B" <C>?')
    store = store_for(p)
    result = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    assert result.filename == (
        "Sauvegarde des factures de sous-traitant - Tour_ _A_B_ _C_ - HT-01 - 2024-06-03 - 1405.pdf"
    )
    assert "compilée" in result.message


def test_the_manifest_is_written_piece_by_piece_as_its_indented_json() -> None:
    """The embedded manifest is exactly json.dumps' indented text of its dictionary, in UTF-8.

    It is encoded a piece at a time (never held as a list of pieces): text outside ASCII,
    quotes, backslashes, a line separator and an emoji come out as json.dumps writes them.
    """
    p = attrs.evolve(project([invoice("i-1")]), name='Tour é — "A"\u2028 🏗 \\ end')
    store = store_for(p)
    result = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    expected = json.dumps(manifest_to_dict(result.manifest), ensure_ascii=False, indent=2) + "\n"
    written = manifest_to_json_bytes(result.manifest)
    assert written == expected.encode("utf-8")
    assert "🏗" in written.decode("utf-8")
    attached = reader(store.read_bytes(result.key)).attachments["backup-manifest.json"][0]
    assert attached == written


def test_manifest_is_embedded_and_the_result_serialises() -> None:
    """The manifest JSON is attached in the PDF and the result round-trips through JSON."""
    p = project([invoice("i-1")])
    store = store_for(p)
    result = compile_backup(p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, now=NOW)
    data = store.read_bytes(result.key)
    attached = reader(data).attachments["backup-manifest.json"][0]
    assert attached.decode() == manifest_to_json(result.manifest)
    manifest = json.loads(attached)
    assert manifest["page_count"] == cover_pages(result) + 1
    assert manifest["cover_first_page"] == manifest["cover_last_page"] == 1
    assert manifest["invoices"][0]["sources"][0]["sha256"] == result.invoices[0].sources[0].sha256
    whole = json.loads(result_to_json(result))
    assert whole["key"] == result.key
    assert whole["manifest"]["created_at"] == "2024-06-03T14:05:00Z"


def test_progress_reports_documents_and_pages() -> None:
    """The progress callback sees every document read and assembled, and the page count."""
    p = project([invoice("i-1", attachments=[attachment("a.pdf")]), invoice("i-2", position=2)])
    store = store_for(p, {"att/a.pdf": text_pdf(["a", "b"])})
    events: list[ProgressEvent] = []
    compile_backup(
        p, contract_ids=["c-1"], user_id=ADMIN.id, store=store, now=NOW, progress=events.append
    )
    assert [e.documents_total for e in events] == [3] * len(events)
    assembled = [e for e in events if e.stage.value == "assembled"]
    assert [e.documents_done for e in assembled] == [1, 2, 3]
    assert [e.pages_written for e in assembled] == [1, 3, 4]
    assert events[-1].stage.value == "written"


class _CountingStore(InMemoryStore):
    """A store that remembers every key read."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__(documents)
        self.reads: list[str] = []

    def read_bytes(self, key: str) -> bytes:
        self.reads.append(key)
        return super().read_bytes(key)


def _documents(store: InMemoryStore) -> dict[str, bytes]:
    return {key: store.read_bytes(key) for key in sorted(store.keys())}


def test_a_document_used_several_times_is_read_and_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same key read once; same SHA-256 parsed once, even under different keys."""
    shared = attachment("coi.pdf")
    copy = attachment("coi-copy.pdf")
    p = project(
        [
            invoice("i-1", attachments=[shared]),
            invoice("i-2", position=2, attachments=[shared, copy]),
        ]
    )
    coi = text_pdf(["certificate of insurance"])
    store = _CountingStore(
        {**_documents(store_for(p)), "att/coi.pdf": coi, "att/coi-copy.pdf": coi}
    )
    reads = store.reads
    parses: list[str] = []
    original_open = _pdf.open_pdf

    def counting_open(data: bytes, **kw: Any) -> _pdf.ParsedPdf:
        parses.append(kw["key"])
        return original_open(data, **kw)

    monkeypatch.setattr(_pdf, "open_pdf", counting_open)
    result = compile_backup(p, contract_ids=["c-1"], user_id=ADMIN.id, store=store, now=NOW)
    assert reads.count("att/coi.pdf") == 1
    assert parses.count("att/coi.pdf") + parses.count("att/coi-copy.pdf") == 1
    assert result.page_count == cover_pages(result) + 5


# -- signed versions (DocuSign) ------------------------------------------------------------


def _signed_project(status: EnvelopeStatus, **envelope: Any) -> Project:
    env = Envelope(id="env-1", status=status, **envelope)
    return project(
        [invoice("i-1", envelope=env), invoice("i-2", position=2)], docusign_enabled=True
    )


@pytest.mark.parametrize("certificate", [False, True])
def test_a_completed_envelope_contributes_the_signed_document(certificate: bool) -> None:
    """Completed: the signed PDF replaces the default PDF; the certificate follows on request."""
    p = _signed_project(EnvelopeStatus.SENT)
    provider = InMemorySignatureProvider()
    provider.add_envelope("env-1", status=EnvelopeStatus.SENT)
    provider.complete(
        "env-1",
        signed_pdf=text_pdf(["SIGNED invoice i-1"]),
        certificate_pdf=text_pdf(["Certificate of completion"]),
        completed_at=NOW,
    )
    store = store_for(p)
    result, data = _compile(
        p,
        store,
        contract_ids=["c-1"],
        signatures=provider,
        options=BackupOptions(include_certificate=certificate),
    )
    first = result.invoices[0]
    assert first.signature is SignatureState.SIGNED
    assert first.envelope is not None
    assert first.envelope.status is EnvelopeStatus.COMPLETED
    assert first.envelope.completed_at == NOW
    roles = [s.role for s in first.sources]
    expected = [DocumentRole.SIGNED_INVOICE] + ([DocumentRole.CERTIFICATE] if certificate else [])
    assert roles == expected
    assert first.sources[0].signed
    texts = page_texts(data)[cover_pages(result) :]
    assert "SIGNED invoice i-1" in texts[0]
    assert ("Certificate of completion" in texts[1]) is certificate
    assert "Invoice i-1" not in "".join(texts)
    assert provider.calls["envelope_statuses"] == 1
    assert result.invoices[1].signature is SignatureState.NOT_APPLICABLE


@pytest.mark.parametrize(
    "status", [EnvelopeStatus.DECLINED, EnvelopeStatus.VOIDED, EnvelopeStatus.SIGNED]
)
@pytest.mark.parametrize("policy", ["unsigned", "skip", "fail"])
def test_an_incomplete_envelope_follows_on_unsigned(status: EnvelopeStatus, policy: str) -> None:
    """Declined, voided or merely signed: unsigned PDF said so, invoice left out, or an error."""
    p = _signed_project(status)
    provider = InMemorySignatureProvider()
    provider.add_envelope("env-1", status=status)
    store = store_for(p)
    before = set(store.keys())
    options = BackupOptions(on_unsigned=policy)
    if policy == "fail":
        with pytest.raises(UnsignedInvoiceError) as caught:
            _compile(p, store, contract_ids=["c-1"], signatures=provider, options=options)
        assert (caught.value.invoice_id, caught.value.status) == ("i-1", status.value)
        assert set(store.keys()) == before
        return
    result, data = _compile(p, store, contract_ids=["c-1"], signatures=provider, options=options)
    texts = page_texts(data)[cover_pages(result) :]
    if policy == "unsigned":
        first = result.invoices[0]
        assert first.signature is SignatureState.UNSIGNED
        assert status.value in (first.signature_note or "")
        assert "Invoice i-1" in texts[0]
    else:
        assert [r.invoice_id for r in result.invoices] == ["i-2"]
        (entry,) = result.left_out
        assert (entry.invoice_id, entry.code, entry.key) == ("i-1", "unsigned", None)
        assert "Invoice i-1" not in "".join(texts)


def test_completed_without_a_signed_document_is_never_passed_off_as_signed() -> None:
    """A completed envelope whose signed PDF is unavailable counts as unsigned."""
    p = _signed_project(EnvelopeStatus.COMPLETED, signed_document_key="signed/missing.pdf")
    store = store_for(p)
    result, _ = _compile(p, store, contract_ids=["c-1"])
    first = result.invoices[0]
    assert first.signature is SignatureState.UNSIGNED
    assert "no signed document" in (first.signature_note or "")
    assert not any(s.signed for s in first.sources)
    with pytest.raises(UnsignedInvoiceError):
        _compile(p, store, contract_ids=["c-1"], options=BackupOptions(on_unsigned="fail"))


def test_signed_documents_come_from_the_store_without_a_provider() -> None:
    """Without a provider, the project's envelope and its signed_document_key are used."""
    p = _signed_project(
        EnvelopeStatus.COMPLETED,
        signed_document_key="signed/i-1.pdf",
        certificate_key="signed/i-1-cert.pdf",
    )
    store = store_for(
        p,
        {
            "signed/i-1.pdf": text_pdf(["SIGNED from store"]),
            "signed/i-1-cert.pdf": text_pdf(["CERT"]),
        },
    )
    result, data = _compile(
        p, store, contract_ids=["c-1"], options=BackupOptions(include_certificate=True)
    )
    first = result.invoices[0]
    assert [s.key for s in first.sources] == ["signed/i-1.pdf", "signed/i-1-cert.pdf"]
    assert first.envelope is not None
    assert first.envelope.source == "project"
    assert "SIGNED from store" in page_texts(data)[cover_pages(result)]


def test_envelopes_are_ignored_without_the_integration() -> None:
    """On a project without DocuSign, the default PDF is used and the provider is not asked."""
    env = Envelope(id="env-1", status=EnvelopeStatus.COMPLETED, signed_document_key="s.pdf")
    p = project([invoice("i-1", envelope=env)])
    provider = InMemorySignatureProvider()
    store = store_for(p, {"s.pdf": text_pdf(["SIGNED"])})
    result, data = _compile(p, store, invoice_ids=["i-1"], signatures=provider)
    assert result.invoices[0].signature is SignatureState.NOT_APPLICABLE
    assert sum(provider.calls.values()) == 0
    assert "Invoice i-1" in page_texts(data)[cover_pages(result)]


def test_an_output_store_receives_the_backup_and_the_document_store_stays_untouched() -> None:
    """With ``output=``, the backup is written there and nothing is added to the read store."""
    p = project([invoice("i-1")])
    store = store_for(p, {})
    before = set(store.keys())
    output = InMemoryStore()
    result = compile_backup(
        p, invoice_ids=["i-1"], user_id=ADMIN.id, store=store, output=output, now=NOW
    )
    assert set(store.keys()) == before
    assert output.keys() == [NAME]
    pages = len(reader(output.read_bytes(result.key)).pages)
    assert pages == result.page_count == cover_pages(result) + 1


def test_a_signed_document_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse that checks a signed document is usable is the one that goes into the backup."""
    p = _signed_project(EnvelopeStatus.COMPLETED, signed_document_key="signed/i-1.pdf")
    store = store_for(p, {"signed/i-1.pdf": text_pdf(["SIGNED from store"])})
    parsed_keys: list[str] = []
    real_open = _pdf.open_pdf

    def counting_open(data: bytes, **kwargs: Any) -> _pdf.ParsedPdf:
        parsed_keys.append(kwargs["key"])
        return real_open(data, **kwargs)

    monkeypatch.setattr(_pdf, "open_pdf", counting_open)
    result, data = _compile(p, store, contract_ids=["c-1"])
    assert parsed_keys.count("signed/i-1.pdf") == 1
    assert "SIGNED from store" in page_texts(data)[cover_pages(result)]
    assert result.invoices[0].sources[0].signed


def test_a_french_project_gets_french_placeholders_and_bookmarks() -> None:
    """fr-CA: the placeholder page and the invoice bookmark speak French (the reason stays)."""
    p = project([invoice("i-1", attachments=[attachment("a.pdf")])], language="fr-CA")
    store = store_for(p, {"att/a.pdf": b"%PDF-1.7\n garbage"})
    result, data = _compile(p, store, contract_ids=["c-1"])
    (entry,) = result.left_out
    placeholder = page_texts(data)[entry.page - 1]  # type: ignore[operator]
    assert "Ce document n'a pas pu être inclus" in placeholder
    assert "PDF endommagé (damaged)" in placeholder
    assert any(title.endswith("— Brouillon") for _, title, _ in outline(data))  # draft


def test_a_document_whose_objects_the_writer_forgot_is_read_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With room for one document's objects, a repeat is read and parsed again, all pages in."""
    monkeypatch.setattr(_pdf.BackupWriter, "shared_documents", 1)
    shared = attachment("coi.pdf")
    p = project(
        [
            invoice("i-1", attachments=[shared]),
            invoice("i-2", position=2, attachments=[attachment("other.pdf"), shared]),
        ]
    )
    store = _CountingStore(
        {
            **_documents(store_for(p)),
            "att/coi.pdf": text_pdf(["certificate", "of insurance"]),
            "att/other.pdf": text_pdf(["other"]),
        }
    )
    result, data = _compile(p, store, contract_ids=["c-1"])
    assert store.reads.count("att/coi.pdf") == 2
    cover = cover_pages(result)
    assert result.page_count == cover + 1 + 2 + 1 + 1 + 2
    assert page_texts(data)[-2:] == page_texts(data)[cover + 1 : cover + 3]


class _ChangingStore(InMemoryStore):
    """A store whose *key* holds *later* bytes from its second read on."""

    def __init__(self, documents: dict[str, bytes], key: str, later: bytes) -> None:
        super().__init__(documents)
        self._key = key
        self._later = later
        self._reads = 0

    def read_bytes(self, key: str) -> bytes:
        if key == self._key:
            self._reads += 1
            if self._reads > 1:
                return self._later
        return super().read_bytes(key)


def test_a_document_that_changed_before_it_is_read_again_is_not_copied_under_its_old_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A repeat read again after its bytes changed in the store is left out, not mislabelled.

    The second read is hashed again: its bytes are not the ones the first read's SHA-256
    names, so they are not copied under that hash.
    """
    monkeypatch.setattr(_pdf.BackupWriter, "shared_documents", 1)
    shared = attachment("coi.pdf")
    p = project(
        [
            invoice("i-1", attachments=[shared]),
            invoice("i-2", position=2, attachments=[attachment("other.pdf"), shared]),
        ]
    )
    store = _ChangingStore(
        {
            **_documents(store_for(p)),
            "att/coi.pdf": text_pdf(["certificate", "of insurance"]),
            "att/other.pdf": text_pdf(["other"]),
        },
        "att/coi.pdf",
        text_pdf(["forged certificate"]),
    )
    result, data = _compile(p, store, contract_ids=["c-1"])
    assert not any("forged" in text for text in page_texts(data))
    (entry,) = result.left_out
    assert (entry.invoice_id, entry.key) == ("i-2", "att/coi.pdf")
    assert "changed" in entry.reason
    copied = [s for r in result.invoices for s in r.sources if s.key == "att/coi.pdf"]
    assert len(copied) == 1


def test_check_document_judges_a_document_as_a_compile_would() -> None:
    """check_document applies the options a compile uses: bounds, passwords; a good PDF passes."""
    from invoicebackup import Document, check_document

    document = Document(key="docs/locked.pdf", filename="locked.pdf")
    locked = _encrypted("s3cret")
    with pytest.raises(BadDocumentError) as caught:
        check_document(document, locked)
    assert (caught.value.code, caught.value.key) == ("encrypted", "docs/locked.pdf")
    asked: list[Document] = []

    def passwords(asked_about: Document) -> list[str]:
        asked.append(asked_about)
        return ["wrong", "s3cret"]

    opens = BackupOptions(passwords=passwords)
    check_document(document, locked, options=opens)
    assert asked == [document]
    small = BackupOptions(max_document_bytes=len(locked) - 1)
    with pytest.raises(BadDocumentError) as caught:
        check_document(document, locked, options=small)
    assert caught.value.code == "too_large"
    check_document(Document(key="docs/a.pdf", filename="a.pdf"), text_pdf(["A"]))

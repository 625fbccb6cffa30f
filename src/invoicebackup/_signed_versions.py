"""Signed versions: which version of each invoice goes into a backup.

On a project with the DocuSign integration, a completed envelope's signed document
replaces the invoice's default PDF (checked first: a signed document that is missing
or unreadable is never passed off as signed), optionally followed by its certificate
of completion; ``BackupOptions.on_unsigned`` says what to do with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import _pdf
from ._work import InvoiceWork, Slot
from .docusign import EnvelopeInfo, SignatureProvider
from .domain import EnvelopeStatus, Invoice, Project
from .errors import (
    BadDocumentError,
    DocumentNotFoundError,
    DocumentStoreError,
    EnvelopeNotFoundError,
    InvoiceBackupError,
    UnsignedInvoiceError,
)
from .manifest import EnvelopeRecord, SignatureState
from .options import BackupOptions
from .plan import BackupPlan, DocumentRole, PlannedDocument
from .storage import DocumentStore


def resolve_signatures(
    project: Project,
    plan: BackupPlan,
    *,
    store: DocumentStore,
    signatures: SignatureProvider | None,
    options: BackupOptions,
    limits: _pdf.Limits,
) -> list[InvoiceWork]:
    """Decide, per planned invoice, which documents go in (none when it is skipped)."""
    statuses: Mapping[str, EnvelopeInfo] = {}
    with_envelopes = [
        p.invoice.envelope.id
        for p in plan.invoices
        if project.docusign_enabled and p.invoice.envelope is not None
    ]
    if signatures is not None and with_envelopes:
        statuses = signatures.envelope_statuses(sorted(set(with_envelopes)))
    work: list[InvoiceWork] = []
    for planned in plan.invoices:
        invoice = planned.invoice
        slots = [store_slot(store, d) for d in planned.documents]
        envelope = invoice.envelope
        if not project.docusign_enabled or envelope is None:
            record = None
            if envelope is not None:
                record = EnvelopeRecord(
                    envelope_id=envelope.id,
                    status=envelope.status,
                    completed_at=envelope.completed_at,
                )
            work.append(
                InvoiceWork(
                    planned=planned,
                    slots=tuple(slots),
                    signature=SignatureState.NOT_APPLICABLE,
                    note=None,
                    envelope=record,
                )
            )
            continue
        if signatures is not None:
            info = statuses.get(envelope.id)
            record = EnvelopeRecord(
                envelope_id=envelope.id,
                status=info.status if info else None,
                completed_at=info.completed_at if info else None,
                source="provider",
            )
        else:
            record = EnvelopeRecord(
                envelope_id=envelope.id,
                status=envelope.status,
                completed_at=envelope.completed_at,
            )
        signed_slot: Slot | None = None
        if record.status is EnvelopeStatus.COMPLETED:
            signed_slot, note = _signed_slot(store, signatures, invoice, limits)
        elif record.status is None:
            note = f"the signature service does not know envelope {envelope.id}"
        else:
            note = (
                f"envelope {envelope.id} is {record.status.value}: "
                "the signing workflow is not complete"
            )
        if signed_slot is not None:
            slots[0] = signed_slot
            if options.include_certificate:
                slots.insert(1, _certificate_slot(store, signatures, invoice))
            work.append(
                InvoiceWork(
                    planned=planned,
                    slots=tuple(slots),
                    signature=SignatureState.SIGNED,
                    note=None,
                    envelope=record,
                )
            )
            continue
        if options.on_unsigned == "fail":
            raise UnsignedInvoiceError(
                invoice_id=invoice.id,
                envelope_id=envelope.id,
                status=record.status.value if record.status else None,
            )
        skipped = options.on_unsigned == "skip"
        work.append(
            InvoiceWork(
                planned=planned,
                slots=() if skipped else tuple(slots),
                signature=SignatureState.UNSIGNED,
                note=note,
                envelope=record,
                skip_reason=note if skipped else None,
            )
        )
    return work


def _read(store: DocumentStore, key: str) -> bytes:
    """Read *key*, turning a host store's bare ``OSError`` into a typed error naming it."""
    try:
        return store.read_bytes(key)
    except InvoiceBackupError:
        raise
    except FileNotFoundError as error:
        raise DocumentNotFoundError(key, "it is not in the store") from error
    except OSError as error:
        raise DocumentStoreError(key, f"the store could not read it ({error})") from error


def store_slot(store: DocumentStore, planned: PlannedDocument) -> Slot:
    """*planned*'s slot, whose bytes are read from *store*."""
    return planned_slot(planned, lambda: _read(store, planned.document.key))


def planned_slot(planned: PlannedDocument, load: Callable[[], bytes]) -> Slot:
    """*planned*'s slot, whose bytes *load* gives: an invoice's own document is a PDF."""
    document = planned.document
    return Slot(
        role=planned.role,
        key=document.key,
        filename=document.filename,
        declared_pdf=planned.role is DocumentRole.INVOICE or document.declared_pdf,
        load=load,
        document=document,
        waiver=planned.waiver,
    )


def _signed_filename(invoice: Invoice, suffix: str) -> str:
    stem = invoice.document.filename
    stem = stem[:-4] if stem.lower().endswith(".pdf") else stem
    return f"{stem} ({suffix}).pdf"


def _signed_slot(
    store: DocumentStore,
    signatures: SignatureProvider | None,
    invoice: Invoice,
    limits: _pdf.Limits,
) -> tuple[Slot | None, str | None]:
    """The signed document of a completed envelope, checked; or why there is none.

    The provider is asked first when there is one, then the store's
    ``signed_document_key``. A signed document that is missing or is not a
    readable PDF is never passed off as signed.
    """
    envelope = invoice.envelope
    assert envelope is not None
    filename = _signed_filename(invoice, "signed")
    candidates: list[tuple[str, Callable[[], bytes]]] = []
    if signatures is not None:
        provider = signatures
        candidates.append(
            (f"docusign:{envelope.id}/signed", lambda: provider.signed_document(envelope.id))
        )
    stored_key = envelope.signed_document_key
    if stored_key is not None:
        candidates.append((stored_key, lambda: _read(store, stored_key)))
    why = f"envelope {envelope.id} is completed but no signed document is available"
    for key, fetch in candidates:
        try:
            data = fetch()
        except (EnvelopeNotFoundError, DocumentNotFoundError):
            continue
        try:
            parsed = _pdf.open_pdf(data, key=key, filename=filename, limits=limits)
        except BadDocumentError as error:
            why = (
                f"envelope {envelope.id} is completed but its signed document cannot be "
                f"used: {error.reason}"
            )
            continue
        slot = Slot(
            role=DocumentRole.SIGNED_INVOICE,
            key=key,
            filename=filename,
            declared_pdf=True,
            load=lambda data=data: data,  # type: ignore[misc]
            signed=True,
            parsed=parsed,
        )
        return slot, None
    return None, why


def _certificate_slot(
    store: DocumentStore, signatures: SignatureProvider | None, invoice: Invoice
) -> Slot:
    envelope = invoice.envelope
    assert envelope is not None
    envelope_id = envelope.id
    stored_key = envelope.certificate_key
    filename = _signed_filename(invoice, "certificate of completion")
    key = f"docusign:{envelope_id}/certificate" if signatures is not None else stored_key

    def fetch() -> bytes:
        if signatures is not None:
            try:
                return signatures.certificate(envelope_id)
            except EnvelopeNotFoundError:
                if stored_key is None:
                    raise
        if stored_key is None:
            raise DocumentNotFoundError(f"docusign:{envelope_id}/certificate", "no certificate")
        return _read(store, stored_key)

    return Slot(
        role=DocumentRole.CERTIFICATE,
        key=key or f"docusign:{envelope_id}/certificate",
        filename=filename,
        declared_pdf=True,
        load=fetch,
    )

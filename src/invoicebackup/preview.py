"""What a backup would make of each document, told before it is compiled.

:func:`~invoicebackup.plan.plan_backup` is pure: it says which documents a backup of a
selection holds, in order, and reads none. :func:`preview_backup` reads them the way
:func:`~invoicebackup.compile.compile_backup` does — the same signed-version choice, the same
reading and opening of each document, the same policies — and says each one's fate: included,
replaced by its signed version, replaced by a placeholder page (and why), skipped (and why),
or the reason a compile would refuse. It writes nothing.

>>> from invoicebackup import InMemoryStore
>>> from invoicebackup.preview import preview_backup
>>> from invoicebackup.testing import sample_documents, sample_project
>>> preview = preview_backup(sample_project(), contract_ids=["k-2", "k-10"], user_id="u-admin",
...                          store=InMemoryStore(sample_documents()))
>>> for document in preview.documents:
...     print(document.invoice_id, document.filename, document.fate.value, document.code)
i-1 Invoice 1.pdf included None
i-1 Lien waiver.pdf included None
i-1 Delivery ticket (scan).pdf included None
i-2 Invoice 2.pdf replaced signed
i-2 Invoice 2 (signed).pdf included None
i-2 Lien waiver.pdf included None
i-2 Quantities.csv skipped not_pdf
i-2 Volt conditional waiver.pdf included None
i-2 Copper Supply waiver.pdf included None
i-3 Plumbing invoice 1.pdf included None
i-3 Riser diagram (landscape).pdf included None
>>> preview = preview_backup(sample_project(), contract_ids=["k-11"], user_id="u-admin",
...                          store=InMemoryStore(sample_documents()))
>>> [(d.filename, d.fate.value, d.code) for d in preview.documents if d.warns]
[('Mill certificate.pdf', 'placeholder', 'damaged')]

A compile can still leave out a document that opens but cannot be copied; the preview
opens each document, it does not copy it.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from . import _hashing
from ._documents import Documents, Loaded, limits_of
from ._signed_versions import resolve_signatures, store_slot
from ._verdict import judge
from ._work import InvoiceWork, Slot
from .docusign import SignatureProvider
from .domain import Document, Project
from .manifest import SignatureState
from .options import BackupOptions
from .plan import DocumentRole, PlannedDocument, PlannedInvoice, plan_backup
from .storage import DocumentStore

__all__ = [
    "BackupPreview",
    "DocumentFate",
    "Fate",
    "InvoicePreview",
    "document_fate",
    "preview_backup",
]


class Fate(enum.Enum):
    """What a backup makes of one document.

    Example:
        >>> from invoicebackup.preview import Fate
        >>> [fate.value for fate in Fate]
        ['included', 'replaced', 'placeholder', 'skipped', 'refused']

    .. versionadded:: 0.1.0
    """

    #: Copied into the backup as it is.
    INCLUDED = "included"
    #: An invoice's default PDF, whose signed version goes in instead.
    REPLACED = "replaced"
    #: A page naming it and the reason goes in instead (it is missing, damaged, protected…).
    PLACEHOLDER = "placeholder"
    #: Left out, with a warning (not a PDF; unreadable under ``on_bad_document="skip"``; an
    #: unsigned invoice under ``on_unsigned="skip"``).
    SKIPPED = "skipped"
    #: A compile would refuse and write nothing (unreadable, under ``on_bad_document="fail"``).
    REFUSED = "refused"


@attrs.frozen(kw_only=True)
class DocumentFate:
    """One document of a selected invoice and what a backup makes of it.

    Attributes:
        invoice_id: The invoice it belongs to.
        role: What it is to the invoice.
        key: Where it is read from.
        filename: Its name in the backup's outline.
        fate: What a backup makes of it.
        code: Why it is not included as it is (``missing``, ``damaged``, ``not_pdf``,
            ``unsigned``, ``signed``…), ``None`` when it is.
        reason: The same, in a sentence.
        waiver_id: The lien waiver it is the document of (role ``lien_waiver``), else
            ``None``.

    Example:
        >>> from invoicebackup.compile import DocumentRole
        >>> from invoicebackup.preview import DocumentFate, Fate
        >>> fate = DocumentFate(invoice_id="i-1", role=DocumentRole.ATTACHMENT, key="w.pdf",
        ...                     filename="Waiver.pdf", fate=Fate.SKIPPED, code="not_pdf",
        ...                     reason="the attachment is not a PDF")
        >>> fate.warns
        True

    .. versionadded:: 0.1.0
    """

    invoice_id: str
    role: DocumentRole
    key: str
    filename: str
    fate: Fate
    code: str | None = None
    reason: str | None = None
    waiver_id: str | None = None

    @property
    def warns(self) -> bool:
        """Whether a compile would report this document as left out (and exit 3)."""
        return self.fate in (Fate.PLACEHOLDER, Fate.SKIPPED, Fate.REFUSED)


@attrs.frozen(kw_only=True)
class InvoicePreview:
    """A selected invoice, whether its signed version goes in, and its documents' fates.

    Example:
        >>> from invoicebackup import InMemoryStore
        >>> from invoicebackup.preview import preview_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> preview = preview_backup(sample_project(), invoice_ids=["i-2"], user_id="u-admin",
        ...                          store=InMemoryStore(sample_documents()))
        >>> invoice = preview.invoices[0]
        >>> invoice.planned.invoice.id, invoice.signature.value, len(invoice.documents)
        ('i-2', 'signed', 6)
        >>> [waiver.claimant for waiver in invoice.planned.missing_waivers]
        ['Wire Depot Ltd.']

    .. versionadded:: 0.1.0
    """

    planned: PlannedInvoice
    signature: SignatureState
    note: str | None
    documents: tuple[DocumentFate, ...]


@attrs.frozen(kw_only=True)
class BackupPreview:
    """Every selected invoice, in backup order, with its documents' fates.

    Example:
        >>> from invoicebackup import InMemoryStore
        >>> from invoicebackup.preview import preview_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> preview = preview_backup(sample_project(), contract_ids=["k-10"], user_id="u-admin",
        ...                          store=InMemoryStore(sample_documents()))
        >>> [invoice.planned.invoice.id for invoice in preview.invoices]
        ['i-3']
        >>> [document.fate.value for document in preview.documents]
        ['included', 'included']

    .. versionadded:: 0.1.0
    """

    invoices: tuple[InvoicePreview, ...]

    @property
    def documents(self) -> tuple[DocumentFate, ...]:
        """Every document, in backup order."""
        return tuple(d for i in self.invoices for d in i.documents)


def preview_backup(
    project: Project,
    *,
    invoice_ids: Iterable[str] = (),
    contract_ids: Iterable[str] = (),
    user_id: str,
    store: DocumentStore,
    signatures: SignatureProvider | None = None,
    options: BackupOptions | None = None,
) -> BackupPreview:
    """Each selected document's fate in a backup compiled with the same arguments.

    Args:
        project: The project.
        invoice_ids: Selected invoices (as for :func:`~invoicebackup.compile.compile_backup`).
        contract_ids: Selected contracts.
        user_id: Who asks.
        store: Where documents are read.
        signatures: The signature service, as for a compile.
        options: The policies a compile would follow (``on_bad_document``,
            ``on_unsigned``, ``include_certificate``, ``passwords``…).

    Returns:
        The preview; nothing is written.

    Raises:
        BackupPreconditionsError: As :func:`~invoicebackup.plan.plan_backup`.
        UnsignedInvoiceError: An envelope is not completed and ``on_unsigned`` is ``"fail"``.
        DocumentStoreError: The store failed to read (not a missing document).
        SignatureProviderError: The signature service failed.

    Example:
        >>> from invoicebackup import BackupOptions, InMemoryStore
        >>> from invoicebackup.preview import preview_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> preview = preview_backup(sample_project(), contract_ids=["k-11"], user_id="u-admin",
        ...                          store=InMemoryStore(sample_documents()),
        ...                          options=BackupOptions(on_bad_document="skip"))
        >>> for d in preview.documents:
        ...     print(d.filename, d.fate.value, d.code)
        Steel invoice.pdf included None
        Mill certificate.pdf skipped damaged
        Steel delivered (photo).jpg included None

    .. versionadded:: 0.1.0
    """
    options = options or BackupOptions()
    plan = plan_backup(
        project,
        invoice_ids=invoice_ids,
        contract_ids=contract_ids,
        user_id=user_id,
        options=options,
    )
    limits = limits_of(options)
    work = resolve_signatures(
        project, plan, store=store, signatures=signatures, options=options, limits=limits
    )
    with _hashing.Hashing() as hashing:
        documents = Documents(limits=limits, options=options, hashing=hashing)
        try:
            return BackupPreview(
                invoices=tuple(_invoice_preview(item, documents, options) for item in work)
            )
        finally:
            documents.release_all()


def _invoice_preview(
    item: InvoiceWork, documents: Documents, options: BackupOptions
) -> InvoicePreview:
    planned = item.planned
    invoice_id = planned.invoice.id
    fates: list[DocumentFate] = []
    if item.skip_reason is not None:
        fates = [
            DocumentFate(
                invoice_id=invoice_id,
                role=d.role,
                key=d.document.key,
                filename=d.document.filename,
                fate=Fate.SKIPPED,
                code="unsigned",
                reason=item.skip_reason,
                waiver_id=d.waiver.id if d.waiver else None,
            )
            for d in planned.documents
        ]
    else:
        if item.signature is SignatureState.SIGNED:
            default = planned.invoice.document
            fates.append(
                DocumentFate(
                    invoice_id=invoice_id,
                    role=DocumentRole.INVOICE,
                    key=default.key,
                    filename=default.filename,
                    fate=Fate.REPLACED,
                    code="signed",
                    reason=f"the signed version ({item.slots[0].key}) goes in instead",
                )
            )
        fates += [_slot_fate(invoice_id, slot, documents, options) for slot in item.slots]
    return InvoicePreview(
        planned=planned, signature=item.signature, note=item.note, documents=tuple(fates)
    )


def _slot_fate(
    invoice_id: str, slot: Slot, documents: Documents, options: BackupOptions
) -> DocumentFate:
    """*slot*'s fate, read among the other documents of a preview (opened, not copied)."""
    loaded = documents.read(slot)
    if loaded.parsed is not None:
        loaded.parsed.release()
    if slot.parsed is not None:
        slot.parsed.release()
    return _fate(invoice_id, slot, loaded, options)


def _fate(invoice_id: str, slot: Slot, loaded: Loaded, options: BackupOptions) -> DocumentFate:
    """The fate of *slot*'s document, read as *loaded*, under *options*' policies."""
    fate = DocumentFate(
        invoice_id=invoice_id,
        role=slot.role,
        key=slot.key,
        filename=slot.filename,
        fate=Fate.INCLUDED,
        waiver_id=slot.waiver.id if slot.waiver else None,
    )
    if loaded.skipped is not None:
        code, reason = loaded.skipped
        return attrs.evolve(fate, fate=Fate.SKIPPED, code=code, reason=reason)
    error = loaded.error
    if error is None:
        return fate
    verdict = {"placeholder": Fate.PLACEHOLDER, "skip": Fate.SKIPPED, "fail": Fate.REFUSED}
    return attrs.evolve(
        fate, fate=verdict[options.on_bad_document], code=error.code, reason=error.reason
    )


def document_fate(
    store: DocumentStore,
    document: Document,
    *,
    invoice_id: str,
    role: DocumentRole = DocumentRole.ATTACHMENT,
    options: BackupOptions | None = None,
) -> DocumentFate:
    """What a backup makes of one stored *document* of invoice *invoice_id*.

    It is read and opened as a compile reads and opens it (an invoice's own PDF is
    always read as a PDF; an attachment only when it is declared as one), not copied:
    :func:`~invoicebackup.compile.check_document` judges bytes in hand the same way, and
    also copies them as a PDF backup does.

    Raises:
        DocumentStoreError: The store failed to read it (not a missing document), or
            its key is unsafe: a compile would refuse.

    Example:
        >>> from invoicebackup import InMemoryStore
        >>> from invoicebackup.domain import Document
        >>> from invoicebackup.preview import document_fate
        >>> fate = document_fate(InMemoryStore(), Document(key="w.pdf", filename="Waiver.pdf"),
        ...                      invoice_id="i-1")
        >>> fate.fate.value, fate.code
        ('placeholder', 'missing')

    .. versionadded:: 0.1.0
    """
    options = options or BackupOptions()
    slot = store_slot(store, PlannedDocument(role=role, document=document, position=0))
    # Opened, not copied, as the preview opens each document (see the module documentation).
    return _fate(invoice_id, slot, judge(slot, options, copy=False), options)

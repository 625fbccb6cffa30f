"""What a backup holds and where it was written: the manifest and result records.

:func:`~invoicebackup.compile.compile_backup` returns a :class:`BackupResult`; its
:class:`BackupManifest` (every invoice's pages and sources, everything left out and
why) is also attached inside the PDF as :data:`MANIFEST_NAME`.
:mod:`invoicebackup.serialization` turns them into JSON.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Final

import attrs

from .domain import EnvelopeStatus
from .options import BackupOptions
from .plan import DocumentRole

__all__ = [
    "MANIFEST_NAME",
    "Action",
    "BackupManifest",
    "BackupResult",
    "EnvelopeRecord",
    "InvoiceRecord",
    "LeftOut",
    "SignatureState",
    "SourceRecord",
]

#: The name of the manifest attached inside every backup (unless ``embed_manifest`` is off).
MANIFEST_NAME: Final = "backup-manifest.json"


class Action(enum.Enum):
    """What became of something that is not in the backup as it was.

    Example:
        >>> from invoicebackup import Action
        >>> [action.value for action in Action]
        ['skipped', 'placeholder']

    .. versionadded:: 0.1.0
    """

    SKIPPED = "skipped"
    PLACEHOLDER = "placeholder"


class SignatureState(enum.Enum):
    """Which version of an invoice the backup holds.

    Example:
        >>> from invoicebackup import SignatureState
        >>> [state.value for state in SignatureState]
        ['not_applicable', 'signed', 'unsigned']

    .. versionadded:: 0.1.0
    """

    NOT_APPLICABLE = "not_applicable"
    SIGNED = "signed"
    UNSIGNED = "unsigned"


@attrs.frozen(kw_only=True)
class SourceRecord:
    """One document that went into the backup.

    Attributes:
        role: What it is to its invoice.
        key: Where it came from: a store key, or ``docusign:<envelope id>/signed``
            (``…/certificate``) for documents fetched from the signature provider.
        filename: Its file name.
        sha256: The SHA-256 of its bytes, hex.
        pages: How many pages it contributed.
        first_page: Its first page in the backup, 1-based.
        last_page: Its last page in the backup, 1-based.
        signed: Whether it is the signed version from a completed envelope.
        encrypted: Whether the source was encrypted (and opened with the empty
            password or one from :attr:`~invoicebackup.options.BackupOptions.passwords`).
        field_prefix: The parent field its form fields were moved under, if any.
        removed: Active content, embedded files and structure (page labels…) that
            were not copied.
        repaired: Whether it could not be read as it was and was rewritten with
            pikepdf first (:attr:`~invoicebackup.options.BackupOptions.repair`).
        notes: What else the backup changes about it or found wrong with it, in
            words: a digital signature that does not survive the merge, a pure XFA
            form, a rebuilt cross-reference table, bookmarks that point nowhere…
        image: The image format its bytes are (``JPEG``, ``PNG``, ``TIFF``, ``GIF``,
            ``WEBP``, ``BMP``) when it became pages as an image; ``None`` for a PDF.
            A JPEG's, a Group 4 fax TIFF's and an opaque PNG's data are in the backup as
            they are; other images are decoded and written losslessly (see
            :doc:`/howto/images`).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-2"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> for source in result.invoices[0].sources:
        ...     print(source.role.value, source.key, source.pages, source.first_page, source.signed)
        signed_invoice signed/i-2.pdf 2 1 True
        attachment docs/i-2-waiver.pdf 1 3 False

    .. versionadded:: 0.1.0
    """

    role: DocumentRole
    key: str
    filename: str
    sha256: str
    pages: int
    first_page: int
    last_page: int
    signed: bool = False
    encrypted: bool = False
    field_prefix: str | None = None
    removed: tuple[str, ...] = ()
    repaired: bool = False
    notes: tuple[str, ...] = ()
    image: str | None = None


@attrs.frozen(kw_only=True)
class EnvelopeRecord:
    """An invoice's DocuSign envelope as the compilation saw it.

    Attributes:
        envelope_id: DocuSign's id.
        status: Its status (DocuSign's value).
        completed_at: When it completed, if it did.
        source: ``"provider"`` (asked the signature provider) or ``"project"``.

    Example:
        >>> from datetime import date, datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> day = date(2026, 11, 3)
        >>> result = compile_backup(sample_project(today=day), invoice_ids=["i-2"],
        ...                         user_id="u-admin", store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> envelope = result.invoices[0].envelope
        >>> envelope.status.value, envelope.completed_at.isoformat(), envelope.source
        ('completed', '2026-10-31T14:05:00+00:00', 'project')

    .. versionadded:: 0.1.0
    """

    envelope_id: str
    status: EnvelopeStatus | None
    completed_at: datetime | None = None
    source: str = "project"


@attrs.frozen(kw_only=True)
class LeftOut:
    """Something not in the backup as it was, and why.

    Attributes:
        invoice_id: The invoice concerned.
        key: The document's key, or ``None`` when a whole invoice was left out.
        filename: The document's file name, or ``None``.
        code: Why, as a stable code (``not_pdf``, ``damaged``, ``encrypted``,
            ``missing``, ``empty``, ``too_large``, ``unsupported_encryption``,
            ``unsigned``).
        reason: Why, in words.
        action: Skipped, or replaced by a placeholder page.
        page: The placeholder's page, 1-based, if there is one.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> [(item.filename, item.code, item.action.value, item.page) for item in result.left_out]
        [('Mill certificate.pdf', 'damaged', 'placeholder', 3)]

    .. versionadded:: 0.1.0
    """

    invoice_id: str
    key: str | None
    filename: str | None
    code: str
    reason: str
    action: Action
    page: int | None = None


@attrs.frozen(kw_only=True)
class InvoiceRecord:
    """One invoice in the backup: where it is and exactly what it is made of.

    Attributes:
        invoice_id: The invoice.
        number: Its number.
        contract_id: Its contract.
        contract_number: The contract's number.
        billing_period_id: Its billing period.
        status: Its workflow status (value).
        first_page: Its first page, 1-based (``None`` if nothing of it is in the backup).
        last_page: Its last page, 1-based.
        sources: Every document used, in order.
        signature: Which version of the invoice the backup holds.
        signature_note: Why the unsigned version was used, if it was.
        envelope: Its envelope, on a project with the DocuSign integration.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-2"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> record = result.invoices[0]
        >>> record.number, record.contract_number, record.first_page, record.last_page
        ('INV-0002', 'SC-2', 1, 3)
        >>> record.signature.value, [source.filename for source in record.sources]
        ('signed', ['Invoice 2 (signed).pdf', 'Lien waiver.pdf'])

    .. versionadded:: 0.1.0
    """

    invoice_id: str
    number: str
    contract_id: str
    contract_number: str
    billing_period_id: str
    status: str
    first_page: int | None
    last_page: int | None
    sources: tuple[SourceRecord, ...]
    signature: SignatureState = SignatureState.NOT_APPLICABLE
    signature_note: str | None = None
    envelope: EnvelopeRecord | None = None


@attrs.frozen(kw_only=True)
class BackupManifest:
    """What a backup contains: the part of the result that is embedded in the PDF.

    It describes the content only — where the file was written is decided after
    the PDF is made (a name may be taken) and lives in :class:`BackupResult`.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> manifest = result.manifest
        >>> manifest.title, manifest.language, manifest.page_count, manifest.created_at.isoformat()
        ('Subcontractor invoice backup', 'en-US', 4, '2026-11-03T09:30:00+00:00')
        >>> [record.invoice_id for record in manifest.invoices], len(manifest.left_out)
        (['i-4'], 1)

    .. versionadded:: 0.1.0
    """

    project_id: str
    project_name: str
    project_number: str
    user_id: str
    created_at: datetime
    language: str
    title: str
    page_count: int
    invoices: tuple[InvoiceRecord, ...]
    left_out: tuple[LeftOut, ...]
    options: BackupOptions


@attrs.frozen(kw_only=True)
class BackupResult:
    """What :func:`~invoicebackup.compile.compile_backup` wrote, where, and what it left out.

    Attributes:
        key: Where the backup was written in the store.
        filename: Its file name (the last segment of *key*).
        size: Its size in bytes.
        sha256: The SHA-256 of its bytes, hex.
        message: The notification to show, in the project's language.
        manifest: What it contains (also embedded in the PDF).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> result.filename
        'Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930.pdf'
        >>> result.page_count, len(result.sha256), result.size > 0
        (4, 64, True)
        >>> print(result.message)  # doctest: +NORMALIZE_WHITESPACE
        The invoice backup was compiled; 1 item(s) left out or replaced by a placeholder:
        Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930.pdf

    .. versionadded:: 0.1.0
    """

    key: str
    filename: str
    size: int
    sha256: str
    message: str
    manifest: BackupManifest

    @property
    def page_count(self) -> int:
        """How many pages the backup has."""
        return self.manifest.page_count

    @property
    def invoices(self) -> tuple[InvoiceRecord, ...]:
        """Each invoice in the backup, in order."""
        return self.manifest.invoices

    @property
    def left_out(self) -> tuple[LeftOut, ...]:
        """Everything skipped or replaced by a placeholder, in order."""
        return self.manifest.left_out

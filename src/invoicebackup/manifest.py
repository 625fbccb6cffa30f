"""What a backup holds and where it was written: the manifest and result records.

:func:`~invoicebackup.compile.compile_backup` returns a :class:`BackupResult`; its
:class:`BackupManifest` (every invoice's pages and sources, everything left out and
why) is also attached inside the PDF as :data:`MANIFEST_NAME`.
:mod:`invoicebackup.serialization` turns them into JSON.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Final

import attrs

from ._codes import LEFT_OUT_CODES
from .domain import (
    EnvelopeStatus,
    LienWaiver,
    WaiverCondition,
    WaiverScope,
    WaiverTier,
)
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
    "VolumeRecord",
    "WaiverRecord",
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
class WaiverRecord:
    """A lien waiver as a backup records it: in a source, a left-out item, or missing.

    Attributes:
        waiver_id: The waiver's id.
        tier: First tier or sub tier.
        condition: Conditional or unconditional.
        scope: Progress or final.
        claimant: Who waives.
        through_date: The day it covers work up to.
        amount: The amount waived.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-2"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> record = result.invoices[0]
        >>> [(s.waiver.tier.value, s.waiver.condition.value) for s in record.sources if s.waiver]
        [('first', 'conditional'), ('sub', 'unconditional')]
        >>> [(w.waiver_id, w.tier.value, w.claimant) for w in record.missing_waivers]
        [('w-2-3', 'sub', 'Wire Depot Ltd.')]

    .. versionadded:: 0.1.0
    """

    waiver_id: str
    tier: WaiverTier
    condition: WaiverCondition
    scope: WaiverScope
    claimant: str
    through_date: date
    amount: Decimal

    @classmethod
    def of(cls, waiver: LienWaiver) -> WaiverRecord:
        """The record of *waiver*."""
        return cls(
            waiver_id=waiver.id,
            tier=waiver.tier,
            condition=waiver.condition,
            scope=waiver.scope,
            claimant=waiver.claimant,
            through_date=waiver.through_date,
            amount=waiver.amount,
        )


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
        waiver: The lien waiver it is the document of (role ``lien_waiver``), else
            ``None``.
        entry: In a ZIP backup, the name of the file that holds its bytes; ``None`` in
            a PDF backup. (In a ZIP, the pages are counted as if its PDFs were read one
            after the other, in order.)
        embedded_as: The name of the embedded file holding its original bytes, when it
            is a sealed original (see
            :attr:`~invoicebackup.options.BackupOptions.embed_signed_originals`).
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
        signed_invoice signed/i-2.pdf 2 2 True
        attachment docs/i-2-waiver.pdf 1 4 False
        lien_waiver docs/i-2-waiver-volt.pdf 1 5 False
        lien_waiver docs/i-2-waiver-copper.pdf 1 6 False

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
    waiver: WaiverRecord | None = None
    entry: str | None = None
    embedded_as: str | None = None
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
            ``image_skipped``, ``needs_images_extra``, ``unsigned``); no other.
        reason: Why, in words.
        action: Skipped, or replaced by a placeholder page.
        page: The placeholder's page, 1-based, if there is one.
        waiver: The lien waiver whose document this is, else ``None``.
        entry: In a ZIP backup, the name of the text file standing for it (a placeholder),
            else ``None``.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> [(item.filename, item.code, item.action.value, item.page) for item in result.left_out]
        [('Mill certificate.pdf', 'damaged', 'placeholder', 4)]

    .. versionadded:: 0.1.0
    """

    invoice_id: str
    key: str | None
    filename: str | None
    # Only a code with a label in every catalogue (see _codes).
    code: str = attrs.field(validator=attrs.validators.in_(LEFT_OUT_CODES))
    reason: str
    action: Action
    page: int | None = None
    waiver: WaiverRecord | None = None
    entry: str | None = None


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
        missing_waivers: Its lien waivers that the selection asked for
            (:attr:`~invoicebackup.options.BackupOptions.include`) and that were never
            received (no document), in backup order. The waivers that are in are the
            sources whose :attr:`SourceRecord.waiver` is set; one received but unreadable
            is in the manifest's ``left_out`` with its :attr:`LeftOut.waiver` set.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-2"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> record = result.invoices[0]
        >>> record.number, record.contract_number, record.first_page, record.last_page
        ('INV-0002', 'SC-2', 2, 6)
        >>> record.signature.value, [source.filename for source in record.sources]
        ('signed', ['Invoice 2 (signed).pdf', 'Lien waiver.pdf', 'Volt conditional waiver.pdf', \
'Copper Supply waiver.pdf'])
        >>> [waiver.waiver_id for waiver in record.missing_waivers]
        ['w-2-3']

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
    missing_waivers: tuple[WaiverRecord, ...] = ()


@attrs.frozen(kw_only=True)
class VolumeRecord:
    """One volume of a backup written as volumes.

    See :attr:`BackupOptions.max_volume_bytes
    <invoicebackup.options.BackupOptions.max_volume_bytes>`.

    Every volume's manifest lists every volume of its set, by what does not depend on
    any manifest: its invoices, its page count and the digest of its pages. A file's
    SHA-256 covers its manifest, so no volume can record its own (nor, if each lists
    all, any other's): the file fields are set in the result and in the set's own
    manifest (``… - Volumes.json``), never inside a volume (see :doc:`/howto/volumes`).

    Attributes:
        number: Its number, from 1.
        invoice_ids: The invoices it holds, in backup order.
        page_count: Its pages (the cover sheet's included, in volume 1).
        pages_sha256: The SHA-256, hex, of its page digests (``page_digests``) after the
            cover sheet, each followed by a line feed; ``None`` without page digests.
        over_limit: It is larger than the limit: its one invoice alone is (in the
            result and the set's manifest only).
        key: Where it was written (in the result and the set's manifest only).
        filename: Its file name (idem).
        size: Its size in bytes (idem).
        sha256: The SHA-256 of its bytes, hex (idem).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import BackupOptions, InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> project = sample_project()
        >>> result = compile_backup(project, contract_ids=[c.id for c in project.contracts],
        ...     user_id="u-admin", store=InMemoryStore(sample_documents()),
        ...     options=BackupOptions(max_volume_bytes="30KB"),
        ...     now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> [(v.number, v.invoice_ids, v.over_limit) for v in result.volumes]
        [(1, ('i-1', 'i-2'), False), (2, ('i-3', 'i-4'), False)]
        >>> result.volumes[0].filename
        'Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930 - Vol 1 of 2.pdf'

    .. versionadded:: 0.1.0
    """

    number: int
    invoice_ids: tuple[str, ...]
    page_count: int
    pages_sha256: str | None = None
    over_limit: bool | None = None
    key: str | None = None
    filename: str | None = None
    size: int | None = None
    sha256: str | None = None


@attrs.frozen(kw_only=True)
class BackupManifest:
    """What a backup contains: the part of the result that is embedded in the PDF.

    It describes the content only — where the file was written is decided after
    the PDF is made (a name may be taken) and lives in :class:`BackupResult`.
    ``cover_first_page`` and ``cover_last_page`` are the cover sheet's pages, 1-based
    (``None`` without one: see :attr:`~invoicebackup.options.Include.COVER_SHEET`);
    every invoice's and document's pages are counted after them.

    Attributes:
        page_digest: What :attr:`page_digests` are (``"sha256-page/2"``; an earlier
            version recorded ``"sha256-page/1"``), or ``None``
            when none were recorded (the manifest is not embedded).
        page_digests: A digest per page, in order, of what was written for it: its
            content and everything it draws (see :func:`~invoicebackup.verify.verify_backup`).
        volume: In a backup written as volumes, which one this is (from 1); else ``None``.
            Its page numbers are the volume's own.
        volumes: In a backup written as volumes, every volume of the set (see
            :class:`VolumeRecord`); else empty.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> result = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                         store=InMemoryStore(sample_documents()),
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> manifest = result.manifest
        >>> manifest.title, manifest.language, manifest.page_count, manifest.created_at.isoformat()
        ('Subcontractor invoice backup', 'en-US', 5, '2026-11-03T09:30:00+00:00')
        >>> manifest.cover_first_page, manifest.cover_last_page
        (1, 1)
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
    cover_first_page: int | None = None
    cover_last_page: int | None = None
    page_digest: str | None = None
    page_digests: tuple[str, ...] = ()
    volume: int | None = None
    volumes: tuple[VolumeRecord, ...] = ()


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
        volumes: When it was written as volumes
            (:attr:`~invoicebackup.options.BackupOptions.max_volume_bytes`), every volume
            with its key, size and SHA-256; else empty. *key*, *filename*, *size* and
            *sha256* are then those of the set's manifest (``… - Volumes.json``), and
            *manifest* is the set's: every invoice (its pages counted in its own
            volume), and :attr:`BackupManifest.volumes` says which volume holds it.

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
        (5, 64, True)
        >>> print(result.message)  # doctest: +NORMALIZE_WHITESPACE
        The invoice backup was compiled; 1 item left out or replaced by a placeholder:
        Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930.pdf

    .. versionadded:: 0.1.0
    """

    key: str
    filename: str
    size: int
    sha256: str
    message: str
    manifest: BackupManifest
    volumes: tuple[VolumeRecord, ...] = ()

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

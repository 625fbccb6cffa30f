r"""Compile invoice backups: plan the selection, then assemble one PDF.

Two steps, as in h11: the core decides, the edge does I/O.

* :func:`plan_backup` is pure. It checks every precondition at once — the user
  may compile, every selected id exists, every selected invoice's billing period
  exists (and, with :attr:`BackupOptions.require_closed_periods`, the contract's
  earlier invoiced periods are closed) — and returns the ordered
  :class:`BackupPlan`, or raises **one**
  :class:`~invoicebackup.errors.BackupPreconditionsError` listing every problem.
* :func:`compile_backup` plans, resolves signed versions, reads and parses every
  document **before** writing anything, assembles the PDF (through
  ``invoicebackup._pdf``), writes it atomically to the store under a name that
  never overwrites, and returns a :class:`BackupResult`.

A whole backup, with an in-memory store:

>>> from datetime import date, datetime, timezone
>>> from invoicebackup import (
...     BillingPeriod, Contract, Document, Invoice, InMemoryStore, Permissions,
...     PermissionLevel, Project, User, compile_backup,
... )
>>> from invoicebackup.testing import lien_waiver_pdf, text_pdf
>>> admin = User(id="u-1", name="Ada", permissions=Permissions(commitments=PermissionLevel.ADMIN))
>>> project = Project(
...     id="p-1", name="Harbour Tower", number="HT-01", users=[admin],
...     contracts=[Contract(id="c-1", number="SC-2", title="Concrete")],
...     billing_periods=[BillingPeriod(
...         id="bp-1", start=date(2024, 5, 1), end=date(2024, 5, 31), due=date(2024, 6, 5))],
...     invoices=[Invoice(
...         id="i-1", contract_id="c-1", billing_period_id="bp-1", position=1, number="1",
...         document=Document(key="docs/i-1.pdf", filename="Pay application 1.pdf"),
...         attachments=[Document(key="docs/waiver.pdf", filename="Lien waiver.pdf"),
...                      Document(key="docs/receipt.jpg", filename="receipt.jpg",
...                               media_type="image/jpeg")])],
... )
>>> store = InMemoryStore({
...     "docs/i-1.pdf": text_pdf(["Pay application 1", "Continuation sheet"]),
...     "docs/waiver.pdf": lien_waiver_pdf({"amount": "12,500.00"}),
...     "docs/receipt.jpg": b"\xff\xd8\xff\xe0 a JPEG",
... })
>>> result = compile_backup(project, invoice_ids=["i-1"], user_id="u-1", store=store,
...                         now=datetime(2024, 6, 3, 14, 5, tzinfo=timezone.utc))
>>> result.key
'backups/Subcontractor invoice backup - Harbour Tower - HT-01 - 2024-06-03 - 1405.pdf'
>>> result.page_count, result.invoices[0].first_page, result.invoices[0].last_page
(3, 1, 3)
>>> [(item.filename, item.code, item.action.value) for item in result.left_out]
[('receipt.jpg', 'not_pdf', 'skipped')]
>>> print(result.message)  # doctest: +NORMALIZE_WHITESPACE
The invoice backup was compiled; 1 item(s) left out or replaced by a placeholder:
Subcontractor invoice backup - Harbour Tower - HT-01 - 2024-06-03 - 1405.pdf

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import json
import logging
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any, BinaryIO, Final

import attrs

from . import _hashing, _pdf
from ._languages import language_tag
from .docusign import EnvelopeInfo, SignatureProvider
from .domain import (
    BillingPeriod,
    Contract,
    Document,
    EnvelopeStatus,
    Invoice,
    PeriodStatus,
    Project,
    _ids,
)
from .errors import (
    BackupPreconditionsError,
    BadDocumentError,
    DocumentExistsError,
    DocumentNotFoundError,
    DocumentStoreError,
    EnvelopeNotFoundError,
    InvoiceBackupError,
    Problem,
    UnsignedInvoiceError,
)
from .permissions import ReasonCode, can_compile_backup, may_know_of_contract
from .storage import DocumentStore, validate_key
from .terminology import Vocabulary

__all__ = [
    "MANIFEST_NAME",
    "Action",
    "BackupManifest",
    "BackupOptions",
    "BackupPlan",
    "BackupResult",
    "DocumentRole",
    "EnvelopeRecord",
    "InvoiceRecord",
    "LeftOut",
    "PlannedContract",
    "PlannedDocument",
    "PlannedInvoice",
    "ProgressEvent",
    "ProgressStage",
    "SignatureState",
    "SourceRecord",
    "backup_filename",
    "compile_backup",
    "failure_message",
    "plan_backup",
]

#: The name of the manifest attached inside every backup (unless ``embed_manifest`` is off).
MANIFEST_NAME: Final = "backup-manifest.json"

_BAD_DOCUMENT_POLICIES: Final = ("placeholder", "skip", "fail")
_UNSIGNED_POLICIES: Final = ("unsigned", "skip", "fail")
_MAX_NAME_ATTEMPTS: Final = 1000


# -- options ----------------------------------------------------------------------------------


def _valid_prefix(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a str, got {value!r}")
    if value:
        validate_key(value)


def _positive_or_none(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int or None, got {value!r}")


def _positive(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{attribute.name} must be a positive int, got {value!r}")


def _language(value: str | None) -> str | None:
    return None if value is None else language_tag(value, "BackupOptions.language")


@attrs.frozen(kw_only=True)
class BackupOptions:
    """How :func:`compile_backup` treats what it finds.

    Attributes:
        on_bad_document: What to do with a damaged, empty, missing, disguised
            (not a PDF inside) or password-protected document: ``"placeholder"``
            (a page naming it and the reason, plus a result entry), ``"skip"``
            (a result entry only) or ``"fail"``
            (:class:`~invoicebackup.errors.BadDocumentError`, nothing written).
        require_closed_periods: Also require that every earlier billing period
            the contract was invoiced in is closed (see :func:`plan_backup`).
        include_certificate: Append DocuSign's certificate of completion after
            each signed invoice document.
        on_unsigned: What to do with an invoice whose envelope is not completed
            (declined, voided, still out) on a project with the DocuSign
            integration: ``"unsigned"`` (use the unsigned PDF and say so),
            ``"skip"`` (leave the invoice out and say so) or ``"fail"``
            (:class:`~invoicebackup.errors.UnsignedInvoiceError`, nothing written).
        embed_manifest: Attach the manifest (JSON) inside the PDF as
            :data:`MANIFEST_NAME`.
        language: A language of :data:`~invoicebackup.terminology.LANGUAGES` to use
            instead of the project's, in any ASCII case (``fr_ca`` is ``fr-CA``); any
            other is refused with :class:`~invoicebackup.errors.InvalidValueError`.
        output_prefix: The store folder the backup is written to (``""`` for the
            store's root).
        max_document_bytes: A document larger than this is reported as
            ``too_large`` (``None``: no bound).
        max_document_pages: A document with more pages is reported as ``too_large``.
        passwords: A password provider: called with a
            :class:`~invoicebackup.domain.Document` that the empty password does not
            open, it returns candidate passwords to try in order (at most 100). A
            document opened this way is marked ``encrypted`` in the manifest; when
            none opens it, it is reported as ``encrypted``. Its exceptions propagate.
            Never written to the manifest.
        repair: When a document cannot be read and pikepdf is installed (the
            ``repair`` extra), rewrite it with pikepdf (qpdf) and try again; such a
            source is marked ``repaired`` in the manifest. Without pikepdf this does
            nothing.

    Example:
        >>> from invoicebackup import BackupOptions
        >>> options = BackupOptions(on_bad_document="skip", output_prefix="")
        >>> options.on_bad_document, options.on_unsigned, options.max_document_pages
        ('skip', 'unsigned', 10000)
        >>> try:
        ...     BackupOptions(on_bad_document="ignore")
        ... except ValueError as error:
        ...     print(error.args[0])
        'on_bad_document' must be in ('placeholder', 'skip', 'fail') (got 'ignore')

    .. versionadded:: 0.1.0
    """

    on_bad_document: str = attrs.field(
        default="placeholder", validator=attrs.validators.in_(_BAD_DOCUMENT_POLICIES)
    )
    require_closed_periods: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    include_certificate: bool = attrs.field(
        default=False, validator=attrs.validators.instance_of(bool)
    )
    on_unsigned: str = attrs.field(
        default="unsigned", validator=attrs.validators.in_(_UNSIGNED_POLICIES)
    )
    embed_manifest: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    language: str | None = attrs.field(default=None, converter=_language)
    output_prefix: str = attrs.field(default="backups", validator=_valid_prefix)
    max_document_bytes: int | None = attrs.field(
        default=512 * 1024 * 1024, validator=_positive_or_none
    )
    max_document_pages: int = attrs.field(default=10_000, validator=_positive)
    passwords: Callable[[Document], Iterable[str]] | None = attrs.field(
        default=None, repr=False, eq=False
    )
    repair: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))


# -- the plan ---------------------------------------------------------------------------------


class DocumentRole(enum.Enum):
    """What a document is to its invoice.

    Example:
        >>> from invoicebackup import plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> plan = plan_backup(sample_project(), invoice_ids=["i-3"], user_id="u-admin")
        >>> [document.role.value for document in plan.documents]
        ['invoice', 'attachment']

    .. versionadded:: 0.1.0
    """

    INVOICE = "invoice"
    SIGNED_INVOICE = "signed_invoice"
    CERTIFICATE = "certificate"
    ATTACHMENT = "attachment"


@attrs.frozen(kw_only=True)
class PlannedDocument:
    """One document of a planned invoice, in backup order.

    Attributes:
        role: The invoice's default PDF or one of its attachments.
        document: The stored document.
        position: Its place among the invoice's documents (0 is the default PDF,
            then attachments in upload order).

    Example:
        >>> from invoicebackup import plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> plan = plan_backup(sample_project(), invoice_ids=["i-1"], user_id="u-admin")
        >>> [(planned.position, planned.document.filename) for planned in plan.documents]
        [(0, 'Invoice 1.pdf'), (1, 'Lien waiver.pdf'), (2, 'Delivery ticket (scan).pdf')]

    .. versionadded:: 0.1.0
    """

    role: DocumentRole
    document: Document
    position: int


@attrs.frozen(kw_only=True)
class PlannedInvoice:
    """A selected invoice, its billing period and its documents in backup order.

    Example:
        >>> from datetime import date
        >>> from invoicebackup import plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project(today=date(2026, 11, 3))
        >>> plan = plan_backup(project, invoice_ids=["i-2"], user_id="u-admin")
        >>> planned = plan.invoices[0]
        >>> planned.invoice.number, planned.period.id, len(planned.documents)
        ('INV-0002', 'bp-2026-10', 3)

    .. versionadded:: 0.1.0
    """

    invoice: Invoice
    period: BillingPeriod
    documents: tuple[PlannedDocument, ...]


@attrs.frozen(kw_only=True)
class PlannedContract:
    """A contract with its selected invoices, in backup order.

    Example:
        >>> from invoicebackup import plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> plan = plan_backup(sample_project(), contract_ids=["k-2"], user_id="u-admin")
        >>> [(c.contract.number, [i.invoice.id for i in c.invoices]) for c in plan.contracts]
        [('SC-2', ['i-1', 'i-2'])]

    .. versionadded:: 0.1.0
    """

    contract: Contract
    invoices: tuple[PlannedInvoice, ...]


@attrs.frozen(kw_only=True)
class BackupPlan:
    """What a backup will contain and in which order; made by :func:`plan_backup`.

    Attributes:
        project_id: The project.
        user_id: Who asked for it.
        contracts: The contracts in natural, case-insensitive order of their
            number, each with its invoices by position then id.

    Example:
        >>> from invoicebackup import plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> selected = ["k-11", "k-10", "k-2"]
        >>> plan = plan_backup(sample_project(), contract_ids=selected, user_id="u-admin")
        >>> [planned.contract.number for planned in plan.contracts]
        ['SC-2', 'SC-10', 'sc-11']
        >>> plan.invoice_ids, len(plan.documents)
        (('i-1', 'i-2', 'i-3', 'i-4'), 10)

    .. versionadded:: 0.1.0
    """

    project_id: str
    user_id: str
    contracts: tuple[PlannedContract, ...]

    @property
    def invoices(self) -> tuple[PlannedInvoice, ...]:
        """Every planned invoice, in backup order."""
        return tuple(i for c in self.contracts for i in c.invoices)

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        """The ids of the planned invoices, in backup order."""
        return tuple(i.invoice.id for i in self.invoices)

    @property
    def documents(self) -> tuple[PlannedDocument, ...]:
        """Every planned document, in backup order (before signed versions)."""
        return tuple(d for i in self.invoices for d in i.documents)


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key ordering digits by value and letters without case: SC-2 < SC-10 < sc-11.

    .. versionadded:: 0.1.0
    """
    parts = re.split(r"(\d+)", unicodedata.normalize("NFKC", text).casefold())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def _contract_key(contract: Contract) -> tuple[Any, ...]:
    return (natural_key(contract.number), contract.number, contract.id)


def plan_backup(
    project: Project,
    *,
    invoice_ids: Iterable[str] = (),
    contract_ids: Iterable[str] = (),
    user_id: str,
    options: BackupOptions | None = None,
) -> BackupPlan:
    """Check every precondition of a backup and put the selection in backup order.

    Selecting a contract selects all its invoices. Order and repeats in the
    selection never matter. The preconditions, all checked, all reported:

    * every selected contract exists (``unknown_contract``);
    * the selection contains at least one invoice (``empty_selection``);
    * the user may compile the selected invoices
      (:func:`~invoicebackup.permissions.can_compile_backup`: ``unknown_invoice``,
      ``unknown_contract``, ``not_admin_on_tool`` and the user's own conditions);
    * every selected invoice's billing period exists (``missing_period``);
    * with ``options.require_closed_periods``: for each selected invoice, every
      billing period that ends before its own period starts, and in which its
      contract has an invoice (selected or not), is closed (``open_earlier_period``).

    The order: contracts by number in natural, case-insensitive order
    (``SC-2`` < ``SC-10`` < ``sc-11``; ties by exact number then id), invoices by
    position then id, and inside an invoice its default PDF, then its
    attachments in upload order.

    Args:
        project: The project.
        invoice_ids: Selected invoices: a list of ids, never a bare string.
        contract_ids: Selected contracts (all their invoices), as a list of ids.
        user_id: Who asks.
        options: Options; only ``require_closed_periods`` matters here.

    Returns:
        The plan.

    Raises:
        BackupPreconditionsError: One or more preconditions failed; every problem
            is listed, each with a stable code and the id concerned.
        InvalidValueError: *invoice_ids* or *contract_ids* is a bare string (``"i-1"``
            would otherwise be read as ``i``, ``-`` and ``1``) or holds something that
            is not a string.

    Example:
        >>> from invoicebackup import BackupPreconditionsError, plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> plan = plan_backup(project, invoice_ids=["i-4", "i-3", "i-1", "i-3"], user_id="u-admin")
        >>> plan.invoice_ids
        ('i-1', 'i-3', 'i-4')
        >>> try:
        ...     plan_backup(project, invoice_ids=["i-9"], contract_ids=["k-99"], user_id="u-admin")
        ... except BackupPreconditionsError as error:
        ...     print([(problem.path, problem.code) for problem in error.problems])
        [('contract:k-99', 'unknown_contract'), ('invoice:i-9', 'unknown_invoice')]

    .. versionadded:: 0.1.0
    """
    options = options or BackupOptions()
    invoice_ids = _ids(invoice_ids, "invoice_ids")
    contract_ids = _ids(contract_ids, "contract_ids")
    problems: list[Problem] = []
    selected: set[str] = set(invoice_ids)
    for contract_id in sorted(set(contract_ids)):
        contract = project.contract(contract_id)
        if contract is None or not may_know_of_contract(
            project, user_id=user_id, contract=contract
        ):
            # Word for word the same for both: a stranger learns nothing of a private one.
            problems.append(
                Problem(
                    f"contract:{contract_id}",
                    "unknown_contract",
                    f"contract {contract_id!r} is not in this project, or you may not see it",
                )
            )
            continue
        selected.update(i.id for i in project.invoices_of(contract_id))
    if not selected:
        problems.append(Problem("", "empty_selection", "the selection contains no invoice"))
    decision = can_compile_backup(project, user_id=user_id, invoice_ids=sorted(selected))
    problems.extend(
        Problem(f"{r.subject_kind}:{r.subject_id}", r.code, r.message) for r in decision.reasons
    )
    hidden = {r.subject_id for r in decision.reasons if r.code == ReasonCode.UNKNOWN_INVOICE}
    known = [
        inv for i in sorted(selected) if i not in hidden and (inv := project.invoice(i)) is not None
    ]
    for invoice in known:
        if project.billing_period(invoice.billing_period_id) is None:
            problems.append(
                Problem(
                    f"invoice:{invoice.id}",
                    "missing_period",
                    f"invoice {invoice.number!r} ({invoice.id}) belongs to billing period "
                    f"{invoice.billing_period_id!r}, which does not exist",
                )
            )
        elif options.require_closed_periods:
            problems.extend(_open_earlier_periods(project, invoice))
    if problems:
        raise BackupPreconditionsError(_unique(problems))
    by_contract: dict[str, list[Invoice]] = {}
    for invoice in known:
        by_contract.setdefault(invoice.contract_id, []).append(invoice)
    contracts: list[PlannedContract] = []
    for contract_id, invoices in by_contract.items():
        contract = project.contract(contract_id)
        assert contract is not None  # the permission rule reported unknown contracts
        planned = tuple(
            _planned_invoice(project, inv)
            for inv in sorted(invoices, key=lambda i: (i.position, i.id))
        )
        contracts.append(PlannedContract(contract=contract, invoices=planned))
    contracts.sort(key=lambda c: _contract_key(c.contract))
    return BackupPlan(project_id=project.id, user_id=user_id, contracts=tuple(contracts))


def _planned_invoice(project: Project, invoice: Invoice) -> PlannedInvoice:
    period = project.billing_period(invoice.billing_period_id)
    assert period is not None  # checked by plan_backup
    documents = [PlannedDocument(role=DocumentRole.INVOICE, document=invoice.document, position=0)]
    documents += [
        PlannedDocument(role=DocumentRole.ATTACHMENT, document=doc, position=index)
        for index, doc in enumerate(invoice.attachments, start=1)
    ]
    return PlannedInvoice(invoice=invoice, period=period, documents=tuple(documents))


def _open_earlier_periods(project: Project, invoice: Invoice) -> list[Problem]:
    period = project.billing_period(invoice.billing_period_id)
    assert period is not None
    problems = []
    seen: set[str] = set()
    for other in project.invoices_of(invoice.contract_id):
        earlier = project.billing_period(other.billing_period_id)
        if earlier is None or earlier.id in seen or earlier.end >= period.start:
            continue
        seen.add(earlier.id)
        if earlier.status is PeriodStatus.OPEN:
            problems.append(
                Problem(
                    f"invoice:{invoice.id}",
                    "open_earlier_period",
                    f"invoice {invoice.number!r} ({invoice.id}): the earlier billing period "
                    f"{earlier.id!r} ({earlier.start}..{earlier.end}), in which its contract "
                    "was invoiced, is still open",
                )
            )
    return problems


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# -- the result -------------------------------------------------------------------------------


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
            password or one from :attr:`BackupOptions.passwords`).
        field_prefix: The parent field its form fields were moved under, if any.
        removed: Active content, embedded files and structure (page labels…) that
            were not copied.
        repaired: Whether it could not be read as it was and was rewritten with
            pikepdf first (:attr:`BackupOptions.repair`).
        notes: What else the backup changes about it or found wrong with it, in
            words: a digital signature that does not survive the merge, a pure XFA
            form, a rebuilt cross-reference table, bookmarks that point nowhere…

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
        ('Subcontractor invoice backup', 'en-US', 3, '2026-11-03T09:30:00+00:00')
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
    """What :func:`compile_backup` wrote, where, and what it left out.

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
        (3, 64, True)
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


class ProgressStage(enum.Enum):
    """Where a compilation is.

    Example:
        >>> from invoicebackup import ProgressStage
        >>> [stage.value for stage in ProgressStage]
        ['read', 'assembled', 'written']

    .. versionadded:: 0.1.0
    """

    READ = "read"
    ASSEMBLED = "assembled"
    WRITTEN = "written"


@attrs.frozen(kw_only=True)
class ProgressEvent:
    """A progress report for a progress bar.

    Attributes:
        stage: ``read`` (a document was read and parsed), ``assembled`` (a
            document's pages were put into the backup) or ``written`` (done).
        documents_done: Documents through the current stage so far.
        documents_total: Documents the backup has to go through.
        pages_written: Pages in the backup so far.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> events = []
        >>> _ = compile_backup(sample_project(), invoice_ids=["i-4"], user_id="u-admin",
        ...                    store=InMemoryStore(sample_documents()), progress=events.append,
        ...                    now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> for event in events:
        ...     print(event.stage.value, event.documents_done, event.documents_total,
        ...           event.pages_written)
        read 1 2 0
        assembled 1 2 2
        read 2 2 2
        assembled 2 2 3
        written 2 2 3

    .. versionadded:: 0.1.0
    """

    stage: ProgressStage
    documents_done: int
    documents_total: int
    pages_written: int


# -- names ------------------------------------------------------------------------------------

_UNSAFE: Final = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]+')
_MAX_NAME_BYTES: Final = 240


def _safe(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    # Format characters (category Cf: bidi overrides such as U+202E, zero-width
    # spaces) are invisible yet can make a name read as another (``…fdp.exe``).
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = _UNSAFE.sub("_", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def backup_filename(project: Project, *, now: datetime, language: str | None = None) -> str:
    r"""The file name of a backup of *project* made at *now*, without a ``(2)`` suffix.

    ``{title} - {project name} - {project number} - {YYYY-MM-DD} - {HHMM}.pdf``,
    the title in the project's dictionary and language (or *language*), made safe
    for every common filesystem: no ``<>:"/\|?*``, control or invisible format
    characters (bidi overrides, zero-width spaces), no
    trailing dot or space, at most 240 UTF-8 bytes (the project name is shortened, then
    the project number).

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import Project, backup_filename
        >>> project = Project(id="p-1", name='Tower A: "North"', number="HT/01", language="fr-CA")
        >>> now = datetime(2024, 6, 3, 9, 30, tzinfo=timezone.utc)
        >>> print(backup_filename(project, now=now))
        Sauvegarde des factures de sous-traitant - Tower A_ _North_ - HT_01 - 2024-06-03 - 0930.pdf
        >>> print(backup_filename(project, now=now, language="en-US"))
        Subcontractor invoice backup - Tower A_ _North_ - HT_01 - 2024-06-03 - 0930.pdf

    .. versionadded:: 0.1.0
    """
    vocabulary = Vocabulary(dictionary=project.dictionary, language=language or project.language)
    title = _safe(vocabulary.term("backup_title"))
    stamp = f"{now:%Y-%m-%d} - {now:%H%M}"
    number = _safe(project.number)
    name = _safe(project.name) or _safe(project.id) or "project"

    def render() -> str:
        parts = [title, name] + ([number] if number else []) + [stamp]
        return " - ".join(parts) + ".pdf"

    # The project name is shortened first, then its number (the title is ours: short).
    while len(render().encode()) > _MAX_NAME_BYTES and len(name) > 1:
        name = name[:-1].rstrip(" .") or name[:1]
    while len(render().encode()) > _MAX_NAME_BYTES and len(number) > 1:
        number = number[:-1].rstrip(" .") or number[:1]
    return render()


def _numbered(filename: str, attempt: int) -> str:
    return filename if attempt == 1 else f"{filename[:-4]} ({attempt}).pdf"


def failure_message(project: Project, error: BaseException, *, language: str | None = None) -> str:
    """The notification to show when a compilation failed with *error*, localised.

    Example:
        >>> from invoicebackup import BackupPreconditionsError, failure_message, plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> try:
        ...     plan_backup(project, invoice_ids=["i-9"], user_id="u-admin")
        ... except BackupPreconditionsError as error:
        ...     print(failure_message(project, error))
        The invoice backup could not be compiled: the backup cannot be compiled: 1 problem

    .. versionadded:: 0.1.0
    """
    vocabulary = Vocabulary(dictionary=project.dictionary, language=language or project.language)
    return vocabulary.message("backup_failed", reason=str(error).splitlines()[0])


# -- compiling --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class _Slot:
    """One document to put into the backup, with how to get its bytes."""

    role: DocumentRole
    key: str
    filename: str
    declared_pdf: bool
    load: Callable[[], bytes]
    signed: bool = False
    document: Document | None = None
    #: Already parsed (a signed document, parsed once to check it is usable).
    parsed: _pdf.ParsedPdf | None = None


@attrs.define
class _Loaded:
    data_sha: str | None = None
    parsed: _pdf.ParsedPdf | None = None
    error: BadDocumentError | None = None


@attrs.frozen(kw_only=True)
class _InvoiceWork:
    planned: PlannedInvoice
    slots: tuple[_Slot, ...]
    signature: SignatureState
    note: str | None
    envelope: EnvelopeRecord | None
    skip_reason: str | None = None


def compile_backup(
    project: Project,
    *,
    invoice_ids: Iterable[str] = (),
    contract_ids: Iterable[str] = (),
    user_id: str,
    store: DocumentStore,
    output: DocumentStore | None = None,
    signatures: SignatureProvider | None = None,
    options: BackupOptions | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Compile one backup PDF of the selected invoices and write it to *store*.

    Documents are read, checked and copied one at a time, in backup order, straight
    into the store's atomic :meth:`~invoicebackup.storage.DocumentStore.create` under
    :func:`backup_filename` in ``options.output_prefix`` (`` (2)``, `` (3)``… when the
    name is taken): memory holds one document at a time, never the whole backup, and
    nothing is visible in the store until the backup is complete. If another writer
    takes the name while the backup is written, it is assembled again under the next
    name (its progress is not reported twice).
    Signed versions replace the default PDF on a project with the DocuSign
    integration (see the module documentation and ``options.on_unsigned``).

    Args:
        project: The project.
        invoice_ids: Selected invoices: a list of ids, never a bare string.
        contract_ids: Selected contracts (all their invoices), as a list of ids.
        user_id: Who asks.
        store: Where documents are read and, unless *output* is given, the backup is
            written.
        output: Where the backup is written, when not to *store* (a read-only document
            store, a separate archive).
        signatures: The signature service to ask for envelope statuses and signed
            documents; without it, the project's envelopes and the store's
            ``signed_document_key``/``certificate_key`` are used.
        options: How to treat what is found.
        progress: Called with a :class:`ProgressEvent` after each step.
        now: The time of the backup (name, metadata); the current UTC time when
            ``None``. Must carry a time zone.

    Returns:
        The result.

    Raises:
        BackupPreconditionsError: See :func:`plan_backup`; nothing was read.
        InvalidValueError: A selection is a bare string (see :func:`plan_backup`).
        BadDocumentError: A document is bad and the policy is ``"fail"``.
        UnsignedInvoiceError: An envelope is not completed and the policy is ``"fail"``.
        DocumentStoreError: The store failed to read or write (not a missing document).
        SignatureProviderError: The signature service failed.

    Example:
        >>> from datetime import datetime, timezone
        >>> from invoicebackup import InMemoryStore, compile_backup
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> from invoicebackup import BackupOptions
        >>> project, store = sample_project(), InMemoryStore(sample_documents())
        >>> options = BackupOptions(include_certificate=True, output_prefix="archive")
        >>> result = compile_backup(project, contract_ids=["k-2", "k-10"], user_id="u-admin",
        ...                         store=store, options=options,
        ...                         now=datetime(2026, 11, 3, 9, 30, tzinfo=timezone.utc))
        >>> result.key
        'archive/Subcontractor invoice backup - Tower A - 2024-001 - 2026-11-03 - 0930.pdf'
        >>> for r in result.invoices:
        ...     print(r.invoice_id, r.first_page, r.last_page, r.signature.value)
        i-1 1 5 not_applicable
        i-2 6 9 signed
        i-3 10 12 not_applicable
        >>> [(item.filename, item.code, item.action.value) for item in result.left_out]
        [('Quantities.csv', 'not_pdf', 'skipped')]
        >>> result.key in store
        True

    .. versionadded:: 0.1.0
    """
    options = options or BackupOptions()
    if now is None:
        now = datetime.now(UTC)
    if now.utcoffset() is None:
        raise ValueError(f"now must carry a time zone, got {now.isoformat()}")
    plan = plan_backup(
        project,
        invoice_ids=invoice_ids,
        contract_ids=contract_ids,
        user_id=user_id,
        options=options,
    )
    language = options.language or project.language
    vocabulary = Vocabulary(dictionary=project.dictionary, language=language)
    limits = _pdf.Limits(max_bytes=options.max_document_bytes, max_pages=options.max_document_pages)
    work = _resolve_signatures(
        project, plan, store=store, signatures=signatures, options=options, limits=limits
    )
    started = time.perf_counter()
    with _hashing.Hashing() as hashing:
        documents = _Documents(limits=limits, options=options, hashing=hashing)
        try:
            result = _compile(
                project,
                plan,
                work,
                target=store if output is None else output,
                user_id=user_id,
                vocabulary=vocabulary,
                options=options,
                limits=limits,
                notify=progress or (lambda _event: None),
                now=now,
                hashing=hashing,
                documents=documents,
            )
        finally:
            documents.release_all()
    _log_result(result, project=project, user_id=user_id, seconds=time.perf_counter() - started)
    return result


#: The library's logger; silent unless the host configures logging (a NullHandler is on it).
_LOG = logging.getLogger("invoicebackup")


def _log_result(result: BackupResult, *, project: Project, user_id: str, seconds: float) -> None:
    """One INFO record for the backup, one DEBUG record per document it holds.

    The values are also in each record's ``extra`` fields, under ``invoicebackup_*``
    names, for a structured logger to keep as they are.
    """
    if _LOG.isEnabledFor(logging.DEBUG):
        for record in result.invoices:
            for source in record.sources:
                _LOG.debug(
                    "backup %s: %s of invoice %s, pages %s-%s, sha256 %s%s",
                    result.key,
                    source.key,
                    record.invoice_id,
                    source.first_page,
                    source.last_page,
                    source.sha256,
                    ", signed" if source.signed else "",
                    extra={
                        "invoicebackup_backup_key": result.key,
                        "invoicebackup_invoice_id": record.invoice_id,
                        "invoicebackup_document_key": source.key,
                        "invoicebackup_sha256": source.sha256,
                        "invoicebackup_first_page": source.first_page,
                        "invoicebackup_last_page": source.last_page,
                        "invoicebackup_signed": source.signed,
                    },
                )
    _LOG.info(
        "backup of project %s by %s: %d invoice(s), %d page(s), %d left out, %s, sha256 %s, %.2f s",
        project.id,
        user_id,
        len(result.invoices),
        result.page_count,
        len(result.left_out),
        result.key,
        result.sha256,
        seconds,
        extra={
            "invoicebackup_project_id": project.id,
            "invoicebackup_user_id": user_id,
            "invoicebackup_invoice_ids": [record.invoice_id for record in result.invoices],
            "invoicebackup_pages": result.page_count,
            "invoicebackup_left_out": len(result.left_out),
            "invoicebackup_backup_key": result.key,
            "invoicebackup_sha256": result.sha256,
            "invoicebackup_seconds": round(seconds, 3),
        },
    )


def _compile(
    project: Project,
    plan: BackupPlan,
    work: Sequence[_InvoiceWork],
    *,
    target: DocumentStore,
    user_id: str,
    vocabulary: Vocabulary,
    options: BackupOptions,
    limits: _pdf.Limits,
    notify: Callable[[ProgressEvent], None],
    now: datetime,
    hashing: _hashing.Hashing,
    documents: _Documents,
) -> BackupResult:
    total = sum(len(w.slots) for w in work)
    base = backup_filename(project, now=now, language=options.language)
    folder = f"{options.output_prefix}/" if options.output_prefix else ""
    assembled = False
    for attempt in range(1, _MAX_NAME_ATTEMPTS + 1):
        filename = _numbered(base, attempt)
        key = folder + filename
        if target.exists(key):
            continue
        if assembled:
            # The backup is assembled again under this name: its progress was reported.
            notify = lambda _event: None  # noqa: E731
        try:
            with target.create(key) as out:
                sink = _Sink(out, key, hashing.stream())
                manifest = _assemble(
                    project,
                    plan,
                    work,
                    documents,
                    sink,
                    user_id=user_id,
                    vocabulary=vocabulary,
                    options=options,
                    limits=limits,
                    notify=notify,
                    now=now,
                )
                # The last event goes out before the commit: a callback that raises (or a
                # Ctrl-C) there still leaves nothing behind.
                notify(
                    ProgressEvent(
                        stage=ProgressStage.WRITTEN,
                        documents_done=total,
                        documents_total=total,
                        pages_written=manifest.page_count,
                    )
                )
        except DocumentExistsError:
            # Taken while we wrote (the check above and the commit are atomic, not the
            # whole compile): assemble again under the next name.
            assembled = True
            continue
        break
    else:
        raise DocumentExistsError(folder + base, f"{_MAX_NAME_ATTEMPTS} names are already taken")
    if manifest.left_out:
        message = vocabulary.message(
            "backup_with_problems", filename=filename, count=len(manifest.left_out)
        )
    else:
        message = vocabulary.message("backup_succeeded", filename=filename)
    return BackupResult(
        key=key,
        filename=filename,
        size=sink.size,
        sha256=sink.digest.hexdigest(),
        message=message,
        manifest=manifest,
    )


class _Sink:
    """The backup's output stream: counts and hashes what is written; store faults are typed."""

    def __init__(self, out: BinaryIO, key: str, digest: _hashing.StreamDigest) -> None:
        self._out = out
        self._key = key
        self.digest = digest
        self.size = 0

    def write(self, chunk: bytes | bytearray | memoryview) -> int:
        self.digest.update(chunk)  # on the helper thread: the writer never changes a chunk
        try:
            self._out.write(chunk)
        except InvoiceBackupError:
            raise
        except OSError as error:
            raise DocumentStoreError(
                self._key, f"the backup could not be written ({error})"
            ) from error
        self.size += len(chunk)
        return len(chunk)


def _assemble(
    project: Project,
    plan: BackupPlan,
    work: Sequence[_InvoiceWork],
    documents: _Documents,
    sink: _Sink,
    *,
    user_id: str,
    vocabulary: Vocabulary,
    options: BackupOptions,
    limits: _pdf.Limits,
    notify: Callable[[ProgressEvent], None],
    now: datetime,
) -> BackupManifest:
    """Read, check and copy every document, in backup order, straight into *sink*."""
    total = sum(len(w.slots) for w in work)
    title = vocabulary.term("backup_title")
    writer = _pdf.BackupWriter(
        sink,  # type: ignore[arg-type]
        title=f"{title} - {project.name}",
        subject=_subject(plan),
        created=now,
        limits=limits,
    )
    records: list[InvoiceRecord] = []
    left_out: list[LeftOut] = []
    outline: list[_pdf.OutlineNode] = []
    done = 0
    work_of = {item.planned.invoice.id: item for item in work}
    order = [
        slot
        for planned_contract in plan.contracts
        for planned in planned_contract.invoices
        if work_of[planned.invoice.id].skip_reason is None
        for slot in work_of[planned.invoice.id].slots
        if slot.declared_pdf
    ]
    documents.following = {id(slot): after for slot, after in itertools.pairwise(order)}
    for planned_contract in plan.contracts:
        invoice_nodes: list[_pdf.OutlineNode] = []
        contract_start = writer.page_count
        for planned in planned_contract.invoices:
            item = work_of[planned.invoice.id]
            if item.skip_reason is not None:
                continue
            start = writer.page_count
            sources: list[SourceRecord] = []
            doc_nodes: list[_pdf.OutlineNode] = []
            for index, slot in enumerate(item.slots):
                invoice = planned.invoice
                loaded = documents.load(slot) if slot.declared_pdf else None
                done += 1
                notify(
                    ProgressEvent(
                        stage=ProgressStage.READ,
                        documents_done=done,
                        documents_total=total,
                        pages_written=writer.page_count,
                    )
                )
                if loaded is None:
                    left_out.append(
                        LeftOut(
                            invoice_id=invoice.id,
                            key=slot.key,
                            filename=slot.filename,
                            code="not_pdf",
                            reason="the attachment is not a PDF "
                            f"({_declared_type(slot)}); only PDF attachments go into a backup",
                            action=Action.SKIPPED,
                        )
                    )
                else:
                    error = loaded.error
                    if error is not None and options.on_bad_document == "fail":
                        raise error
                    if error is None:
                        assert loaded.parsed is not None
                        assert loaded.data_sha is not None
                        prefix = _field_prefix(invoice, index)
                        try:
                            added = documents.add(writer, slot, loaded, field_prefix=prefix)
                        except BadDocumentError as copy_error:
                            if options.on_bad_document == "fail":
                                raise
                            error = copy_error
                            documents.failed(loaded.data_sha, copy_error)
                        else:
                            sources.append(
                                SourceRecord(
                                    role=slot.role,
                                    key=slot.key,
                                    filename=slot.filename,
                                    sha256=loaded.data_sha,
                                    pages=added.page_count,
                                    first_page=added.first_page + 1,
                                    last_page=added.first_page + added.page_count,
                                    signed=slot.signed,
                                    encrypted=loaded.parsed.encrypted,
                                    field_prefix=prefix if added.fields else None,
                                    removed=added.removed,
                                    repaired=loaded.parsed.repaired,
                                    notes=added.notes,
                                )
                            )
                            doc_nodes.append(
                                _pdf.OutlineNode(
                                    title=slot.filename,
                                    page_index=added.first_page,
                                    children=_pdf.shifted(loaded.parsed.outline, added.first_page),
                                )
                            )
                    if error is not None:
                        left_out.append(
                            _bad_entry(invoice, slot, error, options, writer, vocabulary)
                        )
                        if left_out[-1].page is not None:
                            doc_nodes.append(
                                _pdf.OutlineNode(
                                    title=slot.filename, page_index=writer.page_count - 1
                                )
                            )
                notify(
                    ProgressEvent(
                        stage=ProgressStage.ASSEMBLED,
                        documents_done=done,
                        documents_total=total,
                        pages_written=writer.page_count,
                    )
                )
            end = writer.page_count
            record = _invoice_record(planned, planned_contract.contract, item, sources, start, end)
            records.append(record)
            if end > start:
                invoice_nodes.append(
                    _pdf.OutlineNode(
                        title=_invoice_title(planned, vocabulary),
                        page_index=start,
                        children=tuple(doc_nodes),
                    )
                )
        if writer.page_count > contract_start:
            outline.append(
                _pdf.OutlineNode(
                    title=_contract_title(planned_contract.contract),
                    page_index=contract_start,
                    children=tuple(invoice_nodes),
                )
            )
    left_out[:0] = _skipped_invoices(work)
    if writer.page_count == 0:
        writer.add_text_page([title, vocabulary.term("backup_nothing_included")])
    writer.set_outline(outline)
    manifest = BackupManifest(
        project_id=project.id,
        project_name=project.name,
        project_number=project.number,
        user_id=user_id,
        created_at=now,
        language=vocabulary.language,
        title=title,
        page_count=writer.page_count,
        invoices=tuple(records),
        left_out=tuple(left_out),
        # The password provider is code, and what it returns is secret: never recorded.
        options=attrs.evolve(options, passwords=None),
    )
    if options.embed_manifest:
        from .serialization import manifest_to_json

        writer.attach(MANIFEST_NAME, manifest_to_json(manifest).encode())
    writer.finish(file_id=_fingerprint(project, plan, work, documents.sha_of, options, now))
    return manifest


def _shared_key(sha: str, parsed: _pdf.ParsedPdf) -> object:
    """What the writer shares a document's objects by: its bytes, as parsed."""
    return (sha, "repaired") if parsed.repaired else sha


#: How many bytes of the documents that follow are read ahead, so that hashing them (on a
#: helper thread) overlaps copying the current one.
_READ_AHEAD_BYTES: Final = 4 * 1024 * 1024


#: How many copied documents are kept, compacted (their pages, annotations and fields,
#: not their bytes), for another occurrence.
_KEPT_DOCUMENTS: Final = 32


class _Documents:
    """The documents read so far.

    What each key holds (its SHA-256) and each bad document's verdict are kept for the
    whole compile. A document once copied is kept compacted — its pages, annotations
    and fields, not its bytes — among the last :data:`_KEPT_DOCUMENTS`, so another
    occurrence is neither read (under the same key) nor parsed again, and memory does
    not grow with the backup. One needed again after it was let go, or whose shared
    objects the writer no longer knows, is read and parsed again.
    """

    def __init__(
        self, *, limits: _pdf.Limits, options: BackupOptions, hashing: _hashing.Hashing
    ) -> None:
        self._limits = limits
        self._options = options
        self._hashing = hashing
        self._fetched: dict[str, tuple[bytes, Future[str]] | Exception] = {}
        #: The document read after each one (by id of its slot), for :meth:`prefetch`.
        self.following: dict[int, _Slot] = {}
        self.sha_of: dict[str, str] = {}
        self._errors: dict[str, BadDocumentError] = {}
        self._parsed: OrderedDict[str, _pdf.ParsedPdf] = OrderedDict()

    def failed(self, sha: str, error: BadDocumentError) -> None:
        """Remember that the document with *sha* could not be copied."""
        self._errors[sha] = error
        self._forget(sha)

    def _forget(self, sha: str) -> None:
        kept = self._parsed.pop(sha, None)
        if kept is not None:
            kept.release()

    def _cached(self, slot: _Slot) -> _Loaded | None:
        """What is known of *slot*'s document without reading it again, if anything."""
        sha = self.sha_of.get(slot.key)
        if sha is not None and (slot.parsed is None or slot.parsed.released):
            return self._known(slot, sha)
        return None

    def _prefetch(self, slot: _Slot | None) -> None:
        """Read the next few documents and start hashing them while this one is copied."""
        ahead = 0
        while slot is not None and ahead < _READ_AHEAD_BYTES:
            fetched = self._fetched.get(slot.key)
            # A key read once is kept after its copy (or read again when needed).
            if fetched is None and slot.key not in self.sha_of:
                try:
                    data = slot.load()
                except (DocumentNotFoundError, EnvelopeNotFoundError) as error:
                    fetched = self._fetched[slot.key] = error
                else:
                    fetched = self._fetched[slot.key] = (data, self._hashing.digest(data))
            if isinstance(fetched, tuple):
                ahead += len(fetched[0])
            slot = self.following.get(id(slot))

    def load(self, slot: _Slot) -> _Loaded:
        """The document of *slot*, parsed (or its error); the next ones start being read."""
        loaded = self._load(slot)
        self._prefetch(self.following.get(id(slot)))
        return loaded

    def _load(self, slot: _Slot) -> _Loaded:
        known = self._cached(slot)
        if known is not None:
            return known
        fetched = self._fetched.pop(slot.key, None)
        try:
            if fetched is None:
                data = slot.load()
                digest = self._hashing.digest(data)
            elif isinstance(fetched, Exception):
                raise fetched
            else:
                data, digest = fetched
        except (DocumentNotFoundError, EnvelopeNotFoundError) as error:
            bad = BadDocumentError(
                key=slot.key,
                filename=slot.filename,
                code="missing",
                reason="it is not in the store"
                if isinstance(error, DocumentNotFoundError)
                else "the signature service does not have it",
            )
            bad.__cause__ = error
            return _Loaded(error=bad)
        sha = self._hashing.result(digest)
        self.sha_of[slot.key] = sha
        if slot.parsed is not None and not slot.parsed.released:
            return _Loaded(data_sha=sha, parsed=slot.parsed)
        known = self._known(slot, sha)
        if known is not None:
            return known
        try:
            parsed = _pdf.open_pdf(
                data,
                key=slot.key,
                filename=slot.filename,
                limits=self._limits,
                passwords=self._passwords(slot),
                repair=self._options.repair,
            )
        except BadDocumentError as error:
            self._errors[sha] = error
            return _Loaded(data_sha=sha, error=error)
        return _Loaded(data_sha=sha, parsed=parsed)

    def add(
        self, writer: _pdf.BackupWriter, slot: _Slot, loaded: _Loaded, *, field_prefix: str
    ) -> _pdf.Added:
        """Copy *loaded* into *writer*; rewrite it once with the repair engine if that fails.

        On success *loaded* holds the parsed document that was copied (the rewritten one,
        after a repair).
        """
        assert loaded.parsed is not None
        assert loaded.data_sha is not None
        sha = loaded.data_sha
        parsed = loaded.parsed
        try:
            try:
                added = writer.add_document(
                    parsed, field_prefix=field_prefix, shared_key=_shared_key(sha, parsed)
                )
            except _pdf.NeedsBytes:
                # Kept compacted, but the writer no longer has all its objects: read it again.
                self._forget(sha)
                parsed = self._parse_again(slot, sha)
                added = writer.add_document(
                    parsed, field_prefix=field_prefix, shared_key=_shared_key(sha, parsed)
                )
        except BadDocumentError as error:
            self._forget(sha)
            if not self._options.repair or parsed.compacted:
                parsed.release()
                raise
            try:
                repaired = _pdf.repair_pdf(
                    parsed, error, limits=self._limits, passwords=self._passwords(slot)
                )
            finally:
                parsed.release()
            parsed = repaired
            try:
                added = writer.add_document(
                    repaired, field_prefix=field_prefix, shared_key=_shared_key(sha, repaired)
                )
            except BaseException:
                repaired.release()
                raise
        loaded.parsed = parsed
        self._keep(sha, parsed)
        return added

    def _parse_again(self, slot: _Slot, sha: str) -> _pdf.ParsedPdf:
        """*slot*'s document read and parsed again: the bytes whose SHA-256 is *sha*.

        Hashed again, so that bytes changed in the store since the first read are never
        copied under the first read's hash (the manifest would vouch for other bytes).
        """
        try:
            data = slot.load()
        except (DocumentNotFoundError, EnvelopeNotFoundError) as error:
            raise BadDocumentError(
                key=slot.key,
                filename=slot.filename,
                code="missing",
                reason="it was in the store earlier in this compile, and is not any more",
            ) from error
        if self._hashing.result(self._hashing.digest(data)) != sha:
            # What was read first (and hashed) is no longer in the store.
            raise BadDocumentError(
                key=slot.key,
                filename=slot.filename,
                code="missing",
                reason="it changed in the store during this compile: the bytes read again "
                "are not the ones read earlier (their SHA-256 differs)",
            )
        return _pdf.open_pdf(
            data,
            key=slot.key,
            filename=slot.filename,
            limits=self._limits,
            passwords=self._passwords(slot),
            repair=self._options.repair,
        )

    def _passwords(self, slot: _Slot) -> Callable[[], Iterable[str]] | None:
        provider = self._options.passwords
        document = slot.document
        if provider is None or document is None:
            return None
        return lambda: provider(document)

    def _known(self, slot: _Slot, sha: str) -> _Loaded | None:
        kept = self._parsed.get(sha)
        if kept is not None:
            self._parsed.move_to_end(sha)
            return _Loaded(data_sha=sha, parsed=kept)
        error = self._errors.get(sha)
        if error is None or (error.code == "encrypted" and self._options.passwords):
            # Another document with the same bytes may have a password that opens it.
            return None
        if error.key == slot.key:
            return _Loaded(data_sha=sha, error=error)
        # Same bytes, same verdict — but name this document in the error.
        again = BadDocumentError(
            key=slot.key, filename=slot.filename, code=error.code, reason=error.reason
        )
        again.__cause__ = error.__cause__
        return _Loaded(data_sha=sha, error=again)

    def release_all(self) -> None:
        """Let go of every document kept for another occurrence: the compile is over.

        Released, a document's objects are freed as soon as nothing refers to them,
        instead of waiting, in reference cycles, for the garbage collector.
        """
        while self._parsed:
            _, kept = self._parsed.popitem()
            kept.release()

    def _keep(self, sha: str, parsed: _pdf.ParsedPdf) -> None:
        """Keep *parsed*, just copied, compacted for another occurrence."""
        if self._parsed.get(sha) is parsed:
            self._parsed.move_to_end(sha)
            return
        self._forget(sha)
        parsed.compact()
        self._parsed[sha] = parsed
        while len(self._parsed) > _KEPT_DOCUMENTS:
            _, dropped = self._parsed.popitem(last=False)
            dropped.release()


def _bad_entry(
    invoice: Invoice,
    slot: _Slot,
    error: BadDocumentError,
    options: BackupOptions,
    writer: _pdf.BackupWriter,
    vocabulary: Vocabulary,
) -> LeftOut:
    page: int | None = None
    action = Action.SKIPPED
    if options.on_bad_document == "placeholder":
        lines = [
            vocabulary.message("backup_placeholder", filename=slot.filename),
            "",
            f"{slot.filename}",
            f"{slot.key}",
            f"{_code_label(error.code, vocabulary)} ({error.code}): {error.reason}",
        ]
        page = writer.add_text_page(lines) + 1
        action = Action.PLACEHOLDER
    return LeftOut(
        invoice_id=invoice.id,
        key=slot.key,
        filename=slot.filename,
        code=error.code,
        reason=error.reason,
        action=action,
        page=page,
    )


def _code_label(code: str, vocabulary: Vocabulary) -> str:
    """Why a document was left out, in the project's language (the reason itself is not)."""
    try:
        return vocabulary.term(f"bad_document.{code}")
    except KeyError:
        return code


def _declared_type(slot: _Slot) -> str:
    return slot.filename.rsplit(".", 1)[-1].upper() + " file" if "." in slot.filename else "file"


def _field_prefix(invoice: Invoice, index: int) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", invoice.id)
    digest = hashlib.sha256(invoice.id.encode()).hexdigest()[:6]
    return f"inv_{safe}_{digest}_d{index}"


def _contract_title(contract: Contract) -> str:
    return f"{contract.number} — {contract.title}" if contract.title else contract.number


def _invoice_title(planned: PlannedInvoice, vocabulary: Vocabulary) -> str:
    invoice, period = planned.invoice, planned.period
    status = vocabulary.term(f"invoice_status.{invoice.status.value}")
    return f"{invoice.number} — {period.start.isoformat()}..{period.end.isoformat()} — {status}"


def _subject(plan: BackupPlan) -> str:
    contracts = ", ".join(c.contract.number for c in plan.contracts)
    return f"{len(plan.invoice_ids)} invoice(s) of {contracts}"


def _fingerprint(
    project: Project,
    plan: BackupPlan,
    work: Sequence[_InvoiceWork],
    sha_of: Mapping[str, str],
    options: BackupOptions,
    now: datetime,
) -> bytes:
    parts: list[Any] = [project.id, project.name, project.number, now.isoformat(), repr(options)]
    for item in work:
        parts.append(item.planned.invoice.id)
        for slot in item.slots:
            parts.append([slot.key, slot.filename, sha_of.get(slot.key)])
    return json.dumps([plan.invoice_ids, parts], sort_keys=True, default=str).encode()


def _invoice_record(
    planned: PlannedInvoice,
    contract: Contract,
    item: _InvoiceWork,
    sources: Sequence[SourceRecord],
    start: int,
    end: int,
) -> InvoiceRecord:
    invoice = planned.invoice
    return InvoiceRecord(
        invoice_id=invoice.id,
        number=invoice.number,
        contract_id=contract.id,
        contract_number=contract.number,
        billing_period_id=invoice.billing_period_id,
        status=invoice.status.value,
        first_page=start + 1 if end > start else None,
        last_page=end if end > start else None,
        sources=tuple(sources),
        signature=item.signature,
        signature_note=item.note,
        envelope=item.envelope,
    )


# -- signed versions --------------------------------------------------------------------------


def _resolve_signatures(
    project: Project,
    plan: BackupPlan,
    *,
    store: DocumentStore,
    signatures: SignatureProvider | None,
    options: BackupOptions,
    limits: _pdf.Limits,
) -> list[_InvoiceWork]:
    """Decide, per planned invoice, which documents go in (none when it is skipped)."""
    statuses: Mapping[str, EnvelopeInfo] = {}
    with_envelopes = [
        p.invoice.envelope.id
        for p in plan.invoices
        if project.docusign_enabled and p.invoice.envelope is not None
    ]
    if signatures is not None and with_envelopes:
        statuses = signatures.envelope_statuses(sorted(set(with_envelopes)))
    work: list[_InvoiceWork] = []
    for planned in plan.invoices:
        invoice = planned.invoice
        slots = [_store_slot(store, d) for d in planned.documents]
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
                _InvoiceWork(
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
        signed_slot: _Slot | None = None
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
                _InvoiceWork(
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
            _InvoiceWork(
                planned=planned,
                slots=() if skipped else tuple(slots),
                signature=SignatureState.UNSIGNED,
                note=note,
                envelope=record,
                skip_reason=note if skipped else None,
            )
        )
    return work


def _skipped_invoices(work: Sequence[_InvoiceWork]) -> list[LeftOut]:
    return [
        LeftOut(
            invoice_id=item.planned.invoice.id,
            key=None,
            filename=None,
            code="unsigned",
            reason=item.skip_reason,
            action=Action.SKIPPED,
        )
        for item in work
        if item.skip_reason is not None
    ]


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


def _store_slot(store: DocumentStore, planned: PlannedDocument) -> _Slot:
    document = planned.document
    return _Slot(
        role=planned.role,
        key=document.key,
        filename=document.filename,
        declared_pdf=planned.role is DocumentRole.INVOICE or document.declared_pdf,
        load=lambda: _read(store, document.key),
        document=document,
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
) -> tuple[_Slot | None, str | None]:
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
        slot = _Slot(
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
) -> _Slot:
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

    return _Slot(
        role=DocumentRole.CERTIFICATE,
        key=key or f"docusign:{envelope_id}/certificate",
        filename=filename,
        declared_pdf=True,
        load=fetch,
    )

"""What a backup will hold and in which order, decided before anything is read.

:func:`plan_backup` is pure. It checks every precondition at once — the user may
compile, every selected id exists, every selected invoice's billing period exists
(and, with :attr:`~invoicebackup.options.BackupOptions.require_closed_periods`, the
contract's earlier invoiced periods are closed; with
:attr:`~invoicebackup.options.BackupOptions.require_waivers`, no lien waiver asked for is
missing) — and returns the ordered
:class:`BackupPlan`, or raises **one**
:class:`~invoicebackup.errors.BackupPreconditionsError` listing every problem.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ._waivers import missing_waiver_problem, waivers_in_order
from .domain import (
    BillingPeriod,
    Contract,
    Document,
    Invoice,
    LienWaiver,
    PeriodStatus,
    Project,
    _ids,
)
from .errors import BackupPreconditionsError, Problem
from .options import BackupOptions, Include
from .permissions import ReasonCode, can_compile_backup, known_ids, may_know_of_contract

__all__ = [
    "BackupPlan",
    "DocumentRole",
    "PlannedContract",
    "PlannedDocument",
    "PlannedInvoice",
    "plan_backup",
]


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
    #: A lien waiver's document (:attr:`PlannedDocument.waiver` says which).
    LIEN_WAIVER = "lien_waiver"


@attrs.frozen(kw_only=True)
class PlannedDocument:
    """One document of a planned invoice, in backup order.

    Attributes:
        role: The invoice's default PDF, one of its attachments or one of its lien
            waivers.
        document: The stored document.
        position: Its place among the invoice's documents (0 is the default PDF,
            then attachments in upload order, then the lien waivers: first tier, then
            sub tier, each in the order received).
        waiver: The lien waiver it is the document of (role ``LIEN_WAIVER``), else
            ``None``.

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
    waiver: LienWaiver | None = None


@attrs.frozen(kw_only=True)
class PlannedInvoice:
    """A selected invoice, its billing period and its documents in backup order.

    Attributes:
        invoice: The invoice.
        period: Its billing period.
        documents: Its documents, in backup order.
        missing_waivers: Its lien waivers that the selection asks for and that have no
            document (requested, not received), in backup order. Waivers the selection
            leaves out are not listed: they were not asked for.

    Example:
        >>> from datetime import date
        >>> from invoicebackup import plan_backup
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project(today=date(2026, 11, 3))
        >>> plan = plan_backup(project, invoice_ids=["i-2"], user_id="u-admin")
        >>> planned = plan.invoices[0]
        >>> planned.invoice.number, planned.period.id, len(planned.documents)
        ('INV-0002', 'bp-2026-10', 5)
        >>> [(d.role.value, d.waiver.id) for d in planned.documents if d.waiver is not None]
        [('lien_waiver', 'w-2-2'), ('lien_waiver', 'w-2-1')]
        >>> [waiver.id for waiver in planned.missing_waivers]
        ['w-2-3']

    .. versionadded:: 0.1.0
    """

    invoice: Invoice
    period: BillingPeriod
    documents: tuple[PlannedDocument, ...]
    missing_waivers: tuple[LienWaiver, ...] = ()


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
        (('i-1', 'i-2', 'i-3', 'i-4'), 13)

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
      contract has an invoice (selected or not), is closed (``open_earlier_period``);
    * with ``options.require_waivers``: no lien waiver the selection asks for is
      missing (``missing_waiver``, one problem a waiver, at ``waiver:<id>``).

    The order: contracts by number in natural, case-insensitive order
    (``SC-2`` < ``SC-10`` < ``sc-11``; ties by exact number then id), invoices by
    position then id, and inside an invoice its default PDF, then its
    attachments in upload order (with ``Include.ATTACHMENTS``),
    then its lien waivers received: first tier, then sub tier, each in the order received.
    A waiver is in when the selection holds both its tier's part and its condition's part
    (``first-tier-waivers`` and ``conditional-waivers`` for a first-tier conditional one).

    Args:
        project: The project.
        invoice_ids: Selected invoices: a list of ids, never a bare string.
        contract_ids: Selected contracts (all their invoices), as a list of ids.
        user_id: Who asks.
        options: Options; only ``require_closed_periods``, ``require_waivers`` and
            ``include`` (which attachments and lien waivers are in) matter here.

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
            choices = known_ids(
                c.id
                for c in project.contracts
                if may_know_of_contract(project, user_id=user_id, contract=c)
            )
            problems.append(
                Problem(
                    f"contract:{contract_id}",
                    "unknown_contract",
                    f"contract {contract_id!r} is not in this project, or you may not see it."
                    f" Contracts you may select: {choices}.",
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
        if options.require_waivers:
            problems.extend(
                missing_waiver_problem(invoice, waiver)
                for waiver in waivers_in_order(invoice, options.include)
                if waiver.missing
            )
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
            _planned_invoice(project, inv, options)
            for inv in sorted(invoices, key=lambda i: (i.position, i.id))
        )
        contracts.append(PlannedContract(contract=contract, invoices=planned))
    contracts.sort(key=lambda c: _contract_key(c.contract))
    return BackupPlan(project_id=project.id, user_id=user_id, contracts=tuple(contracts))


def _planned_invoice(project: Project, invoice: Invoice, options: BackupOptions) -> PlannedInvoice:
    period = project.billing_period(invoice.billing_period_id)
    assert period is not None  # checked by plan_backup
    documents = [PlannedDocument(role=DocumentRole.INVOICE, document=invoice.document, position=0)]
    if Include.ATTACHMENTS in options.include:
        documents += [
            PlannedDocument(role=DocumentRole.ATTACHMENT, document=doc, position=index)
            for index, doc in enumerate(invoice.attachments, start=1)
        ]
    waivers = waivers_in_order(invoice, options.include)
    for waiver in waivers:
        if waiver.document is not None:
            documents.append(
                PlannedDocument(
                    role=DocumentRole.LIEN_WAIVER,
                    document=waiver.document,
                    position=len(documents),
                    waiver=waiver,
                )
            )
    return PlannedInvoice(
        invoice=invoice,
        period=period,
        documents=tuple(documents),
        missing_waivers=tuple(w for w in waivers if w.missing),
    )


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

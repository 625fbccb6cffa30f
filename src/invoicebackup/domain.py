"""The domain: projects, their people, contracts, billing periods and invoices.

Every class here is a frozen, slotted value with keyword-only construction and no
I/O. Validators guard invariants only (a period that ends before it starts, an
amount that is not a finite number, two open billing periods); parsing external
formats is :mod:`invoicebackup.serialization`'s job.

An invoice whose billing period no longer exists is representable on purpose: a
deleted period is a problem that :func:`~invoicebackup.compile.plan_backup` reports, not a
construction failure.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

__all__ = [
    "BillingPeriod",
    "Company",
    "Contract",
    "ContractKind",
    "Dictionary",
    "DocuSignLink",
    "Document",
    "Envelope",
    "EnvelopeStatus",
    "Invoice",
    "InvoiceStatus",
    "LinkState",
    "PeriodKind",
    "PeriodStatus",
    "PermissionLevel",
    "Permissions",
    "Project",
    "Tool",
    "User",
]


class Tool(enum.Enum):
    """A project tool whose permission level governs invoicing.

    Example:
        >>> from invoicebackup import ContractKind, Tool
        >>> Tool("prime_contracts") is ContractKind.PRIME_CONTRACT.governing_tool
        True
    """

    COMMITMENTS = "commitments"
    PRIME_CONTRACTS = "prime_contracts"
    INVOICING = "invoicing"


_LEVEL_ORDER = ("none", "read_only", "standard", "admin")


@functools.total_ordering
class PermissionLevel(enum.Enum):
    """A user's permission level on a tool, ordered ``NONE < READ_ONLY < STANDARD < ADMIN``.

    Example:
        >>> from invoicebackup import PermissionLevel
        >>> PermissionLevel.READ_ONLY < PermissionLevel.ADMIN, PermissionLevel.ADMIN.rank
        (True, 3)
        >>> max(PermissionLevel.STANDARD, PermissionLevel.NONE)
        <PermissionLevel.STANDARD: 'standard'>
    """

    NONE = "none"
    READ_ONLY = "read_only"
    STANDARD = "standard"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """The level's place in the order, from 0 (``NONE``) to 3 (``ADMIN``)."""
        return _LEVEL_ORDER.index(self.value)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PermissionLevel):
            return NotImplemented
        return self.rank < other.rank


class Dictionary(enum.Enum):
    """The point-of-view dictionary a project is shown in; it changes words, never rules.

    Example:
        >>> from invoicebackup import Dictionary, Project
        >>> Project(id="p-1", name="Harbour Tower").dictionary
        <Dictionary.GENERAL_CONTRACTOR: 'general_contractor'>
    """

    GENERAL_CONTRACTOR = "general_contractor"
    OWNER = "owner"
    SPECIALTY_CONTRACTOR = "specialty_contractor"


class ContractKind(enum.Enum):
    """What a contract is: a commitment (subcontract, purchase order) or a prime contract.

    Example:
        >>> from invoicebackup import ContractKind
        >>> ContractKind.PURCHASE_ORDER.is_commitment, ContractKind.PRIME_CONTRACT.is_commitment
        (True, False)
        >>> ContractKind.PURCHASE_ORDER.governing_tool
        <Tool.COMMITMENTS: 'commitments'>
    """

    SUBCONTRACT = "subcontract"
    PURCHASE_ORDER = "purchase_order"
    PRIME_CONTRACT = "prime_contract"

    @property
    def is_commitment(self) -> bool:
        """Whether the contract is a commitment, whose invoices are subcontractor invoices."""
        return self is not ContractKind.PRIME_CONTRACT

    @property
    def governing_tool(self) -> Tool:
        """The tool whose permission governs this contract's invoices."""
        return Tool.COMMITMENTS if self.is_commitment else Tool.PRIME_CONTRACTS


class PeriodStatus(enum.Enum):
    """Whether a billing period still takes invoices.

    Example:
        >>> from invoicebackup import PeriodStatus
        >>> [status.value for status in PeriodStatus]
        ['open', 'closed']
    """

    OPEN = "open"
    CLOSED = "closed"


class PeriodKind(enum.Enum):
    """How a billing period was created.

    Example:
        >>> from invoicebackup import PeriodKind
        >>> [kind.value for kind in PeriodKind]
        ['automatic', 'manual']
    """

    AUTOMATIC = "automatic"
    MANUAL = "manual"


class InvoiceStatus(enum.Enum):
    """Where an invoice stands in its review workflow.

    Example:
        >>> from invoicebackup import InvoiceStatus
        >>> InvoiceStatus("approved_as_noted")
        <InvoiceStatus.APPROVED_AS_NOTED: 'approved_as_noted'>
    """

    DRAFT = "draft"
    UNDER_REVIEW = "under_review"
    REVISE_AND_RESUBMIT = "revise_and_resubmit"
    APPROVED = "approved"
    APPROVED_AS_NOTED = "approved_as_noted"
    PENDING_OWNER_APPROVAL = "pending_owner_approval"


class EnvelopeStatus(enum.Enum):
    """A DocuSign envelope's status, with DocuSign's own values.

    Only ``COMPLETED`` means the signing workflow is complete; ``SIGNED`` is a
    transient state on the way there.

    Example:
        >>> from invoicebackup import EnvelopeStatus
        >>> EnvelopeStatus("timedOut")   # DocuSign's spelling; any case is accepted
        <EnvelopeStatus.TIMED_OUT: 'timedout'>
    """

    CREATED = "created"
    SENT = "sent"
    DELIVERED = "delivered"
    SIGNED = "signed"
    COMPLETED = "completed"
    DECLINED = "declined"
    VOIDED = "voided"
    DELETED = "deleted"
    TIMED_OUT = "timedout"

    @classmethod
    def _missing_(cls, value: object) -> EnvelopeStatus | None:
        # DocuSign spells some statuses in camelCase (``timedOut``); accept any case.
        if isinstance(value, str):
            for member in cls:
                if member.value == value.lower():
                    return member
        return None


class LinkState(enum.Enum):
    """Where a user's DocuSign account link stands.

    Example:
        >>> from invoicebackup import DocuSignLink
        >>> DocuSignLink().state
        <LinkState.NOT_LINKED: 'not_linked'>
    """

    NOT_LINKED = "not_linked"
    LINKED = "linked"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"


def _require_aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise ValueError(f"{attribute.name} must carry a time zone, got {value.isoformat()}")


def _non_empty(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be a non-empty string, got {value!r}")


def _id_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class DocuSignLink:
    """A user's DocuSign account link ("synced" account).

    Attributes:
        state: Linked, not linked, or awaiting re-authentication.
        account_id: The DocuSign account id the grant is for.
        base_uri: The account's REST base URI (``https://demo.docusign.net``).
        linked_at: When consent was granted.
        last_used_at: When the link was last used; a link unused for 30 days needs
            re-authentication.

    Example:
        >>> from invoicebackup import DocuSignLink, LinkState
        >>> DocuSignLink(state=LinkState.LINKED)
        Traceback (most recent call last):
            ...
        ValueError: a DocuSign link in state 'linked' needs an account_id and a base_uri
        >>> link = DocuSignLink(
        ...     state=LinkState.LINKED, account_id="a-1", base_uri="https://demo.docusign.net"
        ... )
        >>> link.state.value
        'linked'
    """

    state: LinkState = LinkState.NOT_LINKED
    account_id: str | None = None
    base_uri: str | None = None
    linked_at: datetime | None = attrs.field(default=None, validator=_require_aware)
    last_used_at: datetime | None = attrs.field(default=None, validator=_require_aware)

    def __attrs_post_init__(self) -> None:
        if self.state is not LinkState.NOT_LINKED and not (self.account_id and self.base_uri):
            raise ValueError(
                f"a DocuSign link in state {self.state.value!r} needs an account_id and a base_uri"
            )


@attrs.frozen(kw_only=True)
class Permissions:
    """A user's permission level on each tool; a tool left out is ``NONE``.

    Example:
        >>> from invoicebackup import PermissionLevel, Permissions, Tool
        >>> permissions = Permissions(commitments=PermissionLevel.ADMIN)
        >>> permissions.level(Tool.COMMITMENTS), permissions.level(Tool.INVOICING)
        (<PermissionLevel.ADMIN: 'admin'>, <PermissionLevel.NONE: 'none'>)
        >>> permissions.with_level(Tool.INVOICING, PermissionLevel.STANDARD).invoicing
        <PermissionLevel.STANDARD: 'standard'>
    """

    commitments: PermissionLevel = PermissionLevel.NONE
    prime_contracts: PermissionLevel = PermissionLevel.NONE
    invoicing: PermissionLevel = PermissionLevel.NONE

    def level(self, tool: Tool) -> PermissionLevel:
        """The level on *tool*."""
        level: PermissionLevel = getattr(self, tool.value)
        return level

    def with_level(self, tool: Tool, level: PermissionLevel) -> Permissions:
        """A copy with *tool* set to *level*."""
        return attrs.evolve(self, **{tool.value: level})


@attrs.frozen(kw_only=True)
class Company:
    """A company taking part in a project.

    Example:
        >>> from invoicebackup import Company, Project
        >>> project = Project(id="p-1", name="Tower", companies=[Company(id="co-1", name="Acme")])
        >>> project.company("co-1").name
        'Acme'
    """

    id: str = attrs.field(validator=_non_empty)
    name: str


@attrs.frozen(kw_only=True)
class User:
    """A person in the project's directory.

    Attributes:
        has_account: Whether the person has an account on the platform.
        active: Whether that account is active.
        company_id: The person's employer; a user whose company is not the
            project's company is a collaborator.

    Example:
        >>> from invoicebackup import PermissionLevel, Permissions, Tool, User
        >>> admin_on_commitments = Permissions(commitments=PermissionLevel.ADMIN)
        >>> ada = User(id="u-1", name="Ada", permissions=admin_on_commitments)
        >>> ada.level(Tool.COMMITMENTS), ada.docusign.state.value
        (<PermissionLevel.ADMIN: 'admin'>, 'not_linked')
    """

    id: str = attrs.field(validator=_non_empty)
    name: str
    email: str = ""
    company_id: str | None = None
    has_account: bool = True
    active: bool = True
    permissions: Permissions = Permissions()
    docusign: DocuSignLink = DocuSignLink()

    def level(self, tool: Tool) -> PermissionLevel:
        """The user's permission level on *tool*."""
        return self.permissions.level(tool)


@attrs.frozen(kw_only=True)
class Contract:
    """A commitment (subcontract, purchase order) or a prime contract.

    Attributes:
        number: The "Contract #" as shown to people (``SC-010``); backups sort on it
            in natural order.
        private: Whether only the tool's admins and the private list see it.
        private_list: Users who see it although it is private.
        invoice_contacts: Users designated as its invoice contacts; they are
            always treated as being on the private list.

    Example:
        >>> from invoicebackup import Contract
        >>> contract = Contract(id="c-2", number="SC-2", private=True, invoice_contacts=["u-7"])
        >>> contract.kind.value, contract.lists_privately("u-7"), contract.lists_privately("u-8")
        ('subcontract', True, False)
    """

    id: str = attrs.field(validator=_non_empty)
    number: str
    title: str = ""
    kind: ContractKind = ContractKind.SUBCONTRACT
    vendor_id: str | None = None
    private: bool = False
    private_list: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple)
    invoice_contacts: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple)

    def lists_privately(self, user_id: str) -> bool:
        """Whether *user_id* is on the private list (invoice contacts always are)."""
        return user_id in self.private_list or user_id in self.invoice_contacts


@attrs.frozen(kw_only=True)
class BillingPeriod:
    """A billing period of a project.

    Attributes:
        start: Its first day.
        end: Its last day; never before *start*.
        due: The day invoices for it are due.

    Example:
        >>> from datetime import date
        >>> from invoicebackup import BillingPeriod
        >>> BillingPeriod(
        ...     id="bp-5", start=date(2024, 5, 31), end=date(2024, 5, 1), due=date(2024, 6, 5)
        ... )
        Traceback (most recent call last):
            ...
        ValueError: billing period 'bp-5' ends (2024-05-01) before it starts (2024-05-31)
    """

    id: str = attrs.field(validator=_non_empty)
    start: date
    end: date
    due: date
    status: PeriodStatus = PeriodStatus.OPEN
    kind: PeriodKind = PeriodKind.AUTOMATIC

    def __attrs_post_init__(self) -> None:
        for name in ("start", "end", "due"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValueError(
                    f"billing period {self.id!r}: {name} must be a date, got {value!r}"
                )
        if self.end < self.start:
            raise ValueError(
                f"billing period {self.id!r} ends ({self.end}) before it starts ({self.start})"
            )


@attrs.frozen(kw_only=True)
class Document:
    """A stored file: its key in a document store, its file name and media type.

    Example:
        >>> from invoicebackup import Document
        >>> Document(key="docs/w.pdf", filename="Waiver.pdf").declared_pdf
        True
        >>> Document(key="docs/q.csv", filename="q.csv", media_type="text/csv").declared_pdf
        False
    """

    key: str = attrs.field(validator=_non_empty)
    filename: str
    media_type: str = "application/pdf"

    @property
    def declared_pdf(self) -> bool:
        """Whether the document says it is a PDF (by media type or file name)."""
        return self.media_type == "application/pdf" or self.filename.lower().endswith(".pdf")


@attrs.frozen(kw_only=True)
class Envelope:
    """The DocuSign envelope an invoice went through.

    Attributes:
        id: DocuSign's envelope id.
        status: Its last known status.
        completed_at: When the workflow completed, if it did.
        signed_document_key: Where the host keeps the signed document, if it does.
        certificate_key: Where the host keeps the certificate of completion, if it does.

    Example:
        >>> from datetime import datetime
        >>> from invoicebackup import Envelope, EnvelopeStatus
        >>> Envelope(id="env-1", status=EnvelopeStatus.COMPLETED, completed_at=datetime(2024, 6, 1))
        Traceback (most recent call last):
            ...
        ValueError: completed_at must carry a time zone, got 2024-06-01T00:00:00
    """

    id: str = attrs.field(validator=_non_empty)
    status: EnvelopeStatus
    completed_at: datetime | None = attrs.field(default=None, validator=_require_aware)
    signed_document_key: str | None = None
    certificate_key: str | None = None


def _finite_amount(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{attribute.name} must be a finite Decimal, got {value!r}")


# Typed converters: with a bare ``converter=tuple`` mypy's attrs plugin types the
# ``__init__`` parameter as an unsolvable ``Iterable[_T_co]`` and rejects every call.
def _document_tuple(values: Iterable[Document]) -> tuple[Document, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Invoice:
    """A subcontractor (or owner) invoice: requisition, pay application.

    Attributes:
        contract_id: The contract it bills against.
        billing_period_id: Its billing period; that period may have been deleted.
        position: Its ordinal within the contract (1, 2, …); unique per contract.
        amount: What it bills, as a finite Decimal.
        document: Its default PDF.
        attachments: Its attachments, in upload order.
        envelope: Its DocuSign envelope, if it went through one.

    Example:
        >>> from decimal import Decimal
        >>> from invoicebackup import Document, Invoice
        >>> invoice = Invoice(
        ...     id="i-1", contract_id="c-2", billing_period_id="bp-5", position=1, number="INV-1",
        ...     amount=Decimal("8400.00"),
        ...     document=Document(key="docs/i-1.pdf", filename="Invoice 1.pdf"),
        ... )
        >>> invoice.status.value, invoice.attachments, invoice.envelope
        ('draft', (), None)
        >>> Invoice(
        ...     id="i-2", contract_id="c-2", billing_period_id="bp-5", position=2, number="INV-2",
        ...     amount=Decimal("NaN"), document=invoice.document,
        ... )
        Traceback (most recent call last):
            ...
        ValueError: amount must be a finite Decimal, got Decimal('NaN')
    """

    id: str = attrs.field(validator=_non_empty)
    contract_id: str
    billing_period_id: str
    position: int
    number: str
    status: InvoiceStatus = InvoiceStatus.DRAFT
    amount: Decimal = attrs.field(default=Decimal(0), validator=_finite_amount)
    document: Document
    attachments: tuple[Document, ...] = attrs.field(default=(), converter=_document_tuple)
    envelope: Envelope | None = None


_T = TypeVar("_T")


def _companies_tuple(values: Iterable[Company]) -> tuple[Company, ...]:
    return tuple(values)


def _users_tuple(values: Iterable[User]) -> tuple[User, ...]:
    return tuple(values)


def _contracts_tuple(values: Iterable[Contract]) -> tuple[Contract, ...]:
    return tuple(values)


def _billing_periods_tuple(values: Iterable[BillingPeriod]) -> tuple[BillingPeriod, ...]:
    return tuple(values)


def _invoices_tuple(values: Iterable[Invoice]) -> tuple[Invoice, ...]:
    return tuple(values)


def _index(kind: str, items: Iterable[_T]) -> dict[str, _T]:
    index: dict[str, _T] = {}
    for item in items:
        key: str = getattr(item, "id")  # noqa: B009 - every indexed type has an id
        if key in index:
            raise ValueError(f"two {kind} share the id {key!r}")
        index[key] = item
    return index


@attrs.frozen(kw_only=True)
class Project:
    """A construction project and everything a backup needs to know about it.

    Attributes:
        language: The BCP 47 tag it is shown in (``en-US``, ``fr-CA``).
        dictionary: The point-of-view dictionary it is shown in.
        docusign_enabled: Whether the company enabled the DocuSign integration here.
        company_id: The company that manages the project; users of other companies
            are collaborators. ``None`` when unknown.

    Example:
        >>> from invoicebackup import Company, Contract, Project, User
        >>> project = Project(
        ...     id="p-1", name="Harbour Tower", company_id="co-gc",
        ...     companies=[Company(id="co-gc", name="Builder"), Company(id="co-s", name="Sparks")],
        ...     users=[User(id="u-1", name="Ada", company_id="co-gc"),
        ...            User(id="u-2", name="Bo", company_id="co-s")],
        ...     contracts=[Contract(id="c-2", number="SC-2")],
        ... )
        >>> project.contract("c-2").number, project.billing_period("bp-gone")
        ('SC-2', None)
        >>> [project.is_collaborator(u) for u in project.users]
        [False, True]
    """

    id: str = attrs.field(validator=_non_empty)
    name: str
    number: str = ""
    language: str = "en-US"
    dictionary: Dictionary = Dictionary.GENERAL_CONTRACTOR
    docusign_enabled: bool = False
    company_id: str | None = None
    companies: tuple[Company, ...] = attrs.field(default=(), converter=_companies_tuple)
    users: tuple[User, ...] = attrs.field(default=(), converter=_users_tuple)
    contracts: tuple[Contract, ...] = attrs.field(default=(), converter=_contracts_tuple)
    billing_periods: tuple[BillingPeriod, ...] = attrs.field(
        default=(), converter=_billing_periods_tuple
    )
    invoices: tuple[Invoice, ...] = attrs.field(default=(), converter=_invoices_tuple)

    _companies: Mapping[str, Company] = attrs.field(init=False, eq=False, repr=False)
    _users: Mapping[str, User] = attrs.field(init=False, eq=False, repr=False)
    _contracts: Mapping[str, Contract] = attrs.field(init=False, eq=False, repr=False)
    _periods: Mapping[str, BillingPeriod] = attrs.field(init=False, eq=False, repr=False)
    _invoices: Mapping[str, Invoice] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "_companies", _index("companies", self.companies))
        setter(self, "_users", _index("users", self.users))
        setter(self, "_contracts", _index("contracts", self.contracts))
        setter(self, "_periods", _index("billing periods", self.billing_periods))
        setter(self, "_invoices", _index("invoices", self.invoices))
        _check_periods(self.billing_periods)
        _check_text(self)
        positions: set[tuple[str, int]] = set()
        for invoice in self.invoices:
            slot = (invoice.contract_id, invoice.position)
            if slot in positions:
                raise ValueError(
                    f"invoice {invoice.id!r}: contract {invoice.contract_id!r} already has an "
                    f"invoice at position {invoice.position}"
                )
            positions.add(slot)

    def company(self, company_id: str) -> Company | None:
        """The company with *company_id*, or ``None``."""
        return self._companies.get(company_id)

    def user(self, user_id: str) -> User | None:
        """The user with *user_id* in the project's directory, or ``None``."""
        return self._users.get(user_id)

    def contract(self, contract_id: str) -> Contract | None:
        """The contract with *contract_id*, or ``None``."""
        return self._contracts.get(contract_id)

    def billing_period(self, period_id: str) -> BillingPeriod | None:
        """The billing period with *period_id*, or ``None`` (it may have been deleted)."""
        return self._periods.get(period_id)

    def invoice(self, invoice_id: str) -> Invoice | None:
        """The invoice with *invoice_id*, or ``None``."""
        return self._invoices.get(invoice_id)

    def invoices_of(self, contract_id: str) -> tuple[Invoice, ...]:
        """The invoices billed against *contract_id*, in position order."""
        found = [i for i in self.invoices if i.contract_id == contract_id]
        return tuple(sorted(found, key=lambda i: (i.position, i.id)))

    def is_collaborator(self, user: User) -> bool:
        """Whether *user* works for another company than the one managing the project."""
        return self.company_id is not None and user.company_id != self.company_id


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_text(project: Project) -> None:
    """Refuse a project holding half a character (an unpaired surrogate) in any text.

    Such a string cannot be encoded: it would fail later, untyped, while naming a
    file or writing a manifest. Found here, it is a ValueError saying where.
    """
    # One search over all the text first (a project is nearly always clean); the
    # paths are spelled out only to say where a surrogate is.
    if _SURROGATE.search("".join(_strings(project))) is None:
        return
    for where, text in _texts(project):
        found = _SURROGATE.search(text)
        if found is not None:
            raise ValueError(
                f"{where} contains the unpaired surrogate U+{ord(found.group()):04X}: "
                "text must be whole Unicode characters"
            )


def _strings(value: object) -> list[str]:
    """Every string in *value* (attrs instances, tuples of them), in no particular order."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, tuple):
            stack.extend(item)
        else:
            stack.extend(getattr(item, name) for name in _field_names(item))
    return found


def _texts(value: object) -> Iterator[tuple[str, str]]:
    """Every string in *value*, with its path (``invoices[2].number``)."""
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, tuple):
            stack.extend((f"{where}[{i}]", v) for i, v in enumerate(item))
        else:
            prefix = f"{where}." if where else ""
            stack.extend((prefix + name, getattr(item, name)) for name in _field_names(item))


def _field_names(item: object) -> Iterator[str]:
    """The names of *item*'s fields given at construction, if it is an attrs instance."""
    for field in getattr(type(item), "__attrs_attrs__", ()):
        if field.init:
            yield field.name


def _check_periods(periods: Iterable[BillingPeriod]) -> None:
    ordered = sorted(periods, key=lambda p: (p.start, p.end, p.id))
    open_ones = [p.id for p in ordered if p.status is PeriodStatus.OPEN]
    if len(open_ones) > 1:
        raise ValueError(f"at most one billing period may be open, found {open_ones}")
    for before, after in itertools.pairwise(ordered):
        if after.start <= before.end:
            raise ValueError(
                f"billing periods {before.id!r} ({before.start}..{before.end}) and "
                f"{after.id!r} ({after.start}..{after.end}) overlap"
            )

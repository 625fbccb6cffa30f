"""The domain: projects, their people, contracts, billing periods and invoices.

Every class here is a frozen, slotted value with keyword-only construction and no
I/O. Validators guard invariants (a period that ends before it starts, an amount
that is not a finite number, two open billing periods). Converters take the
unambiguous wire value, so a host's plain rows work as they are or fail when the
value is made, with an :class:`~invoicebackup.errors.InvalidValueError` naming the
field and what it allows:

- an enum field takes its member, or the member's value as a string in any ASCII
  case (``"approved"``, ``"Admin"``); anything else is refused;
- ``Project.language`` takes one of :data:`~invoicebackup.terminology.LANGUAGES`
  in any ASCII case, ``_`` for ``-`` (``en_us``); ``fr`` and ``de-DE`` are refused;
- a document key (``Document.key``, the envelope's keys) must be a safe relative
  path (:func:`~invoicebackup.storage.validate_key`'s rule);
- ``Document.media_type`` is inferred from the key's extension when absent, and a
  media type that contradicts the extension (a ``.pdf`` key said to be
  ``text/csv``) is refused;
- a list of ids refuses a bare string instead of iterating its characters.

Parsing external formats is :mod:`invoicebackup.serialization`'s job.

An invoice whose billing period no longer exists is representable on purpose: a
deleted period is a problem that :func:`~invoicebackup.plan.plan_backup` reports, not a
construction failure.

Longer than 800 lines because every value of the project model lives here with the
validators and converters they share, each class with its example (a third of the file is
docstrings); split, the shared validators would cross modules.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ._keys import key_problem
from ._languages import DEFAULT_LANGUAGE, language_tag
from .errors import InvalidValueError

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
    "LienWaiver",
    "LinkState",
    "PeriodKind",
    "PeriodStatus",
    "PermissionLevel",
    "Permissions",
    "Project",
    "Tool",
    "User",
    "WaiverCondition",
    "WaiverScope",
    "WaiverTier",
    "time_zone_name",
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


class WaiverTier(enum.Enum):
    """Who gives a lien waiver: the invoice's own vendor, or one of its subcontractors.

    Example:
        >>> from invoicebackup import WaiverTier
        >>> [tier.value for tier in WaiverTier]
        ['first', 'sub']

    .. versionadded:: 0.1.0
    """

    #: From the invoice's own vendor.
    FIRST = "first"
    #: From the vendor's own subcontractors and suppliers.
    SUB = "sub"


class WaiverCondition(enum.Enum):
    """Whether a lien waiver takes effect only once the payment is received.

    Example:
        >>> from invoicebackup import WaiverCondition
        >>> [condition.value for condition in WaiverCondition]
        ['conditional', 'unconditional']

    .. versionadded:: 0.1.0
    """

    CONDITIONAL = "conditional"
    UNCONDITIONAL = "unconditional"


class WaiverScope(enum.Enum):
    """What a lien waiver covers: a progress payment, or the final one.

    Example:
        >>> from invoicebackup import WaiverScope
        >>> [scope.value for scope in WaiverScope]
        ['progress', 'final']

    .. versionadded:: 0.1.0
    """

    PROGRESS = "progress"
    FINAL = "final"


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


_E = TypeVar("_E", bound=enum.Enum)


def _member(kind: type[_E], value: object, field: str) -> _E:
    """*value* as a member of *kind*: the member itself, or its value as a string.

    The value's case does not matter, ASCII only: ``"Admin"`` is ``admin``, but a
    Kelvin sign does not stand for a ``k``. Nothing else is guessed (no names shown
    to people such as ``"Read Only"``, no surrounding space).
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str) and value.isascii():
        wanted = value.lower()
        for member in kind:
            if member.value == wanted:
                return member
    raise InvalidValueError(field, value, allowed=[str(member.value) for member in kind])


def _ids(values: Iterable[str], field: str) -> tuple[str, ...]:
    """*values* as a tuple of ids; a bare string is refused rather than taken letter by letter."""
    if isinstance(values, str):
        raise InvalidValueError(
            field, values, reason=f"is a single string; give a list of ids such as [{values!r}]"
        )
    try:
        ids = tuple(values)
    except TypeError:
        raise InvalidValueError(field, values, reason="is not a list of ids") from None
    for item in ids:
        if not isinstance(item, str):
            raise InvalidValueError(field, values, reason=f"holds {item!r}, which is not an id")
    return ids


def _key(value: object, field: str) -> str:
    """*value* if it is a safe document key (:func:`~invoicebackup.storage.validate_key`)."""
    if not isinstance(value, str):
        raise InvalidValueError(
            field, value, reason="is not a document key (a relative path such as docs/i-7.pdf)"
        )
    problem = key_problem(value) or (None if value.strip() else "the key is blank")
    if problem is not None:
        raise InvalidValueError(field, value, reason=f"is not a safe document key: {problem}")
    return value


def _optional_key(value: object, field: str) -> str | None:
    return None if value is None else _key(value, field)


# Named converters, one a field: mypy's attrs plugin takes only named functions as
# converters, and each must name its field when it refuses a value.


def _permission_commitments(value: PermissionLevel | str) -> PermissionLevel:
    return _member(PermissionLevel, value, "Permissions.commitments")


def _permission_prime_contracts(value: PermissionLevel | str) -> PermissionLevel:
    return _member(PermissionLevel, value, "Permissions.prime_contracts")


def _permission_invoicing(value: PermissionLevel | str) -> PermissionLevel:
    return _member(PermissionLevel, value, "Permissions.invoicing")


def _link_state(value: LinkState | str) -> LinkState:
    return _member(LinkState, value, "DocuSignLink.state")


def _contract_kind(value: ContractKind | str) -> ContractKind:
    return _member(ContractKind, value, "Contract.kind")


def _private_list(values: Iterable[str]) -> tuple[str, ...]:
    return _ids(values, "Contract.private_list")


def _invoice_contacts(values: Iterable[str]) -> tuple[str, ...]:
    return _ids(values, "Contract.invoice_contacts")


def _period_status(value: PeriodStatus | str) -> PeriodStatus:
    return _member(PeriodStatus, value, "BillingPeriod.status")


def _period_kind(value: PeriodKind | str) -> PeriodKind:
    return _member(PeriodKind, value, "BillingPeriod.kind")


def _document_key(value: str) -> str:
    return _key(value, "Document.key")


def _envelope_status(value: EnvelopeStatus | str) -> EnvelopeStatus:
    return _member(EnvelopeStatus, value, "Envelope.status")


def _signed_document_key(value: str | None) -> str | None:
    return _optional_key(value, "Envelope.signed_document_key")


def _certificate_key(value: str | None) -> str | None:
    return _optional_key(value, "Envelope.certificate_key")


def _waiver_tier(value: WaiverTier | str) -> WaiverTier:
    return _member(WaiverTier, value, "LienWaiver.tier")


def _waiver_condition(value: WaiverCondition | str) -> WaiverCondition:
    return _member(WaiverCondition, value, "LienWaiver.condition")


def _waiver_scope(value: WaiverScope | str) -> WaiverScope:
    return _member(WaiverScope, value, "LienWaiver.scope")


def _invoice_status(value: InvoiceStatus | str) -> InvoiceStatus:
    return _member(InvoiceStatus, value, "Invoice.status")


def _project_language(value: str) -> str:
    return language_tag(value, "Project.language")


def time_zone_name(value: object) -> str | None:
    """*value* if it is an IANA time zone name the system knows (``America/Toronto``), or ``None``.

    Raises:
        InvalidValueError: *value* is not a zone name the system knows.

    Example:
        >>> from invoicebackup.domain import time_zone_name
        >>> time_zone_name("America/Toronto"), time_zone_name(None)
        ('America/Toronto', None)

    .. versionadded:: 0.1.0
    """
    if value is None:
        return None
    reason = "is not an IANA time zone name such as America/Toronto or Europe/Paris"
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("Project.time_zone", value, reason=reason)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidValueError("Project.time_zone", value, reason=reason) from None
    return value


def _project_dictionary(value: Dictionary | str) -> Dictionary:
    return _member(Dictionary, value, "Project.dictionary")


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

    state: LinkState = attrs.field(default=LinkState.NOT_LINKED, converter=_link_state)
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

    commitments: PermissionLevel = attrs.field(
        default=PermissionLevel.NONE, converter=_permission_commitments
    )
    prime_contracts: PermissionLevel = attrs.field(
        default=PermissionLevel.NONE, converter=_permission_prime_contracts
    )
    invoicing: PermissionLevel = attrs.field(
        default=PermissionLevel.NONE, converter=_permission_invoicing
    )

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
    kind: ContractKind = attrs.field(default=ContractKind.SUBCONTRACT, converter=_contract_kind)
    vendor_id: str | None = None
    private: bool = False
    private_list: tuple[str, ...] = attrs.field(default=(), converter=_private_list)
    invoice_contacts: tuple[str, ...] = attrs.field(default=(), converter=_invoice_contacts)

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
    status: PeriodStatus = attrs.field(default=PeriodStatus.OPEN, converter=_period_status)
    kind: PeriodKind = attrs.field(default=PeriodKind.AUTOMATIC, converter=_period_kind)

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


_PDF: Final = "application/pdf"
_ZIP: Final = "application/zip"
_EXCEL: Final = "application/vnd.ms-excel"
_XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: The media types a file name extension fits, the usual one first (what is inferred).
#: Generous on purpose: the aliases are what browsers and mail clients really send (a CSV
#: from Windows arrives as ``application/vnd.ms-excel``, an ``.xlsx`` as that or as a zip).
_MEDIA_TYPES_BY_EXTENSION: Final[Mapping[str, tuple[str, ...]]] = {
    "pdf": (_PDF, "application/x-pdf", "application/acrobat"),
    "jpg": ("image/jpeg", "image/pjpeg"),
    "jpeg": ("image/jpeg", "image/pjpeg"),
    "png": ("image/png",),
    "tif": ("image/tiff",),
    "tiff": ("image/tiff",),
    "gif": ("image/gif",),
    "bmp": ("image/bmp",),
    "webp": ("image/webp",),
    "heic": ("image/heic",),
    "csv": ("text/csv", "text/plain", "application/csv", "text/x-csv", _EXCEL),
    "txt": ("text/plain",),
    "xls": (_EXCEL,),
    "xlsx": (_XLSX, _EXCEL, _ZIP),
    "doc": ("application/msword",),
    "docx": (_DOCX, "application/msword", _ZIP),
    "zip": (_ZIP, "application/x-zip-compressed"),
    "json": ("application/json", "text/plain"),
    "xml": ("application/xml", "text/xml"),
}
#: Every media type the table knows. A type it does not know (``binary/octet-stream``,
#: ``application/x-anything``) never contradicts an extension: only a known one can.
_KNOWN_MEDIA_TYPES: Final = frozenset(itertools.chain(*_MEDIA_TYPES_BY_EXTENSION.values()))

# RFC 6838 section 4.2: type "/" subtype, each a restricted-name; then RFC 9110 parameters.
_RESTRICTED_NAME: Final = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
_MEDIA_TYPE: Final = re.compile(
    rf"(?P<essence>{_RESTRICTED_NAME}/{_RESTRICTED_NAME})(?P<parameters>;[\x20-\x7e\t]*)?",
    re.ASCII,
)


def _extension(name: str) -> str:
    """The lower-case extension of the last path segment of *name* (``pdf``), or ``""``."""
    stem, dot, extension = name.rpartition("/")[2].rpartition(".")
    return extension.lower() if dot and stem else ""


def _media_type(value: str | None) -> str:
    """*value* with its type and subtype in lower case, or ``""`` (infer it) for ``None``."""
    if value is None:
        return ""
    if isinstance(value, str):
        match = _MEDIA_TYPE.fullmatch(value.lower())
        if match is not None:
            return match["essence"] + value[match.end("essence") :]
    raise InvalidValueError(
        "Document.media_type",
        value,
        reason="is not a media type such as application/pdf (type/subtype, RFC 6838)",
    )


def _essence(media_type: str) -> str:
    return media_type.partition(";")[0]


@attrs.frozen(kw_only=True)
class Document:
    """A stored file: its key in a document store, its file name and media type.

    Attributes:
        key: Where the store keeps it: a safe relative path (``docs/i-7.pdf``), checked
            when the document is made.
        filename: Its name as the user knows it.
        media_type: What it is (``application/pdf``). When absent or ``None``, it is
            inferred from the key's extension, else the file name's, else taken to be
            a PDF (its bytes are checked when a backup reads it). Type and subtype are
            kept in lower case. A media type that the key's extension contradicts
            (a ``.pdf`` key said to be ``text/csv``) is refused; a type the library
            does not know (``binary/octet-stream``) never contradicts.

    Example:
        >>> from invoicebackup import Document
        >>> Document(key="docs/w.pdf", filename="Waiver.pdf").declared_pdf
        True
        >>> Document(key="docs/q.csv", filename="q.csv").media_type
        'text/csv'
        >>> Document(key="docs/scan.JPG", filename="Scan", media_type="Image/JPEG").media_type
        'image/jpeg'
        >>> Document(key="docs/q.pdf", filename="q.pdf", media_type="text/csv")
        Traceback (most recent call last):
            ...
        invoicebackup.errors.InvalidValueError: Document.media_type: 'text/csv' does not fit the \
key 'docs/q.pdf' (a .pdf is application/pdf, application/x-pdf or application/acrobat)
        >>> Document(key="../q.pdf", filename="q.pdf")
        Traceback (most recent call last):
            ...
        invoicebackup.errors.InvalidValueError: Document.key: '../q.pdf' is not a safe document \
key: the key has a '..' segment; keys name a path inside the store
    """

    key: str = attrs.field(converter=_document_key)
    filename: str
    media_type: str = attrs.field(default=None, converter=_media_type)

    def __attrs_post_init__(self) -> None:
        fitting = _MEDIA_TYPES_BY_EXTENSION.get(_extension(self.key), ())
        if not self.media_type:
            inferred = fitting or _MEDIA_TYPES_BY_EXTENSION.get(_extension(self.filename), (_PDF,))
            object.__setattr__(self, "media_type", inferred[0])
            return
        essence = _essence(self.media_type)
        if fitting and essence in _KNOWN_MEDIA_TYPES and essence not in fitting:
            names = ", ".join(fitting[:-1]) + (" or " if len(fitting) > 1 else "") + fitting[-1]
            raise InvalidValueError(
                "Document.media_type",
                self.media_type,
                allowed=fitting,
                reason=f"does not fit the key {self.key!r} (a .{_extension(self.key)} is {names})",
            )

    @property
    def declared_pdf(self) -> bool:
        """Whether the document says it is a PDF (by media type or file name)."""
        return _essence(self.media_type) in _MEDIA_TYPES_BY_EXTENSION[
            "pdf"
        ] or self.filename.lower().endswith(".pdf")


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
    status: EnvelopeStatus = attrs.field(converter=_envelope_status)
    completed_at: datetime | None = attrs.field(default=None, validator=_require_aware)
    signed_document_key: str | None = attrs.field(default=None, converter=_signed_document_key)
    certificate_key: str | None = attrs.field(default=None, converter=_certificate_key)


def _finite_amount(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{attribute.name} must be a finite Decimal, got {value!r}")


# Typed converters: with a bare ``converter=tuple`` mypy's attrs plugin types the
# ``__init__`` parameter as an unsolvable ``Iterable[_T_co]`` and rejects every call.
def _document_tuple(values: Iterable[Document]) -> tuple[Document, ...]:
    return tuple(values)


def _optional_document(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Document):
        raise ValueError(f"{attribute.name} must be a Document or None, got {value!r}")


def _claimant(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    # Typed and named, so that a project file's blank claimant is reported at its own key.
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("LienWaiver.claimant", value, reason="is not a name (it is blank)")


@attrs.frozen(kw_only=True)
class LienWaiver:
    """A lien waiver that goes with an invoice: received (its document) or still *missing*.

    Attributes:
        id: Its id, unique in the project.
        tier: First tier (from the invoice's vendor) or sub tier (from the vendor's own
            subcontractors and suppliers).
        condition: Conditional (upon payment) or unconditional.
        scope: Progress or final.
        claimant: Who waives, as written on the waiver.
        through_date: The day the waiver covers work up to.
        amount: The amount waived, as a finite Decimal.
        document: The stored waiver, or ``None`` when it was requested and has not
            been received: the waiver is :attr:`missing`, and a backup says so.

    Example:
        >>> from datetime import date
        >>> from decimal import Decimal
        >>> from invoicebackup import LienWaiver
        >>> waiver = LienWaiver(id="w-7-2", tier="SUB", condition="unconditional",
        ...                     scope="progress", claimant="Copper Supply Co.",
        ...                     through_date=date(2026, 9, 30), amount=Decimal("2100.00"))
        >>> waiver.tier.value, waiver.missing
        ('sub', True)
        >>> LienWaiver(id="w-1", tier="second", condition="conditional", scope="final",
        ...            claimant="Volt", through_date=date(2026, 9, 30), amount=Decimal(1))
        Traceback (most recent call last):
            ...
        invoicebackup.errors.InvalidValueError: LienWaiver.tier: 'second' is not one of first, sub

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=_non_empty)
    tier: WaiverTier = attrs.field(converter=_waiver_tier)
    condition: WaiverCondition = attrs.field(converter=_waiver_condition)
    scope: WaiverScope = attrs.field(converter=_waiver_scope)
    claimant: str = attrs.field(validator=_claimant)
    through_date: date
    amount: Decimal = attrs.field(validator=_finite_amount)
    document: Document | None = attrs.field(default=None, validator=_optional_document)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.through_date, date) or isinstance(self.through_date, datetime):
            raise ValueError(
                f"lien waiver {self.id!r}: through_date must be a date, got {self.through_date!r}"
            )

    @property
    def missing(self) -> bool:
        """Whether it was requested and not received (it has no document)."""
        return self.document is None


def _waiver_tuple(values: Iterable[LienWaiver]) -> tuple[LienWaiver, ...]:
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
        lien_waivers: Its lien waivers, in the order they were received (missing
            ones where they were requested).

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
    status: InvoiceStatus = attrs.field(default=InvoiceStatus.DRAFT, converter=_invoice_status)
    amount: Decimal = attrs.field(default=Decimal(0), validator=_finite_amount)
    document: Document
    attachments: tuple[Document, ...] = attrs.field(default=(), converter=_document_tuple)
    envelope: Envelope | None = None
    lien_waivers: tuple[LienWaiver, ...] = attrs.field(default=(), converter=_waiver_tuple)


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
        language: The language it is shown in, one of
            :data:`~invoicebackup.terminology.LANGUAGES` (``en-US``, ``fr-CA``), given in
            any ASCII case with ``_`` or ``-``; any other tag is refused.
        dictionary: The point-of-view dictionary it is shown in.
        docusign_enabled: Whether the company enabled the DocuSign integration here.
        company_id: The company that manages the project; users of other companies
            are collaborators. ``None`` when unknown.
        time_zone: The IANA name of the zone its times are shown in (a backup's name,
            its cover sheet), such as ``America/Toronto``; ``None`` for UTC. A name the
            system does not know is refused.

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
    language: str = attrs.field(default=DEFAULT_LANGUAGE, converter=_project_language)
    dictionary: Dictionary = attrs.field(
        default=Dictionary.GENERAL_CONTRACTOR, converter=_project_dictionary
    )
    docusign_enabled: bool = False
    company_id: str | None = None
    time_zone: str | None = attrs.field(default=None, converter=time_zone_name)
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

    @property
    def zone(self) -> tzinfo:
        """The zone of :attr:`time_zone`, UTC when it has none.

        Example:
            >>> from datetime import UTC, datetime
            >>> from invoicebackup import Project
            >>> toronto = Project(id="p-1", name="Tower", time_zone="America/Toronto")
            >>> datetime(2026, 11, 3, 14, 30, tzinfo=UTC).astimezone(toronto.zone).hour
            9
            >>> Project(id="p-2", name="Depot").zone
            datetime.timezone.utc
        """
        return UTC if self.time_zone is None else ZoneInfo(self.time_zone)

    def __attrs_post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "_companies", _index("companies", self.companies))
        setter(self, "_users", _index("users", self.users))
        setter(self, "_contracts", _index("contracts", self.contracts))
        setter(self, "_periods", _index("billing periods", self.billing_periods))
        setter(self, "_invoices", _index("invoices", self.invoices))
        _index("lien waivers", (w for i in self.invoices for w in i.lien_waivers))
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

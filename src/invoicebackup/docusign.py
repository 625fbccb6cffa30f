"""DocuSign: account links ("synced" accounts), envelopes and signature providers.

This module decides; it does no I/O. Three things live here:

* **The account link** of each user, as a literal transition table
  (:data:`TRANSITIONS`, in the style of h11): a user links a DocuSign account
  (:func:`link_account`), uses it (:func:`record_use`), lets it go stale
  (:func:`expire_if_stale`) or has the grant revoked (:func:`revoke_grant`), logs in
  again (:func:`reauthenticate`) or unlinks it (:func:`unlink_account`). An event
  the table does not list raises :class:`~invoicebackup.errors.InvalidTransitionError`.
  :func:`sync_status` says which state a link is in at a given time.
* **What can collect signatures**, as data (:data:`SIGNATURE_CATALOG`), and who may
  request them on what (:func:`can_request_signature`).
* **Envelopes**: which statuses are complete, final but unsuccessful, or still in
  progress (:data:`ENVELOPE_OUTCOMES`), and the :class:`SignatureProvider` port that a
  compile reads them through.

Longer than 800 lines because nearly half of it is docstrings with examples, and its
three parts share the link, envelope and permission types they decide on.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol, runtime_checkable

import attrs

from .domain import (
    Contract,
    DocuSignLink,
    EnvelopeStatus,
    Invoice,
    InvoiceStatus,
    LinkState,
    PermissionLevel,
    Project,
    Tool,
    User,
)
from .errors import InvalidTransitionError
from .permissions import Decision, Reason
from .terminology import Vocabulary, for_project

__all__ = [
    "ENVELOPE_OUTCOMES",
    "GOVERNING_TOOLS",
    "MAX_IDLE",
    "SIGNABLE_INVOICE_STATUSES",
    "SIGNATURE_CATALOG",
    "TRANSITIONS",
    "CatalogEntry",
    "EnvelopeInfo",
    "EnvelopeOutcome",
    "InvoiceDirection",
    "LinkEvent",
    "SignableItem",
    "SignableKind",
    "SignatureProvider",
    "SignatureReasonCode",
    "SignatureTool",
    "SyncReport",
    "SyncStatus",
    "can_request_signature",
    "envelope_outcome",
    "expire_if_stale",
    "is_complete",
    "is_final_unsuccessful",
    "is_in_progress",
    "is_stale",
    "link_account",
    "next_link_state",
    "reauthenticate",
    "record_use",
    "revoke_grant",
    "sync_status",
    "unlink_account",
]


# -- the account link ----------------------------------------------------------------


class LinkEvent(enum.Enum):
    """Something that happens to a user's DocuSign account link.

    Example:
        >>> from invoicebackup import LinkEvent, LinkState, next_link_state
        >>> next_link_state(LinkState.LINKED, LinkEvent.EXPIRE)
        <LinkState.REAUTHENTICATION_REQUIRED: 'reauthentication_required'>

    .. versionadded:: 0.1.0
    """

    #: The user granted consent for the first time (or after unlinking).
    GRANT = "grant"
    #: The link was used to talk to DocuSign.
    USE = "use"
    #: The link went unused for :data:`MAX_IDLE`.
    EXPIRE = "expire"
    #: DocuSign revoked the grant (or refused its token for good).
    REVOKE = "revoke"
    #: The user logged in with DocuSign again.
    REAUTHENTICATE = "reauthenticate"
    #: The user (or an administrator) removed the link.
    UNLINK = "unlink"


_NOT: Final = LinkState.NOT_LINKED
_LINKED: Final = LinkState.LINKED
_REAUTH: Final = LinkState.REAUTHENTICATION_REQUIRED

#: Every transition of an account link, as ``(state, event) -> next state``; nothing
#: else is allowed.
TRANSITIONS: Final[Mapping[tuple[LinkState, LinkEvent], LinkState]] = {
    (_NOT, LinkEvent.GRANT): _LINKED,
    (_LINKED, LinkEvent.USE): _LINKED,
    (_LINKED, LinkEvent.EXPIRE): _REAUTH,
    (_LINKED, LinkEvent.REVOKE): _REAUTH,
    (_LINKED, LinkEvent.UNLINK): _NOT,
    (_REAUTH, LinkEvent.REAUTHENTICATE): _LINKED,
    (_REAUTH, LinkEvent.UNLINK): _NOT,
}

#: How long a link may go unused before it needs re-authentication.
MAX_IDLE: Final = timedelta(days=30)


def next_link_state(state: LinkState, event: LinkEvent) -> LinkState:
    """The state a link in *state* moves to on *event*, from :data:`TRANSITIONS`.

    Raises:
        InvalidTransitionError: The table has no such transition.

    Example:
        >>> from invoicebackup import InvalidTransitionError, LinkEvent, LinkState, next_link_state
        >>> next_link_state(LinkState.REAUTHENTICATION_REQUIRED, LinkEvent.UNLINK)
        <LinkState.NOT_LINKED: 'not_linked'>
        >>> try:
        ...     next_link_state(LinkState.NOT_LINKED, LinkEvent.REVOKE)
        ... except InvalidTransitionError as error:
        ...     print(error)
        a DocuSign link in state 'not_linked' cannot take event 'revoke'

    .. versionadded:: 0.1.0
    """
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransitionError(state=state.value, event=event.value) from None


def link_account(
    current: DocuSignLink = DocuSignLink(),  # noqa: B008 - a frozen value, safe as a default
    *,
    account_id: str,
    base_uri: str,
    now: datetime,
) -> DocuSignLink:
    """Link a DocuSign account: the user granted consent (event ``grant``).

    Args:
        current: The user's link now; it must be not linked.
        account_id: The DocuSign account the grant is for.
        base_uri: That account's REST base URI (``https://demo.docusign.net``).
        now: When consent was granted; also the link's last use.

    Raises:
        InvalidTransitionError: The link is already linked or awaiting re-authentication.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import InvalidTransitionError, link_account
        >>> june = datetime(2024, 6, 1, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> link.state.value, link.account_id, link.last_used_at == june
        ('linked', 'a-1', True)
        >>> try:
        ...     link_account(link, account_id="a-2", base_uri="https://demo.docusign.net", now=june)
        ... except InvalidTransitionError as error:
        ...     print(error.state, error.event)
        linked grant

    .. versionadded:: 0.1.0
    """
    state = next_link_state(current.state, LinkEvent.GRANT)
    return DocuSignLink(
        state=state, account_id=account_id, base_uri=base_uri, linked_at=now, last_used_at=now
    )


def reauthenticate(
    current: DocuSignLink,
    *,
    now: datetime,
    account_id: str | None = None,
    base_uri: str | None = None,
) -> DocuSignLink:
    """The user logged in with DocuSign again (event ``reauthenticate``).

    Args:
        current: A link awaiting re-authentication.
        now: When the new grant was given; the link counts as granted and used then.
        account_id: The account of the new grant, if it changed.
        base_uri: Its base URI, if it changed.

    Raises:
        InvalidTransitionError: The link is not awaiting re-authentication.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import link_account, reauthenticate, revoke_grant
        >>> june, july = datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 15, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> again = reauthenticate(revoke_grant(link), now=july, account_id="a-2")
        >>> again.state.value, again.account_id, again.base_uri, again.linked_at == july
        ('linked', 'a-2', 'https://demo.docusign.net', True)

    .. versionadded:: 0.1.0
    """
    state = next_link_state(current.state, LinkEvent.REAUTHENTICATE)
    return DocuSignLink(
        state=state,
        account_id=account_id or current.account_id,
        base_uri=base_uri or current.base_uri,
        linked_at=now,
        last_used_at=now,
    )


def record_use(current: DocuSignLink, *, now: datetime) -> DocuSignLink:
    """The link was used at *now* (event ``use``).

    Raises:
        InvalidTransitionError: The link is not linked.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import link_account, record_use
        >>> june, july = datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 15, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> used = record_use(link, now=july)
        >>> used.last_used_at == july, record_use(used, now=june).last_used_at == july
        (True, True)

    .. versionadded:: 0.1.0
    """
    state = next_link_state(current.state, LinkEvent.USE)
    last = current.last_used_at
    return attrs.evolve(current, state=state, last_used_at=now if last is None else max(last, now))


def is_stale(current: DocuSignLink, *, now: datetime, max_idle: timedelta = MAX_IDLE) -> bool:
    """Whether a linked account went unused for *max_idle* or more at *now*.

    The last use is :attr:`~invoicebackup.domain.DocuSignLink.last_used_at`, else
    :attr:`~invoicebackup.domain.DocuSignLink.linked_at`; a linked account with
    neither is not stale (nothing says how old it is). Only a ``linked`` link can be
    stale.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import is_stale, link_account
        >>> june = datetime(2024, 6, 1, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> is_stale(link, now=datetime(2024, 6, 30, tzinfo=UTC))   # 29 days unused
        False
        >>> is_stale(link, now=datetime(2024, 7, 1, tzinfo=UTC))    # 30 days: MAX_IDLE
        True

    .. versionadded:: 0.1.0
    """
    if current.state is not LinkState.LINKED:
        return False
    last = current.last_used_at or current.linked_at
    return last is not None and now - last >= max_idle


def expire_if_stale(
    current: DocuSignLink, *, now: datetime, max_idle: timedelta = MAX_IDLE
) -> DocuSignLink:
    """The link, moved to re-authentication required if it is stale (event ``expire``).

    A link that is not stale (or not linked) comes back unchanged.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import expire_if_stale, link_account
        >>> june = datetime(2024, 6, 1, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> expire_if_stale(link, now=datetime(2024, 6, 30, tzinfo=UTC)) is link
        True
        >>> expire_if_stale(link, now=datetime(2024, 7, 1, tzinfo=UTC)).state.value
        'reauthentication_required'

    .. versionadded:: 0.1.0
    """
    if not is_stale(current, now=now, max_idle=max_idle):
        return current
    return attrs.evolve(current, state=next_link_state(current.state, LinkEvent.EXPIRE))


def revoke_grant(current: DocuSignLink) -> DocuSignLink:
    """DocuSign revoked the grant: the user must log in again (event ``revoke``).

    Raises:
        InvalidTransitionError: The link is not linked.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import link_account, revoke_grant
        >>> june = datetime(2024, 6, 1, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> revoked = revoke_grant(link)
        >>> revoked.state.value, revoked.account_id
        ('reauthentication_required', 'a-1')

    .. versionadded:: 0.1.0
    """
    return attrs.evolve(current, state=next_link_state(current.state, LinkEvent.REVOKE))


def unlink_account(current: DocuSignLink) -> DocuSignLink:
    """Remove the link, forgetting the account (event ``unlink``).

    Raises:
        InvalidTransitionError: The link is not linked nor awaiting re-authentication.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import link_account, unlink_account
        >>> june = datetime(2024, 6, 1, tzinfo=UTC)
        >>> link = link_account(account_id="a-1", base_uri="https://demo.docusign.net", now=june)
        >>> unlinked = unlink_account(link)
        >>> unlinked.state.value, unlinked.account_id, unlinked.linked_at
        ('not_linked', None, None)

    .. versionadded:: 0.1.0
    """
    return DocuSignLink(state=next_link_state(current.state, LinkEvent.UNLINK))


class SyncStatus(enum.Enum):
    """The state of a user's DocuSign account link, as the profile page judges it.

    :meth:`label` names the state; :meth:`caption` is what the page shows beside
    "Link DocuSign account" (``Synced``, or a ``Login with DocuSign`` button).

    Example:
        >>> from invoicebackup import SyncStatus
        >>> SyncStatus.SYNCED.label(), SyncStatus.SYNCED.caption(language="fr-CA")
        ('synced', 'Synchronisé')
        >>> SyncStatus.REAUTHENTICATION_REQUIRED.label()
        're-authentication required'
        >>> SyncStatus.REAUTHENTICATION_REQUIRED.caption()
        'Login with DocuSign'

    .. versionadded:: 0.1.0
    """

    #: The account is linked and was used within :data:`MAX_IDLE`.
    SYNCED = "synced"
    #: No account is linked.
    NOT_LINKED = "not_linked"
    #: An account is linked but must log in again (revoked, or unused for :data:`MAX_IDLE`).
    REAUTHENTICATION_REQUIRED = "reauthentication_required"

    def label(self, *, language: str = "en-US") -> str:
        """The state's name in *language* (``synced``, ``non lié``)."""
        return Vocabulary(language=language).term(f"sync.{self.value}")

    def caption(self, *, language: str = "en-US") -> str:
        """What the profile page shows in *language*: ``Synced`` or ``Login with DocuSign``."""
        key = "synced" if self is SyncStatus.SYNCED else "login"
        return Vocabulary(language=language).term(f"sync.caption.{key}")


@attrs.frozen(kw_only=True)
class SyncReport:
    """A user's link state at a given time, and what it rests on.

    Its text (:meth:`describe`, and ``str()`` in English) is the state and, when a
    login is needed because the link went unused, since when:
    ``re-authentication required (last used 2026-11-02, 30 days idle)``.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import SyncReport, SyncStatus
        >>> report = SyncReport(status=SyncStatus.REAUTHENTICATION_REQUIRED,
        ...                     last_used_at=datetime(2026, 11, 2, tzinfo=UTC), idle_days=30)
        >>> print(report)
        re-authentication required (last used 2026-11-02, 30 days idle)
        >>> report.describe(language="fr-CA").startswith("nouvelle authentification requise")
        True

    .. versionadded:: 0.1.0
    """

    #: The state.
    status: SyncStatus
    #: When the link was last used (else when it was made), if known.
    last_used_at: datetime | None = None
    #: Whole days since :attr:`last_used_at` at the time judged, when the link went stale.
    idle_days: int | None = None

    def describe(self, *, language: str = "en-US") -> str:
        """The state in words, in *language*."""
        words = Vocabulary(language=language)
        text = self.status.label(language=language)
        if self.idle_days is not None and self.last_used_at is not None:
            detail = words.message(
                "sync.idle", last_used=self.last_used_at.date().isoformat(), days=self.idle_days
            )
            text = f"{text} ({detail})"
        return text

    def __str__(self) -> str:
        return self.describe()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def sync_status(
    user: User, *, now: datetime | None = None, max_idle: timedelta = MAX_IDLE
) -> SyncReport:
    """The state of *user*'s DocuSign link at *now*: synced, not linked, or needing a login.

    A link that is ``linked`` but went unused for *max_idle* or more needs
    re-authentication, as one whose grant was revoked does.

    Args:
        user: The user.
        now: The time to judge staleness at; the current time when ``None``.
        max_idle: How long a link may go unused.

    Example:
        >>> from datetime import UTC, date, datetime
        >>> from invoicebackup import sync_status
        >>> from invoicebackup.testing import sample_project
        >>> users = sample_project(today=date(2026, 11, 3)).users   # Ada's link: used on 2 Nov.
        >>> now = datetime(2026, 11, 20, tzinfo=UTC)
        >>> [str(sync_status(user, now=now)) for user in users]
        ['synced', 'not linked', 'not linked']
        >>> report = sync_status(users[0], now=datetime(2026, 12, 31, tzinfo=UTC))
        >>> report.status.value
        'reauthentication_required'
        >>> str(report)
        're-authentication required (last used 2026-11-02, 58 days idle)'
        >>> report.status.caption()
        'Login with DocuSign'

    .. versionadded:: 0.1.0
    """
    link = user.docusign
    last = link.last_used_at or link.linked_at
    if link.state is LinkState.NOT_LINKED:
        return SyncReport(status=SyncStatus.NOT_LINKED)
    if link.state is LinkState.REAUTHENTICATION_REQUIRED:
        return SyncReport(status=SyncStatus.REAUTHENTICATION_REQUIRED, last_used_at=last)
    at = _utcnow() if now is None else now
    if is_stale(link, now=at, max_idle=max_idle):
        assert last is not None  # is_stale says so: a link with no date is never stale
        return SyncReport(
            status=SyncStatus.REAUTHENTICATION_REQUIRED,
            last_used_at=last,
            idle_days=(at - last).days,
        )
    return SyncReport(status=SyncStatus.SYNCED, last_used_at=last)


# -- what can collect signatures -----------------------------------------------------


class SignatureTool(enum.Enum):
    """A project tool from which signatures can be requested.

    Only some of them have a permission level of their own in the domain
    (:class:`~invoicebackup.domain.Tool`); see :data:`GOVERNING_TOOLS`.

    Example:
        >>> from invoicebackup import SIGNATURE_CATALOG, SignatureTool
        >>> SignatureTool.PRIME_CONTRACTS.label()
        'Prime Contracts'
        >>> [entry.kind.value for entry in SIGNATURE_CATALOG[SignatureTool.COMMITMENTS]]
        ['purchase_order', 'subcontract', 'commitment_change_order']

    .. versionadded:: 0.1.0
    """

    CHANGE_ORDERS = "change_orders"
    COMMITMENTS = "commitments"
    CORRESPONDENCE = "correspondence"
    DOCUMENTS = "documents"
    INVOICING = "invoicing"
    PRIME_CONTRACTS = "prime_contracts"

    def label(self, *, words: Vocabulary | None = None) -> str:
        """The tool's name in *words* (default: general contractor, English)."""
        return (words or Vocabulary()).term(f"tool.{self.value}")


class SignableKind(enum.Enum):
    """A kind of item that can collect signatures.

    Example:
        >>> from invoicebackup import SignableKind
        >>> SignableKind.OWNER_INVOICE.is_invoice, SignableKind.SUBCONTRACT.is_invoice
        (True, False)
        >>> SignableKind.PURCHASE_ORDER.label()
        'Purchase Orders'

    .. versionadded:: 0.1.0
    """

    COMMITMENT_CHANGE_ORDER = "commitment_change_order"
    PRIME_CONTRACT_CHANGE_ORDER = "prime_contract_change_order"
    PURCHASE_ORDER = "purchase_order"
    SUBCONTRACT = "subcontract"
    CORRESPONDENCE = "correspondence"
    DOCUMENT = "document"
    PRIME_CONTRACT = "prime_contract"
    OWNER_INVOICE = "owner_invoice"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice"

    @property
    def is_invoice(self) -> bool:
        """Whether items of this kind are invoices (owner or subcontractor)."""
        return self in (SignableKind.OWNER_INVOICE, SignableKind.SUBCONTRACTOR_INVOICE)

    def label(self, *, words: Vocabulary | None = None) -> str:
        """The kind's name in *words* (``Purchase Orders``, ``Funding``)."""
        return (words or Vocabulary()).term(f"signable.{self.value}")


class InvoiceDirection(enum.Enum):
    """Which way an invoice flows, seen from the project's company.

    Example:
        >>> from invoicebackup import InvoiceDirection
        >>> InvoiceDirection.UPSTREAM.label()
        'These are your upstream invoices'

    .. versionadded:: 0.1.0
    """

    #: An owner invoice, where the company bills the owner.
    UPSTREAM = "upstream"
    #: A subcontractor invoice, where a subcontractor bills the company.
    DOWNSTREAM = "downstream"

    def label(self, *, words: Vocabulary | None = None) -> str:
        """The note the catalog shows (``These are your upstream invoices``)."""
        return (words or Vocabulary()).term(f"direction.{self.value}")


@attrs.frozen(kw_only=True)
class CatalogEntry:
    """One kind of item a tool collects signatures for.

    Attributes:
        kind: The kind of item.
        direction: For invoices, whether they are upstream or downstream.

    Example:
        >>> from invoicebackup import SIGNATURE_CATALOG, SignatureTool
        >>> [(e.kind.value, e.direction.value) for e in SIGNATURE_CATALOG[SignatureTool.INVOICING]]
        [('owner_invoice', 'upstream'), ('subcontractor_invoice', 'downstream')]

    .. versionadded:: 0.1.0
    """

    kind: SignableKind
    direction: InvoiceDirection | None = None


_CCO: Final = CatalogEntry(kind=SignableKind.COMMITMENT_CHANGE_ORDER)
_PCCO: Final = CatalogEntry(kind=SignableKind.PRIME_CONTRACT_CHANGE_ORDER)
_OWNER_INVOICE: Final = CatalogEntry(
    kind=SignableKind.OWNER_INVOICE, direction=InvoiceDirection.UPSTREAM
)

#: What each tool collects signatures for, in the order the product lists them.
SIGNATURE_CATALOG: Final[Mapping[SignatureTool, tuple[CatalogEntry, ...]]] = {
    SignatureTool.CHANGE_ORDERS: (_CCO, _PCCO),
    SignatureTool.COMMITMENTS: (
        CatalogEntry(kind=SignableKind.PURCHASE_ORDER),
        CatalogEntry(kind=SignableKind.SUBCONTRACT),
        _CCO,
    ),
    SignatureTool.CORRESPONDENCE: (CatalogEntry(kind=SignableKind.CORRESPONDENCE),),
    SignatureTool.DOCUMENTS: (CatalogEntry(kind=SignableKind.DOCUMENT),),
    SignatureTool.INVOICING: (
        _OWNER_INVOICE,
        CatalogEntry(
            kind=SignableKind.SUBCONTRACTOR_INVOICE, direction=InvoiceDirection.DOWNSTREAM
        ),
    ),
    SignatureTool.PRIME_CONTRACTS: (
        CatalogEntry(kind=SignableKind.PRIME_CONTRACT),
        _PCCO,
        _OWNER_INVOICE,
    ),
}

#: The domain tool whose permission level governs editing each kind of item, or
#: ``None`` where the domain models no level (Correspondence, Documents): the host
#: then passes the level in ``can_request_signature(..., tool_levels=...)``. A change
#: order is governed by the tool of the contract it changes, an invoice by its
#: contract's tool (Commitments for subcontractor invoices, Prime Contracts for owner
#: invoices), whichever tool the request comes from.
GOVERNING_TOOLS: Final[Mapping[SignableKind, Tool | None]] = {
    SignableKind.COMMITMENT_CHANGE_ORDER: Tool.COMMITMENTS,
    SignableKind.PRIME_CONTRACT_CHANGE_ORDER: Tool.PRIME_CONTRACTS,
    SignableKind.PURCHASE_ORDER: Tool.COMMITMENTS,
    SignableKind.SUBCONTRACT: Tool.COMMITMENTS,
    SignableKind.CORRESPONDENCE: None,
    SignableKind.DOCUMENT: None,
    SignableKind.PRIME_CONTRACT: Tool.PRIME_CONTRACTS,
    SignableKind.OWNER_INVOICE: Tool.PRIME_CONTRACTS,
    SignableKind.SUBCONTRACTOR_INVOICE: Tool.COMMITMENTS,
}

#: The signature tool whose level stands in for a kind without a domain tool.
_OWN_TOOL: Final[Mapping[SignableKind, SignatureTool]] = {
    SignableKind.CORRESPONDENCE: SignatureTool.CORRESPONDENCE,
    SignableKind.DOCUMENT: SignatureTool.DOCUMENTS,
}

#: The invoice statuses in which signatures may be requested.
SIGNABLE_INVOICE_STATUSES: Final = (
    InvoiceStatus.APPROVED,
    InvoiceStatus.APPROVED_AS_NOTED,
    InvoiceStatus.PENDING_OWNER_APPROVAL,
)


@attrs.frozen(kw_only=True)
class SignableItem:
    """An item someone wants to send for signature.

    Attributes:
        kind: What it is.
        id: Its id (an invoice id for invoices).
        tool: The tool the request comes from; ``None`` means any tool that lists
            the kind.
        invoice_status: For an invoice, its status; when ``None`` the project's
            invoice with the same id decides.
        contract_id: The contract it belongs to, if any; a private contract limits
            who may request signatures on it.

    Example:
        >>> from invoicebackup import SignableItem
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> invoice, contract = project.invoice("i-3"), project.contract("k-10")
        >>> item = SignableItem.for_invoice(invoice, contract=contract)
        >>> item.kind.value, item.id, item.invoice_status.value, item.contract_id
        ('subcontractor_invoice', 'i-3', 'under_review', 'k-10')

    .. versionadded:: 0.1.0
    """

    kind: SignableKind
    id: str
    tool: SignatureTool | None = None
    invoice_status: InvoiceStatus | None = None
    contract_id: str | None = None

    @classmethod
    def for_invoice(
        cls, invoice: Invoice, *, contract: Contract, tool: SignatureTool | None = None
    ) -> SignableItem:
        """The item for *invoice*, billed against *contract*.

        A commitment's invoice is a subcontractor invoice, a prime contract's an
        owner invoice.
        """
        kind = (
            SignableKind.SUBCONTRACTOR_INVOICE
            if contract.kind.is_commitment
            else SignableKind.OWNER_INVOICE
        )
        return cls(
            kind=kind,
            id=invoice.id,
            tool=tool,
            invoice_status=invoice.status,
            contract_id=contract.id,
        )


class SignatureReasonCode(enum.Enum):
    """The stable codes of the reasons :func:`can_request_signature` may give.

    ``unknown_contract``, ``not_on_private_list`` and ``not_standard_on_tool`` are
    the codes the permission rules use for the same conditions.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import SignableItem, SignatureReasonCode, can_request_signature
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> invoice, contract = project.invoice("i-3"), project.contract("k-10")
        >>> item = SignableItem.for_invoice(invoice, contract=contract)
        >>> decision = can_request_signature(project, project.user("u-reader"), item,
        ...                                  now=datetime(2026, 11, 20, tzinfo=UTC))
        >>> sorted(SignatureReasonCode(code).name for code in decision.codes)
        ['DOCUSIGN_NOT_LINKED', 'INVOICE_STATUS_NOT_SIGNABLE', 'NOT_STANDARD_ON_TOOL']

    .. versionadded:: 0.1.0
    """

    #: The company has not enabled the DocuSign integration on the project.
    DOCUSIGN_DISABLED = "docusign_disabled"
    #: The user has no linked DocuSign account.
    DOCUSIGN_NOT_LINKED = "docusign_not_linked"
    #: The user's link awaits re-authentication (revoked, or unused for 30 days).
    DOCUSIGN_REAUTHENTICATION_REQUIRED = "docusign_reauthentication_required"
    #: The tool does not collect signatures for that kind of item.
    ITEM_NOT_SIGNABLE = "item_not_signable"
    #: The item names a contract that is not in the project.
    UNKNOWN_CONTRACT = "unknown_contract"
    #: The user's level on the governing tool is below Standard.
    NOT_STANDARD_ON_TOOL = "not_standard_on_tool"
    #: The item's contract is private and the user is neither admin nor on its list.
    NOT_ON_PRIVATE_LIST = "not_on_private_list"
    #: An invoice that is not approved, approved as noted nor pending owner approval.
    INVOICE_STATUS_NOT_SIGNABLE = "invoice_status_not_signable"


#: Reasons whose wording is not under ``reason.<code>`` in the terminology table.
_TEMPLATES: Final[Mapping[SignatureReasonCode, str]] = {
    SignatureReasonCode.NOT_STANDARD_ON_TOOL: "reason.cannot_edit_item",
}


def _supported(item: SignableItem) -> bool:
    tools = [item.tool] if item.tool is not None else list(SIGNATURE_CATALOG)
    return any(
        entry.kind is item.kind for tool in tools for entry in SIGNATURE_CATALOG.get(tool, ())
    )


def _level_on(
    user: User, kind: SignableKind, tool_levels: Mapping[SignatureTool, PermissionLevel]
) -> tuple[PermissionLevel, Tool | SignatureTool]:
    governing = GOVERNING_TOOLS[kind]
    if governing is not None:
        return user.level(governing), governing
    own = _OWN_TOOL[kind]
    return tool_levels.get(own, PermissionLevel.NONE), own


def can_request_signature(
    project: Project,
    user: User,
    item: SignableItem,
    *,
    tool_levels: Mapping[SignatureTool, PermissionLevel] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Whether *user* may request DocuSign signatures on *item*, with every reason if not.

    The conditions, all checked:

    * the company enabled the DocuSign integration on *project*;
    * the user's account is linked and not awaiting re-authentication (nor unused
      for :data:`MAX_IDLE`);
    * the tool collects signatures for the item's kind (:data:`SIGNATURE_CATALOG`);
    * the user's level on the tool that governs the item (:data:`GOVERNING_TOOLS`) is
      Standard or more; on a private contract, Admin or a place on its private list;
    * an invoice is approved, approved as noted or pending owner approval.

    Args:
        project: The project the item belongs to.
        user: Who asks.
        item: What they want signed.
        tool_levels: The user's level on tools the domain has no permission for
            (Correspondence, Documents); a tool left out is ``NONE``.
        now: When to judge the link's staleness; the current time when ``None``.

    Returns:
        A decision, allowed exactly when no reason stands against it. Granting more
        (a higher level, the integration, a linked account) never takes an
        allowance away.

    Example:
        >>> from datetime import UTC, datetime
        >>> from invoicebackup import SignableItem, can_request_signature
        >>> from invoicebackup.testing import sample_project
        >>> project, now = sample_project(), datetime(2026, 11, 20, tzinfo=UTC)
        >>> invoice, contract = project.invoice("i-1"), project.contract("k-2")
        >>> item = SignableItem.for_invoice(invoice, contract=contract)
        >>> can_request_signature(project, project.user("u-admin"), item, now=now).allowed
        True
        >>> decision = can_request_signature(project, project.user("u-volt"), item, now=now)
        >>> [(reason.code, reason.subject_id) for reason in decision.reasons]
        [('docusign_not_linked', 'u-volt')]
        >>> print(decision.reasons[0].message)
        Victor Volt has not linked a DocuSign account.

    .. versionadded:: 0.1.0
    """
    words = for_project(project)
    user_label = user.name.strip() or user.id
    reasons: list[Reason] = []

    def add(code: SignatureReasonCode, subject: str, subject_id: str, **fields: str) -> None:
        text = words.message(
            _TEMPLATES.get(code, f"reason.{code.value}"), user=user_label, **fields
        )
        reasons.append(
            Reason(code=code.value, subject_kind=subject, subject_id=subject_id, message=text)
        )

    if not project.docusign_enabled:
        add(SignatureReasonCode.DOCUSIGN_DISABLED, "project", project.id, project=project.name)
    link_state = user.docusign.state
    if link_state is LinkState.NOT_LINKED:
        add(SignatureReasonCode.DOCUSIGN_NOT_LINKED, "user", user.id)
    elif sync_status(user, now=now).status is not SyncStatus.SYNCED:
        add(SignatureReasonCode.DOCUSIGN_REAUTHENTICATION_REQUIRED, "user", user.id)

    kind_label = item.kind.label(words=words)
    if not _supported(item):
        tool_label = item.tool.label(words=words) if item.tool is not None else ""
        add(
            SignatureReasonCode.ITEM_NOT_SIGNABLE,
            "item",
            item.id,
            item=item.id,
            kind=kind_label,
            tool=tool_label,
        )

    level, governing = _level_on(user, item.kind, tool_levels or {})
    contract = project.contract(item.contract_id) if item.contract_id is not None else None
    if item.contract_id is not None and contract is None:
        add(
            SignatureReasonCode.UNKNOWN_CONTRACT,
            "contract",
            item.contract_id,
            contract=item.contract_id,
        )
    if level < PermissionLevel.STANDARD:
        add(
            SignatureReasonCode.NOT_STANDARD_ON_TOOL,
            "item",
            item.id,
            item=item.id,
            kind=kind_label,
            tool=_tool_label(governing, words),
            required=words.level_name(PermissionLevel.STANDARD),
            level=words.level_name(level),
        )
    if (
        contract is not None
        and contract.private
        and level < PermissionLevel.ADMIN
        and not contract.lists_privately(user.id)
    ):
        add(
            SignatureReasonCode.NOT_ON_PRIVATE_LIST,
            "contract",
            contract.id,
            contract=contract.number or contract.id,
        )

    if item.kind.is_invoice:
        status = item.invoice_status
        if status is None:
            invoice = project.invoice(item.id)
            status = invoice.status if invoice is not None else None
        if status not in SIGNABLE_INVOICE_STATUSES:
            status_label = (
                words.term(f"invoice_status.{status.value}") if status is not None else "?"
            )
            add(
                SignatureReasonCode.INVOICE_STATUS_NOT_SIGNABLE,
                "invoice",
                item.id,
                invoice=item.id,
                status=status_label,
                allowed=", ".join(
                    words.term(f"invoice_status.{s.value}") for s in SIGNABLE_INVOICE_STATUSES
                ),
            )
    return Decision(reasons=reasons)


def _tool_label(tool: Tool | SignatureTool, words: Vocabulary) -> str:
    if isinstance(tool, Tool):
        return words.tool_name(tool)
    return tool.label(words=words)


# -- envelopes -----------------------------------------------------------------------


class EnvelopeOutcome(enum.Enum):
    """Where an envelope's signing workflow stands, as a compile sees it.

    Example:
        >>> from invoicebackup import EnvelopeOutcome
        >>> [outcome.value for outcome in EnvelopeOutcome]
        ['complete', 'unsuccessful', 'in_progress']

    .. versionadded:: 0.1.0
    """

    #: The workflow is complete and the signed document final.
    COMPLETE = "complete"
    #: The workflow ended without completing (declined, voided, deleted, timed out).
    UNSUCCESSFUL = "unsuccessful"
    #: The workflow is still going (``signed`` included: it is transient).
    IN_PROGRESS = "in_progress"


#: The outcome of each envelope status. Only ``completed`` is complete.
ENVELOPE_OUTCOMES: Final[Mapping[EnvelopeStatus, EnvelopeOutcome]] = {
    EnvelopeStatus.CREATED: EnvelopeOutcome.IN_PROGRESS,
    EnvelopeStatus.SENT: EnvelopeOutcome.IN_PROGRESS,
    EnvelopeStatus.DELIVERED: EnvelopeOutcome.IN_PROGRESS,
    EnvelopeStatus.SIGNED: EnvelopeOutcome.IN_PROGRESS,
    EnvelopeStatus.COMPLETED: EnvelopeOutcome.COMPLETE,
    EnvelopeStatus.DECLINED: EnvelopeOutcome.UNSUCCESSFUL,
    EnvelopeStatus.VOIDED: EnvelopeOutcome.UNSUCCESSFUL,
    EnvelopeStatus.DELETED: EnvelopeOutcome.UNSUCCESSFUL,
    EnvelopeStatus.TIMED_OUT: EnvelopeOutcome.UNSUCCESSFUL,
}


def envelope_outcome(status: EnvelopeStatus) -> EnvelopeOutcome:
    """The outcome of an envelope in *status* (see :data:`ENVELOPE_OUTCOMES`).

    Example:
        >>> from invoicebackup import EnvelopeStatus, envelope_outcome
        >>> envelope_outcome(EnvelopeStatus.SIGNED)   # transient: DocuSign has not completed it
        <EnvelopeOutcome.IN_PROGRESS: 'in_progress'>
        >>> envelope_outcome(EnvelopeStatus("timedOut"))
        <EnvelopeOutcome.UNSUCCESSFUL: 'unsuccessful'>

    .. versionadded:: 0.1.0
    """
    return ENVELOPE_OUTCOMES[status]


def is_complete(status: EnvelopeStatus) -> bool:
    """Whether *status* means the signing workflow is complete (only ``completed``).

    Example:
        >>> from invoicebackup import EnvelopeStatus
        >>> from invoicebackup.docusign import is_complete
        >>> [status.value for status in EnvelopeStatus if is_complete(status)]
        ['completed']

    .. versionadded:: 0.1.0
    """
    return ENVELOPE_OUTCOMES[status] is EnvelopeOutcome.COMPLETE


def is_final_unsuccessful(status: EnvelopeStatus) -> bool:
    """Whether the workflow ended without completing: declined, voided, deleted, timed out.

    Example:
        >>> from invoicebackup import EnvelopeStatus
        >>> from invoicebackup.docusign import is_final_unsuccessful
        >>> [status.value for status in EnvelopeStatus if is_final_unsuccessful(status)]
        ['declined', 'voided', 'deleted', 'timedout']

    .. versionadded:: 0.1.0
    """
    return ENVELOPE_OUTCOMES[status] is EnvelopeOutcome.UNSUCCESSFUL


def is_in_progress(status: EnvelopeStatus) -> bool:
    """Whether the workflow may still complete: created, sent, delivered, signed.

    Example:
        >>> from invoicebackup import EnvelopeStatus
        >>> from invoicebackup.docusign import is_in_progress
        >>> [status.value for status in EnvelopeStatus if is_in_progress(status)]
        ['created', 'sent', 'delivered', 'signed']

    .. versionadded:: 0.1.0
    """
    return ENVELOPE_OUTCOMES[status] is EnvelopeOutcome.IN_PROGRESS


@attrs.frozen(kw_only=True)
class EnvelopeInfo:
    """What a signature provider says of an envelope.

    Attributes:
        envelope_id: DocuSign's envelope id.
        status: Its status now.
        completed_at: When its workflow completed, if it did.

    Example:
        >>> from invoicebackup import EnvelopeInfo, EnvelopeStatus
        >>> info = EnvelopeInfo(envelope_id="env-1", status=EnvelopeStatus.SIGNED)
        >>> info.is_complete, info.outcome.value
        (False, 'in_progress')

    .. versionadded:: 0.1.0
    """

    envelope_id: str
    status: EnvelopeStatus
    completed_at: datetime | None = None

    @property
    def is_complete(self) -> bool:
        """Whether the signing workflow is complete (only ``completed`` counts)."""
        return is_complete(self.status)

    @property
    def outcome(self) -> EnvelopeOutcome:
        """Complete, unsuccessful or in progress."""
        return ENVELOPE_OUTCOMES[self.status]


@runtime_checkable
class SignatureProvider(Protocol):
    """The port to a signature service such as DocuSign.

    Implementations: :class:`~invoicebackup.docusign_rest.DocuSignProvider` (the real
    eSignature REST API) and :class:`~invoicebackup.testing.InMemorySignatureProvider`.

    Example:
        >>> from invoicebackup import SignatureProvider
        >>> from invoicebackup.testing import InMemorySignatureProvider
        >>> provider = InMemorySignatureProvider()
        >>> provider.add_envelope("env-1")
        >>> isinstance(provider, SignatureProvider), provider.envelope_status("env-1").status.value
        (True, 'sent')

    .. versionadded:: 0.1.0
    """

    def envelope_status(self, envelope_id: str) -> EnvelopeInfo:
        """The status of one envelope.

        Raises:
            EnvelopeNotFoundError: The service does not know the envelope.
            SignatureProviderError: The service failed.
        """
        ...

    def envelope_statuses(self, envelope_ids: Sequence[str]) -> Mapping[str, EnvelopeInfo]:
        """The status of many envelopes at once, keyed by envelope id.

        An envelope the service does not know is absent from the mapping.
        """
        ...

    def signed_document(self, envelope_id: str) -> bytes:
        """The signed document of a completed envelope, as one PDF."""
        ...

    def certificate(self, envelope_id: str) -> bytes:
        """The certificate of completion of a completed envelope, as a PDF."""
        ...

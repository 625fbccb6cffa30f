"""Hypothesis strategies for every domain type, and for whole valid projects.

Import them as ``from tests.strategies import projects`` (``tests`` is a package).

The building blocks are small on purpose so that property tests of other modules can
reuse them: :data:`user_ids`, :data:`permission_levels`, :func:`permissions`,
:func:`users`, :func:`contracts`, :func:`billing_period_lists`, :func:`invoices` …
:func:`projects` puts them together into a :class:`~invoicebackup.domain.Project` that
satisfies every invariant: unique ids per collection, non-overlapping billing periods
with at most one open, positions unique within a contract, private lists and invoice
contacts naming real users. Some invoices point at a billing period id that is not in
the project (a deleted period), which the domain must keep representable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import attrs
from hypothesis import strategies as st

from invoicebackup.domain import (
    BillingPeriod,
    Company,
    Contract,
    ContractKind,
    Dictionary,
    Document,
    DocuSignLink,
    Envelope,
    EnvelopeStatus,
    Invoice,
    InvoiceStatus,
    LinkState,
    PeriodKind,
    PeriodStatus,
    PermissionLevel,
    Permissions,
    Project,
    Tool,
    User,
)
from invoicebackup.errors import InvalidValueError

__all__ = [
    "DELETED_PERIOD_PREFIX",
    "Grant",
    "PermissionCase",
    "amounts",
    "aware_datetimes",
    "billing_period_ids",
    "billing_period_lists",
    "billing_periods",
    "companies",
    "company_ids",
    "contract_ids",
    "contracts",
    "dates",
    "document_keys",
    "documents",
    "docusign_links",
    "envelopes",
    "filenames",
    "grants",
    "ids",
    "invoice_ids",
    "invoices",
    "naive_datetimes",
    "names",
    "non_finite_decimals",
    "permission_cases",
    "permission_levels",
    "permissions",
    "projects",
    "put_contract",
    "put_user",
    "texts",
    "tools",
    "user_ids",
    "users",
]

#: Billing period ids that :func:`projects` uses for deleted periods start with this.
DELETED_PERIOD_PREFIX = "bp-deleted-"

# ---------------------------------------------------------------------------
# Scalars

#: Any text JSON can carry through UTF-8 (no lone surrogates), including the empty string.
texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
    max_size=16,
)

#: People's, companies' and projects' names: mostly plain, sometimes any text.
names = st.one_of(
    st.sampled_from(
        ["Ada Admin", "Victor Volt", "Acme Builders", "Tour Émeraude", "O'Brien & Sons"]
    ),
    texts,
)


def ids(prefix: str) -> st.SearchStrategy[str]:
    """Non-empty ids: mostly ``"<prefix>-<n>"``, sometimes arbitrary non-blank text."""
    plain = st.integers(min_value=0, max_value=9999).map(lambda n: f"{prefix}-{n}")
    odd = st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]),
        min_size=1,
        max_size=10,
    ).filter(lambda s: bool(s.strip()))
    return st.one_of(plain, plain, plain, odd)


user_ids = ids("u")
company_ids = ids("c")
contract_ids = ids("k")
billing_period_ids = ids("bp")
invoice_ids = ids("i")

tools = st.sampled_from(Tool)
permission_levels = st.sampled_from(PermissionLevel)

#: Dates from 2000 to 2099.
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))

_offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Instants with a fixed UTC offset (mostly UTC), so they round-trip with their zone."""
    return st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.one_of(st.just(UTC), _offsets),
    )


def naive_datetimes() -> st.SearchStrategy[datetime]:
    """Instants without a zone, which the domain must refuse."""
    return st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))


def amounts() -> st.SearchStrategy[Decimal]:
    """Finite amounts: mostly cents, sometimes any exponent (``1E+3``, ``-0.000``)."""
    cents = st.decimals(
        min_value=Decimal("-1000000"),
        max_value=Decimal("100000000"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )
    anything = st.decimals(allow_nan=False, allow_infinity=False)
    return st.one_of(cents, cents, anything)


def non_finite_decimals() -> st.SearchStrategy[Decimal]:
    """``NaN``, signalling ``sNaN`` and both infinities, signs included."""
    return st.sampled_from(
        [
            Decimal("NaN"),
            Decimal("-NaN"),
            Decimal("sNaN"),
            Decimal("Infinity"),
            Decimal("-Infinity"),
        ]
    )


_key_segments = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.",
    min_size=1,
    max_size=10,
).map(lambda s: f"{s}_" if s in (".", "..") else s)  # a map, not a filter: no retries

#: Safe document keys: relative POSIX paths that stay inside the project folder.
document_keys = st.lists(_key_segments, min_size=1, max_size=3).map("/".join)

#: File names as users upload them (any text, sometimes with a PDF extension).
filenames = st.one_of(texts.map(lambda s: f"{s}.pdf"), texts)

_media_types = st.sampled_from(
    ["application/pdf", "image/jpeg", "image/png", "application/octet-stream", "text/plain"]
)

# ---------------------------------------------------------------------------
# Values


def permissions() -> st.SearchStrategy[Permissions]:
    """Any level on each tool."""
    return st.builds(
        Permissions,
        commitments=permission_levels,
        prime_contracts=permission_levels,
        invoicing=permission_levels,
    )


_any_permissions = permissions


@st.composite
def docusign_links(draw: st.DrawFn) -> DocuSignLink:
    """A DocuSign account link in any state; a linked one always names its account."""
    state = draw(st.sampled_from(LinkState))
    needs_account = state is not LinkState.NOT_LINKED
    account = st.uuids().map(str)
    uri = st.sampled_from(["https://demo.docusign.net", "https://eu.docusign.net"])
    maybe_instant = st.none() | aware_datetimes()
    return DocuSignLink(
        state=state,
        account_id=draw(account if needs_account else st.none() | account),
        base_uri=draw(uri if needs_account else st.none() | uri),
        linked_at=draw(maybe_instant),
        last_used_at=draw(maybe_instant),
    )


_any_company_id = company_ids


def companies(*, company_id: st.SearchStrategy[str] = company_ids) -> st.SearchStrategy[Company]:
    """A company."""
    return st.builds(Company, id=company_id, name=names)


def users(
    *,
    user_id: st.SearchStrategy[str] = user_ids,
    company_id: st.SearchStrategy[str | None] | None = None,
    permissions: st.SearchStrategy[Permissions] | None = None,
) -> st.SearchStrategy[User]:
    """A user; *company_id* defaults to any company id or ``None``."""
    return st.builds(
        User,
        id=user_id,
        name=names,
        email=st.one_of(st.just(""), st.sampled_from(["ada@example.com", "v@volt.example"]), texts),
        company_id=company_id if company_id is not None else st.none() | company_ids,
        has_account=st.booleans(),
        active=st.booleans(),
        permissions=permissions if permissions is not None else _any_permissions(),
        docusign=docusign_links(),
    )


@st.composite
def contracts(
    draw: st.DrawFn,
    *,
    contract_id: st.SearchStrategy[str] = contract_ids,
    user_ids: Sequence[str] = (),
    company_ids: Sequence[str] = (),
) -> Contract:
    """A contract whose private list and invoice contacts name only *user_ids*."""
    people = st.lists(st.sampled_from(user_ids), unique=True) if user_ids else st.just([])
    vendor = st.none() | (st.sampled_from(company_ids) if company_ids else _any_company_id)
    number = st.one_of(
        st.builds(
            str.format,
            st.sampled_from(["SC-{}", "PO-{:03d}", "PC-{}"]),
            st.integers(1, 120),
        ),
        texts,
    )
    return Contract(
        id=draw(contract_id),
        number=draw(number),
        title=draw(texts),
        kind=draw(st.sampled_from(ContractKind)),
        vendor_id=draw(vendor),
        private=draw(st.booleans()),
        private_list=draw(people),
        invoice_contacts=draw(people),
    )


@st.composite
def billing_periods(
    draw: st.DrawFn,
    *,
    period_id: st.SearchStrategy[str] = billing_period_ids,
    status: st.SearchStrategy[PeriodStatus] | None = None,
) -> BillingPeriod:
    """One billing period, ending on or after its start."""
    start = draw(dates)
    end = start + timedelta(days=draw(st.integers(0, 45)))
    return BillingPeriod(
        id=draw(period_id),
        start=start,
        end=end,
        due=start + timedelta(days=draw(st.integers(-10, 60))),
        status=draw(status if status is not None else st.sampled_from(PeriodStatus)),
        kind=draw(st.sampled_from(PeriodKind)),
    )


@st.composite
def billing_period_lists(
    draw: st.DrawFn, *, min_size: int = 0, max_size: int = 5
) -> list[BillingPeriod]:
    """Billing periods with unique ids, disjoint date ranges and at most one open, in any order."""
    period_ids = draw(
        st.lists(billing_period_ids, min_size=min_size, max_size=max_size, unique=True).filter(
            lambda xs: not any(x.startswith(DELETED_PERIOD_PREFIX) for x in xs)
        )
    )
    open_index = draw(st.none() | st.integers(0, max(len(period_ids) - 1, 0)))
    day = draw(dates)
    periods = []
    for index, period_id in enumerate(period_ids):
        start = day + timedelta(days=draw(st.integers(0, 20)))
        end = start + timedelta(days=draw(st.integers(0, 40)))
        day = end + timedelta(days=1)
        periods.append(
            BillingPeriod(
                id=period_id,
                start=start,
                end=end,
                due=end - timedelta(days=draw(st.integers(-15, 15))),
                status=PeriodStatus.OPEN if index == open_index else PeriodStatus.CLOSED,
                kind=draw(st.sampled_from(PeriodKind)),
            )
        )
    return draw(st.permutations(periods))


@st.composite
def documents(draw: st.DrawFn, *, key: st.SearchStrategy[str] = document_keys) -> Document:
    """A document with a safe key, and a media type that fits it or none (then inferred)."""
    made = {"key": draw(key), "filename": draw(filenames)}
    try:
        return Document(**made, media_type=draw(st.none() | _media_types))
    except InvalidValueError:  # the key's extension rules that media type out
        return Document(**made)


def envelopes() -> st.SearchStrategy[Envelope]:
    """A DocuSign envelope in any status."""
    return st.builds(
        Envelope,
        id=st.uuids().map(str),
        status=st.sampled_from(EnvelopeStatus),
        completed_at=st.none() | aware_datetimes(),
        signed_document_key=st.none() | document_keys,
        certificate_key=st.none() | document_keys,
    )


def invoices(
    *,
    invoice_id: st.SearchStrategy[str] = invoice_ids,
    contract_id: st.SearchStrategy[str] = contract_ids,
    billing_period_id: st.SearchStrategy[str] = billing_period_ids,
    position: st.SearchStrategy[int] | None = None,
    envelope: st.SearchStrategy[Envelope | None] | None = None,
) -> st.SearchStrategy[Invoice]:
    """One invoice; pass strategies to tie it to a contract, period or position."""
    return st.builds(
        Invoice,
        id=invoice_id,
        contract_id=contract_id,
        billing_period_id=billing_period_id,
        position=position if position is not None else st.integers(1, 60),
        number=st.one_of(st.integers(1, 9999).map(lambda n: f"INV-{n:04d}"), texts),
        status=st.sampled_from(InvoiceStatus),
        amount=amounts(),
        document=documents(),
        attachments=st.lists(documents(), max_size=3).map(tuple),
        envelope=envelope if envelope is not None else st.none() | envelopes(),
    )


# ---------------------------------------------------------------------------
# Whole projects


@st.composite
def projects(
    draw: st.DrawFn,
    *,
    min_invoices: int = 0,
    max_invoices: int = 6,
    max_users: int = 4,
    max_contracts: int = 3,
    max_periods: int = 4,
    docusign_enabled: bool | None = None,
    deleted_periods: bool = True,
) -> Project:
    """A whole project that satisfies every invariant of the domain.

    Args:
        draw: Supplied by hypothesis.
        min_invoices: The fewest invoices to generate.
        max_invoices: The most invoices to generate.
        max_users: The most users in the directory.
        max_contracts: The most contracts (at least one when invoices are wanted).
        max_periods: The most billing periods.
        docusign_enabled: Fix whether the DocuSign integration is on; ``None`` draws it.
        deleted_periods: Whether some invoices may name a billing period id that is
            not in the project (ids starting with :data:`DELETED_PERIOD_PREFIX`).
    """
    company_list = draw(st.lists(companies(), max_size=3, unique_by=lambda c: c.id))
    known_companies = [c.id for c in company_list]
    employer = st.none() | (st.sampled_from(known_companies) if known_companies else st.nothing())
    user_list = draw(
        st.lists(users(company_id=employer), max_size=max_users, unique_by=lambda u: u.id)
    )
    known_users = [u.id for u in user_list]
    contract_list = draw(
        st.lists(
            contracts(user_ids=known_users, company_ids=known_companies),
            min_size=1 if min_invoices > 0 else 0,
            max_size=max(max_contracts, 1 if min_invoices > 0 else 0),
            unique_by=lambda c: c.id,
        )
    )
    must_have_period = not deleted_periods and min_invoices > 0
    period_list = draw(
        billing_period_lists(min_size=1 if must_have_period else 0, max_size=max(max_periods, 1))
    )

    invoice_list: list[Invoice] = []
    if contract_list and (period_list or deleted_periods):
        invoice_id_list = draw(
            st.lists(invoice_ids, min_size=min_invoices, max_size=max_invoices, unique=True)
        )
        chosen = [draw(st.sampled_from(contract_list)).id for _ in invoice_id_list]
        positions: dict[str, list[int]] = {}
        for contract_id in set(chosen):
            count = chosen.count(contract_id)
            positions[contract_id] = draw(
                st.lists(st.integers(1, 60), min_size=count, max_size=count, unique=True)
            )
        period_choices = [p.id for p in period_list]
        deleted = st.integers(0, 99).map(lambda n: f"{DELETED_PERIOD_PREFIX}{n}")
        if period_choices and deleted_periods:
            period_id = st.one_of(
                st.sampled_from(period_choices), st.sampled_from(period_choices), deleted
            )
        elif period_choices:
            period_id = st.sampled_from(period_choices)
        else:
            period_id = deleted
        for invoice_id, contract_id in zip(invoice_id_list, chosen, strict=True):
            invoice_list.append(
                draw(
                    invoices(
                        invoice_id=st.just(invoice_id),
                        contract_id=st.just(contract_id),
                        billing_period_id=period_id,
                        position=st.just(positions[contract_id].pop()),
                    )
                )
            )

    return Project(
        id=draw(ids("p")),
        name=draw(names),
        number=draw(st.one_of(st.just(""), st.integers(1, 999).map(lambda n: f"2024-{n:03d}"))),
        language=draw(st.sampled_from(["en-US", "fr-CA"])),
        dictionary=draw(st.sampled_from(Dictionary)),
        docusign_enabled=draw(st.booleans()) if docusign_enabled is None else docusign_enabled,
        company_id=draw(employer),
        companies=company_list,
        users=user_list,
        contracts=contract_list,
        billing_periods=period_list,
        invoices=invoice_list,
    )


# ---------------------------------------------------------------------------
# Permissions (tests/property/test_permissions_properties.py)


@attrs.frozen(kw_only=True)
class PermissionCase:
    """A project and a request to put to each permission rule.

    Attributes:
        project: The project; some invoices may bill a contract it no longer has.
        user_id: The requester, mostly from the directory, sometimes a stranger.
        invoice_ids: A selection to compile, with repeats and unknown ids.
        invoice_id: An invoice to view, mostly from the project.
        contract_id: A contract to invoice on as a collaborator, mostly from the project.
    """

    project: Project
    user_id: str
    invoice_ids: tuple[str, ...]
    invoice_id: str
    contract_id: str


@st.composite
def permission_cases(draw: st.DrawFn) -> PermissionCase:
    """A :class:`PermissionCase` on a small project, sometimes with an orphaned invoice."""
    project = draw(projects(max_invoices=5, max_users=3, max_contracts=3, max_periods=1))
    all_contract_ids = [c.id for c in project.contracts]
    if project.contracts and draw(st.integers(0, 4)) == 0:
        dropped = draw(st.sampled_from(all_contract_ids))
        project = attrs.evolve(project, contracts=[c for c in project.contracts if c.id != dropped])

    def mostly(known: Sequence[str], fresh: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        if not known:
            return fresh
        from_project = st.sampled_from(known)
        return st.one_of(from_project, from_project, from_project, fresh)

    known_invoices = [i.id for i in project.invoices]
    some_invoice = mostly(known_invoices, invoice_ids)
    return PermissionCase(
        project=project,
        user_id=draw(mostly([u.id for u in project.users], user_ids)),
        invoice_ids=tuple(draw(st.lists(some_invoice, max_size=6))),
        invoice_id=draw(some_invoice),
        contract_id=draw(mostly(all_contract_ids, contract_ids)),
    )


def put_user(project: Project, user: User) -> Project:
    """*project* with *user* in its directory, replacing the user with the same id."""
    others = [u for u in project.users if u.id != user.id]
    return attrs.evolve(project, users=[*others, user])


def put_contract(project: Project, contract: Contract) -> Project:
    """*project* with *contract*, replacing the contract with the same id."""
    others = [c for c in project.contracts if c.id != contract.id]
    return attrs.evolve(project, contracts=[*others, contract])


@attrs.frozen(kw_only=True)
class Grant:
    """One thing the company account holder may grant a user.

    Attributes:
        kind: ``"level"``, ``"account"``, ``"activate"``, ``"private_list"`` or
            ``"invoice_contact"``.
        tool: For ``"level"``, the tool.
        level: For ``"level"``, the level to raise to (never lowers).
        contract_index: For list grants, which contract (modulo their number).
    """

    kind: str
    tool: Tool = Tool.COMMITMENTS
    level: PermissionLevel = PermissionLevel.NONE
    contract_index: int = 0

    def apply(self, project: Project, user_id: str) -> Project:
        """*project* after granting this to *user_id* (no change if it cannot apply)."""
        user = project.user(user_id)
        if self.kind in ("private_list", "invoice_contact"):
            if not project.contracts:
                return project
            contract = project.contracts[self.contract_index % len(project.contracts)]
            if self.kind == "private_list" and user_id not in contract.private_list:
                contract = attrs.evolve(contract, private_list=(*contract.private_list, user_id))
            elif self.kind == "invoice_contact" and user_id not in contract.invoice_contacts:
                contract = attrs.evolve(
                    contract, invoice_contacts=(*contract.invoice_contacts, user_id)
                )
            return put_contract(project, contract)
        if user is None:
            return project
        if self.kind == "level":
            level = max(user.level(self.tool), self.level)
            user = attrs.evolve(user, permissions=user.permissions.with_level(self.tool, level))
        elif self.kind == "account":
            user = attrs.evolve(user, has_account=True)
        else:
            user = attrs.evolve(user, active=True)
        return put_user(project, user)


def grants() -> st.SearchStrategy[Grant]:
    """Any single :class:`Grant`."""
    return st.one_of(
        st.builds(Grant, kind=st.just("level"), tool=tools, level=permission_levels),
        st.builds(Grant, kind=st.sampled_from(["account", "activate"])),
        st.builds(
            Grant,
            kind=st.sampled_from(["private_list", "invoice_contact"]),
            contract_index=st.integers(0, 5),
        ),
    )

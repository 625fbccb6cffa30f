"""The domain's invariants: what it refuses (only with ValueError) and what it must represent."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from invoicebackup.domain import (
    BillingPeriod,
    Company,
    Contract,
    Document,
    DocuSignLink,
    Envelope,
    EnvelopeStatus,
    Invoice,
    LinkState,
    PeriodStatus,
    PermissionLevel,
    Project,
    User,
)
from tests.strategies import (
    DELETED_PERIOD_PREFIX,
    amounts,
    aware_datetimes,
    billing_period_lists,
    billing_periods,
    dates,
    documents,
    naive_datetimes,
    non_finite_decimals,
    permission_levels,
    projects,
)


def _invoice(**changes: Any) -> Invoice:
    values: dict[str, Any] = {
        "id": "i-1",
        "contract_id": "k-1",
        "billing_period_id": "bp-1",
        "position": 1,
        "number": "INV-0001",
        "document": Document(key="docs/i-1.pdf", filename="Invoice 1.pdf"),
    }
    values.update(changes)
    return Invoice(**values)


def _overlap(a: BillingPeriod, b: BillingPeriod) -> bool:
    return a.start <= b.end and b.start <= a.end


# --- billing periods ----------------------------------------------------------------------------


@given(dates, dates, dates)
def test_a_period_ending_before_it_starts_is_refused_with_value_error(
    start: date, end: date, due: date
) -> None:
    """Rule: a billing period's end is never before its start; breaking it is a ValueError."""
    if end < start:
        with pytest.raises(ValueError, match="before it starts"):
            BillingPeriod(id="bp-1", start=start, end=end, due=due)
    else:
        period = BillingPeriod(id="bp-1", start=start, end=end, due=due)
        assert period.end >= period.start


@given(aware_datetimes() | naive_datetimes())
def test_a_period_bound_that_is_a_datetime_is_refused(moment: datetime) -> None:
    """A period's start, end and due are days; a datetime in their place is a ValueError."""
    with pytest.raises(ValueError, match="must be a date"):
        BillingPeriod(id="bp-1", start=moment, end=date(2100, 1, 1), due=date(2100, 1, 1))


@given(st.lists(billing_periods(), max_size=4))
def test_periods_are_accepted_exactly_when_disjoint_with_unique_ids_and_one_open(
    periods: list[BillingPeriod],
) -> None:
    """Rule: a project's periods have unique ids, disjoint ranges and at most one open."""
    ids = [p.id for p in periods]
    valid = (
        len(set(ids)) == len(ids)
        and sum(p.status is PeriodStatus.OPEN for p in periods) <= 1
        and not any(_overlap(a, b) for a, b in itertools.combinations(periods, 2))
    )
    if valid:
        project = Project(id="p", name="P", billing_periods=periods)
        assert project.billing_periods == tuple(periods)
    else:
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError, and nothing else
            Project(id="p", name="P", billing_periods=periods)


@given(billing_period_lists(min_size=1), st.data())
def test_an_overlapping_period_is_refused(
    periods: list[BillingPeriod], data: st.DataObject
) -> None:
    """Rule: two periods whose ranges share a day cannot both be in a project."""
    target = data.draw(st.sampled_from(periods))
    day = data.draw(st.integers(0, (target.end - target.start).days))
    clash = BillingPeriod(
        id="bp-clash",
        start=target.start + timedelta(days=day),
        end=target.start + timedelta(days=day + data.draw(st.integers(0, 10))),
        due=target.end,
        status=PeriodStatus.CLOSED,
    )
    with pytest.raises(ValueError, match="overlap"):
        Project(id="p", name="P", billing_periods=[*periods, clash])


def test_two_open_periods_are_refused() -> None:
    """Rule: at most one billing period is open."""
    september = BillingPeriod(
        id="bp-09", start=date(2026, 9, 1), end=date(2026, 9, 30), due=date(2026, 9, 25)
    )
    october = BillingPeriod(
        id="bp-10", start=date(2026, 10, 1), end=date(2026, 10, 31), due=date(2026, 10, 25)
    )
    with pytest.raises(ValueError, match="at most one billing period may be open"):
        Project(id="p", name="P", billing_periods=[september, october])
    closed = attrs.evolve(september, status=PeriodStatus.CLOSED)
    assert Project(id="p", name="P", billing_periods=[closed, october]).billing_period("bp-10")


# --- ids and positions --------------------------------------------------------------------------


@given(
    projects(min_invoices=1),
    st.sampled_from(["companies", "users", "contracts", "billing_periods", "invoices"]),
)
def test_a_duplicate_id_in_any_collection_is_refused(project: Project, collection: str) -> None:
    """Rule: ids are unique within each of a project's collections."""
    items = getattr(project, collection)
    assume(items)
    clone = items[0]
    if isinstance(clone, BillingPeriod):  # keep the clone from overlapping: only the id clashes
        last = max(p.end for p in items)
        after = last + timedelta(days=1)
        clone = attrs.evolve(clone, start=after, end=after, status=PeriodStatus.CLOSED)
    if isinstance(clone, Invoice):  # and from sharing a position: only the id clashes
        clone = attrs.evolve(clone, position=max(i.position for i in items) + 1)
    changes: dict[str, Any] = {collection: [*items, clone]}
    with pytest.raises(ValueError, match="share the id"):
        attrs.evolve(project, **changes)


@given(projects(min_invoices=1), st.data())
def test_a_duplicate_position_within_a_contract_is_refused(
    project: Project, data: st.DataObject
) -> None:
    """Rule: invoice positions are unique within a contract (not across contracts)."""
    original = data.draw(st.sampled_from(project.invoices))
    twin = attrs.evolve(original, id=f"{original.id}-twin")
    with pytest.raises(ValueError, match="already has an invoice at position"):
        attrs.evolve(project, invoices=[*project.invoices, twin])
    elsewhere = attrs.evolve(twin, contract_id=f"{original.contract_id}-other")
    assert attrs.evolve(project, invoices=[*project.invoices, elsewhere]).invoice(elsewhere.id)


@pytest.mark.parametrize("make", [Company, User, Contract], ids=lambda c: c.__name__)
@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_id_is_refused(make: Any, blank: str) -> None:
    """An id is a non-empty string; a blank one is a ValueError."""
    fields = {"name": "x"} if make is not Contract else {"number": "SC-1"}
    with pytest.raises(ValueError, match="non-empty"):
        make(id=blank, **fields)


# --- amounts and instants -----------------------------------------------------------------------


@given(non_finite_decimals())
def test_a_non_finite_amount_is_refused_with_value_error(amount: Decimal) -> None:
    """Rule: amounts are finite; NaN, sNaN and infinities raise ValueError, not InvalidOperation."""
    with pytest.raises(ValueError, match="finite"):
        _invoice(amount=amount)


@given(st.decimals(allow_nan=True, allow_infinity=True) | st.floats() | st.integers())
def test_amounts_are_accepted_exactly_when_finite_decimals(amount: Any) -> None:
    """Any amount either builds an invoice (a finite Decimal) or raises ValueError."""
    if isinstance(amount, Decimal) and amount.is_finite():
        assert _invoice(amount=amount).amount is amount
    else:
        with pytest.raises(ValueError, match="finite Decimal"):
            _invoice(amount=amount)


@given(naive_datetimes(), st.sampled_from(["linked_at", "last_used_at", "completed_at"]))
def test_a_naive_instant_is_refused_with_value_error(moment: datetime, field: str) -> None:
    """Rule: instants carry a time zone; a naive datetime is a ValueError."""
    build: dict[str, Any] = {
        "linked_at": lambda: DocuSignLink(linked_at=moment),
        "last_used_at": lambda: DocuSignLink(last_used_at=moment),
        "completed_at": lambda: Envelope(
            id="e-1", status=EnvelopeStatus.COMPLETED, completed_at=moment
        ),
    }
    with pytest.raises(ValueError, match="time zone"):
        build[field]()


@given(aware_datetimes())
def test_an_aware_instant_is_kept(moment: datetime) -> None:
    """An instant with a zone is accepted as it is."""
    envelope = Envelope(id="e-1", status=EnvelopeStatus.COMPLETED, completed_at=moment)
    assert envelope.completed_at == moment
    assert envelope.completed_at is not None
    assert envelope.completed_at.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize("state", [LinkState.LINKED, LinkState.REAUTHENTICATION_REQUIRED])
def test_a_link_that_is_not_unlinked_needs_its_account(state: LinkState) -> None:
    """A linked (or expiring) DocuSign link names its account id and base URI."""
    with pytest.raises(ValueError, match="needs an account_id"):
        DocuSignLink(state=state, account_id="8a1c")


# --- what must stay representable ---------------------------------------------------------------


def test_an_invoice_whose_period_was_deleted_is_representable() -> None:
    """A deleted billing period is a compile-time problem, never a construction failure."""
    invoice = _invoice(billing_period_id="bp-gone")
    project = Project(id="p", name="P", invoices=[invoice])
    assert project.invoice("i-1") == invoice
    assert project.billing_period("bp-gone") is None


@given(projects(min_invoices=1))
def test_generated_projects_hold_their_invariants(project: Project) -> None:
    """Strategies: projects() builds valid projects whose lists name real users."""
    user_ids = {u.id for u in project.users}
    for contract in project.contracts:
        assert set(contract.private_list) <= user_ids
        assert set(contract.invoice_contacts) <= user_ids
    for invoice in project.invoices:
        assert project.contract(invoice.contract_id) is not None
        period = project.billing_period(invoice.billing_period_id)
        assert period is not None or invoice.billing_period_id.startswith(DELETED_PERIOD_PREFIX)
        assert invoice.amount.is_finite()
    assert sum(p.status is PeriodStatus.OPEN for p in project.billing_periods) <= 1


@given(amounts(), documents())
def test_amounts_and_documents_from_the_strategies_build_invoices(
    amount: Decimal, document: Document
) -> None:
    """Strategies: every generated amount and document is accepted by Invoice."""
    assert _invoice(amount=amount, document=document).amount == amount


# --- permission levels --------------------------------------------------------------------------


def test_permission_levels_are_ordered_none_read_only_standard_admin() -> None:
    """Rule: None < Read Only < Standard < Admin."""
    expected = [
        PermissionLevel.NONE,
        PermissionLevel.READ_ONLY,
        PermissionLevel.STANDARD,
        PermissionLevel.ADMIN,
    ]
    shuffled = [expected[2], expected[0], expected[3], expected[1]]
    assert sorted(shuffled) == expected
    assert max(shuffled) is PermissionLevel.ADMIN
    assert [level.rank for level in expected] == [0, 1, 2, 3]


@given(permission_levels, permission_levels)
def test_permission_level_comparisons_follow_their_rank(
    a: PermissionLevel, b: PermissionLevel
) -> None:
    """The ordering of levels is total and agrees with rank in every operator."""
    assert (a < b) == (a.rank < b.rank)
    assert (a <= b) == (a.rank <= b.rank)
    assert (a > b) == (a.rank > b.rank)
    assert (a >= b) == (a.rank >= b.rank)
    assert (a == b) == (a.rank == b.rank)


def test_permission_levels_do_not_compare_with_other_things() -> None:
    """Comparing a level with a string is a TypeError, not a silent answer."""
    with pytest.raises(TypeError):
        assert PermissionLevel.ADMIN < "standard"

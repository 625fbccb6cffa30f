"""The sample project shows the same states on any day it is written (years ahead included)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    InMemoryStore,
    SignableItem,
    SyncStatus,
    can_request_signature,
    compile_backup,
    load_project,
    sync_status,
)
from invoicebackup.compile import SignatureState
from invoicebackup.testing import sample_documents, sample_project, write_sample_project

#: Any day from 2000 to 2199, month ends, leap days and year turns included.
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2199, 12, 31))


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0, tzinfo=UTC))


@given(today=DAYS)
def test_periods_are_the_two_months_before(today: date) -> None:
    """Its billing periods are the two whole calendar months before *today*, the earlier closed."""
    closed, current = sample_project(today=today).billing_periods
    month_start = today.replace(day=1)
    assert current.end == month_start - timedelta(days=1)
    assert current.start == current.end.replace(day=1)
    assert closed.end == current.start - timedelta(days=1)
    assert closed.start == closed.end.replace(day=1)
    assert closed.status.value == "closed"
    assert current.status.value == "open"
    assert closed.start <= closed.due <= closed.end
    assert current.start <= current.due <= current.end


@given(today=DAYS, hour=st.integers(min_value=0, max_value=23))
def test_admin_is_synced_and_envelope_completed_in_the_period(today: date, hour: int) -> None:
    """All day on *today*, the admin is synced and invoice 2's envelope completed in its period.

    The link was last used the day before and made on the later period's first day.
    """
    project = sample_project(today=today)
    admin = project.user("u-admin")
    assert admin is not None
    now = datetime.combine(today, time(hour, 59, tzinfo=UTC))
    assert sync_status(admin, now=now).status is SyncStatus.SYNCED
    link = admin.docusign
    assert link.linked_at is not None
    assert link.last_used_at is not None
    assert link.linked_at <= link.last_used_at < now
    assert link.last_used_at.date() == today - timedelta(days=1)
    signed = project.invoice("i-2")
    assert signed is not None
    assert signed.envelope is not None
    assert signed.envelope.completed_at is not None
    period = project.billing_period(signed.billing_period_id)
    assert period is not None
    assert period.start <= signed.envelope.completed_at.date() <= period.end
    contract = project.contract(signed.contract_id)
    assert contract is not None
    item = SignableItem.for_invoice(signed, contract=contract)
    assert can_request_signature(project, admin, item, now=now).allowed


@pytest.mark.parametrize(
    "today", [date(2026, 12, 2), date(2028, 2, 29), date(2031, 1, 1), date(2099, 12, 31)]
)
def test_compiled_on_its_day_invoice_2_is_signed(today: date) -> None:
    """Compiled on the day it is made, the sample's invoice 2 is its signed version."""
    documents = sample_documents(today=today)
    result = compile_backup(
        sample_project(today=today),
        invoice_ids=["i-2"],
        user_id="u-admin",
        store=InMemoryStore(documents),
        now=_noon(today),
    )
    assert [record.signature for record in result.invoices] == [SignatureState.SIGNED]
    month = sample_project(today=today).billing_periods[1].start
    assert f"{month:%Y}".encode() in documents["docs/i-2.pdf"]


def test_without_today_the_sample_follows_the_clock(tmp_path: Path) -> None:
    """With no day given, the sample follows the clock's day (here a clock the test sets)."""
    with time_machine.travel(datetime(2033, 5, 20, 23, 59, tzinfo=UTC), tick=False):
        folder = write_sample_project(tmp_path / "p")
        assert load_project(folder) == sample_project(today=date(2033, 5, 20))
        admin = load_project(folder).user("u-admin")
        assert admin is not None
        assert sync_status(admin).status is SyncStatus.SYNCED

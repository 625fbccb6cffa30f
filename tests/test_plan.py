"""plan_backup: preconditions reported all at once, and the documented order."""

from __future__ import annotations

import re
import unicodedata

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupPreconditionsError,
    BillingPeriod,
    Contract,
    PeriodStatus,
    Project,
    plan_backup,
)
from invoicebackup.compile import DocumentRole
from tests.backup_helpers import ADMIN, APRIL, MAY, attachment, invoice, project
from tests.strategies import projects


def _codes(error: BackupPreconditionsError) -> set[tuple[str, str]]:
    return {(p.code, p.path) for p in error.problems}


def test_order_of_contracts_is_natural_and_case_insensitive() -> None:
    """Contracts sort SC-2 < SC-10 < sc-11, whatever order they are stored in."""
    contracts = [
        Contract(id="c-11", number="sc-11"),
        Contract(id="c-2", number="SC-2"),
        Contract(id="c-10", number="SC-10"),
    ]
    invoices = [invoice(f"i-{c.id}", contract_id=c.id) for c in contracts]
    plan = plan_backup(
        project(invoices, contracts=contracts),
        invoice_ids=["i-c-11", "i-c-2", "i-c-10"],
        user_id=ADMIN.id,
    )
    assert [c.contract.number for c in plan.contracts] == ["SC-2", "SC-10", "sc-11"]


def test_order_inside_a_contract_is_position_then_documents_in_upload_order() -> None:
    """Invoices by position; inside one, the default PDF then attachments in upload order."""
    second = invoice("i-b", position=2, attachments=[attachment("z.pdf"), attachment("a.pdf")])
    first = invoice("i-a", position=1)
    plan = plan_backup(project([second, first]), contract_ids=["c-1"], user_id=ADMIN.id)
    assert plan.invoice_ids == ("i-a", "i-b")
    docs = plan.contracts[0].invoices[1].documents
    assert [(d.role, d.document.filename) for d in docs] == [
        (DocumentRole.INVOICE, "Pay app i-b.pdf"),
        (DocumentRole.ATTACHMENT, "z.pdf"),
        (DocumentRole.ATTACHMENT, "a.pdf"),
    ]


def test_every_failed_precondition_is_reported_at_once() -> None:
    """Unknown invoice, unknown contract and a deleted period come in one error."""
    orphan = invoice("i-orphan", period="bp-deleted", position=2)
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(
            project([invoice("i-1"), orphan]),
            invoice_ids=["i-1", "i-orphan", "i-nope"],
            contract_ids=["c-nope"],
            user_id=ADMIN.id,
        )
    codes = _codes(caught.value)
    assert ("missing_period", "invoice:i-orphan") in codes
    assert ("unknown_invoice", "invoice:i-nope") in codes
    assert ("unknown_contract", "contract:c-nope") in codes


def test_a_denied_user_gets_the_permission_reasons() -> None:
    """A read-only user cannot compile; the reasons become problems."""
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(project([invoice("i-1")]), invoice_ids=["i-1"], user_id="u-reader")
    assert "not_admin_on_tool" in {p.code for p in caught.value.problems}


def test_an_empty_selection_is_a_problem() -> None:
    """Selecting nothing is refused rather than producing an empty backup."""
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(project([invoice("i-1")]), user_id=ADMIN.id)
    assert {p.code for p in caught.value.problems} == {"empty_selection"}


def test_require_closed_periods_reports_an_open_earlier_period() -> None:
    """With the option, an open earlier period the contract was invoiced in is a problem."""
    april_open = attrs.evolve(APRIL, status=PeriodStatus.OPEN)
    may_closed = attrs.evolve(MAY, status=PeriodStatus.CLOSED)
    invoices = [invoice("i-apr", period="bp-apr", position=1), invoice("i-may", position=2)]
    p = project(invoices, periods=[april_open, may_closed])
    plan_backup(p, invoice_ids=["i-may"], user_id=ADMIN.id)  # off by default
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(
            p,
            invoice_ids=["i-may"],
            user_id=ADMIN.id,
            options=BackupOptions(require_closed_periods=True),
        )
    assert _codes(caught.value) == {("open_earlier_period", "invoice:i-may")}


def test_require_closed_periods_passes_when_earlier_periods_are_closed() -> None:
    """Closed earlier periods, or periods the contract never invoiced in, do not count."""
    unused_open = BillingPeriod(
        id="bp-mar",
        start=APRIL.start.replace(month=3),
        end=APRIL.start.replace(month=3, day=31),
        due=APRIL.start,
        status=PeriodStatus.OPEN,
    )
    may_closed = attrs.evolve(MAY, status=PeriodStatus.CLOSED)
    invoices = [invoice("i-apr", period="bp-apr", position=1), invoice("i-may", position=2)]
    p = project(invoices, periods=[unused_open, APRIL, may_closed])
    plan = plan_backup(
        p,
        invoice_ids=["i-may"],
        user_id=ADMIN.id,
        options=BackupOptions(require_closed_periods=True),
    )
    assert plan.invoice_ids == ("i-may",)


def test_options_are_validated() -> None:
    """Unknown policies and unsafe output folders are refused at construction."""
    with pytest.raises(ValueError, match="on_bad_document"):
        BackupOptions(on_bad_document="ignore")
    with pytest.raises(ValueError, match="on_unsigned"):
        BackupOptions(on_unsigned="maybe")
    with pytest.raises(ValueError):  # noqa: PT011 - the store's key validator words it
        BackupOptions(output_prefix="../outside")
    with pytest.raises(ValueError, match="max_document_pages"):
        BackupOptions(max_document_pages=0)


# -- the order, as a property ----------------------------------------------------------------


def _natural(text: str) -> list[tuple[int, int | str]]:
    """An independent natural key: runs of digits compare as numbers, text without case."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [(0, int(run)) if run.isdigit() else (1, run) for run in re.findall(r"\d+|\D+", folded)]


def _with_admin(p: Project) -> Project:
    admin = attrs.evolve(ADMIN, company_id=p.company_id)
    return attrs.evolve(p, users=(*[u for u in p.users if u.id != admin.id], admin))


@given(data=st.data(), p=projects(min_invoices=1, max_invoices=8, deleted_periods=False))
def test_any_selection_in_any_order_gives_the_documented_order(
    data: st.DataObject, p: Project
) -> None:
    """Rule: contract number (natural, no case), then position, then id — whatever the input."""
    p = _with_admin(p)
    ids = [i.id for i in p.invoices]
    chosen = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=12))
    shuffled = data.draw(st.permutations(chosen))
    plan = plan_backup(p, invoice_ids=shuffled, user_id=ADMIN.id)
    again = plan_backup(p, invoice_ids=sorted(set(chosen)), user_id=ADMIN.id)
    assert plan == again
    assert sorted(plan.invoice_ids) == sorted(set(chosen))
    keys = []
    for planned_contract in plan.contracts:
        contract = planned_contract.contract
        for planned in planned_contract.invoices:
            inv = planned.invoice
            assert inv.contract_id == contract.id
            keys.append(
                (_natural(contract.number), contract.number, contract.id, inv.position, inv.id)
            )
    assert keys == sorted(keys)


@given(p=projects(min_invoices=1, max_invoices=6, deleted_periods=False))
def test_selecting_a_contract_selects_exactly_its_invoices(p: Project) -> None:
    """Rule: a selected contract contributes all its invoices, none of any other contract."""
    p = _with_admin(p)
    contract = p.contracts[0]
    expected = {i.id for i in p.invoices if i.contract_id == contract.id}
    if not expected:
        with pytest.raises(BackupPreconditionsError):
            plan_backup(p, contract_ids=[contract.id], user_id=ADMIN.id)
        return
    plan = plan_backup(p, contract_ids=[contract.id, contract.id], user_id=ADMIN.id)
    assert set(plan.invoice_ids) == expected

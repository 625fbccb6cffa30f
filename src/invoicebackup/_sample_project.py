"""The embedded sample project: what ``make demo`` and the tutorial compile.

It is built to show every rule at once: contracts whose numbers sort differently
in natural order (``SC-2`` < ``SC-10`` < ``sc-11``), invoices over two billing
periods, text and scanned attachments, the same lien-waiver form on two invoices,
one invoice signed through a (simulated, in-memory) DocuSign envelope, a non-PDF
attachment and a damaged PDF. That signed invoice also has lien waivers of both tiers,
received out of backup order (a sub-tier one first), and one sub-tier waiver requested and
never received (missing).

Its dates are placed relative to the day it is made (*today*, the current UTC date
unless given), so that it shows the same states on any day: its billing periods are
the two calendar months before, its admin's DocuSign link was last used the day
before (synced) and its envelope completed within the later period.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

import attrs

from . import _samples
from ._fake_signatures import InMemorySignatureProvider
from .domain import (
    BillingPeriod,
    Company,
    Contract,
    ContractKind,
    Document,
    DocuSignLink,
    Envelope,
    EnvelopeStatus,
    Invoice,
    InvoiceStatus,
    LienWaiver,
    LinkState,
    PeriodKind,
    PeriodStatus,
    PermissionLevel,
    Permissions,
    Project,
    User,
    WaiverCondition,
    WaiverScope,
    WaiverTier,
)
from .serialization import dump_project
from .storage import FileSystemStore

#: The user the sample project's backups are compiled as.
SAMPLE_ADMIN = "u-admin"

_ENVELOPE = "3f5a9c1e-0b7d-4e2a-9f10-5d1c2b3a4e5f"

# Month names written into the sample's documents; not strftime's %B, whose words follow the
# host process's locale.
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@attrs.frozen
class _Calendar:
    """The sample's dates, placed relative to the day it is made."""

    #: The earlier billing period's first and last days (closed).
    closed: tuple[date, date]
    #: The later billing period's first and last days (open).
    open: tuple[date, date]
    #: When the admin linked their DocuSign account: the later period's first day.
    linked_at: datetime
    #: When the envelope of invoice 2 completed: the later period's last day.
    signed_at: datetime
    #: When the admin's link was last used: the day before *today*.
    last_used_at: datetime

    @staticmethod
    def today() -> date:
        return datetime.now(UTC).date()

    @classmethod
    def of(cls, today: date | None) -> _Calendar:
        if today is None:
            today = cls.today()
        open_end = today.replace(day=1) - timedelta(days=1)
        open_start = open_end.replace(day=1)
        closed_end = open_start - timedelta(days=1)
        at = time(14, 5, tzinfo=UTC)
        return cls(
            closed=(closed_end.replace(day=1), closed_end),
            open=(open_start, open_end),
            linked_at=datetime.combine(open_start, time(9, 0, tzinfo=UTC)),
            signed_at=datetime.combine(open_end, at),
            last_used_at=datetime.combine(today - timedelta(days=1), at),
        )


def _month(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.year}"


def _period_id(day: date) -> str:
    return f"bp-{day:%Y-%m}"


def _pdf(key: str, filename: str) -> Document:
    return Document(key=key, filename=filename, media_type="application/pdf")


def _pay_application(contract: str, number: str, period: str, amount: str) -> bytes:
    return _samples.text_pdf(
        [
            f"PAY APPLICATION {number}\nContract {contract}\nPeriod {period}\n"
            f"Amount this period: ${amount}\n\nSchedule of values follows.",
            f"{number} - schedule of values\nLine 1  Rough-in   ${amount}\nRetainage 10%",
        ],
        title=f"Pay application {number}",
    )


def sample_project(*, today: date | None = None) -> Project:
    """The sample project, without its documents.

    Args:
        today: The day its dates are placed relative to; the current UTC date when ``None``.
            Its billing periods are the two calendar months before, its admin's DocuSign
            link was last used the day before and its envelope completed within the later
            period, so it shows a synced admin and a signed invoice on any day.

    Example:
        >>> from datetime import date
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project(today=date(2026, 11, 3))
        >>> project.name, [contract.number for contract in project.contracts]
        ('Tower A', ['SC-10', 'SC-2', 'sc-11'])
        >>> [(invoice.id, invoice.number) for invoice in project.invoices]
        [('i-1', 'INV-0001'), ('i-2', 'INV-0002'), ('i-3', 'P-001'), ('i-4', 'PO-77')]
        >>> [(user.id, user.permissions.commitments.value) for user in project.users]
        [('u-admin', 'admin'), ('u-volt', 'standard'), ('u-reader', 'read_only')]
        >>> [(period.id, str(period.start), str(period.end)) for period in project.billing_periods]
        [('bp-2026-09', '2026-09-01', '2026-09-30'), ('bp-2026-10', '2026-10-01', '2026-10-31')]
        >>> admin, signed = project.users[0], project.invoices[1]
        >>> str(admin.docusign.last_used_at), str(signed.envelope.completed_at)
        ('2026-11-02 14:05:00+00:00', '2026-10-31 14:05:00+00:00')

    .. versionadded:: 0.1.0
    """
    when = _Calendar.of(today)
    closed_id, open_id = _period_id(when.closed[0]), _period_id(when.open[0])
    users = (
        User(
            id=SAMPLE_ADMIN,
            name="Ada Admin",
            email="ada@acme.example",
            company_id="c-gc",
            permissions=Permissions(
                commitments=PermissionLevel.ADMIN,
                prime_contracts=PermissionLevel.READ_ONLY,
                invoicing=PermissionLevel.ADMIN,
            ),
            docusign=DocuSignLink(
                state=LinkState.LINKED,
                account_id="8a1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
                base_uri="https://demo.docusign.net",
                linked_at=when.linked_at,
                last_used_at=when.last_used_at,
            ),
        ),
        User(
            id="u-volt",
            name="Victor Volt",
            email="victor@volt.example",
            company_id="c-volt",
            permissions=Permissions(commitments=PermissionLevel.STANDARD),
        ),
        User(
            id="u-reader",
            name="Rita Reader",
            email="rita@acme.example",
            company_id="c-gc",
            permissions=Permissions(commitments=PermissionLevel.READ_ONLY),
        ),
    )
    contracts = (
        Contract(
            id="k-10",
            number="SC-10",
            title="Plumbing",
            kind=ContractKind.SUBCONTRACT,
            vendor_id="c-aqua",
        ),
        Contract(
            id="k-2",
            number="SC-2",
            title="Electrical",
            kind=ContractKind.SUBCONTRACT,
            vendor_id="c-volt",
            private=True,
            private_list=("u-volt",),
            invoice_contacts=("u-volt",),
        ),
        Contract(
            id="k-11",
            number="sc-11",
            title="Structural steel",
            kind=ContractKind.PURCHASE_ORDER,
            vendor_id="c-iron",
        ),
    )
    periods = (
        BillingPeriod(
            id=closed_id,
            start=when.closed[0],
            end=when.closed[1],
            due=when.closed[0].replace(day=25),
            status=PeriodStatus.CLOSED,
            kind=PeriodKind.AUTOMATIC,
        ),
        BillingPeriod(
            id=open_id,
            start=when.open[0],
            end=when.open[1],
            due=when.open[0].replace(day=25),
            status=PeriodStatus.OPEN,
            kind=PeriodKind.AUTOMATIC,
        ),
    )
    invoices = (
        Invoice(
            id="i-1",
            contract_id="k-2",
            billing_period_id=closed_id,
            position=1,
            number="INV-0001",
            status=InvoiceStatus.APPROVED,
            amount=Decimal("8400.00"),
            document=_pdf("docs/i-1.pdf", "Invoice 1.pdf"),
            attachments=(
                _pdf("docs/i-1-waiver.pdf", "Lien waiver.pdf"),
                _pdf("docs/i-1-delivery.pdf", "Delivery ticket (scan).pdf"),
            ),
        ),
        Invoice(
            id="i-2",
            contract_id="k-2",
            billing_period_id=open_id,
            position=2,
            number="INV-0002",
            status=InvoiceStatus.APPROVED,
            amount=Decimal("12500.00"),
            document=_pdf("docs/i-2.pdf", "Invoice 2.pdf"),
            attachments=(
                _pdf("docs/i-2-waiver.pdf", "Lien waiver.pdf"),
                Document(
                    key="docs/i-2-quantities.csv", filename="Quantities.csv", media_type="text/csv"
                ),
            ),
            envelope=Envelope(
                id=_ENVELOPE,
                status=EnvelopeStatus.COMPLETED,
                completed_at=when.signed_at,
                signed_document_key="signed/i-2.pdf",
                certificate_key="signed/i-2-certificate.pdf",
            ),
            lien_waivers=(
                LienWaiver(
                    id="w-2-1",
                    tier=WaiverTier.SUB,
                    condition=WaiverCondition.UNCONDITIONAL,
                    scope=WaiverScope.PROGRESS,
                    claimant="Copper Supply Co.",
                    through_date=when.closed[1],
                    amount=Decimal("2100.00"),
                    document=_pdf("docs/i-2-waiver-copper.pdf", "Copper Supply waiver.pdf"),
                ),
                LienWaiver(
                    id="w-2-2",
                    tier=WaiverTier.FIRST,
                    condition=WaiverCondition.CONDITIONAL,
                    scope=WaiverScope.PROGRESS,
                    claimant="Volt Electric",
                    through_date=when.open[1],
                    amount=Decimal("12500.00"),
                    document=_pdf("docs/i-2-waiver-volt.pdf", "Volt conditional waiver.pdf"),
                ),
                LienWaiver(
                    id="w-2-3",
                    tier=WaiverTier.SUB,
                    condition=WaiverCondition.CONDITIONAL,
                    scope=WaiverScope.PROGRESS,
                    claimant="Wire Depot Ltd.",
                    through_date=when.open[1],
                    amount=Decimal("1800.00"),
                    document=None,  # requested, never received: missing
                ),
            ),
        ),
        Invoice(
            id="i-3",
            contract_id="k-10",
            billing_period_id=open_id,
            position=1,
            number="P-001",
            status=InvoiceStatus.UNDER_REVIEW,
            amount=Decimal("3150.75"),
            document=_pdf("docs/i-3.pdf", "Plumbing invoice 1.pdf"),
            attachments=(_pdf("docs/i-3-drawing.pdf", "Riser diagram (landscape).pdf"),),
        ),
        Invoice(
            id="i-4",
            contract_id="k-11",
            billing_period_id=open_id,
            position=1,
            number="PO-77",
            status=InvoiceStatus.APPROVED,
            amount=Decimal("46000.00"),
            document=_pdf("docs/i-4.pdf", "Steel invoice.pdf"),
            attachments=(
                _pdf("docs/i-4-mill-cert.pdf", "Mill certificate.pdf"),
                Document(
                    key="docs/i-4-delivery-photo.jpg",
                    filename="Steel delivered (photo).jpg",
                    media_type="image/jpeg",
                ),
            ),
        ),
    )
    return Project(
        id="p-100",
        name="Tower A",
        number="2024-001",
        docusign_enabled=True,
        company_id="c-gc",
        companies=(
            Company(id="c-gc", name="Acme Builders"),
            Company(id="c-volt", name="Volt Electric"),
            Company(id="c-aqua", name="Aqua Plumbing"),
            Company(id="c-iron", name="Ironworks Steel"),
        ),
        users=users,
        contracts=contracts,
        billing_periods=periods,
        invoices=invoices,
    )


def sample_documents(*, today: date | None = None) -> dict[str, bytes]:
    """Every document the sample project names, by key (the signed ones included).

    Args:
        today: The day the project's dates are placed relative to, as for
            :func:`sample_project`; the documents name its billing periods.

    Example:
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> documents = sample_documents()
        >>> named = {d.key for i in sample_project().invoices for d in (i.document, *i.attachments)}
        >>> named |= {w.document.key for i in sample_project().invoices for w in i.lien_waivers
        ...           if w.document is not None}
        >>> sorted(set(documents) - named)
        ['signed/i-2-certificate.pdf', 'signed/i-2.pdf']
        >>> documents["docs/i-2-quantities.csv"].splitlines()[0]   # not every attachment is a PDF
        b'item,quantity'

    .. versionadded:: 0.1.0
    """
    when = _Calendar.of(today)
    closed, current = _month(when.closed[0]), _month(when.open[0])
    waiver_fields = ("claimant", "amount", "through_date")
    docs = {
        "docs/i-1.pdf": _pay_application("SC-2", "INV-0001", closed, "8,400.00"),
        "docs/i-1-waiver.pdf": _samples.lien_waiver_pdf(
            dict(zip(waiver_fields, ("Volt Electric", "8400.00", str(when.closed[1])), strict=True))
        ),
        "docs/i-1-delivery.pdf": _samples.scanned_pdf(pages=2),
        "docs/i-2.pdf": _pay_application("SC-2", "INV-0002", current, "12,500.00"),
        "docs/i-2-waiver.pdf": _samples.lien_waiver_pdf(
            dict(zip(waiver_fields, ("Volt Electric", "12500.00", str(when.open[1])), strict=True))
        ),
        "docs/i-2-quantities.csv": b"item,quantity\nconduit (ft),1200\nboxes,85\n",
        "docs/i-2-waiver-copper.pdf": _samples.lien_waiver_pdf(
            dict(
                zip(
                    waiver_fields,
                    ("Copper Supply Co.", "2100.00", str(when.closed[1])),
                    strict=True,
                )
            ),
            title="Unconditional waiver on progress payment (sub tier)",
        ),
        "docs/i-2-waiver-volt.pdf": _samples.lien_waiver_pdf(
            dict(zip(waiver_fields, ("Volt Electric", "12500.00", str(when.open[1])), strict=True)),
            title="Conditional waiver on progress payment",
        ),
        "docs/i-3.pdf": _pay_application("SC-10", "P-001", current, "3,150.75"),
        "docs/i-3-drawing.pdf": _samples.text_pdf(
            ["RISER DIAGRAM\nLevel 1 to level 12\n(landscape sheet)"],
            page_size=(792, 612),
        ),
        "docs/i-4.pdf": _pay_application("sc-11", "PO-77", current, "46,000.00"),
    }
    # A damaged attachment: a PDF cut off in the middle, as an interrupted upload leaves it.
    whole = _samples.text_pdf(["MILL CERTIFICATE\nHeat 4471\nASTM A992"])
    docs["docs/i-4-mill-cert.pdf"] = whole[: len(whole) // 3]
    # A phone photo of the delivery: a JPEG stored turned, with its EXIF orientation (made by
    # docs/_static/make_sample_photo.py; shipped, so the sample needs no image library).
    docs["docs/i-4-delivery-photo.jpg"] = (
        resources.files("invoicebackup").joinpath("sample_delivery_photo.jpg").read_bytes()
    )
    # The signed version of invoice 2, as DocuSign hands it back once the envelope completes.
    provider = InMemorySignatureProvider()
    provider.add_envelope(_ENVELOPE, status=EnvelopeStatus.SENT)
    provider.complete(
        _ENVELOPE,
        signed_pdf=_pay_application(
            "SC-2", "INV-0002 (signed by Victor Volt)", current, "12,500.00"
        ),
        certificate_pdf=_samples.text_pdf(
            [f"CERTIFICATE OF COMPLETION\nEnvelope {_ENVELOPE}\nStatus: completed"]
        ),
        completed_at=when.signed_at,
    )
    docs["signed/i-2.pdf"] = provider.signed_document(_ENVELOPE)
    docs["signed/i-2-certificate.pdf"] = provider.certificate(_ENVELOPE)
    return docs


def write_sample_project(folder: str | os.PathLike[str], *, today: date | None = None) -> Path:
    """Write the sample project folder (``project.json`` and its documents) at *folder*.

    Documents already present are left as they are; ``project.json`` is rewritten.

    Args:
        folder: Where to write it.
        today: The day its dates are placed relative to (see :func:`sample_project`); the
            current UTC date when ``None``.

    Returns:
        The folder.

    Example:
        >>> import tempfile
        >>> from invoicebackup import load_project
        >>> from invoicebackup.testing import sample_project, write_sample_project
        >>> from datetime import date
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     folder = write_sample_project(tmp, today=date(2031, 3, 1))
        ...     print(sorted(path.name for path in folder.iterdir()))
        ...     print(load_project(folder) == sample_project(today=date(2031, 3, 1)))
        ['docs', 'project.json', 'signed']
        True

    .. versionadded:: 0.1.0
    """
    # One day for the documents and the project file, even across midnight.
    today = _Calendar.today() if today is None else today
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    store = FileSystemStore(root)
    for key, data in sample_documents(today=today).items():
        if not store.exists(key):
            with store.create(key) as out:
                out.write(data)
    dump_project(sample_project(today=today), root)
    return root

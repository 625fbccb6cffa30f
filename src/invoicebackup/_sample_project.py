"""The embedded sample project: what ``make demo`` and the tutorial compile.

It is built to show every rule at once: contracts whose numbers sort differently
in natural order (``SC-2`` < ``SC-10`` < ``sc-11``), invoices over two billing
periods, text and scanned attachments, the same lien-waiver form on two invoices,
one invoice signed through a (simulated, in-memory) DocuSign envelope, a non-PDF
attachment and a damaged PDF.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from . import _samples
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
    LinkState,
    PeriodKind,
    PeriodStatus,
    PermissionLevel,
    Permissions,
    Project,
    User,
)
from .serialization import dump_project
from .storage import FileSystemStore

#: The user the sample project's backups are compiled as.
SAMPLE_ADMIN = "u-admin"

_LINKED_AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
_SIGNED_AT = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
_ENVELOPE = "3f5a9c1e-0b7d-4e2a-9f10-5d1c2b3a4e5f"


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


def sample_project() -> Project:
    """The sample project, without its documents.

    Example:
        >>> from invoicebackup.testing import sample_project
        >>> project = sample_project()
        >>> project.name, [contract.number for contract in project.contracts]
        ('Tower A', ['SC-10', 'SC-2', 'sc-11'])
        >>> [(invoice.id, invoice.number) for invoice in project.invoices]
        [('i-1', 'INV-0001'), ('i-2', 'INV-0002'), ('i-3', 'P-001'), ('i-4', 'PO-77')]
        >>> [(user.id, user.permissions.commitments.value) for user in project.users]
        [('u-admin', 'admin'), ('u-volt', 'standard'), ('u-reader', 'read_only')]

    .. versionadded:: 0.1.0
    """
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
                linked_at=_LINKED_AT,
                last_used_at=_SIGNED_AT,
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
            id="bp-09",
            start=date(2026, 9, 1),
            end=date(2026, 9, 30),
            due=date(2026, 9, 25),
            status=PeriodStatus.CLOSED,
            kind=PeriodKind.AUTOMATIC,
        ),
        BillingPeriod(
            id="bp-10",
            start=date(2026, 10, 1),
            end=date(2026, 10, 31),
            due=date(2026, 10, 25),
            status=PeriodStatus.OPEN,
            kind=PeriodKind.AUTOMATIC,
        ),
    )
    invoices = (
        Invoice(
            id="i-1",
            contract_id="k-2",
            billing_period_id="bp-09",
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
            billing_period_id="bp-10",
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
                completed_at=_SIGNED_AT,
                signed_document_key="signed/i-2.pdf",
                certificate_key="signed/i-2-certificate.pdf",
            ),
        ),
        Invoice(
            id="i-3",
            contract_id="k-10",
            billing_period_id="bp-10",
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
            billing_period_id="bp-10",
            position=1,
            number="PO-77",
            status=InvoiceStatus.APPROVED,
            amount=Decimal("46000.00"),
            document=_pdf("docs/i-4.pdf", "Steel invoice.pdf"),
            attachments=(_pdf("docs/i-4-mill-cert.pdf", "Mill certificate.pdf"),),
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


def sample_documents() -> dict[str, bytes]:
    """Every document the sample project names, by key (the signed ones included).

    Example:
        >>> from invoicebackup.testing import sample_documents, sample_project
        >>> documents = sample_documents()
        >>> named = {d.key for i in sample_project().invoices for d in (i.document, *i.attachments)}
        >>> sorted(set(documents) - named)
        ['signed/i-2-certificate.pdf', 'signed/i-2.pdf']
        >>> documents["docs/i-2-quantities.csv"].splitlines()[0]   # not every attachment is a PDF
        b'item,quantity'

    .. versionadded:: 0.1.0
    """
    waiver_fields = ("claimant", "amount", "through_date")
    docs = {
        "docs/i-1.pdf": _pay_application("SC-2", "INV-0001", "September 2026", "8,400.00"),
        "docs/i-1-waiver.pdf": _samples.lien_waiver_pdf(
            dict(zip(waiver_fields, ("Volt Electric", "8400.00", "2026-09-30"), strict=True))
        ),
        "docs/i-1-delivery.pdf": _samples.scanned_pdf(pages=2),
        "docs/i-2.pdf": _pay_application("SC-2", "INV-0002", "October 2026", "12,500.00"),
        "docs/i-2-waiver.pdf": _samples.lien_waiver_pdf(
            dict(zip(waiver_fields, ("Volt Electric", "12500.00", "2026-10-31"), strict=True))
        ),
        "docs/i-2-quantities.csv": b"item,quantity\nconduit (ft),1200\nboxes,85\n",
        "docs/i-3.pdf": _pay_application("SC-10", "P-001", "October 2026", "3,150.75"),
        "docs/i-3-drawing.pdf": _samples.text_pdf(
            ["RISER DIAGRAM\nLevel 1 to level 12\n(landscape sheet)"],
            page_size=(792, 612),
        ),
        "docs/i-4.pdf": _pay_application("sc-11", "PO-77", "October 2026", "46,000.00"),
    }
    # A damaged attachment: a PDF cut off in the middle, as an interrupted upload leaves it.
    whole = _samples.text_pdf(["MILL CERTIFICATE\nHeat 4471\nASTM A992"])
    docs["docs/i-4-mill-cert.pdf"] = whole[: len(whole) // 3]
    # The signed version of invoice 2, as DocuSign hands it back once the envelope completes.
    from .testing import InMemorySignatureProvider

    provider = InMemorySignatureProvider()
    provider.add_envelope(_ENVELOPE, status=EnvelopeStatus.SENT)
    provider.complete(
        _ENVELOPE,
        signed_pdf=_pay_application(
            "SC-2", "INV-0002 (signed by Victor Volt)", "October 2026", "12,500.00"
        ),
        certificate_pdf=_samples.text_pdf(
            [f"CERTIFICATE OF COMPLETION\nEnvelope {_ENVELOPE}\nStatus: completed"]
        ),
        completed_at=_SIGNED_AT,
    )
    docs["signed/i-2.pdf"] = provider.signed_document(_ENVELOPE)
    docs["signed/i-2-certificate.pdf"] = provider.certificate(_ENVELOPE)
    return docs


def write_sample_project(folder: str | os.PathLike[str]) -> Path:
    """Write the sample project folder (``project.json`` and its documents) at *folder*.

    Documents already present are left as they are; ``project.json`` is rewritten.

    Returns:
        The folder.

    Example:
        >>> import tempfile
        >>> from invoicebackup import load_project
        >>> from invoicebackup.testing import sample_project, write_sample_project
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     folder = write_sample_project(tmp)
        ...     print(sorted(path.name for path in folder.iterdir()))
        ...     print(load_project(folder) == sample_project())
        ['docs', 'project.json', 'signed']
        True

    .. versionadded:: 0.1.0
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    store = FileSystemStore(root)
    for key, data in sample_documents().items():
        if not store.exists(key):
            with store.create(key) as out:
                out.write(data)
    dump_project(sample_project(), root)
    return root

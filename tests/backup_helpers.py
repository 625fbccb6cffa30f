"""Small projects, stores and readers shared by the compile, plan, PDF and corpus tests."""

from __future__ import annotations

import importlib.util
import io
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pypdf

from invoicebackup import (
    BackupResult,
    BillingPeriod,
    Contract,
    Document,
    Envelope,
    InMemoryStore,
    Invoice,
    LienWaiver,
    PeriodStatus,
    PermissionLevel,
    Permissions,
    Project,
    User,
)
from invoicebackup.testing import text_pdf

NOW = datetime(2024, 6, 3, 14, 5, tzinfo=UTC)
ADMIN = User(
    id="u-admin",
    name="Ada Admin",
    permissions=Permissions(
        commitments=PermissionLevel.ADMIN, prime_contracts=PermissionLevel.ADMIN
    ),
)
READER = User(
    id="u-reader",
    name="Rita Reader",
    permissions=Permissions(commitments=PermissionLevel.READ_ONLY),
)
MAY = BillingPeriod(
    id="bp-may",
    start=date(2024, 5, 1),
    end=date(2024, 5, 31),
    due=date(2024, 6, 5),
    status=PeriodStatus.OPEN,
)
APRIL = BillingPeriod(
    id="bp-apr",
    start=date(2024, 4, 1),
    end=date(2024, 4, 30),
    due=date(2024, 5, 5),
    status=PeriodStatus.CLOSED,
)


def invoice(
    invoice_id: str,
    *,
    contract_id: str = "c-1",
    position: int = 1,
    period: str = "bp-may",
    attachments: Sequence[Document] = (),
    envelope: Envelope | None = None,
    lien_waivers: Sequence[LienWaiver] = (),
) -> Invoice:
    """An invoice whose default PDF is stored under ``docs/<id>.pdf``."""
    return Invoice(
        id=invoice_id,
        contract_id=contract_id,
        billing_period_id=period,
        position=position,
        number=f"#{position}",
        document=Document(key=f"docs/{invoice_id}.pdf", filename=f"Pay app {invoice_id}.pdf"),
        attachments=tuple(attachments),
        envelope=envelope,
        lien_waivers=tuple(lien_waivers),
    )


def attachment(name: str, media_type: str = "application/pdf") -> Document:
    """An attachment stored under ``att/<name>``."""
    return Document(key=f"att/{name}", filename=name, media_type=media_type)


def project(
    invoices: Sequence[Invoice],
    *,
    contracts: Sequence[Contract] = (Contract(id="c-1", number="SC-1", title="Concrete"),),
    periods: Sequence[BillingPeriod] = (APRIL, MAY),
    docusign_enabled: bool = False,
    language: str = "en-US",
) -> Project:
    """A project with an admin and a read-only user."""
    return Project(
        id="p-1",
        name="Harbour Tower",
        number="HT-01",
        language=language,
        users=(ADMIN, READER),
        contracts=tuple(contracts),
        billing_periods=tuple(periods),
        invoices=tuple(invoices),
        docusign_enabled=docusign_enabled,
    )


def store_for(project: Project, extra: Mapping[str, bytes] | None = None) -> InMemoryStore:
    """A store holding a one-page text PDF for every invoice's default PDF, plus *extra*."""
    documents = {
        inv.document.key: text_pdf([f"Invoice {inv.id}"], title=inv.id) for inv in project.invoices
    }
    documents.update(extra or {})
    return InMemoryStore(documents)


def cover_pages(result: BackupResult) -> int:
    """How many pages the backup's cover sheet takes, as its manifest says (0 without one).

    Every invoice's pages come after them: a test of the invoices' pages counts from here.
    """
    last = result.manifest.cover_last_page
    assert (result.manifest.cover_first_page is None) is (last is None)
    return last or 0


def reader(data: bytes) -> pypdf.PdfReader:
    """A pypdf reader over *data*."""
    return pypdf.PdfReader(io.BytesIO(data))


def page_texts(data: bytes) -> list[str]:
    """The extracted text of every page."""
    return [page.extract_text() for page in reader(data).pages]


def outline(data: bytes) -> list[tuple[int, str, int]]:
    """The bookmark tree, flattened: (depth, title, 0-based page)."""
    pdf = reader(data)
    out: list[tuple[int, str, int]] = []

    def walk(items: Sequence[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = pdf.get_destination_page_number(item)
                assert page is not None
                out.append((depth, str(item.title), page))

    walk(pdf.outline, 0)
    return out


def bench_generator() -> ModuleType:
    """``bench/generate.py``, the benchmark's workload generator, loaded from its file once."""
    if "bench_generate" in sys.modules:
        return sys.modules["bench_generate"]
    path = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module

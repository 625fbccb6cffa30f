"""The cover sheet's content: its words, its rows and its totals, before any PDF.

A backup's cover sheet (issue 21, item 3) answers on its first page "is this pay
application complete?": the project, who compiled the backup and when (in the
project's time zone), what it includes, and a table of contents with one row per
selected invoice — contract, number, billing period, status, amount, signed or not,
waivers present / missing, the page it starts on — and a total per contract and
overall. :mod:`invoicebackup._cover_pdf` sets it as pages.

Its page count must be known before the invoices are copied (the cover sheet comes
first and every page after it is numbered from its end), so the number of table lines
depends on the plan only (:func:`line_count`): one row per planned invoice — an
invoice left out whole is listed, without a page — one total per contract, one
overall total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final

import attrs

from .domain import Project
from .manifest import InvoiceRecord, SignatureState
from .options import Include
from .plan import BackupPlan
from .terminology import Vocabulary

#: The table's columns, as the keys of their headings (``cover.column.<key>``).
COLUMNS: Final = (
    "contract",
    "invoice",
    "period",
    "status",
    "amount",
    "signed",
    "waivers",
    "page",
)


@attrs.frozen(kw_only=True)
class WaiverCounts:
    """How many of an invoice's lien waivers the backup holds, and how many are missing.

    Supplied by the compilation per invoice (the waivers' records count them); an
    invoice with no waivers has ``0 / 0``.
    """

    present: int = 0
    missing: int = 0


@attrs.frozen(kw_only=True)
class CoverRow:
    """One line of the table: an invoice, a contract's total or the overall total.

    ``cells`` are the texts of :data:`COLUMNS`, in order. ``page`` is the 0-based
    index of the invoice's first page in the backup (``None``: nothing of it is in
    the backup, or a total); the row links to it. ``label`` is what the link says.
    """

    cells: tuple[str, ...]
    page: int | None = None
    label: str = ""
    total: bool = False


@attrs.frozen(kw_only=True)
class CoverSheet:
    """Everything the cover sheet shows, in words of the backup's language."""

    language: str
    title: str
    lines: tuple[str, ...]
    headings: tuple[str, ...]
    rows: tuple[CoverRow, ...]
    continued: str
    page_of: str


def line_count(plan: BackupPlan) -> int:
    """How many lines the table has below its heading: known before anything is copied."""
    return sum(len(c.invoices) + 1 for c in plan.contracts) + 1


def waiver_counts(records: Sequence[InvoiceRecord]) -> dict[str, WaiverCounts]:
    """Each invoice's lien waivers in the backup, and those requested and not received."""
    return {
        record.invoice_id: WaiverCounts(
            present=sum(1 for source in record.sources if source.waiver is not None),
            missing=len(record.missing_waivers),
        )
        for record in records
    }


def cover_sheet(
    project: Project,
    plan: BackupPlan,
    records: Sequence[InvoiceRecord],
    *,
    user_id: str,
    vocabulary: Vocabulary,
    include: frozenset[Include],
    signatures: Mapping[str, SignatureState],
    now: datetime,
    volume_of: Mapping[str, int] | None = None,
) -> CoverSheet:
    """The cover sheet of a backup of *plan*, whose invoices were copied as *records* say.

    *signatures* gives the version each invoice's row reports (an invoice left out whole
    has no record, and its waivers count ``0 / 0``). *volume_of*, for the first volume of
    a backup written as volumes, gives each invoice's volume: an invoice in another
    volume says which instead of a page, and links nowhere.
    """
    waivers = waiver_counts(records)
    words = vocabulary
    record_of = {record.invoice_id: record for record in records}
    rows: list[CoverRow] = []
    overall = Decimal(0)
    for planned_contract in plan.contracts:
        contract = planned_contract.contract
        label = f"{contract.number} — {contract.title}" if contract.title else contract.number
        subtotal = Decimal(0)
        for planned in planned_contract.invoices:
            invoice, period = planned.invoice, planned.period
            record = record_of.get(invoice.id)
            first = record.first_page if record is not None else None
            counts = waivers.get(invoice.id, WaiverCounts())
            subtotal += invoice.amount
            page = str(first) if first is not None else words.term("cover.left_out")
            elsewhere = (volume_of or {}).get(invoice.id, 1)
            if elsewhere != 1 and first is not None:
                page, first = words.message("cover.in_volume", volume=elsewhere), None
            signed = signatures.get(invoice.id, SignatureState.NOT_APPLICABLE)
            rows.append(
                CoverRow(
                    cells=(
                        label,
                        invoice.number,
                        _period(period.start, period.end),
                        words.term(f"invoice_status.{invoice.status.value}"),
                        amount_text(invoice.amount, words.language),
                        words.term(f"cover.signed.{signed.value}"),
                        f"{counts.present} / {counts.missing}",
                        page,
                    ),
                    page=None if first is None else first - 1,
                    label=words.message(
                        "cover.link", invoice=invoice.number, contract=contract.number, page=page
                    ),
                )
            )
        overall += subtotal
        rows.append(
            _total(words.message("cover.total_of", contract=contract.number), subtotal, words)
        )
    rows.append(_total(words.term("cover.total"), overall, words))
    local = now.astimezone(project.zone)
    user = project.user(user_id)
    who = f"{user.name} ({user_id})" if user is not None and user.name else user_id
    parts = [words.term("cover.part.documents")]
    parts += [words.term(f"cover.part.{part.value}") for part in Include if part in include]
    lines = (
        words.message(
            "cover.project",
            project=f"{project.name} ({project.number})" if project.number else project.name,
        ),
        words.message(
            "cover.compiled",
            user=who,
            date=f"{local:%Y-%m-%d}",
            time=f"{local:%H:%M}",
            zone=project.time_zone or "UTC",
        ),
        words.message("cover.selection", parts=", ".join(parts)),
    )
    return CoverSheet(
        language=words.language,
        title=words.term("backup_title"),
        lines=lines,
        headings=tuple(words.term(f"cover.column.{key}") for key in COLUMNS),
        rows=tuple(rows),
        continued=words.message("cover.continued", title=words.term("backup_title")),
        page_of=words.term("cover.page_of"),
    )


def _total(label: str, amount: Decimal, words: Vocabulary) -> CoverRow:
    cells = [""] * len(COLUMNS)
    cells[0] = label
    cells[COLUMNS.index("amount")] = amount_text(amount, words.language)
    return CoverRow(cells=tuple(cells), total=True)


def _period(start: date, end: date) -> str:
    return f"{start.isoformat()} \N{EN DASH} {end.isoformat()}"


def amount_text(amount: Decimal, language: str) -> str:
    """*amount* to the cent, grouped as *language* writes it (``12,500.00``, ``12 500,00``)."""
    text = f"{amount:,.2f}"
    if language.startswith("fr"):
        # French groups thousands with a space and writes a decimal comma.
        text = text.replace(",", " ").replace(".", ",")
    return text

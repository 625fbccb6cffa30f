"""The cover sheet (issue 21, item 3): the backup's first pages, its links, words and tags."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import attrs
import pikepdf
import pypdf

from invoicebackup import (
    BackupOptions,
    BackupResult,
    BillingPeriod,
    Contract,
    Dictionary,
    Document,
    Include,
    InMemoryStore,
    Invoice,
    InvoiceStatus,
    Project,
    compile_backup,
)
from invoicebackup.testing import sample_documents, sample_project, text_pdf
from tests.backup_helpers import ADMIN, outline
from tests.oracle import assert_backup_matches
from tests.pdf_craft import ATTACHMENT_KEY, USER_ID, build_pdf, one_attachment

NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
WITHOUT_COVER = [part for part in Include if part is not Include.COVER_SHEET]


def _compile(
    project: Project, store: InMemoryStore, *, options: BackupOptions | None = None
) -> tuple[BackupResult, bytes]:
    result = compile_backup(
        project,
        contract_ids=[c.id for c in project.contracts],
        user_id="u-admin",
        store=store,
        options=options,
        now=NOW,
    )
    return result, store.read_bytes(result.key)


def _sample(**changes: Any) -> tuple[BackupResult, bytes]:
    project = attrs.evolve(sample_project(today=date(2026, 11, 3)), **changes)
    return _compile(project, InMemoryStore(sample_documents()))


def _cover_pages(result: BackupResult) -> range:
    first, last = result.manifest.cover_first_page, result.manifest.cover_last_page
    assert first == 1
    assert last is not None
    return range(first - 1, last)


def _cover_text(result: BackupResult, data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "\n".join(pages[index].extract_text() for index in _cover_pages(result))


def _links(result: BackupResult, data: bytes) -> list[tuple[str, int]]:
    """Each link annotation on the cover sheet, in order: what it says, the page it opens."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    index_of = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}  # type: ignore[union-attr]
    found = []
    for index in _cover_pages(result):
        for annotation in reader.pages[index].get("/Annots", []):
            annotation = annotation.get_object()
            assert annotation["/Subtype"] == "/Link"
            target = annotation["/Dest"][0]
            found.append((str(annotation["/Contents"]), index_of[target.idnum]))
    return found


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def test_the_cover_sheet_is_the_first_page_and_names_what_the_backup_holds() -> None:
    """Page 1 names the project, the compiler, the selection, every invoice and its page."""
    result, data = _sample()
    text = _cover_text(result, data)
    project = sample_project(today=date(2026, 11, 3))
    assert result.manifest.cover_first_page == result.manifest.cover_last_page == 1
    assert f"{project.name} ({project.number})" in text
    assert "Ada Admin (u-admin)" in text
    assert "2026-11-03 at 09:30 (UTC)" in text
    assert "attachments" in text
    assert "cover sheet" in text
    for record in result.invoices:
        assert record.first_page is not None
        assert re.search(rf"{re.escape(record.number)} .* {record.first_page}\n", text), record
    # The invoice pages follow the cover sheet: the oracle finds each source's pages there.
    assert min(r.first_page or 0 for r in result.invoices) == 2
    assert_backup_matches(result, data, sample_documents())


def test_totals_per_contract_and_overall() -> None:
    """Each contract's total and the overall total are the sums of the invoices' amounts."""
    result, data = _sample()
    text = _cover_text(result, data)
    project = sample_project(today=date(2026, 11, 3))
    overall = Decimal(0)
    for contract in project.contracts:
        amounts = [i.amount for i in project.invoices if i.contract_id == contract.id]
        if not amounts:
            continue
        overall += sum(amounts, Decimal(0))
        assert f"Total {contract.number} {_amount(sum(amounts, Decimal(0)))}" in text
        for amount in amounts:
            assert _amount(amount) in text
    assert re.search(rf"^Total {re.escape(_amount(overall))}$", text, re.M), text


def test_every_link_lands_on_its_invoices_first_page() -> None:
    """Each row's link, read back with pypdf, opens the invoice's first page in the manifest."""
    result, data = _sample()
    links = _links(result, data)
    expected = [r for r in result.invoices if r.first_page is not None]
    assert len(links) == len(expected) > 0
    for (label, page), record in zip(links, expected, strict=True):
        assert record.number in label
        assert record.first_page is not None
        assert page == record.first_page - 1


def test_the_outline_starts_with_the_cover_sheet_and_counts_its_pages() -> None:
    """The first bookmark opens the cover sheet; each invoice's opens its manifest page."""
    result, data = _sample()
    bookmarks = outline(data)
    assert bookmarks[0] == (0, "Cover sheet", 0)
    starts = {r.first_page for r in result.invoices}
    invoice_pages = {page + 1 for depth, _title, page in bookmarks if depth == 1}
    assert invoice_pages == starts


def test_the_time_is_the_projects_local_time() -> None:
    """The time shown is the project's: 03:30 UTC is the evening before in Toronto."""
    project = attrs.evolve(sample_project(today=date(2026, 11, 3)), time_zone="America/Toronto")
    store = InMemoryStore(sample_documents())
    result = compile_backup(
        project,
        contract_ids=["k-2"],
        user_id="u-admin",
        store=store,
        now=datetime(2026, 11, 3, 3, 30, tzinfo=UTC),
    )
    text = _cover_text(result, store.read_bytes(result.key))
    assert "on 2026-11-02 at 22:30 (America/Toronto)" in text


def test_french_words_and_numbers() -> None:
    """In fr-CA the headings, totals, words and amounts are French (12 500,00)."""
    result, data = _sample(language="fr-CA")
    text = _cover_text(result, data)
    for words in ("Période de facturation", "Montant", "Total général", "Compilée par", "Inclus"):
        assert words in text
    project = sample_project(today=date(2026, 11, 3))
    amount = project.invoices[0].amount
    assert f"{amount:,.2f}".replace(",", " ").replace(".", ",") in text
    assert result.manifest.language == "fr-CA"
    assert pikepdf.open(io.BytesIO(data)).Root.Lang == "fr-CA"


def test_the_point_of_view_dictionary_names_the_backup() -> None:
    """An owner's backup is titled in the owner's words, on the cover sheet too."""
    result, data = _sample(dictionary=Dictionary.OWNER)
    assert result.manifest.title in _cover_text(result, data).splitlines()[0]
    general, _general_data = _sample()
    assert general.manifest.title != result.manifest.title


def _cells(element: Any, role: str) -> Iterator[Any]:
    for kid in element.K:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/S") == pikepdf.Name(role):
            yield kid


def test_the_structure_tree_follows_the_table() -> None:
    """Document > H1, P, Table; one TR per table line, eight cells each; headings are TH."""
    _result, data = _sample()
    project = sample_project(today=date(2026, 11, 3))
    pdf = pikepdf.open(io.BytesIO(data))
    marked: object = pdf.Root.MarkInfo.Marked
    assert marked is True
    assert pdf.Root.Lang == "en-US"
    document = pdf.Root.StructTreeRoot.K
    assert document.S == "/Document"
    roles = [str(kid.S) for kid in document.K]
    assert roles == ["/H1", "/P", "/P", "/P", "/Table"]
    rows = list(_cells(document.K[-1], "/TR"))
    contracts = {i.contract_id for i in project.invoices}
    assert len(rows) == 1 + len(project.invoices) + len(contracts) + 1
    assert len(list(_cells(rows[0], "/TH"))) == 8
    assert all(len(list(_cells(row, "/TD"))) == 8 for row in rows[1:])
    links = [
        link for row in rows[1:] for cell in _cells(row, "/TD") for link in _cells(cell, "/Link")
    ]
    assert len(links) == len(project.invoices)


def _mcids(page: pikepdf.Page) -> list[int]:
    found = []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue
        if instruction.operator == pikepdf.Operator("BDC"):
            properties = instruction.operands[1]
            if "/MCID" in properties:
                found.append(int(properties.MCID))
    return found


def test_marked_content_and_the_parent_tree_agree() -> None:
    """Each MCID on a cover page is found through the page's /StructParents in the parent tree."""
    result, _data = _check_parent_tree(*_sample())
    assert result.manifest.cover_last_page == 1


def _check_parent_tree(result: BackupResult, data: bytes) -> tuple[BackupResult, bytes]:
    pdf = pikepdf.open(io.BytesIO(data))
    nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
    tree: dict[int, Any] = {int(k): v for k, v in zip(nums[::2], nums[1::2], strict=True)}
    for index in _cover_pages(result):
        page = pdf.pages[index]
        mcids = _mcids(page)
        assert mcids == list(range(len(mcids)))
        parents = tree[int(page.obj.StructParents)]
        assert len(parents) == len(mcids)
        for mcid, element in zip(mcids, parents, strict=True):
            assert mcid in list(element.K)
            assert element.Pg.objgen == page.obj.objgen
        for annotation in page.obj.get("/Annots", []):
            link = tree[int(annotation.StructParent)]
            assert link.S == "/Link"
            objr = [k for k in link.K if isinstance(k, pikepdf.Dictionary)]
            assert [k.Obj.objgen for k in objr] == [annotation.objgen]
    assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(tree)
    return result, data


def _large_project(invoices: int, contracts: int) -> tuple[Project, InMemoryStore]:
    period = BillingPeriod(
        id="bp-1", start=date(2026, 10, 1), end=date(2026, 10, 31), due=date(2026, 11, 5)
    )
    page = text_pdf(["Pay application"])
    rows = [
        Invoice(
            id=f"i-{n}",
            contract_id=f"c-{n % contracts}",
            billing_period_id="bp-1",
            position=n,
            number=f"INV-{n:04d}",
            status=InvoiceStatus.APPROVED,
            amount=Decimal(n) + Decimal("0.25"),
            document=Document(key=f"docs/{n}.pdf", filename=f"Invoice {n}.pdf"),
        )
        for n in range(invoices)
    ]
    project = Project(
        id="p-big",
        name="Big project",
        number="B-1",
        users=(ADMIN,),
        contracts=tuple(
            Contract(id=f"c-{k}", number=f"SC-{k}", title="Trade") for k in range(contracts)
        ),
        billing_periods=(period,),
        invoices=tuple(rows),
    )
    return project, InMemoryStore({row.document.key: page for row in rows})


def test_five_hundred_invoices_spill_over_with_every_link_right() -> None:
    """500 invoices take several cover pages, each with the heading row; every link is right."""
    project, store = _large_project(500, 7)
    result, data = _compile(project, store)
    pages = _cover_pages(result)
    assert len(pages) > 5
    links = _links(result, data)
    assert len(links) == 500
    for (label, page), record in zip(links, result.invoices, strict=True):
        assert record.number in label
        assert record.first_page == page + 1
    reader = pypdf.PdfReader(io.BytesIO(data))
    for index in pages:
        text = reader.pages[index].extract_text()
        assert "Billing period" in text
        assert f"page {index + 1} of {len(pages)}" in text
    assert [r.first_page for r in result.invoices] == list(range(len(pages) + 1, len(pages) + 501))
    text = _cover_text(result, data)
    total = sum((i.amount for i in project.invoices), Decimal(0))
    assert re.search(rf"^Total {re.escape(_amount(total))}$", text, re.M)
    _check_parent_tree(result, data)
    pdf = pikepdf.open(io.BytesIO(data))
    rows = list(_cells(pdf.Root.StructTreeRoot.K.K[-1], "/TR"))
    assert len(rows) == 1 + 500 + 7 + 1


def test_the_same_input_gives_the_same_bytes() -> None:
    """Compiled twice with the same input and time, the backups are byte for byte equal."""
    first = _sample()[1]
    second = _sample()[1]
    assert first == second
    assert b"/StructTreeRoot" in first


def test_without_the_cover_sheet_there_is_none() -> None:
    """Leaving the cover sheet out: no cover pages, no structure tree, invoices from page 1."""
    project = sample_project(today=date(2026, 11, 3))
    result, data = _compile(
        project, InMemoryStore(sample_documents()), options=BackupOptions(include=WITHOUT_COVER)
    )
    with_cover, _with_data = _sample()
    assert result.manifest.cover_first_page is None
    assert result.manifest.cover_last_page is None
    assert result.invoices[0].first_page == 1
    assert result.page_count == with_cover.page_count - 1
    pdf = pikepdf.open(io.BytesIO(data))
    assert "/StructTreeRoot" not in pdf.Root
    assert "/MarkInfo" not in pdf.Root
    assert outline(data)[0][1] != "Cover sheet"


def test_long_text_is_cut_and_unknown_characters_are_replaced() -> None:
    """A long contract title ends in an ellipsis within its column; a CJK character shows as ?."""
    project = sample_project(today=date(2026, 11, 3))
    contracts = list(project.contracts)
    contracts[0] = attrs.evolve(
        contracts[0], title="Électricité générale et très longue description 中"
    )
    changed = attrs.evolve(project, contracts=contracts, name="Tour 中 Nord")
    result, data = _compile(changed, InMemoryStore(sample_documents()))
    text = _cover_text(result, data)
    assert "Tour ? Nord" in text
    label = re.search(rf"^{re.escape(contracts[0].number)} — (Él[^…\n]*)… ", text, re.M)
    assert label is not None, text
    assert label.group(1) in contracts[0].title
    assert "中" not in text


def test_the_helvetica_widths_are_adobes() -> None:
    """The width tables are the Core 14 AFM widths (reportlab's copy) for each WinAnsi code."""
    from reportlab.pdfbase import pdfmetrics

    from invoicebackup import _helvetica

    for font, bold in (("Helvetica", False), ("Helvetica-Bold", True)):
        metrics = pdfmetrics.getFont(font)
        assert metrics.encoding.name == "WinAnsiEncoding"
        for code in range(0x20, 256):
            expected = metrics.widths[code]
            assert _helvetica.width(bytes([code]), size=1000, bold=bold) == expected, (code, font)


def test_marked_content_is_balanced_and_artifacts_are_marked() -> None:
    """Every BMC/BDC on a cover page is closed by its EMC, never more; artifacts are marked."""
    result, data = _sample()
    pdf = pikepdf.open(io.BytesIO(data))
    for index in _cover_pages(result):
        depth = 0
        artifacts = 0
        for instruction in pikepdf.parse_content_stream(pdf.pages[index]):
            if not isinstance(instruction, pikepdf.ContentStreamInstruction):
                continue
            operator = str(instruction.operator)
            if operator in {"BMC", "BDC"}:
                depth += 1
                artifacts += instruction.operands[0] == pikepdf.Name("/Artifact")
            elif operator == "EMC":
                depth -= 1
                assert depth >= 0
            elif operator in {"Tj", "re", "l"}:
                assert depth == 1, f"{operator} outside marked content"
        assert depth == 0
        assert artifacts > 0


def test_a_sources_annotations_do_not_point_into_the_cover_sheets_tree() -> None:
    """A copied link's /StructParent (a key of its source's tree) is dropped, not kept in ours."""
    tagged_link = build_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R]"
            b" /StructParents 0 >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /StructParent 1"
            b" /A << /S /URI /URI (https://example.com/) >> >>",
        ]
    )
    project, store = one_attachment(tagged_link)
    result = compile_backup(project, invoice_ids=["i-1"], user_id=USER_ID, store=store, now=NOW)
    data = store.read_bytes(result.key)
    (source,) = [s for s in result.invoices[0].sources if s.key == ATTACHMENT_KEY]
    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[source.first_page - 1]
    (annotation,) = page.obj.Annots
    assert annotation.Subtype == "/Link"
    assert "/StructParent" not in annotation
    assert "/StructParents" not in page.obj


def test_each_row_counts_the_invoices_waivers_in_and_missing() -> None:
    """The waivers column is each invoice's waivers in the backup / requested and not received.

    The sample's INV-0002 holds two lien waivers and misses one; the others have none.
    """
    result, data = _sample()
    text = _cover_text(result, data)
    for record in result.invoices:
        present = sum(1 for source in record.sources if source.waiver is not None)
        expected = f"{present} / {len(record.missing_waivers)} {record.first_page}"
        line = next(line for line in text.splitlines() if f" {record.number} " in line)
        assert line.endswith(expected), (line, expected)
    inv2 = next(line for line in text.splitlines() if " INV-0002 " in line)
    assert " 2 / 1 " in inv2

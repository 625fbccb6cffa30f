"""Lien waivers: the domain, the project format, the order of parts, missing waivers, refusal."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupPreconditionsError,
    Document,
    Include,
    InvalidValueError,
    LienWaiver,
    ProjectFileError,
    WaiverCondition,
    WaiverScope,
    WaiverTier,
    compile_backup,
    dump_project,
    load_project,
    plan_backup,
    project_from_dict,
    project_to_dict,
)
from invoicebackup.cli import EXIT_REFUSED, EXIT_WARNINGS, main
from invoicebackup.manifest import MANIFEST_NAME
from invoicebackup.plan import DocumentRole
from invoicebackup.preview import preview_backup
from invoicebackup.testing import (
    lien_waiver_pdf,
    sample_documents,
    sample_project,
    text_pdf,
    write_sample_project,
)
from tests.backup_helpers import NOW, attachment, invoice, outline, project, reader, store_for
from tests.oracle import assert_backup_matches

TODAY = date(2026, 11, 3)


def waiver(
    waiver_id: str,
    tier: str = "first",
    condition: str = "conditional",
    *,
    received: bool = True,
    claimant: str = "Volt Electric",
    scope: str = "progress",
) -> LienWaiver:
    """A waiver whose document, when received, is stored under ``waivers/<id>.pdf``."""
    document = (
        Document(key=f"waivers/{waiver_id}.pdf", filename=f"Waiver {waiver_id}.pdf")
        if received
        else None
    )
    return LienWaiver(
        id=waiver_id,
        tier=tier,
        condition=condition,
        scope=scope,
        claimant=claimant,
        through_date=date(2024, 5, 31),
        amount=Decimal("1250.00"),
        document=document,
    )


def waiver_documents(*waivers: LienWaiver) -> dict[str, bytes]:
    """A filled-in one-page waiver form for every received waiver, naming it."""
    return {
        w.document.key: lien_waiver_pdf(
            {"claimant": w.claimant, "waiver": w.id},
            title=f"{w.condition.value} {w.tier.value}-tier waiver {w.id}",
        )
        for w in waivers
        if w.document is not None
    }


# --- the domain ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "word", "member"),
    [
        ("tier", "FIRST", WaiverTier.FIRST),
        ("tier", "Sub", WaiverTier.SUB),
        ("condition", "UnConditional", WaiverCondition.UNCONDITIONAL),
        ("scope", "FINAL", WaiverScope.FINAL),
    ],
)
def test_waiver_words_are_read_in_any_ascii_case(field: str, word: str, member: object) -> None:
    """A waiver's tier, condition and scope take their words in any ASCII case."""
    made = attrs_evolve(waiver("w-1"), **{field: word})
    assert getattr(made, field) is member


def attrs_evolve(value: LienWaiver, **changes: Any) -> LienWaiver:
    import attrs

    return attrs.evolve(value, **changes)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tier", "second"),
        ("tier", "\u212airst"),  # a Kelvin sign lower-cases to k, never taken for ASCII
        ("condition", "maybe"),
        ("scope", "partial"),
    ],
)
def test_a_waiver_word_that_names_nothing_is_refused_naming_the_field(
    field: str, value: str
) -> None:
    """An unknown word is an InvalidValueError naming the field and every allowed word."""
    with pytest.raises(InvalidValueError) as caught:
        attrs_evolve(waiver("w-1"), **{field: value})
    assert caught.value.field == f"LienWaiver.{field}"
    assert caught.value.allowed


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": Decimal("NaN")},
        {"amount": 12},
        {"through_date": "2024-05-31"},
        {"claimant": "  "},
        {"document": "waivers/w-1.pdf"},
    ],
)
def test_a_waiver_refuses_values_of_the_wrong_kind(changes: dict[str, Any]) -> None:
    """A non-finite or non-Decimal amount, a date as text, a blank claimant are refused."""
    with pytest.raises(ValueError, match=r"amount|through_date|claimant|document"):
        attrs_evolve(waiver("w-1"), **changes)


def test_waiver_ids_are_unique_in_a_project() -> None:
    """Two invoices' waivers sharing an id make the project refuse, naming the id."""
    with pytest.raises(ValueError, match="'w-1'"):
        project(
            [
                invoice("i-1", lien_waivers=[waiver("w-1")]),
                invoice("i-2", position=2, lien_waivers=[waiver("w-1", "sub")]),
            ]
        )


def test_an_invoice_has_no_waivers_by_default() -> None:
    """Without lien_waivers, an invoice has none."""
    assert invoice("i-1").lien_waivers == ()


# --- the project format --------------------------------------------------------------------------


def test_the_format_reads_the_waivers_of_the_spec(tmp_path: Path) -> None:
    """The spec's example: a first-tier conditional waiver received, a sub-tier one missing."""
    data = project_to_dict(sample_project(today=TODAY))
    data["invoices"][0]["lien_waivers"] = [
        {
            "id": "w-7-1",
            "tier": "first",
            "condition": "conditional",
            "scope": "progress",
            "claimant": "Volt Electric",
            "through_date": "2026-10-31",
            "amount": "12500.00",
            "document": {
                "key": "docs/i-7-cond-waiver.pdf",
                "filename": "Conditional waiver.pdf",
                "media_type": "application/pdf",
            },
        },
        {
            "id": "w-7-2",
            "tier": "sub",
            "condition": "unconditional",
            "scope": "progress",
            "claimant": "Copper Supply Co.",
            "through_date": "2026-09-30",
            "amount": "2100.00",
            "document": None,
        },
    ]
    loaded = project_from_dict(data)
    first, second = loaded.invoices[0].lien_waivers
    assert (first.tier, first.condition, first.scope) == (
        WaiverTier.FIRST,
        WaiverCondition.CONDITIONAL,
        WaiverScope.PROGRESS,
    )
    assert first.amount == Decimal("12500.00")
    assert first.document is not None
    assert first.document.key == "docs/i-7-cond-waiver.pdf"
    assert second.missing
    assert second.through_date == date(2026, 9, 30)
    # dumped and loaded back through a file: the same project, the null written as null
    path = dump_project(loaded, tmp_path)
    assert load_project(tmp_path) == loaded
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["invoices"][0]["lien_waivers"][1]["document"] is None


@st.composite
def waiver_lists(draw: st.DrawFn) -> list[LienWaiver]:
    count = draw(st.integers(0, 5))
    return [
        LienWaiver(
            id=f"w-{index}",
            tier=draw(st.sampled_from(WaiverTier)),
            condition=draw(st.sampled_from(WaiverCondition)),
            scope=draw(st.sampled_from(WaiverScope)),
            claimant=draw(st.text(st.characters(codec="utf-8"), min_size=1).filter(str.strip)),
            through_date=draw(st.dates()),
            amount=draw(st.decimals(allow_nan=False, allow_infinity=False, places=2)),
            document=draw(
                st.sampled_from([None, Document(key=f"w/{index}.pdf", filename=f"{index}.pdf")])
            ),
        )
        for index in range(count)
    ]


@given(waiver_lists())
@settings(max_examples=50, deadline=None)
def test_waivers_round_trip_through_the_format(waivers: list[LienWaiver]) -> None:
    """Any waivers dump and load back equal, in the same order; none dumps no key at all."""
    made = project([invoice("i-1", lien_waivers=waivers)])
    data = project_to_dict(made)
    assert ("lien_waivers" in data["invoices"][0]) == bool(waivers)
    assert project_from_dict(json.loads(json.dumps(data))) == made


def test_a_file_without_waivers_stays_valid() -> None:
    """The first round's files (no lien_waivers key) load, their invoices without waivers."""
    data = project_to_dict(sample_project(today=TODAY))
    for item in data["invoices"]:
        item.pop("lien_waivers", None)
    assert all(not i.lien_waivers for i in project_from_dict(data).invoices)


def _spec_waiver(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "w-9",
        "tier": "first",
        "condition": "conditional",
        "scope": "progress",
        "claimant": "Volt Electric",
        "through_date": "2026-10-31",
        "amount": "12500.00",
        "document": None,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"tier": "second"}, "invoices[3].lien_waivers[1].tier", "bad_value"),
        ({"condition": 1}, "invoices[3].lien_waivers[1].condition", "wrong_type"),
        ({"scope": "partial"}, "invoices[3].lien_waivers[1].scope", "bad_value"),
        ({"amount": 12.5}, "invoices[3].lien_waivers[1].amount", "wrong_type"),
        ({"amount": "NaN"}, "invoices[3].lien_waivers[1].amount", "not_finite"),
        ({"through_date": "2026-13-01"}, "invoices[3].lien_waivers[1].through_date", "bad_date"),
        ({"document": ...}, "invoices[3].lien_waivers[1].document", "missing_key"),
        (
            {"document": {"key": "../w.pdf", "filename": "w.pdf", "media_type": "application/pdf"}},
            "invoices[3].lien_waivers[1].document.key",
            "unsafe_key",
        ),
        ({"claimant": ""}, "invoices[3].lien_waivers[1].claimant", "invalid_value"),
        ({"signed": True}, "invoices[3].lien_waivers[1].signed", "unknown_key"),
        ({"id": "w-2-1"}, "invoices[3].lien_waivers[1].id", "duplicate_id"),
    ],
)
def test_a_bad_waiver_is_named_by_its_json_path(
    changes: dict[str, Any], path: str, code: str
) -> None:
    """Each bad waiver value is one problem at its JSON path, with a stable code."""
    data = project_to_dict(sample_project(today=TODAY))
    data["invoices"][3]["lien_waivers"] = [_spec_waiver(id="w-8"), _spec_waiver(**changes)]
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(data)
    assert [(p.path, p.code) for p in caught.value.problems] == [(path, code)]


# --- the order of the parts ----------------------------------------------------------------------

_WAIVER_PARTS = [
    Include.FIRST_TIER_WAIVERS,
    Include.SUB_TIER_WAIVERS,
    Include.CONDITIONAL_WAIVERS,
    Include.UNCONDITIONAL_WAIVERS,
]


@given(
    attachments=st.integers(0, 3),
    specs=st.lists(
        st.tuples(st.sampled_from(WaiverTier), st.sampled_from(WaiverCondition), st.booleans()),
        max_size=7,
    ),
    include=st.sets(st.sampled_from(list(Include))),
)
def test_the_planned_order_is_the_documented_one(
    attachments: int,
    specs: list[tuple[WaiverTier, WaiverCondition, bool]],
    include: set[Include],
) -> None:
    """Any mix of attachments and waivers, any selection: exactly the documented order.

    The invoice's document, its attachments in upload order (when included), its first-tier
    waivers then its sub-tier ones, each in the order received; a waiver is in when both its
    tier's and its condition's parts are selected and it was received; the missing ones asked
    for are listed, in the same order; nothing left out by the selection appears anywhere.
    """
    waivers = [
        waiver(f"w-{n}", tier.value, condition.value, received=received)
        for n, (tier, condition, received) in enumerate(specs)
    ]
    docs = [attachment(f"a-{n}.pdf") for n in range(attachments)]
    made = project([invoice("i-1", attachments=docs, lien_waivers=waivers)])
    plan = plan_backup(
        made, invoice_ids=["i-1"], user_id="u-admin", options=BackupOptions(include=include)
    )
    tier_part = {
        WaiverTier.FIRST: Include.FIRST_TIER_WAIVERS,
        WaiverTier.SUB: Include.SUB_TIER_WAIVERS,
    }
    condition_part = {
        WaiverCondition.CONDITIONAL: Include.CONDITIONAL_WAIVERS,
        WaiverCondition.UNCONDITIONAL: Include.UNCONDITIONAL_WAIVERS,
    }
    asked = [
        w
        for tier in (WaiverTier.FIRST, WaiverTier.SUB)
        for w in waivers
        if w.tier is tier
        and tier_part[w.tier] in include
        and condition_part[w.condition] in include
    ]
    expected: list[tuple[str, str, str | None]] = [("invoice", "docs/i-1.pdf", None)]
    if Include.ATTACHMENTS in include:
        expected += [("attachment", d.key, None) for d in docs]
    expected += [("lien_waiver", w.document.key, w.id) for w in asked if w.document is not None]
    planned = plan.invoices[0]
    assert [
        (d.role.value, d.document.key, d.waiver.id if d.waiver else None) for d in planned.documents
    ] == expected
    assert [d.position for d in planned.documents] == list(range(len(expected)))
    assert [w.id for w in planned.missing_waivers] == [w.id for w in asked if w.missing]


# --- compiling -----------------------------------------------------------------------------------


def _waiver_project() -> tuple[Any, dict[str, bytes]]:
    """Two invoices; waivers of both tiers and conditions, received out of backup order."""
    first = [
        waiver("w-1", "sub", "unconditional", claimant="Copper Supply Co."),
        waiver("w-2", "first", "conditional"),
        waiver("w-3", "sub", "conditional", received=False, claimant="Wire Depot Ltd."),
        waiver("w-4", "first", "unconditional"),
    ]
    second = [waiver("w-5", "first", "conditional", received=False)]
    made = project(
        [
            invoice("i-1", attachments=[attachment("receipt.pdf")], lien_waivers=first),
            invoice("i-2", position=2, lien_waivers=second),
        ]
    )
    extra = {"att/receipt.pdf": text_pdf(["Receipt", "Receipt page 2"]), **waiver_documents(*first)}
    return made, extra


def test_a_compile_holds_each_waiver_page_for_page_in_order() -> None:
    """Waiver PDFs go in after the attachments, first tier then sub tier; the oracle agrees.

    The manifest names each waiver's source (id, tier, condition) and the page it starts on
    is the page its own text is on.
    """
    made, extra = _waiver_project()
    store = store_for(made, extra)
    result = compile_backup(made, contract_ids=["c-1"], user_id="u-admin", store=store, now=NOW)
    backup = store.read_bytes(result.key)
    record = result.invoices[0]
    assert [(s.role, s.waiver.waiver_id if s.waiver else None) for s in record.sources] == [
        (DocumentRole.INVOICE, None),
        (DocumentRole.ATTACHMENT, None),
        (DocumentRole.LIEN_WAIVER, "w-2"),
        (DocumentRole.LIEN_WAIVER, "w-4"),
        (DocumentRole.LIEN_WAIVER, "w-1"),
    ]
    assert [(s.waiver.tier, s.waiver.condition) for s in record.sources if s.waiver] == [
        (WaiverTier.FIRST, WaiverCondition.CONDITIONAL),
        (WaiverTier.FIRST, WaiverCondition.UNCONDITIONAL),
        (WaiverTier.SUB, WaiverCondition.UNCONDITIONAL),
    ]
    texts = [page.extract_text() for page in reader(backup).pages]
    for source in record.sources:
        if source.waiver is not None:
            assert f"waiver {source.waiver.waiver_id}" in texts[source.first_page - 1]
    sources = {key: store.read_bytes(key) for key in store.keys() if not key.startswith("backups")}  # noqa: SIM118 - a store, not a dict
    assert assert_backup_matches(result, backup, sources) == 6  # i-1's five, i-2's one


def test_the_waivers_have_a_bookmark_level_of_their_own() -> None:
    """Invoice > "Lien waivers" > each waiver by tier, condition, scope, claimant, through date.

    Read back with pypdf; each bookmark lands on its waiver's first page in the manifest.
    """
    made, extra = _waiver_project()
    store = store_for(made, extra)
    result = compile_backup(made, contract_ids=["c-1"], user_id="u-admin", store=store, now=NOW)
    marks = outline(store.read_bytes(result.key))
    record = result.invoices[0]
    waivers = [s for s in record.sources if s.waiver]
    group = marks.index((2, "Lien waivers", waivers[0].first_page - 1))
    assert marks[group - 1][0] == 2  # a sibling of the invoice's documents
    children = marks[group + 1 : group + 1 + len(waivers)]
    assert children == [
        (3, title, s.first_page - 1)
        for s, title in zip(
            waivers,
            [
                "First tier, conditional, progress — Volt Electric — through 2024-05-31",
                "First tier, unconditional, progress — Volt Electric — through 2024-05-31",
                "Sub tier, unconditional, progress — Copper Supply Co. — through 2024-05-31",
            ],
            strict=True,
        )
    ]
    # an invoice without a received waiver has no such bookmark
    assert sum(1 for m in marks if m[1] == "Lien waivers") == 1


def test_the_waiver_bookmarks_are_in_the_backups_language() -> None:
    """In fr-CA, the group and each waiver's title are French."""
    made, extra = _waiver_project()
    store = store_for(made, extra)
    result = compile_backup(
        made,
        invoice_ids=["i-1"],
        user_id="u-admin",
        store=store,
        now=NOW,
        options=BackupOptions(language="fr-CA"),
    )
    titles = [m[1] for m in outline(store.read_bytes(result.key))]
    assert "Renonciations aux hypothèques légales" in titles
    assert "Premier rang, conditionnelle, partielle — Volt Electric — jusqu'au 2024-05-31" in titles


def test_missing_waivers_are_listed_per_invoice_in_the_result_and_the_embedded_manifest() -> None:
    """Each invoice lists the waivers asked for and never received; the notification says so."""
    made, extra = _waiver_project()
    store = store_for(made, extra)
    result = compile_backup(made, contract_ids=["c-1"], user_id="u-admin", store=store, now=NOW)
    assert [[w.waiver_id for w in r.missing_waivers] for r in result.invoices] == [["w-3"], ["w-5"]]
    assert result.invoices[0].missing_waivers[0].claimant == "Wire Depot Ltd."
    assert "2 lien waivers requested and not received" in result.message
    embedded = json.loads(reader(store.read_bytes(result.key)).attachments[MANIFEST_NAME][0])
    missing = embedded["invoices"][0]["missing_waivers"]
    assert [(w["waiver_id"], w["tier"], w["condition"]) for w in missing] == [
        ("w-3", "sub", "conditional")
    ]
    assert embedded["invoices"][0]["sources"][2]["waiver"]["waiver_id"] == "w-2"


def test_waivers_left_out_by_the_selection_are_not_reported_missing() -> None:
    """A missing waiver of a tier or condition not selected was not asked for: not reported."""
    made, extra = _waiver_project()
    store = store_for(made, extra)
    options = BackupOptions(include="first-tier-waivers,unconditional-waivers")
    result = compile_backup(
        made, contract_ids=["c-1"], user_id="u-admin", store=store, now=NOW, options=options
    )
    assert [[w.waiver_id for w in r.missing_waivers] for r in result.invoices] == [[], []]
    assert [s.waiver.waiver_id for s in result.invoices[0].sources if s.waiver] == ["w-4"]
    assert "lien waiver" not in result.message


def test_a_bad_waiver_document_is_treated_as_a_bad_attachment() -> None:
    """A damaged waiver becomes a placeholder, a non-PDF one is skipped: both name the waiver."""
    damaged = waiver("w-1")
    scanned = LienWaiver(
        id="w-2",
        tier="sub",
        condition="conditional",
        scope="final",
        claimant="Copper Supply Co.",
        through_date=date(2024, 5, 31),
        amount=Decimal("10"),
        document=Document(key="waivers/w-2.jpg", filename="Waiver w-2.jpg"),
    )
    made = project([invoice("i-1", lien_waivers=[damaged, scanned])])
    store = store_for(
        made, {"waivers/w-1.pdf": b"%PDF-1.7\n1 0 obj <<", "waivers/w-2.jpg": b"\xff\xd8"}
    )
    result = compile_backup(made, invoice_ids=["i-1"], user_id="u-admin", store=store, now=NOW)
    assert [
        (i.code, i.action.value, i.waiver.waiver_id if i.waiver else None) for i in result.left_out
    ] == [
        ("damaged", "placeholder", "w-1"),
        ("not_pdf", "skipped", "w-2"),
    ]
    assert result.left_out[1].reason.startswith("the lien waiver is neither a PDF nor an image")
    assert result.invoices[0].missing_waivers == ()  # received, though unreadable
    marks = outline(store.read_bytes(result.key))
    placeholder = result.left_out[0].page
    assert placeholder is not None
    assert (2, "Lien waivers", placeholder - 1) in marks


def test_a_waiver_over_the_page_limit_is_too_large() -> None:
    """The limits apply to waivers as to attachments."""
    made = project([invoice("i-1", lien_waivers=[waiver("w-1")])])
    store = store_for(made, {"waivers/w-1.pdf": text_pdf(["1", "2", "3"])})
    result = compile_backup(
        made,
        invoice_ids=["i-1"],
        user_id="u-admin",
        store=store,
        now=NOW,
        options=BackupOptions(max_document_pages=2),
    )
    assert [(i.code, i.waiver.waiver_id if i.waiver else None) for i in result.left_out] == [
        ("too_large", "w-1")
    ]


# --- require_waivers -----------------------------------------------------------------------------


def test_require_waivers_refuses_naming_every_missing_waiver() -> None:
    """Every missing waiver is one problem (missing_waiver, waiver:<id>); nothing is written."""
    made, extra = _waiver_project()
    store = store_for(made, extra)
    before = set(store.keys())
    with pytest.raises(BackupPreconditionsError) as caught:
        compile_backup(
            made,
            contract_ids=["c-1"],
            user_id="u-admin",
            store=store,
            now=NOW,
            options=BackupOptions(require_waivers=True),
        )
    assert [(p.path, p.code) for p in caught.value.problems] == [
        ("waiver:w-3", "missing_waiver"),
        ("waiver:w-5", "missing_waiver"),
    ]
    assert "Wire Depot Ltd." in caught.value.problems[0].message
    assert set(store.keys()) == before


def test_require_waivers_passes_when_the_missing_ones_are_not_asked_for() -> None:
    """Only the waivers the selection asks for must be there."""
    made, _ = _waiver_project()
    options = BackupOptions(
        require_waivers=True, include="attachments,first-tier-waivers,unconditional-waivers"
    )
    plan = plan_backup(made, contract_ids=["c-1"], user_id="u-admin", options=options)
    assert [w.id for w in plan.invoices[0].missing_waivers] == []


def test_require_waivers_reports_beside_the_other_problems() -> None:
    """A missing waiver is listed with every other precondition problem, in one error."""
    made, _ = _waiver_project()
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(
            made,
            invoice_ids=["i-1", "i-9"],
            user_id="u-admin",
            options=BackupOptions(require_waivers=True),
        )
    codes = {p.code for p in caught.value.problems}
    assert codes == {"unknown_invoice", "missing_waiver"}


def test_the_preview_names_each_waivers_document_and_the_missing_ones() -> None:
    """Plan's preview says which waiver each document is and lists the missing ones."""
    made, extra = _waiver_project()
    preview = preview_backup(
        made, invoice_ids=["i-1"], user_id="u-admin", store=store_for(made, extra)
    )
    item = preview.invoices[0]
    assert [d.waiver_id for d in item.documents] == [None, None, "w-2", "w-4", "w-1"]
    assert [w.id for w in item.planned.missing_waivers] == ["w-3"]


# --- the command line ----------------------------------------------------------------------------


def test_the_cli_reports_and_refuses_missing_waivers(tmp_path: Path) -> None:
    """Plan lists the sample's missing waiver (exit 3); --require-waivers refuses it (exit 1).

    Leaving the sub tier out with --include, nothing is missing and the refusal goes.
    """
    folder = write_sample_project(tmp_path / "project", today=TODAY)
    runner = CliRunner()
    args = ["plan", str(folder), "--as", "u-admin", "--contract", "k-2"]
    plan = runner.invoke(main, [*args, "--json"])
    assert plan.exit_code == EXIT_WARNINGS, plan.output
    document = json.loads(plan.stdout)
    i2 = next(i for i in document["result"]["invoices"] if i["invoice_id"] == "i-2")
    assert [w["waiver_id"] for w in i2["missing_waivers"]] == ["w-2-3"]
    assert [d["waiver_id"] for d in i2["documents"] if d["role"] == "lien_waiver"] == [
        "w-2-2",
        "w-2-1",
    ]
    assert ("missing_waiver", "waiver:w-2-3", "w-2-3") in {
        (p["code"], p["path"], p["subject"]) for p in document["problems"]
    }
    text = runner.invoke(main, args)
    assert (
        "    - missing: lien waiver w-2-3 (Sub tier, conditional, progress) from Wire Depot Ltd."
        in text.stdout
    )
    refused = runner.invoke(main, [*args, "--require-waivers"])
    assert refused.exit_code == EXIT_REFUSED
    assert "waiver:w-2-3: invoice 'INV-0002' (i-2): the sub-tier conditional" in refused.stderr
    compiled = runner.invoke(
        main,
        ["compile", str(folder), "--as", "u-admin", "--contract", "k-2", "--require-waivers"],
    )
    assert compiled.exit_code == EXIT_REFUSED
    assert not (folder / "backups").exists()
    first_tier = runner.invoke(
        main,
        [
            *args,
            "--require-waivers",
            "--include",
            "attachments,first-tier-waivers,conditional-waivers,unconditional-waivers",
            "--json",
        ],
    )
    result = json.loads(first_tier.stdout)
    assert first_tier.exit_code == EXIT_WARNINGS  # the spreadsheet is still skipped
    assert "missing_waiver" not in {p["code"] for p in result["problems"]}


def test_the_sample_compiles_its_waivers_with_the_oracles_agreement(tmp_path: Path) -> None:
    """The sample's signed invoice holds its waivers of both tiers, page for page.

    Its missing one is in its record.
    """
    from invoicebackup import InMemoryStore

    documents = sample_documents(today=TODAY)
    store = InMemoryStore(documents)
    result = compile_backup(
        sample_project(today=TODAY), invoice_ids=["i-2"], user_id="u-admin", store=store, now=NOW
    )
    record = result.invoices[0]
    tiers = [s.waiver.tier for s in record.sources if s.waiver]
    assert tiers == [WaiverTier.FIRST, WaiverTier.SUB]
    assert [w.waiver_id for w in record.missing_waivers] == ["w-2-3"]
    assert assert_backup_matches(result, store.read_bytes(result.key), documents) == 4


def test_validate_reads_each_waiver_document_as_compile_would(tmp_path: Path) -> None:
    """A damaged waiver document is a warning at its JSON path, worded as compile words it."""
    folder = write_sample_project(tmp_path / "project", today=TODAY)
    (folder / "docs" / "i-2-waiver-volt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == EXIT_WARNINGS, result.output
    assert (
        "warning: invoices[1].lien_waivers[1].document.key: Volt conditional waiver.pdf (i-2): "
        "replaced by a placeholder page (damaged)"
    ) in result.stderr

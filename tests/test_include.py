"""What to include: BackupOptions.include, parse_include and the CLI's --include."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    Include,
    InMemoryStore,
    InvalidValueError,
    compile_backup,
    plan_backup,
)
from invoicebackup.cli import main
from invoicebackup.options import parse_include
from invoicebackup.plan import DocumentRole
from invoicebackup.testing import sample_documents, sample_project, write_sample_project
from tests.backup_helpers import page_texts
from tests.oracle import assert_backup_matches


def test_all_is_every_part_and_the_default() -> None:
    """Without include, and with "all", every part is in; words join "all" without harm."""
    assert BackupOptions().include == frozenset(Include)
    assert parse_include("all") == frozenset(Include)
    assert parse_include("attachments,ALL") == frozenset(Include)


@given(st.sets(st.sampled_from(list(Include))), st.sampled_from([str.lower, str.upper]))
def test_a_comma_list_reads_back_as_the_parts_named(parts: set[Include], case: object) -> None:
    """Any set of parts, written as a comma list in any case with spaces, reads back as itself."""
    assert callable(case)
    words = " , ".join(case(part.value) for part in sorted(parts, key=lambda p: p.value))
    assert parse_include(words) == frozenset(parts)
    assert BackupOptions(include=[part.value for part in parts]).include == frozenset(parts)


def test_an_unknown_part_is_refused_with_every_choice() -> None:
    """A word naming no part is an InvalidValueError naming the field, the word and the choices."""
    with pytest.raises(InvalidValueError) as caught:
        BackupOptions(include="attachments,waivers")
    error = caught.value
    assert error.field == "BackupOptions.include"
    assert error.value == "waivers"
    assert "first-tier-waivers" in error.allowed
    assert "all" in error.allowed


def test_a_part_that_is_not_a_word_is_refused() -> None:
    """A number among the parts is refused where it enters, not deep inside a compile."""
    with pytest.raises(InvalidValueError, match=r"BackupOptions\.include"):
        BackupOptions(include=["attachments", 3])  # type: ignore[list-item]


def test_without_attachments_only_the_invoices_documents_are_planned() -> None:
    """Leaving attachments out plans each invoice's own document and nothing else."""
    project = sample_project()
    plan = plan_backup(
        project,
        contract_ids=["k-2"],
        user_id="u-admin",
        options=BackupOptions(include=[]),
    )
    assert [d.role for d in plan.documents] == [DocumentRole.INVOICE] * len(plan.invoices)


def test_a_compile_without_attachments_holds_no_attachment_page() -> None:
    """The backup without attachments has fewer pages, and no attachment is in its manifest."""
    project = sample_project()
    store = InMemoryStore(sample_documents())
    every = compile_backup(project, contract_ids=["k-2"], user_id="u-admin", store=store)
    only = compile_backup(
        project,
        contract_ids=["k-2"],
        user_id="u-admin",
        store=store,
        options=BackupOptions(include=""),
    )
    sources = [s for i in only.manifest.invoices for s in i.sources]
    assert sources
    assert all(s.role.value in {"invoice", "signed_invoice"} for s in sources)
    assert only.page_count < every.page_count
    backup = store.read_bytes(only.key)
    assert len(page_texts(backup)) == only.page_count
    assert assert_backup_matches(only, backup, sample_documents()) == len(sources)


def test_the_cli_takes_include_and_refuses_a_bad_part(tmp_path: Path) -> None:
    """--include is a comma list; a bad word is a usage error (exit 2) naming it."""
    folder = tmp_path / "project"
    write_sample_project(folder)
    runner = CliRunner()
    bad = runner.invoke(
        main, ["plan", str(folder), "--as", "u-admin", "--include", "attachments,covers"]
    )
    assert bad.exit_code == 2
    assert "'covers'" in bad.output
    good = runner.invoke(
        main,
        ["plan", str(folder), "--as", "u-admin", "--contract", "k-2", "--include", "", "--json"],
    )
    assert good.exit_code in (0, 3), good.output
    invoices = json.loads(good.stdout)["result"]["invoices"]
    roles = {d["role"] for i in invoices for d in i["documents"]}
    assert invoices
    assert roles <= {"invoice", "signed_invoice"}

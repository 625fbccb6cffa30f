"""The command-line tool, driven by click's test runner, for every exit code."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

from invoicebackup.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_WARNINGS, main
from invoicebackup.testing import write_sample_project


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_project(tmp_path_factory.mktemp("sample") / "project")


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert "Traceback" not in (result.stderr or "")


def test_compile_with_warnings_exits_3_and_writes_pdf_and_manifest(
    sample: Path, tmp_path: Path
) -> None:
    """The sample project compiles with warnings (a CSV and a damaged PDF): exit 3, both files."""
    result = run("compile", sample, "--as", "u-admin", "-o", tmp_path)
    no_traceback(result)
    assert result.exit_code == EXIT_WARNINGS, result.output
    pdfs = list(tmp_path.glob("*.pdf"))
    manifests = list(tmp_path.glob("*.manifest.json"))
    assert len(pdfs) == 1
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    assert len(pypdf.PdfReader(pdfs[0]).pages) == manifest["manifest"]["page_count"]
    assert "Quantities.csv" in result.output
    assert "Mill certificate.pdf" in result.output
    assert str(pdfs[0]) in result.output


def test_compile_clean_selection_exits_0(sample: Path, tmp_path: Path) -> None:
    """A selection with nothing left out exits 0 and says where the backup is."""
    result = run("compile", sample, "--as", "u-admin", "--invoice", "i-3", "-o", tmp_path)
    assert result.exit_code == EXIT_OK, result.output
    assert "1 invoice, " in result.output


def test_compile_json_prints_the_result(sample: Path, tmp_path: Path) -> None:
    """``--json`` prints the result as JSON, with each invoice's page range."""
    result = run(
        "compile", sample, "--as", "u-admin", "--contract", "k-10", "-o", tmp_path, "--json"
    )
    assert result.exit_code == EXIT_OK, result.output
    data = json.loads(result.output)
    assert data["ok"] is True
    assert data["exit_code"] == EXIT_OK
    invoices = data["result"]["manifest"]["invoices"]
    assert [i["invoice_id"] for i in invoices] == ["i-3"]
    assert data["result"]["manifest"]["cover_last_page"] == 1  # the cover sheet comes first
    assert invoices[0]["first_page"] == 2


def test_denied_user_exits_1_with_one_line_per_problem(sample: Path, tmp_path: Path) -> None:
    """A user without Admin on Commitments is refused: exit 1, a line per invoice, no file.

    The default selection leaves out private SC-2, which she may not know of.
    """
    result = run("compile", sample, "--as", "u-reader", "-o", tmp_path)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2
    assert not list(tmp_path.iterdir())


def test_fail_policy_on_damaged_document_exits_1(sample: Path, tmp_path: Path) -> None:
    """``--on-bad-document fail`` refuses the damaged attachment: exit 1, nothing written."""
    result = run("compile", sample, "--as", "u-admin", "--on-bad-document", "fail", "-o", tmp_path)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED
    assert "Mill certificate.pdf" in result.output
    assert not list(tmp_path.glob("*.pdf"))


def test_usage_error_exits_2(sample: Path) -> None:
    """A missing ``--as`` is a usage error: exit 2."""
    result = run("compile", sample)
    assert result.exit_code == EXIT_USAGE


def test_bad_project_file_exits_1_naming_json_paths(tmp_path: Path) -> None:
    """``validate`` on a broken project file lists every problem with its JSON path."""
    (tmp_path / "project.json").write_text(
        json.dumps({"format": "invoicebackup.project/1", "project": {"id": "p", "nam": "x"}}),
        encoding="utf-8",
    )
    result = run("validate", tmp_path)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED
    assert "project.nam" in result.output
    assert "project.name" in result.output


def copy_project(sample: Path, into: Path) -> Path:
    shutil.copytree(sample, into)
    return into


def test_validate_sample_warns_of_its_damaged_pdf_and_exits_3(sample: Path) -> None:
    """The sample's damaged PDF, its spreadsheet and its missing waiver are warnings: exit 3.

    Compile replaces the one by a placeholder page, skips the other and reports the lien
    waiver never received (exit 3): validate says the same, on standard error, with the JSON
    path of each.
    """
    result = run("validate", sample)
    no_traceback(result)
    assert result.exit_code == EXIT_WARNINGS, result.output
    assert "valid, with 3 warnings (3 contracts, 4 invoices, 2 billing periods)" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 3
    assert warnings[2].startswith(
        "warning: invoices[1].lien_waivers[2].document: SC-2 / INV-0002: missing: "
        "lien waiver w-2-3 (Sub tier, conditional, progress) from Wire Depot Ltd."
    )
    assert warnings[0].startswith(
        "warning: invoices[1].attachments[1].key: Quantities.csv (i-2): skipped (not_pdf): "
    )
    assert warnings[1].startswith(
        "warning: invoices[3].attachments[0].key: Mill certificate.pdf (i-4): "
        "replaced by a placeholder page (damaged): "
    )


def _without_warnings(sample: Path, folder: Path) -> Path:
    """A copy of the sample with a good mill certificate, no spreadsheet, no missing waiver."""
    folder = copy_project(sample, folder)
    shutil.copyfile(folder / "docs" / "i-3.pdf", folder / "docs" / "i-4-mill-cert.pdf")
    data = json.loads((folder / "project.json").read_text(encoding="utf-8"))
    for invoice in data["invoices"]:
        invoice["attachments"] = [
            a for a in invoice["attachments"] if not a["filename"].endswith(".csv")
        ]
        invoice["lien_waivers"] = [
            w for w in invoice.get("lien_waivers", []) if w["document"] is not None
        ]
    (folder / "project.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_validate_valid_project_exits_0(sample: Path, tmp_path: Path) -> None:
    """The sample without its damaged PDF and its spreadsheet is valid: exit 0, no warning."""
    folder = _without_warnings(sample, tmp_path / "project")
    result = run("validate", folder)
    assert result.exit_code == EXIT_OK, result.output
    assert result.output == f"{folder}: valid (3 contracts, 4 invoices, 2 billing periods)\n"


def test_validate_names_each_unreadable_pdf_and_why(sample: Path, tmp_path: Path) -> None:
    """A declared PDF that is HTML, or needs a password, or is a signed copy cut short, is named."""
    folder = copy_project(sample, tmp_path / "project")
    (folder / "docs" / "i-1-waiver.pdf").write_bytes(b"<!doctype html><html>login</html>")
    writer = pypdf.PdfWriter(clone_from=folder / "docs" / "i-3.pdf")
    writer.encrypt(user_password="secret", algorithm="AES-128")
    with (folder / "docs" / "i-3-drawing.pdf").open("wb") as out:
        writer.write(out)
    signed = folder / "signed" / "i-2.pdf"
    signed.write_bytes(signed.read_bytes()[:200])
    result = run("validate", folder)
    no_traceback(result)
    assert result.exit_code == EXIT_WARNINGS, result.output
    warnings = sorted(line for line in result.stderr.splitlines() if line.startswith("warning: "))
    assert [line.split(":")[1] for line in warnings] == [
        " invoices[0].attachments[0].key",
        " invoices[1].attachments[1].key",
        " invoices[1].envelope.signed_document_key",
        " invoices[1].lien_waivers[2].document",
        " invoices[2].attachments[0].key",
        " invoices[3].attachments[0].key",
    ]
    assert "Lien waiver.pdf (i-1): replaced by a placeholder page (not_pdf)" in warnings[0]
    assert "INV-0002 (signed document).pdf (i-2)" in warnings[2]
    assert "(damaged)" in warnings[2]
    assert (
        "Riser diagram (landscape).pdf (i-3): replaced by a placeholder page (encrypted)"
        in (warnings[4])
    )


def test_validate_missing_document_is_a_warning_as_for_compile(
    sample: Path, tmp_path: Path
) -> None:
    """A document not in the folder is a warning (exit 3): compile puts a placeholder page.

    Before, validate called it an error (exit 1) while compile wrote the backup (exit 3),
    and its headline "1 problem(s)" was followed by two lines.
    """
    folder = copy_project(sample, tmp_path / "project")
    (folder / "docs" / "i-3.pdf").unlink()
    result = run("validate", folder)
    no_traceback(result)
    assert result.exit_code == EXIT_WARNINGS, result.output
    assert "valid, with 4 warnings" in result.stdout
    assert (
        "warning: invoices[2].document.key: Plumbing invoice 1.pdf (i-3): replaced by a "
        "placeholder page (missing): Missing from the store: it is not in the store"
    ) in result.stderr.splitlines()


def test_plan_lists_the_order_and_writes_nothing(sample: Path) -> None:
    """``plan`` prints contracts in natural order (SC-2, SC-10, sc-11) and writes nothing."""
    before = sorted(p.name for p in sample.rglob("*"))
    result = run("plan", sample, "--as", "u-admin")
    assert result.exit_code == EXIT_WARNINGS, result.output
    heads = [line.split()[0] for line in result.output.splitlines() if not line.startswith(" ")]
    assert heads == ["SC-2", "SC-10", "sc-11"]
    assert sorted(p.name for p in sample.rglob("*")) == before


def test_plan_refuses_a_deleted_billing_period(sample: Path, tmp_path: Path) -> None:
    """An invoice whose billing period was deleted makes ``plan`` exit 1 naming the period."""
    data = json.loads((sample / "project.json").read_text(encoding="utf-8"))
    data["invoices"][0]["billing_period_id"] = "bp-deleted"
    (tmp_path / "project.json").write_text(json.dumps(data), encoding="utf-8")
    result = run("plan", tmp_path, "--as", "u-admin")
    assert result.exit_code == EXIT_REFUSED
    assert "bp-deleted" in result.output


def test_docusign_status(sample: Path) -> None:
    """``docusign status`` says the sample admin is synced, on any day the sample is written."""
    result = run("docusign", "status", sample, "--as", "u-admin")
    assert result.exit_code == EXIT_OK, result.output
    assert result.output.startswith('Ada Admin (u-admin): synced (the profile page shows "Synced")')
    assert "[yes]" in result.output
    assert "[no]" in result.output
    assert "log in with DocuSign again" not in result.output
    unknown = run("docusign", "status", sample, "--as", "nobody")
    assert unknown.exit_code == EXIT_REFUSED


def test_docusign_status_accepts_the_older_user_option(sample: Path) -> None:
    """``--user`` still names the user, as ``--as`` does."""
    assert run("docusign", "status", sample, "--user", "u-admin").output == (
        run("docusign", "status", sample, "--as", "u-admin").output
    )


def test_docusign_status_names_reauthentication_once(tmp_path: Path) -> None:
    """Long after the link's last use the state says since when, and the login reason is said once.

    The rows that are refused only because of the login show no reason of their own.
    """
    folder = write_sample_project(tmp_path / "p", today=date(2026, 11, 3))
    result = run("docusign", "status", folder, "--as", "u-admin", "--now", "2027-01-01T00:00:00Z")
    assert result.exit_code == EXIT_OK, result.output
    first = result.output.splitlines()[0]
    assert first == (
        "Ada Admin (u-admin): re-authentication required (last used 2026-11-02, 59 days idle)"
        ' (the profile page shows "Login with DocuSign")'
    )
    assert result.output.count("must log in with DocuSign again") == 1
    assert "[yes]" not in result.output
    rows = result.output.splitlines()
    purchase_orders = rows.index("  [no] Commitments: Purchase Orders")
    assert rows[purchase_orders + 1].startswith("  [no]")


def test_docusign_status_of_an_unlinked_user(sample: Path) -> None:
    """A user with no link is "not linked"; that reason is said once too."""
    result = run("docusign", "status", sample, "--as", "u-volt")
    assert result.exit_code == EXIT_OK, result.output
    assert result.output.startswith("Victor Volt (u-volt): not linked")
    assert result.output.count("has not linked a DocuSign account") == 1


def _backup_name(folder: Path) -> str:
    (pdf,) = folder.glob("*.pdf")
    return pdf.name


def test_compile_now_names_the_backup_and_gives_the_same_bytes(
    sample: Path, tmp_path: Path
) -> None:
    """``--now`` fixes the backup's time: its name, and the same bytes on every run."""
    args = ("compile", sample, "--as", "u-admin", "--invoice", "i-3", "--now")
    first, second = tmp_path / "a", tmp_path / "b"
    assert run(*args, "2031-07-15T10:45:00+02:00", "-o", first).exit_code == EXIT_OK
    assert run(*args, "2031-07-15T10:45:00+02:00", "-o", second).exit_code == EXIT_OK
    name = _backup_name(first)
    assert name.endswith(" - 2031-07-15 - 0845.pdf")  # the sample has no zone: UTC
    assert (first / name).read_bytes() == (second / _backup_name(second)).read_bytes()


def test_compile_honours_source_date_epoch_and_now_wins(sample: Path, tmp_path: Path) -> None:
    """``SOURCE_DATE_EPOCH`` sets the time when ``--now`` is absent; ``--now`` wins over it."""
    args = ("compile", str(sample), "--as", "u-admin", "--invoice", "i-3", "-o")
    env = {"SOURCE_DATE_EPOCH": "1954195200"}  # 2031-12-05T00:00:00Z
    runner = CliRunner()
    by_epoch = runner.invoke(main, [*args, str(tmp_path / "a")], env=env)
    assert by_epoch.exit_code == EXIT_OK, by_epoch.output
    assert _backup_name(tmp_path / "a").endswith(" - 2031-12-05 - 0000.pdf")
    both = [*args, str(tmp_path / "b"), "--now", "2032-01-02T03:04:00Z"]
    assert runner.invoke(main, both, env=env).exit_code == EXIT_OK
    assert _backup_name(tmp_path / "b").endswith(" - 2032-01-02 - 0304.pdf")
    bad = runner.invoke(main, [*args, str(tmp_path / "c")], env={"SOURCE_DATE_EPOCH": "soon"})
    assert bad.exit_code == EXIT_USAGE
    assert "SOURCE_DATE_EPOCH" in bad.output
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize("when", ["2031-07-15T08:45:00", "next tuesday", "2031-13-01T00:00Z"])
def test_compile_refuses_a_now_without_zone_or_unreadable(
    sample: Path, tmp_path: Path, when: str
) -> None:
    """A ``--now`` that is not ISO 8601 with a zone is a usage error; nothing is written."""
    result = run("compile", sample, "--as", "u-admin", "--now", when, "-o", tmp_path / "out")
    no_traceback(result)
    assert result.exit_code == EXIT_USAGE
    assert "--now" in result.output
    assert not (tmp_path / "out").exists()


def test_sample_today_places_its_dates(tmp_path: Path) -> None:
    """``sample --today`` writes the sample as of that day: its periods are the months before."""
    result = run("sample", tmp_path / "p", "--today", "2040-03-10")
    assert result.exit_code == EXIT_OK, result.output
    plan = run("plan", tmp_path / "p", "--as", "u-admin", "--invoice", "i-1", "--invoice", "i-3")
    assert "period 2040-01-01..2040-01-31" in plan.output
    assert "period 2040-02-01..2040-02-29" in plan.output


def test_french_language_names_the_backup_in_french(sample: Path, tmp_path: Path) -> None:
    """``--language fr-CA`` gives the backup its French name."""
    result = run(
        "compile",
        sample,
        "--as",
        "u-admin",
        "--invoice",
        "i-3",
        "--language",
        "fr-CA",
        "-o",
        tmp_path,
    )
    assert result.exit_code == EXIT_OK, result.output
    assert [p.name for p in tmp_path.glob("Sauvegarde des factures*.pdf")]

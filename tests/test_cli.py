"""The command-line tool, driven by click's test runner, for every exit code."""

from __future__ import annotations

import json
import shutil
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
    assert "1 invoice(s)" in result.output


def test_compile_json_prints_the_result(sample: Path, tmp_path: Path) -> None:
    """``--json`` prints the result as JSON, with each invoice's page range."""
    result = run(
        "compile", sample, "--as", "u-admin", "--contract", "k-10", "-o", tmp_path, "--json"
    )
    assert result.exit_code == EXIT_OK, result.output
    data = json.loads(result.output)
    invoices = data["manifest"]["invoices"]
    assert [i["invoice_id"] for i in invoices] == ["i-3"]
    assert invoices[0]["first_page"] == 1


def test_denied_user_exits_1_with_one_line_per_problem(sample: Path, tmp_path: Path) -> None:
    """A user without Admin on Commitments is refused: exit 1, a line per invoice, no file."""
    result = run("compile", sample, "--as", "u-reader", "-o", tmp_path)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert len(lines) == 4
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
    """The sample's damaged PDF is one warning naming its key and JSON path: exit 3."""
    result = run("validate", sample)
    no_traceback(result)
    assert result.exit_code == EXIT_WARNINGS, result.output
    assert "valid, with 1 warning(s) (3 contracts, 4 invoices, 2 billing periods)" in result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("  ! ")]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "  ! invoices[3].attachments[0].key: docs/i-4-mill-cert.pdf (Mill certificate.pdf) "
        "is damaged: "
    )
    # A spreadsheet declared as text/csv is no PDF problem.
    assert "Quantities.csv" not in result.output


def test_validate_valid_project_exits_0(sample: Path, tmp_path: Path) -> None:
    """The sample with its damaged PDF replaced by a good one is valid: exit 0, no warning."""
    folder = copy_project(sample, tmp_path / "project")
    shutil.copyfile(folder / "docs" / "i-3.pdf", folder / "docs" / "i-4-mill-cert.pdf")
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
    warnings = sorted(line for line in result.output.splitlines() if line.startswith("  ! "))
    assert [line.split(":")[0] for line in warnings] == [
        "  ! invoices[0].attachments[0].key",
        "  ! invoices[1].envelope.signed_document_key",
        "  ! invoices[2].attachments[0].key",
        "  ! invoices[3].attachments[0].key",
    ]
    assert "docs/i-1-waiver.pdf (Lien waiver.pdf) is not a PDF" in warnings[0]
    assert "signed/i-2.pdf" in warnings[1]
    assert "is damaged" in warnings[1]
    assert "docs/i-3-drawing.pdf (Riser diagram (landscape).pdf) is encrypted" in warnings[2]


def test_validate_missing_document_exits_1_and_lists_warnings_too(
    sample: Path, tmp_path: Path
) -> None:
    """A document not in the folder is an error (exit 1); the damaged PDF is listed with it."""
    folder = copy_project(sample, tmp_path / "project")
    (folder / "signed" / "i-2-certificate.pdf").unlink()
    result = run("validate", folder)
    no_traceback(result)
    assert result.exit_code == EXIT_REFUSED, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("  - ")]
    assert lines == [
        "  - invoices[1].envelope.certificate_key: signed/i-2-certificate.pdf is missing",
        lines[1],
    ]
    assert lines[1].startswith("  - invoices[3].attachments[0].key: docs/i-4-mill-cert.pdf")


def test_plan_lists_the_order_and_writes_nothing(sample: Path) -> None:
    """``plan`` prints contracts in natural order (SC-2, SC-10, sc-11) and writes nothing."""
    before = sorted(p.name for p in sample.rglob("*"))
    result = run("plan", sample, "--as", "u-admin")
    assert result.exit_code == EXIT_OK, result.output
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
    """``docusign status`` says the admin is synced and what they may send for signature."""
    result = run("docusign", "status", sample, "--user", "u-admin")
    assert result.exit_code == EXIT_OK, result.output
    assert "Synced" in result.output
    assert "[yes]" in result.output
    assert "[no]" in result.output
    unknown = run("docusign", "status", sample, "--user", "nobody")
    assert unknown.exit_code == EXIT_REFUSED


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

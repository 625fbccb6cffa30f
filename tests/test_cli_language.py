"""One language everywhere: with fr-CA, what the CLI says and what the backup says are French."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

from invoicebackup.cli import EXIT_WARNINGS, main
from invoicebackup.testing import write_sample_project

NOW = "2026-12-03T09:30:00Z"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("language") / "tower-a"
    write_sample_project(folder)
    return folder


@pytest.fixture(scope="module")
def french_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, its project in fr-CA."""
    folder = tmp_path_factory.mktemp("langue") / "tour-a"
    write_sample_project(folder)
    path = folder / "project.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["project"]["language"] = "fr-CA"
    path.write_text(json.dumps(data), encoding="utf-8")
    return folder


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_compile_in_french_says_everything_in_french(sample: Path, tmp_path: Path) -> None:
    """Summary, invoice lines, left-out lines and paths are French with --language fr-CA."""
    result = run(
        "compile", sample, "--as", "u-admin", "-o", tmp_path, "--language", "fr-CA", "--now", NOW
    )
    assert result.exit_code == EXIT_WARNINGS, result.output
    out = result.stdout
    assert "4 factures, " in out
    assert " pages, " in out
    assert " Mo, sha256 " in out
    assert ": pages 1 à " in out
    assert "signée (DocuSign)" in out
    assert "sauvegarde\u00a0: " in out
    assert "manifeste\u00a0:  " in out
    for english in ("invoices,", "MB,", "signed (DocuSign)", "backup:", "manifest:"):
        assert english not in out, english
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    missing = [line for line in warnings if line.startswith("warning: waiver:")]
    left_out = [line for line in warnings if line.startswith("warning: invoice:")]
    assert len(missing) == 1
    assert "manquante\u00a0: renonciation w-2-3 (Sous-traitants, conditionnelle" in missing[0]
    assert len(left_out) == 2
    assert "Quantities.csv (i-2)\u00a0: omis\u00a0: Pas un PDF\u00a0: " in left_out[0]
    assert (
        "Mill certificate.pdf (i-4)\u00a0: remplacé par une page de remplacement\u00a0: "
        "PDF endommagé\u00a0: "
    ) in left_out[1]


def test_the_backup_subject_and_placeholder_are_french(sample: Path, tmp_path: Path) -> None:
    """The PDF's /Subject and its placeholder page speak the backup's language."""
    result = run(
        "compile",
        sample,
        "--as",
        "u-admin",
        "-o",
        tmp_path,
        "--language",
        "fr-CA",
        "--now",
        NOW,
        "--invoice",
        "i-4",
        "--invoice",
        "i-1",
    )
    assert result.exit_code == EXIT_WARNINGS, result.output
    (pdf,) = tmp_path.glob("*.pdf")
    reader = pypdf.PdfReader(pdf)
    assert reader.metadata is not None
    assert reader.metadata.subject == "2 factures de SC-2, sc-11"
    texts = [page.extract_text() for page in reader.pages]
    placeholder = next(text for text in texts if "n'a pas pu être inclus" in text)
    assert "PDF endommagé (damaged)" in placeholder


def test_the_subject_counts_in_english_too(sample: Path, tmp_path: Path) -> None:
    """One invoice is "1 invoice of …", never "1 invoice(s)"."""
    result = run(
        "compile", sample, "--as", "u-admin", "-o", tmp_path, "--now", NOW, "--invoice", "i-3"
    )
    assert result.exit_code == 0, result.output
    (pdf,) = tmp_path.glob("*.pdf")
    metadata = pypdf.PdfReader(pdf).metadata
    assert metadata is not None
    assert metadata.subject == "1 invoice of SC-10"


def test_plan_in_french(sample: Path) -> None:
    """The plan command's lines (period, status, fates) follow --language."""
    result = run("plan", sample, "--as", "u-admin", "--language", "fr-CA", "--contract", "k-2")
    assert result.exit_code == EXIT_WARNINGS, result.output
    out = result.stdout
    assert "période du " in out
    assert "Approuvée" in out
    assert "- Invoice 2.pdf: remplacé par sa version signée" in out
    assert "- Quantities.csv: omis (not_pdf)\u00a0: Pas un PDF\u00a0: " in out
    for english in ("period ", "replaced by", "skipped", "included"):
        assert english not in out, english


def test_validate_speaks_the_projects_language(french_sample: Path) -> None:
    """The validate command counts and judges a fr-CA project in French."""
    result = run("validate", french_sample)
    assert result.exit_code == EXIT_WARNINGS, result.output
    assert (
        "\u00a0: valide, avec 3 avertissements (3 contrats, 4 factures, 2 périodes de facturation)"
        in result.stdout
    )


def test_json_stays_in_codes_whatever_the_language(sample: Path, tmp_path: Path) -> None:
    """--json keeps its codes and keys: only the words for people change."""
    english = run("plan", sample, "--as", "u-admin", "--contract", "k-2", "--json")
    french = run(
        "plan", sample, "--as", "u-admin", "--contract", "k-2", "--json", "--language", "fr-CA"
    )

    def codes(result: Result) -> list[tuple[str, str, str | None]]:
        invoices = json.loads(result.stdout)["result"]["invoices"]
        return [(d["key"], d["fate"], d["code"]) for i in invoices for d in i["documents"]]

    assert codes(english) == codes(french)


def test_docusign_status_speaks_the_projects_language(french_sample: Path) -> None:
    """The status of a fr-CA project's user, its caption and the list's answers are French."""
    result = run("docusign", "status", french_sample, "--as", "u-admin", "--now", NOW)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Intégration DocuSign sur ce projet\u00a0: activée" in out
    assert "Peut demander des signatures sur\u00a0:" in out
    assert "  [oui] " in out
    for english in ("profile page", "May request", "[yes]", "[no]", "integration on"):
        assert english not in out, english


def test_an_image_left_out_by_choice_is_labelled_in_french(sample: Path, tmp_path: Path) -> None:
    """``--images skip`` in fr-CA: the photo's left-out line has its French label, not its code.

    The label was missing from the catalogues, so the line showed ``image_skipped`` raw.
    """
    result = run(
        "compile",
        sample,
        *("--as", "u-admin", "-o", tmp_path, "--language", "fr-CA", "--now", NOW),
        *("--images", "skip"),
    )
    assert result.exit_code == EXIT_WARNINGS, result.output
    (line,) = [line for line in result.stderr.splitlines() if "(photo).jpg" in line]
    assert "\u00a0: omis\u00a0: Image exclue par choix\u00a0: " in line

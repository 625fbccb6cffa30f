"""Values check themselves when they are made (issue 19, item 1).

A host builds the domain from its own rows, where everything arrives as a string. What is
unambiguous is converted (an enum from its value, in any ASCII case); anything else is
refused at construction with an InvalidValueError naming the field and what it allows,
never later, deep inside a backup.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from invoicebackup import (
    BackupOptions,
    BillingPeriod,
    Contract,
    ContractKind,
    Dictionary,
    Document,
    DocuSignLink,
    Envelope,
    EnvelopeStatus,
    InMemoryStore,
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    LinkState,
    PeriodKind,
    PeriodStatus,
    PermissionLevel,
    Permissions,
    Project,
    ProjectFileError,
    User,
    can_compile_backup,
    compile_backup,
    plan_backup,
    project_from_dict,
)
from invoicebackup.cli import EXIT_USAGE, main
from invoicebackup.testing import sample_project, text_pdf, write_sample_project

_NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _document(**changes: Any) -> Document:
    values: dict[str, Any] = {"key": "erp/i-1.pdf", "filename": "Invoice 1.pdf"}
    values.update(changes)
    return Document(**values)


def _invoice(**changes: Any) -> Invoice:
    values: dict[str, Any] = {
        "id": "i-1",
        "contract_id": "k-1",
        "billing_period_id": "bp-1",
        "position": 1,
        "number": "1",
        "amount": Decimal("1000.00"),
        "document": _document(),
    }
    values.update(changes)
    return Invoice(**values)


#: Every enum field: how to make its owner with a value, the field's name, its enum.
ENUM_FIELDS: list[tuple[Callable[[Any], object], str, type[enum.Enum]]] = [
    (lambda v: _invoice(status=v), "Invoice.status", InvoiceStatus),
    (lambda v: Permissions(commitments=v), "Permissions.commitments", PermissionLevel),
    (lambda v: Permissions(prime_contracts=v), "Permissions.prime_contracts", PermissionLevel),
    (lambda v: Permissions(invoicing=v), "Permissions.invoicing", PermissionLevel),
    (lambda v: Contract(id="k-1", number="1", kind=v), "Contract.kind", ContractKind),
    (
        lambda v: BillingPeriod(
            id="bp-1", start=date(2026, 1, 1), end=date(2026, 1, 31), due=date(2026, 2, 5), status=v
        ),
        "BillingPeriod.status",
        PeriodStatus,
    ),
    (
        lambda v: BillingPeriod(
            id="bp-1", start=date(2026, 1, 1), end=date(2026, 1, 31), due=date(2026, 2, 5), kind=v
        ),
        "BillingPeriod.kind",
        PeriodKind,
    ),
    (lambda v: Envelope(id="env-1", status=v), "Envelope.status", EnvelopeStatus),
    (
        lambda v: DocuSignLink(state=v, account_id="a-1", base_uri="https://demo.docusign.net"),
        "DocuSignLink.state",
        LinkState,
    ),
    (lambda v: Project(id="p-1", name="P", dictionary=v), "Project.dictionary", Dictionary),
]
ENUM_IDS = [field for _, field, _ in ENUM_FIELDS]


def _any(value: object) -> Any:
    """*value*, typed Any: these tests hand constructors what their signatures rule out."""
    return value


def _field_value(made: object, field: str) -> Any:
    return getattr(made, field.rpartition(".")[2])


@pytest.mark.parametrize(("make", "field", "kind"), ENUM_FIELDS, ids=ENUM_IDS)
def test_an_enum_field_takes_its_value_as_a_string_in_any_ascii_case(
    make: Callable[[Any], object], field: str, kind: type[enum.Enum]
) -> None:
    """Each member's value, as given, upper-cased or capitalised, becomes the member."""
    for member in kind:
        value = str(member.value)
        for spelling in (value, value.upper(), value.capitalize()):
            assert _field_value(make(spelling), field) is member
        assert _field_value(make(member), field) is member


@pytest.mark.parametrize(("make", "field", "kind"), ENUM_FIELDS, ids=ENUM_IDS)
@pytest.mark.parametrize("wrong", ["aproved", "Read Only", " admin", "", None, 3, b"admin"])
def test_an_enum_field_refuses_anything_else_naming_the_field_and_its_values(
    make: Callable[[Any], object], field: str, kind: type[enum.Enum], wrong: object
) -> None:
    """A misspelling, a display name, surrounding space or another type fails at construction."""
    with pytest.raises(InvalidValueError) as caught:
        make(wrong)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.field == field
    assert error.value == wrong
    assert error.allowed == tuple(str(member.value) for member in kind)
    assert str(error) == f"{field}: {wrong!r} is not one of {', '.join(error.allowed)}"


def test_a_member_of_another_enum_is_refused() -> None:
    """A tool is not a permission level, even where the spelling could match nothing anyway."""
    with pytest.raises(InvalidValueError, match=r"^Permissions\.commitments: "):
        Permissions(commitments=_any(InvoiceStatus.APPROVED))


def test_a_project_made_of_plain_rows_compiles() -> None:
    """The issue's case: string statuses and levels used to fail deep inside compile_backup."""
    admin = User(id="u-1", name="Ada", permissions=Permissions(commitments="Admin"))
    project = Project(
        id="p-1",
        name="Depot",
        language="en_us",
        dictionary="owner",
        users=[admin],
        contracts=[Contract(id="k-1", number="SC-1", kind="subcontract")],
        billing_periods=[
            BillingPeriod(
                id="bp-1",
                start=date(2026, 10, 1),
                end=date(2026, 10, 31),
                due=date(2026, 10, 25),
                status="closed",
                kind="manual",
            )
        ],
        invoices=[_invoice(status="approved")],
    )
    store = InMemoryStore({"erp/i-1.pdf": text_pdf(["Invoice 1"])})
    result = compile_backup(project, invoice_ids=["i-1"], user_id="u-1", store=store, now=_NOW)
    assert result.page_count == (result.manifest.cover_last_page or 0) + 1
    assert result.invoices[0].first_page == result.page_count
    assert project.language == "en-US"
    assert project.invoices[0].status is InvoiceStatus.APPROVED


@pytest.mark.parametrize(
    ("given", "kept"),
    [("en-US", "en-US"), ("fr-CA", "fr-CA"), ("en_us", "en-US"), ("FR-ca", "fr-CA")],
)
def test_a_known_language_is_kept_in_its_own_spelling(given: str, kept: str) -> None:
    """A supported tag in any ASCII case, with _ for -, is the tag."""
    assert Project(id="p-1", name="P", language=given).language == kept
    assert BackupOptions(language=given).language == kept


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("de-DE", ""),
        ("fr", " (did you mean 'fr-CA'?)"),
        ("fr-FR", " (did you mean 'fr-CA'?)"),
        ("en-GB", " (did you mean 'en-US'?)"),
        ("", ""),
        (" en-US", " (did you mean 'en-US'?)"),
        ("en-u\N{LATIN SMALL LETTER LONG S}", " (did you mean 'en-US'?)"),  # folds to s
    ],
)
def test_an_unknown_language_is_refused_with_the_languages_allowed(given: str, hint: str) -> None:
    """de-DE no longer falls back to English, nor fr to fr-CA: the project is shown as stored."""
    with pytest.raises(InvalidValueError) as caught:
        Project(id="p-1", name="P", language=given)
    assert caught.value.field == "Project.language"
    assert caught.value.allowed == ("en-US", "fr-CA")
    assert str(caught.value) == f"Project.language: {given!r} is not one of en-US, fr-CA{hint}"
    with pytest.raises(InvalidValueError, match=r"^BackupOptions\.language: "):
        BackupOptions(language=given)


@pytest.mark.parametrize(
    "key", ["../x", "../x.pdf", "/etc/passwd", "docs//x.pdf", "C:x.pdf", "a\\b.pdf", "", " "]
)
def test_an_unsafe_document_key_is_refused_when_the_document_is_made(key: str) -> None:
    """Document.key follows validate_key's rule: a relative path inside the store."""
    with pytest.raises(InvalidValueError, match=r"^Document\.key: .* is not a safe document key"):
        Document(key=key, filename="x.pdf")


@pytest.mark.parametrize("field", ["signed_document_key", "certificate_key"])
def test_an_unsafe_envelope_key_is_refused(field: str) -> None:
    """The envelope's stored copies are document keys too; None stays allowed."""
    assert getattr(Envelope(id="e", status="completed", **_any({field: None})), field) is None
    with pytest.raises(InvalidValueError) as caught:
        Envelope(id="e", status="completed", **_any({field: "../signed.pdf"}))
    assert caught.value.field == f"Envelope.{field}"


@pytest.mark.parametrize(
    ("key", "filename", "inferred"),
    [
        ("docs/i-1.pdf", "Invoice.pdf", "application/pdf"),
        ("docs/receipt.JPG", "receipt", "image/jpeg"),
        ("docs/scan.tiff", "scan", "image/tiff"),
        ("docs/photo.png", "photo.jpg", "image/png"),
        ("docs/q.csv", "Quantities", "text/csv"),
        ("blobs/7f3a", "Waiver.png", "image/png"),
        ("blobs/7f3a", "Waiver", "application/pdf"),
        ("blobs/.pdf", "notes.txt", "text/plain"),
    ],
)
def test_an_absent_media_type_is_inferred_from_the_key_then_the_file_name(
    key: str, filename: str, inferred: str
) -> None:
    """Absent or None: the key's extension, else the file name's, else a PDF (bytes are checked)."""
    assert Document(key=key, filename=filename).media_type == inferred
    assert Document(key=key, filename=filename, media_type=None).media_type == inferred


@pytest.mark.parametrize(
    ("key", "given", "kept"),
    [
        ("docs/q.csv", "application/vnd.ms-excel", "application/vnd.ms-excel"),
        ("docs/q.csv", "text/plain", "text/plain"),
        ("docs/w.pdf", "application/octet-stream", "application/octet-stream"),
        ("docs/w.pdf", "binary/octet-stream", "binary/octet-stream"),
        ("docs/w.pdf", "Application/PDF", "application/pdf"),
        ("docs/w.pdf", "application/x-pdf", "application/x-pdf"),
        ("docs/q.csv", "TEXT/CSV; charset=UTF-8", "text/csv; charset=UTF-8"),
        ("docs/x.xlsx", "application/zip", "application/zip"),
        ("blobs/7f3a", "image/jpeg", "image/jpeg"),
    ],
)
def test_a_media_type_that_fits_the_key_is_kept_in_lower_case(
    key: str, given: str, kept: str
) -> None:
    """Aliases browsers send, generic and unknown types fit; type and subtype are lower-cased."""
    assert Document(key=key, filename="f", media_type=given).media_type == kept


@pytest.mark.parametrize(
    ("key", "given"),
    [
        ("docs/q.pdf", "text/csv"),
        ("docs/receipt.jpg", "application/pdf"),
        ("docs/scan.png", "image/jpeg"),
        ("docs/q.csv", "application/pdf"),
    ],
)
def test_a_media_type_the_key_contradicts_is_refused(key: str, given: str) -> None:
    """A known media type that the key's known extension rules out fails, naming both."""
    with pytest.raises(InvalidValueError) as caught:
        Document(key=key, filename="f", media_type=given)
    assert caught.value.field == "Document.media_type"
    assert caught.value.value == given
    assert given not in caught.value.allowed
    assert repr(key) in str(caught.value)


@pytest.mark.parametrize("given", ["pdf", "", "PDF file", "application/", "/pdf", "a/b/c", 7])
def test_something_that_is_not_a_media_type_is_refused(given: Any) -> None:
    """media_type is type/subtype (RFC 6838), or absent."""
    with pytest.raises(InvalidValueError, match=r"^Document\.media_type: .* is not a media type"):
        Document(key="docs/w.pdf", filename="w.pdf", media_type=given)


@pytest.mark.parametrize("field", ["private_list", "invoice_contacts"])
def test_a_bare_string_is_not_a_list_of_ids(field: str) -> None:
    """Contract lists of user ids refuse "u-7" instead of reading it as u, -, 7."""
    assert getattr(Contract(id="k", number="1", **_any({field: ["u-7"]})), field) == ("u-7",)
    with pytest.raises(InvalidValueError) as caught:
        Contract(id="k", number="1", **_any({field: "u-7"}))
    assert caught.value.field == f"Contract.{field}"
    assert "['u-7']" in str(caught.value)
    with pytest.raises(InvalidValueError, match="not an id"):
        Contract(id="k", number="1", **_any({field: ["u-7", 7]}))


@pytest.mark.parametrize("parameter", ["invoice_ids", "contract_ids"])
def test_a_selection_that_is_a_bare_string_is_refused(parameter: str) -> None:
    """plan_backup and compile_backup refuse invoice_ids="i-1" rather than iterate it."""
    project = sample_project()
    with pytest.raises(InvalidValueError) as caught:
        plan_backup(project, user_id="u-admin", **_any({parameter: "i-1"}))
    assert caught.value.field == parameter
    assert str(caught.value) == (
        f"{parameter}: 'i-1' is a single string; give a list of ids such as ['i-1']"
    )
    store = InMemoryStore()
    with pytest.raises(InvalidValueError):
        compile_backup(
            project, user_id="u-admin", store=store, now=_NOW, **_any({parameter: "i-1"})
        )
    assert store.keys() == []


def test_can_compile_backup_refuses_a_bare_string() -> None:
    """The permission rule takes the same selection, and refuses it the same way."""
    with pytest.raises(InvalidValueError, match=r"^invoice_ids: "):
        can_compile_backup(sample_project(), user_id="u-admin", invoice_ids="i-1")


def _project_file() -> dict[str, Any]:
    return {
        "format": "invoicebackup.project/1",
        "project": {
            "id": "p-1",
            "name": "T",
            "number": "1",
            "language": "de-DE",
            "docusign_enabled": False,
        },
        "companies": [],
        "users": [],
        "contracts": [],
        "billing_periods": [],
        "invoices": [
            {
                "id": "i-1",
                "contract_id": "k-1",
                "billing_period_id": "bp-1",
                "position": 1,
                "number": "1",
                "status": "draft",
                "amount": "1.00",
                "document": {"key": "docs/i-1.pdf", "filename": "i.pdf", "media_type": "text/csv"},
                "attachments": [
                    {"key": "docs/r.jpg", "filename": "r.jpg", "media_type": "application/pdf"}
                ],
            }
        ],
    }


def test_construction_errors_in_a_project_file_are_listed_with_their_json_paths() -> None:
    """A language or media type the domain refuses is a problem at its path, with the others."""
    with pytest.raises(ProjectFileError) as caught:
        project_from_dict(_project_file(), source="p.json")
    assert [(p.path, p.code, p.message) for p in caught.value.problems] == [
        ("project.language", "invalid_value", "'de-DE' is not one of en-US, fr-CA"),
        (
            "invoices[0].document.media_type",
            "invalid_value",
            "'text/csv' does not fit the key 'docs/i-1.pdf' "
            "(a .pdf is application/pdf, application/x-pdf or application/acrobat)",
        ),
        (
            "invoices[0].attachments[0].media_type",
            "invalid_value",
            "'application/pdf' does not fit the key 'docs/r.jpg' (a .jpg is image/jpeg or "
            "image/pjpeg)",
        ),
    ]


def test_the_cli_refuses_an_unknown_language_as_a_usage_error(tmp_path: Path) -> None:
    """Compile --language de-DE exits 2 naming the languages, without a traceback."""
    folder = write_sample_project(tmp_path / "project")
    result = CliRunner().invoke(
        main,
        ["compile", str(folder), "--as", "u-admin", "--language", "de-DE", "-o", str(tmp_path)],
        catch_exceptions=False,
    )
    assert result.exit_code == EXIT_USAGE
    assert "'de-DE' is not one of en-US, fr-CA" in result.output
    assert "Traceback" not in result.output
    assert json.dumps(sorted(p.name for p in tmp_path.iterdir())) == '["project"]'

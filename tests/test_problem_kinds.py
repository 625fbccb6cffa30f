"""Every problem and error says what kind of "no" it is, so a host maps it to 403/404/422/503."""

from __future__ import annotations

import attrs
import pytest

from invoicebackup import (
    BackupPreconditionsError,
    BadDocumentError,
    DocumentStoreError,
    InMemoryStore,
    PermissionDeniedError,
    ProblemKind,
    ProjectFileError,
    ReasonCode,
    SignatureReasonCode,
    load_project,
    plan_backup,
    require_compile_backup,
)
from invoicebackup.errors import PROBLEM_KINDS
from invoicebackup.testing import sample_project


def _refusal(**selection: object) -> BackupPreconditionsError:
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(sample_project(), **selection)  # type: ignore[arg-type]
    return caught.value


def test_a_permission_refusal_is_forbidden() -> None:
    """Read Only on Commitments: every problem is forbidden, and so is the error (403)."""
    error = _refusal(invoice_ids=["i-3"], user_id="u-reader")
    assert {p.kind for p in error.problems} == {ProblemKind.FORBIDDEN}
    assert error.kind is ProblemKind.FORBIDDEN
    assert error.kind.http_status == 403


def test_an_unknown_id_is_not_found_and_a_hidden_private_one_too() -> None:
    """An id that is not there, or that the user may not know of, is not found (404)."""
    assert _refusal(invoice_ids=["i-404"], user_id="u-admin").kind is ProblemKind.NOT_FOUND
    hidden = _refusal(contract_ids=["k-2"], user_id="u-reader")
    assert hidden.kind is ProblemKind.NOT_FOUND
    assert hidden.kind.http_status == 404


def test_forbidden_wins_over_not_found() -> None:
    """A request that is both forbidden and names an unknown id is answered as forbidden."""
    error = _refusal(invoice_ids=["i-3", "i-404"], user_id="u-reader")
    assert {p.kind for p in error.problems} == {ProblemKind.FORBIDDEN, ProblemKind.NOT_FOUND}
    assert error.kind is ProblemKind.FORBIDDEN


def test_a_deleted_billing_period_is_invalid() -> None:
    """Compiling an invoice whose period was deleted cannot be done as asked (422)."""
    project = sample_project()
    invoice = project.invoices[2]
    broken = attrs.evolve(
        project,
        invoices=[
            *project.invoices[:2],
            attrs.evolve(invoice, billing_period_id="bp-deleted"),
            *project.invoices[3:],
        ],
    )
    with pytest.raises(BackupPreconditionsError) as caught:
        plan_backup(broken, invoice_ids=[invoice.id], user_id="u-admin")
    assert caught.value.kind is ProblemKind.INVALID
    assert caught.value.kind.http_status == 422


def test_a_denied_decision_is_forbidden() -> None:
    """require_* raises PermissionDeniedError, forbidden."""
    with pytest.raises(PermissionDeniedError) as caught:
        require_compile_backup(sample_project(), user_id="u-reader", invoice_ids=["i-3"])
    assert caught.value.kind is ProblemKind.FORBIDDEN


def test_store_and_file_errors_have_their_kinds(tmp_path: object) -> None:
    """A missing document is not found; a failing store unavailable; a bad project file invalid."""
    with pytest.raises(DocumentStoreError) as missing:
        InMemoryStore().read_bytes("docs/none.pdf")
    assert missing.value.kind is ProblemKind.NOT_FOUND
    assert DocumentStoreError("docs/a.pdf", "the disk failed").kind is ProblemKind.UNAVAILABLE
    assert ProblemKind.UNAVAILABLE.http_status == 503
    with pytest.raises(ProjectFileError) as bad:
        load_project(str(tmp_path))
    assert bad.value.kind is ProblemKind.INVALID


@pytest.mark.parametrize("code", [*ReasonCode, *SignatureReasonCode], ids=str)
def test_every_rule_code_is_classified(code: ReasonCode | SignatureReasonCode) -> None:
    """Each code a rule gives is classified on purpose, never left to the default."""
    value = code.value if isinstance(code, SignatureReasonCode) else str(code)
    assert value in PROBLEM_KINDS


def test_a_document_reason_with_half_a_character_is_written_escaped() -> None:
    """A lone surrogate quoted from an engine's message is escaped, so UTF-8 can carry it.

    Found by the hostile property: the manifest of a backup could not be encoded.
    """
    error = BadDocumentError(key="k.pdf", filename="k.pdf", code="damaged", reason="at \udcff")
    assert error.reason == "at \\udcff"
    assert str(error).encode("utf-8")

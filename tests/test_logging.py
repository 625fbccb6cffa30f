"""The library says what it did through the ``invoicebackup`` logger, and nothing by default."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from invoicebackup import InMemoryStore, compile_backup
from invoicebackup.testing import sample_documents, sample_project

DAY = date(2026, 11, 3)
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def _compile() -> str:
    result = compile_backup(
        sample_project(today=DAY),
        contract_ids=["k-2", "k-10"],
        user_id="u-admin",
        store=InMemoryStore(sample_documents(today=DAY)),
        now=NOW,
    )
    return result.key


def test_one_info_record_per_backup_with_structured_fields(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A compile logs one INFO record naming project, user, invoices, pages, key and digest."""
    with caplog.at_level(logging.INFO, logger="invoicebackup"):
        key = _compile()
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 1
    (record,) = infos
    assert record.name == "invoicebackup"
    fields = record.__dict__
    assert fields["invoicebackup_project_id"] == "p-100"
    assert fields["invoicebackup_user_id"] == "u-admin"
    assert fields["invoicebackup_invoice_ids"] == ["i-1", "i-2", "i-3"]
    assert fields["invoicebackup_backup_key"] == key
    assert (
        fields["invoicebackup_pages"] == 1 + 13
    )  # the cover sheet; the sample's i-2 has two lien waivers of a page
    assert len(fields["invoicebackup_sha256"]) == 64
    assert fields["invoicebackup_seconds"] >= 0
    assert key in record.getMessage()
    assert not [r for r in caplog.records if r.levelno == logging.DEBUG]


def test_debug_records_name_every_document(caplog: pytest.LogCaptureFixture) -> None:
    """At DEBUG, each document of the backup has a record with its key, pages and digest."""
    with caplog.at_level(logging.DEBUG, logger="invoicebackup"):
        _compile()
    debug = [r.__dict__ for r in caplog.records if r.levelno == logging.DEBUG]
    keys = [fields["invoicebackup_document_key"] for fields in debug]
    assert "docs/i-1.pdf" in keys
    assert "signed/i-2.pdf" in keys
    assert "docs/i-2.pdf" not in keys  # replaced by its signed version
    signed = next(f for f in debug if f["invoicebackup_document_key"] == "signed/i-2.pdf")
    assert signed["invoicebackup_signed"] is True
    assert signed["invoicebackup_invoice_id"] == "i-2"


def _compile_quietly(invoice: str) -> subprocess.CompletedProcess[str]:
    script = (
        "from datetime import UTC, date, datetime\n"
        "from invoicebackup import InMemoryStore, compile_backup\n"
        "from invoicebackup.testing import sample_documents, sample_project\n"
        "day = date(2026, 11, 3)\n"
        f"compile_backup(sample_project(today=day), invoice_ids=['{invoice}'], user_id='u-admin',\n"
        "               store=InMemoryStore(sample_documents(today=day)),\n"
        "               now=datetime(2026, 11, 3, tzinfo=UTC))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done


def test_silent_unless_the_host_configures_logging() -> None:
    """Without any logging configuration, a compile of plain documents prints nothing at all.

    A damaged document is rewritten through pypdf, whose own logger is the host's to
    configure (the library touches no other library's logger): without configuration,
    Python's last-resort handler may print pypdf's warnings, never anything of ours.
    """
    done = _compile_quietly("i-1")
    assert (done.stdout, done.stderr) == ("", "")
    damaged = _compile_quietly("i-4")
    assert damaged.stdout == ""
    assert "invoicebackup" not in damaged.stderr
    assert any(
        isinstance(h, logging.NullHandler) for h in logging.getLogger("invoicebackup").handlers
    )

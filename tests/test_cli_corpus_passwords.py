"""The corpus files that need a user password compile through ``--passwords FILE``.

The passwords are the ones the corpus manifest gives (``user_pw=…`` in its notes); each file
goes into a backup as it is, its pages checked against pikepdf's view of the source.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from invoicebackup import (
    BillingPeriod,
    Contract,
    Document,
    Invoice,
    PermissionLevel,
    Permissions,
    Project,
    User,
    dump_project,
)
from invoicebackup.cli import EXIT_OK, EXIT_WARNINGS, main

from .oracle import differences

pytestmark = pytest.mark.corpus

_PASSWORD = re.compile(r"user_pw=(\S+)")


def _user_password(notes: str) -> str | None:
    """The user password a manifest note gives; its backslash-x escapes are Latin-1 bytes."""
    found = _PASSWORD.search(notes)
    if found is None:
        return None
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m[1], 16)), found[1])


def _protected(shared_dir: Path) -> dict[str, str]:
    folder = shared_dir / "corpus" / "realworld"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent: the real-world corpus is not here")
    with (folder / "MANIFEST.tsv").open(encoding="utf-8") as manifest:
        rows = list(csv.DictReader(manifest, delimiter="\t"))
    found = {}
    for row in rows:
        password = _user_password(row["notes"])
        if password is not None and "user-password" in row["categories"]:
            found[row["file"]] = password
    return found


def test_protected_corpus_files_compile_with_a_passwords_file(
    shared_dir: Path, tmp_path: Path
) -> None:
    """Without the file each is a placeholder; with it each is included, as pikepdf reads it."""
    protected = _protected(shared_dir)
    assert len(protected) >= 5, protected
    folder = tmp_path / "project"
    (folder / "docs").mkdir(parents=True)
    attachments = []
    for name in sorted(protected):
        shutil.copyfile(shared_dir / "corpus" / "realworld" / name, folder / "docs" / name)
        attachments.append(Document(key=f"docs/{name}", filename=name))
    (folder / "docs" / "invoice.pdf").write_bytes(
        (shared_dir / "corpus" / "realworld" / "py-r3-empty-password.pdf").read_bytes()
    )
    project = Project(
        id="p",
        name="Locked",
        users=[User(id="u", name="U", permissions=Permissions(commitments=PermissionLevel.ADMIN))],
        contracts=[Contract(id="k", number="SC-1")],
        billing_periods=[
            BillingPeriod(
                id="bp-1", start=date(2026, 10, 1), end=date(2026, 10, 31), due=date(2026, 10, 25)
            )
        ],
        invoices=[
            Invoice(
                id="i",
                contract_id="k",
                number="INV-1",
                position=1,
                billing_period_id="bp-1",
                document=Document(key="docs/invoice.pdf", filename="invoice.pdf"),
                attachments=attachments,
            )
        ],
    )
    dump_project(project, folder)
    passwords = tmp_path / "passwords.json"
    passwords.write_text(
        json.dumps({f"docs/{name}": pw for name, pw in protected.items()}), encoding="utf-8"
    )
    args = ["compile", str(folder), "--as", "u", "--invoice", "i", "--now", "2026-11-03T09:30Z"]
    runner = CliRunner()
    without = runner.invoke(main, [*args, "-o", str(tmp_path / "without"), "--json"])
    assert without.exit_code == EXIT_WARNINGS, without.output
    placeholders = {p["subject"] for p in json.loads(without.stdout)["problems"]}
    # A file whose owner password is empty opens without one: only the others need the file.
    assert len({f"docs/{name}" for name in protected} & placeholders) >= 5, placeholders
    with_file = runner.invoke(
        main, [*args, "-o", str(tmp_path / "with"), "--passwords", str(passwords), "--json"]
    )
    assert with_file.exit_code == EXIT_OK, with_file.output
    for password in protected.values():
        # Some passwords are words the output uses on its own ("user", "attachment").
        if password not in without.output:
            assert password not in with_file.output
    result = json.loads(with_file.stdout)["result"]
    backup = (tmp_path / "with" / Path(result["backup_path"]).name).read_bytes()
    sources = {s["key"]: s for s in result["manifest"]["invoices"][0]["sources"]}
    for name, password in protected.items():
        source = sources[f"docs/{name}"]
        assert source["encrypted"] is True
        original = (folder / "docs" / name).read_bytes()
        try:
            found = differences(original, backup, source["first_page"], password=password)
        except pikepdf.PasswordError:
            # qpdf does not SASLprep an R6 password (the soft hyphen stays): pypdf did, so
            # the file is in; qpdf cannot open the source to compare with.
            assert "\xad" in password, name
            continue
        assert found == [], name

"""verify: a backup checked against its embedded manifest, through the API and the CLI.

Pages are found through the manifest's page ranges, never by absolute number, so a
backup that starts with pages of our own (placeholders, a cover sheet) is tested alike.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner, Result

from invoicebackup import (
    BackupOptions,
    BackupResult,
    InMemoryStore,
    MismatchKind,
    UnverifiableBackupError,
    compile_backup,
    verify_backup,
)
from invoicebackup._integrity import MANIFEST_SHA256, manifest_sha256
from invoicebackup.cli import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, main
from invoicebackup.manifest import MANIFEST_NAME
from invoicebackup.pdf.digest import page_digests
from invoicebackup.pdf.reader import PdfFile
from invoicebackup.testing import sample_documents, sample_project, write_sample_project
from tests.test_cli_json import checked_json

TODAY = date(2026, 11, 3)
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
#: The sample's invoices: i-2 (signed, with a waiver) and i-4 (a damaged attachment, whose
#: placeholder page is our own page).
INVOICES = ["i-2", "i-4"]


def compiled(**options: Any) -> tuple[BackupResult, bytes, InMemoryStore]:
    store = InMemoryStore(sample_documents(today=TODAY))
    result = compile_backup(
        sample_project(today=TODAY),
        invoice_ids=INVOICES,
        user_id="u-admin",
        store=store,
        options=BackupOptions(**options),
        now=NOW,
    )
    return result, store.read_bytes(result.key), store


def source_page(result: BackupResult, filename: str) -> int:
    """The backup page (1-based) where the document *filename* starts, from the manifest."""
    for record in result.invoices:
        for source in record.sources:
            if source.filename == filename:
                return source.first_page
    raise AssertionError(filename)


def placeholder_page(result: BackupResult) -> int:
    pages = [item.page for item in result.left_out if item.page is not None]
    assert pages
    return pages[0]


def resaved(data: bytes, change: Any = None, **how: Any) -> bytes:
    """*data* rewritten by qpdf (objects renumbered, keys sorted), after *change*.

    *how*: pikepdf's ``save`` options (``linearize=True``…).
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if change is not None:
            change(pdf)
        out = io.BytesIO()
        pdf.save(out, **how)
    return out.getvalue()


def with_edit(data: bytes, page: int, text: bytes) -> bytes:
    """*data* with one incremental update that draws *text* on *page* (1-based)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        obj = pdf.pages[page - 1].obj
        number = obj.objgen[0]
        size = int(pdf.trailer.Size)
        root = pdf.trailer.Root.objgen[0]
        old = obj.Contents.unparse(resolved=False)
        kept = b"".join(
            pikepdf.Name(key).unparse() + b" " + value.unparse(resolved=False)
            for key, value in obj.items()
            if key != "/Contents"
        )
    contents = old[1:-1] if old.startswith(b"[") else old
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    stream = b"q BT /Helv 24 Tf 72 72 Td (" + text + b") Tj ET Q"
    update = bytearray(b"\n")
    page_at = len(data) + len(update)
    update += b"%d 0 obj\n<<%s /Contents [%s %d 0 R]>>\nendobj\n" % (number, kept, contents, size)
    stream_at = len(data) + len(update)
    update += b"%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
        size,
        len(stream),
        stream,
    )
    table_at = len(data) + len(update)
    update += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n" % (
        number,
        page_at,
        size,
        stream_at,
    )
    update += b"trailer\n<</Size %d/Root %d 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1,
        root,
        prev,
        table_at,
    )
    return data + bytes(update)


def with_manifest(data: bytes, edit: Any) -> bytes:
    """*data* whose attached manifest was replaced by ``edit(manifest dict)``."""

    def change(pdf: pikepdf.Pdf) -> None:
        manifest = json.loads(pdf.attachments[MANIFEST_NAME].get_file().read_bytes())
        edited = edit(manifest)
        pdf.attachments[MANIFEST_NAME] = pikepdf.AttachedFileSpec(
            pdf, json.dumps(edited).encode(), filename=MANIFEST_NAME
        )

    return resaved(data, change)


def kinds(found: Any) -> list[str]:
    return [m.kind.value for m in found.mismatches]


# --- untouched ------------------------------------------------------------------------


def test_an_untouched_backup_verifies_with_and_without_its_sources() -> None:
    """Every page's digest and every source's SHA-256 match what was compiled."""
    result, data, store = compiled()
    alone = verify_backup(data)
    assert alone.verified
    assert alone.mismatches == ()
    assert alone.page_count == result.page_count == alone.pages_checked
    assert alone.sources_checked == 0
    assert any("sources" in note for note in alone.not_checked)
    with_sources = verify_backup(data, store=store)
    assert with_sources.verified
    assert with_sources.sources_checked == sum(len(r.sources) for r in result.invoices)


def test_the_digests_do_not_depend_on_object_numbers() -> None:
    """A backup rewritten by qpdf (objects renumbered, streams compressed) still verifies."""
    _result, data, _store = compiled()
    assert verify_backup(resaved(data)).verified


def test_every_page_has_a_digest_our_own_pages_too() -> None:
    """The manifest records one digest per page, placeholder pages included, all distinct here."""
    result, _data, _store = compiled()
    digests = result.manifest.page_digests
    assert len(digests) == result.page_count
    assert placeholder_page(result) <= len(digests)
    assert len(set(digests)) == len(digests)


# --- tampering ------------------------------------------------------------------------


def test_a_removed_page_is_found_and_named() -> None:
    """Removing the waiver's page: the count, the missing page and the pages moved up."""
    result, data, _store = compiled()
    page = source_page(result, "Lien waiver.pdf")
    found = verify_backup(resaved(data, lambda pdf: pdf.pages.remove(p=page)))
    assert not found.verified
    missing = [m for m in found.mismatches if m.kind is MismatchKind.PAGE_MISSING]
    assert [(m.page, m.filename, m.invoice_id) for m in missing] == [
        (page, "Lien waiver.pdf", "i-2")
    ]
    assert MismatchKind.PAGE_COUNT.value in kinds(found)
    moved = [m.page for m in found.mismatches if m.kind is MismatchKind.PAGE_MOVED]
    assert moved == list(range(page, result.page_count))
    # The cover sheet's links to the invoices after the removed page now land on pages
    # other than those it prints: it is named as changed, and no page of a source is.
    changed = [m.page for m in found.mismatches if m.kind is MismatchKind.PAGE_CHANGED]
    assert changed == [result.manifest.cover_first_page]


def test_two_swapped_pages_are_found_and_named() -> None:
    """Swapping the signed invoice's two pages: each is named as the other, nothing else."""
    result, data, _store = compiled()
    first = source_page(result, "Invoice 2 (signed).pdf")

    def swap(pdf: pikepdf.Pdf) -> None:
        a, b = pdf.pages[first - 1], pdf.pages[first]
        pdf.pages[first - 1], pdf.pages[first] = b, a

    found = verify_backup(resaved(data, swap))
    # The cover sheet links to the invoice's first page, which now stands second: its
    # link no longer lands where it says, so it is named as changed too.
    assert [(m.kind, m.page) for m in found.mismatches] == [
        (MismatchKind.PAGE_CHANGED, result.manifest.cover_first_page),
        (MismatchKind.PAGE_MOVED, first),
        (MismatchKind.PAGE_MOVED, first + 1),
    ]
    assert f"page {first + 1} (Invoice 2 (signed).pdf" in found.mismatches[1].message


def test_a_text_added_by_an_incremental_update_is_found() -> None:
    """An update appended after the backup (what a viewer then shows) changes that page only."""
    result, data, _store = compiled()
    page = source_page(result, "Lien waiver.pdf")
    edited = with_edit(data, page, b"PAID IN FULL")
    with pikepdf.open(io.BytesIO(edited)) as pdf:  # a viewer reads the update
        drawn = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(pdf.pages[page - 1]))
        assert b"PAID IN FULL" in drawn
    found = verify_backup(edited)
    assert [(m.kind, m.page, m.filename, m.invoice_id) for m in found.mismatches] == [
        (MismatchKind.PAGE_CHANGED, page, "Lien waiver.pdf", "i-2")
    ]


def test_an_edited_placeholder_page_is_found() -> None:
    """Our own pages are covered like the sources' pages."""
    result, data, _store = compiled()
    page = placeholder_page(result)
    found = verify_backup(with_edit(data, page, b"nothing was wrong"))
    assert [(m.kind, m.page) for m in found.mismatches] == [(MismatchKind.PAGE_CHANGED, page)]


def test_a_changed_or_removed_source_is_found() -> None:
    """Given the project's documents, a source whose bytes changed (or that is gone) is named."""
    _result, data, store = compiled()
    documents = sample_documents(today=TODAY)
    documents["docs/i-2-waiver.pdf"] += b"\n% a byte more\n"
    del documents["signed/i-2.pdf"]
    found = verify_backup(data, store=InMemoryStore(documents))
    assert sorted((m.kind.value, m.key, m.invoice_id) for m in found.mismatches) == [
        ("source_changed", "docs/i-2-waiver.pdf", "i-2"),
        ("source_missing", "signed/i-2.pdf", "i-2"),
    ]
    assert verify_backup(data, store=store).verified


def test_a_changed_manifest_is_found() -> None:
    """A manifest edited after compile (a source's SHA-256 rewritten) fails its own digest."""
    _result, data, _store = compiled()

    def edit(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["invoices"][0]["sources"][0]["sha256"] = "0" * 64
        return manifest

    assert kinds(verify_backup(with_manifest(data, edit))) == ["manifest"]


# --- what cannot be verified --------------------------------------------------------------


def test_a_backup_without_a_manifest_is_a_clear_error() -> None:
    """embed_manifest off: UnverifiableBackupError, code no_manifest, naming the attachment."""
    _result, data, _store = compiled(embed_manifest=False)
    with pytest.raises(UnverifiableBackupError) as caught:
        verify_backup(data)
    assert caught.value.code == "no_manifest"
    assert MANIFEST_NAME in str(caught.value)


def test_a_manifest_of_a_newer_format_is_a_clear_error() -> None:
    """A format this version does not know is refused, saying to upgrade."""
    _result, data, _store = compiled()
    newer = with_manifest(data, lambda m: {**m, "format": "invoicebackup.manifest/99"})
    with pytest.raises(UnverifiableBackupError) as caught:
        verify_backup(newer)
    assert caught.value.code == "newer_format"
    assert "upgrade" in str(caught.value)


def test_a_manifest_of_format_1_verifies_what_it_can() -> None:
    """Without page digests: the page count and ranges are checked, and the rest is said."""
    result, data, _store = compiled()

    def older(manifest: dict[str, Any]) -> dict[str, Any]:
        for key in ("page_digest", "page_digests", "manifest_sha256"):
            del manifest[key]
        return {**manifest, "format": "invoicebackup.manifest/1"}

    old = with_manifest(data, older)
    found = verify_backup(old)
    assert found.verified
    assert found.pages_checked == 0
    assert any("page digests" in note for note in found.not_checked)
    assert any("own integrity" in note for note in found.not_checked)
    page = source_page(result, "Lien waiver.pdf")
    removed = verify_backup(resaved(old, lambda pdf: pdf.pages.remove(p=page)))
    assert kinds(removed)[0] == "page_count"


def test_digests_of_the_first_kind_are_checked_by_its_rules() -> None:
    """A backup whose manifest holds ``sha256-page/1`` digests (an earlier version's) verifies.

    Its digests are recomputed by that kind's rules; an edited page is still found, and
    a kind this version does not know is said not to be checked.
    """
    result, data, _store = compiled()

    def resealed(manifest: dict[str, Any]) -> dict[str, Any]:
        """*manifest* with its own digest made again (as if compiled so)."""
        del manifest[MANIFEST_SHA256]
        return {**manifest, MANIFEST_SHA256: manifest_sha256(manifest)}

    def first_kind(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["page_digest"] = "sha256-page/1"
        manifest["page_digests"] = page_digests(PdfFile(data), kind="sha256-page/1")
        return resealed(manifest)

    old = with_manifest(data, first_kind)
    found = verify_backup(old)
    assert found.mismatches == ()
    assert found.pages_checked == result.page_count
    page = source_page(result, "Lien waiver.pdf")
    edited = verify_backup(with_edit(old, page, b"PAID"))
    assert [(m.kind.value, m.page) for m in edited.mismatches] == [("page_changed", page)]

    def unknown_kind(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["page_digest"] = "sha256-page/99"
        return resealed(manifest)

    unknown = verify_backup(with_manifest(data, unknown_kind))
    assert unknown.pages_checked == 0
    assert any("sha256-page/99" in note for note in unknown.not_checked)


def test_what_is_not_a_pdf_is_a_clear_error(tmp_path: Path) -> None:
    """Bytes that are no PDF, an empty file, a missing file: code unreadable."""
    for source in (b"not a pdf", tmp_path / "missing.pdf"):
        with pytest.raises(UnverifiableBackupError) as caught:
            verify_backup(source)
        assert caught.value.code == "unreadable"
    (tmp_path / "empty.pdf").write_bytes(b"")
    with pytest.raises(UnverifiableBackupError):
        verify_backup(tmp_path / "empty.pdf")


# --- the command --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder_backup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample project folder and a backup compiled from it by the command."""
    project = write_sample_project(tmp_path_factory.mktemp("verify") / "project", today=TODAY)
    out = project.parent / "out"
    now = NOW.isoformat()
    compiled_json = checked_json(
        run("compile", project, "--as", "u-admin", "-o", out, "--now", now, "--json")
    )
    return project, Path(compiled_json["result"]["backup_path"])


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_command_verifies_an_untouched_backup(folder_backup: tuple[Path, Path]) -> None:
    """Exit 0 and one line, with and without --project; --json matches the schema."""
    project, backup = folder_backup
    plain = run("verify", backup)
    assert plain.exit_code == EXIT_OK, plain.output
    assert "verified" in plain.stdout
    document = checked_json(run("verify", backup, "--project", project, "--json"))
    assert document["ok"]
    assert document["result"]["verified"]
    assert document["result"]["sources_checked"] > 0


def test_the_command_names_each_mismatch(folder_backup: tuple[Path, Path], tmp_path: Path) -> None:
    """A changed source and an edited page: exit 1, one line each; in JSON, each mismatch."""
    project, backup = folder_backup
    changed = Path(shutil.copytree(project, tmp_path / "project"))
    waiver = changed / "docs" / "i-2-waiver.pdf"
    waiver.write_bytes(waiver.read_bytes() + b"\n")
    text = run("verify", backup, "--project", changed)
    assert text.exit_code == EXIT_REFUSED
    assert "1 mismatch" in text.stderr
    assert "docs/i-2-waiver.pdf" in text.stderr
    data = backup.read_bytes()
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(with_edit(data, 2, b"PAID"))  # the first invoice's first page
    document = checked_json(run("verify", edited, "--project", changed, "--json"))
    assert document["exit_code"] == EXIT_REFUSED
    assert not document["result"]["verified"]
    assert sorted(m["kind"] for m in document["result"]["mismatches"]) == [
        "page_changed",
        "source_changed",
    ]
    assert {p["code"] for p in document["problems"]} == {"page_changed", "source_changed"}


def test_the_command_refuses_a_file_without_a_manifest(tmp_path: Path) -> None:
    """No manifest: exit 1, one clear line; in JSON a problem coded no_manifest."""
    _result, data, _store = compiled(embed_manifest=False)
    path = tmp_path / "bare.pdf"
    path.write_bytes(data)
    text = run("verify", path)
    assert text.exit_code == EXIT_REFUSED
    assert "cannot be verified" in text.stderr
    assert "Traceback" not in text.output
    document = checked_json(run("verify", path, "--json"))
    assert [p["code"] for p in document["problems"]] == ["no_manifest"]
    assert document["result"] is None


def with_rotated_tree(data: bytes) -> bytes:
    """*data* with one incremental update that sets /Rotate 90 on the page tree's root."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tree = pdf.Root.Pages
        number = tree.objgen[0]
        size = int(pdf.trailer.Size)
        root = pdf.trailer.Root.objgen[0]
        body = tree.unparse(resolved=True)
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    update = bytearray(b"\n")
    at = len(data) + len(update)
    update += b"%d 0 obj\n<<%s/Rotate 90>>\nendobj\n" % (number, body.strip()[2:-2])
    table = len(data) + len(update)
    update += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (number, at)
    update += b"trailer\n<</Size %d/Root %d 0 R/Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        root,
        prev,
        table,
    )
    return data + bytes(update)


def test_a_rotation_slipped_into_the_page_tree_changes_every_page() -> None:
    """What a page inherits is what a viewer shows: a /Rotate on the tree changes every page."""
    result, data, _store = compiled()
    rotated = with_rotated_tree(data)
    with pikepdf.open(io.BytesIO(rotated)) as pdf:
        assert pdf.pages[0].Rotate == 90  # a viewer turns every page
    found = verify_backup(rotated)
    assert [m.page for m in found.mismatches] == list(range(1, result.page_count + 1))
    assert {m.kind for m in found.mismatches} == {MismatchKind.PAGE_CHANGED}


def test_the_command_says_what_it_could_not_check_and_refuses_bad_usage(
    folder_backup: tuple[Path, Path], tmp_path: Path
) -> None:
    """Under -v, what was not checked; a --project that is no folder is a usage error (2)."""
    _project, backup = folder_backup
    verbose = run("verify", backup, "-v")
    assert verbose.exit_code == EXIT_OK
    assert "not checked: the sources" in verbose.stdout
    assert run("verify", backup, "--project", tmp_path / "nowhere").exit_code == EXIT_USAGE
    assert run("verify").exit_code == EXIT_USAGE

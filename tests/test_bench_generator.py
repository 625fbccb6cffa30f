"""The benchmark's workload generator (``bench/generate.py``) at a tiny size."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from tests.backup_helpers import bench_generator, cover_pages


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_same_bytes_and_every_document_is_a_readable_pdf(tmp_path: Path) -> None:
    """Two runs with one seed write identical files; each document reads with the pages listed."""
    generate = bench_generator().generate
    first = generate(tmp_path / "a", invoices=3, seed=7)
    generate(tmp_path / "b", invoices=3, seed=7)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    manifest = first.manifest
    assert manifest == json.loads((tmp_path / "a" / "bench-manifest.json").read_text())
    project = json.loads((tmp_path / "a" / "project.json").read_text())
    named = {inv["document"]["key"] for inv in project["invoices"]} | {
        att["key"] for inv in project["invoices"] for att in inv["attachments"]
    }
    assert named == {d["key"] for d in manifest["documents"]}
    for document in manifest["documents"]:
        # A photo is a JPEG; the PDF engines read its one-page PDF wrapping.
        reader = PdfReader(tmp_path / "a" / document.get("engine_key", document["key"]))
        assert len(reader.pages) == document["pages"], document["key"]
    assert manifest["pages"] == sum(d["pages"] for d in manifest["documents"])


def test_photos_are_jpegs_that_the_backup_makes_pages(tmp_path: Path) -> None:
    """The workload's photos are JPEG attachments: one page each in the backup, as listed."""
    from invoicebackup import FileSystemStore, compile_backup, load_project

    workload = bench_generator().generate(tmp_path / "w", invoices=6, seed=3)
    photos = [d for d in workload.manifest["documents"] if d["kind"] == "photo"]
    assert photos
    for photo in photos:
        assert (workload.folder / photo["key"]).read_bytes()[:3] == b"\xff\xd8\xff"
    result = compile_backup(
        load_project(workload.folder),
        invoice_ids=workload.invoice_ids,
        user_id=workload.manifest["admin_user_id"],
        store=FileSystemStore(workload.folder),
    )
    images = {s.key: s for record in result.invoices for s in record.sources if s.image}
    assert {key: (s.image, s.pages) for key, s in images.items()} == {
        photo["key"]: ("JPEG", 1) for photo in photos
    }
    assert result.manifest.page_count == cover_pages(result) + workload.manifest["pages"] + sum(
        1 for entry in result.left_out if entry.page is not None
    )


def test_another_seed_gives_other_bytes(tmp_path: Path) -> None:
    """The seed drives the content: a different seed changes the documents."""
    generate = bench_generator().generate
    generate(tmp_path / "a", invoices=1, seed=1)
    generate(tmp_path / "b", invoices=1, seed=2)
    assert _digests(tmp_path / "a") != _digests(tmp_path / "b")


def test_lien_waivers_repeat_field_names_with_their_own_values(tmp_path: Path) -> None:
    """Every waiver has the same field names, and each holds its own invoice's amount."""
    workload = bench_generator().generate(tmp_path / "w", invoices=4, seed=0)
    waivers = workload.manifest["waivers"]
    assert len(waivers) >= 2
    for waiver in waivers:
        fields = PdfReader(tmp_path / "w" / waiver["key"]).get_fields()
        assert fields is not None
        assert {name: field.get("/V") for name, field in fields.items()} == waiver["values"]
    assert len({w["values"]["amount"] for w in waivers}) == len(waivers)


def test_refuses_with_a_clear_message_when_the_disk_is_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too little free space: no workload is started and the error says how much is needed."""
    module = bench_generator()
    monkeypatch.setattr(
        module.shutil,
        "disk_usage",
        lambda _path: SimpleNamespace(total=10**12, used=10**12, free=10**6),
    )
    with pytest.raises(module.NotEnoughSpaceError, match="needs about") as caught:
        module.ensure_workload(invoices=1000, seed=0, root=tmp_path / "out")
    assert caught.value.free == 10**6
    assert not any((tmp_path / "out").iterdir())

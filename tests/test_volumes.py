"""Volumes (issue 23, item 3): a backup over ``max_volume_bytes`` written as several files.

Every volume is checked with pikepdf (an independent reader) and the pages oracle: the
union of the volumes' pages is the one-file backup's pages, invoice by invoice.
"""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupResult,
    DocumentStoreError,
    FileSystemStore,
    InMemoryStore,
    InvalidValueError,
    MismatchKind,
    ProgressEvent,
    compile_backup,
    verify_backup,
    verify_volumes,
)
from invoicebackup.cli import main
from invoicebackup.manifest import MANIFEST_NAME
from invoicebackup.testing import SAMPLE_ADMIN, sample_documents, sample_project

from .oracle import differences
from .pdf_craft import NOW

PROJECT = sample_project()
SELECTION = sorted(c.id for c in PROJECT.contracts)


def compiled(
    store: Any = None, progress: Callable[[ProgressEvent], None] | None = None, **options: Any
) -> tuple[BackupResult, Any]:
    """The backup of the sample project's every contract, and the store it was read from."""
    store = store if store is not None else InMemoryStore(sample_documents())
    result = compile_backup(
        PROJECT,
        contract_ids=SELECTION,
        user_id=SAMPLE_ADMIN,
        store=store,
        options=BackupOptions(**options),
        progress=progress,
        now=NOW,
    )
    return result, store


def invoice_pages(backup: bytes, first: int, last: int) -> bytes:
    """Pages *first*..*last* (1-based) of *backup* as a PDF of their own (copied by qpdf)."""
    with pikepdf.open(io.BytesIO(backup)) as whole, pikepdf.new() as part:
        for index in range(first - 1, last):
            part.pages.append(whole.pages[index])
        out = io.BytesIO()
        with warnings.catch_warnings():
            # Form widgets copied without their form: the oracle compares pages, not forms.
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            part.save(out)
        return out.getvalue()


def volume_manifest(data: bytes) -> dict[str, Any]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    manifest: dict[str, Any] = json.loads(reader.attachments[MANIFEST_NAME][0])
    return manifest


def sources_by_volume(
    result: BackupResult, store: InMemoryStore
) -> Iterator[tuple[bytes, dict[str, Any], dict[str, Any]]]:
    """Each volume's bytes, with each of its invoice records and each record's sources."""
    for volume in result.volumes:
        data = store.read_bytes(str(volume.key))
        for record in volume_manifest(data)["invoices"]:
            for source in record["sources"]:
                yield data, record, source


@pytest.mark.parametrize("limit", [12_000, 15_000, 20_000, 30_000, 40_000])
def test_volumes_at_several_limits_are_valid_under_the_limit_and_lose_no_page(limit: int) -> None:
    """Every volume is valid and under the limit; together they hold every page.

    Each opens in pikepdf and is under the limit unless it holds one invoice, or one
    document, that alone is over; the volumes hold the one-file backup's documents, in
    order, each whole in one volume, its pages the same pages (pages oracle).
    """
    whole, whole_store = compiled()
    assert whole.size > limit  # otherwise nothing is split: see the next test
    result, store = compiled(max_volume_bytes=limit)
    assert len(result.volumes) >= 2
    whole_bytes = whole_store.read_bytes(whole.key)
    for volume in result.volumes:
        data = store.read_bytes(volume.key)
        assert len(data) == volume.size
        assert hashlib.sha256(data).hexdigest() == volume.sha256
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert len(pdf.pages) == volume.page_count
        assert volume.size is not None
        if volume.over_limit:
            assert len(volume.invoice_ids) == 1
            assert volume.size > limit
        else:
            assert volume.size <= limit
        assert volume_manifest(data)["volume"] == volume.number
    before = {
        (record.invoice_id, source.key): source
        for record in whole.invoices
        for source in record.sources
    }
    found = []
    for data, record, source in sources_by_volume(result, store):
        found.append((record["invoice_id"], source["key"]))
        was = before[found[-1]]
        assert source["sha256"] == was.sha256
        assert source["pages"] == was.pages
        part = invoice_pages(whole_bytes, was.first_page, was.last_page)
        assert differences(part, data, source["first_page"]) == []
    assert found == list(before)  # every document once, in order
    assert sorted(item.key or "" for item in result.left_out) == sorted(
        item.key or "" for item in whole.left_out
    )
    assert sum(len(r.missing_waivers) for r in result.invoices) == sum(
        len(r.missing_waivers) for r in whole.invoices
    )


def test_an_invoice_over_the_limit_is_split_between_its_documents() -> None:
    """An invoice that fits no volume is split between documents, never inside one.

    Every volume holding part of it is under the limit unless it holds one document
    alone over it, which the result names.
    """
    result, store = compiled(max_volume_bytes=12_000)
    holders: dict[str, list[int]] = {}
    for volume in result.volumes:
        for invoice_id in volume.invoice_ids:
            holders.setdefault(invoice_id, []).append(volume.number)
    split = [invoice_id for invoice_id, numbers in holders.items() if len(numbers) > 1]
    assert split, holders
    for volume in result.volumes:
        sources = [
            s
            for r in volume_manifest(store.read_bytes(volume.key))["invoices"]
            for s in r["sources"]
        ]
        if volume.over_limit and any(i in split for i in volume.invoice_ids):
            assert len(sources) == 1
            assert f"({sources[0]['filename']}) alone is" in result.message


def test_a_backup_under_the_limit_is_one_file() -> None:
    """With room to spare, the option changes nothing but the options recorded: one file."""
    whole, _ = compiled()
    result, store = compiled(max_volume_bytes=whole.size + 10_000)
    assert result.volumes == ()
    assert result.page_count == whole.page_count
    assert store.keys() == sorted([*sample_documents(), result.key])
    assert "volumes" not in volume_manifest(store.read_bytes(result.key))


def test_without_the_option_the_manifest_has_no_volume_keys() -> None:
    """A backup written as one file dumps as before volumes existed (no new key)."""
    result, store = compiled()
    manifest = volume_manifest(store.read_bytes(result.key))
    assert "volume" not in manifest
    assert "volumes" not in manifest
    assert "max_volume_bytes" not in manifest["options"]


def test_an_invoice_larger_than_the_limit_has_a_volume_of_its_own_and_is_reported() -> None:
    """A limit under an invoice's size: that invoice alone in its volume, reported."""
    result, _ = compiled(max_volume_bytes=12_000)
    over = [v for v in result.volumes if v.over_limit]
    assert over, "the sample's first invoice is larger than 12,000 bytes"
    for volume in over:
        assert len(volume.invoice_ids) == 1
        assert volume.size is not None
        assert volume.size > 12_000
        assert f"Volume {volume.number} is larger than 12000 bytes" in result.message
    assert all(v.size is not None and v.size <= 12_000 for v in result.volumes if not v.over_limit)


def test_each_volume_verifies_on_its_own_and_lists_every_volume() -> None:
    """verify_backup checks each volume alone; each manifest lists the whole set.

    Each listed digest of a volume's pages is what that volume holds.
    """
    result, store = compiled(max_volume_bytes=20_000)
    listings = []
    for volume in result.volumes:
        data = store.read_bytes(volume.key)
        checked = verify_backup(data, store=store)
        assert checked.verified, checked.mismatches
        assert checked.page_count == volume.page_count
        manifest = volume_manifest(data)
        listings.append(manifest["volumes"])
        cover = manifest.get("cover_last_page") or 0
        pages = "".join(d + "\n" for d in manifest["page_digests"][cover:])
        listed = manifest["volumes"][volume.number - 1]
        assert listed["pages_sha256"] == hashlib.sha256(pages.encode()).hexdigest()
        assert "sha256" not in listed  # a file's hash cannot be inside a file it covers
    assert all(listing == listings[0] for listing in listings)
    assert [v["number"] for v in listings[0]] == list(range(1, len(result.volumes) + 1))


def test_the_set_manifest_carries_every_volumes_file_sha256() -> None:
    """The set's own manifest (… - Volumes.json, the result's key) holds each file's hash."""
    result, store = compiled(max_volume_bytes=20_000)
    assert result.key.endswith(" - Volumes.json")
    data = store.read_bytes(result.key)
    assert hashlib.sha256(data).hexdigest() == result.sha256
    listed = json.loads(data)["volumes"]
    for volume, entry in zip(result.volumes, listed, strict=True):
        assert entry["sha256"] == hashlib.sha256(store.read_bytes(volume.key)).hexdigest()
        assert entry["filename"].endswith(f" - Vol {volume.number} of {len(listed)}.pdf")


def test_volumes_are_deterministic() -> None:
    """The same input and time give the same volumes, byte for byte."""
    first, _ = compiled(max_volume_bytes=20_000)
    again, _ = compiled(max_volume_bytes=20_000)
    assert [v.sha256 for v in first.volumes] == [v.sha256 for v in again.volumes]
    assert first.sha256 == again.sha256


def test_the_first_volume_holds_the_cover_sheet_naming_each_invoices_volume() -> None:
    """Volume 1 opens on the cover sheet; an invoice in another volume says which."""
    result, store = compiled(max_volume_bytes=20_000)
    first = volume_manifest(store.read_bytes(result.volumes[0].key))
    assert first["cover_first_page"] == 1
    text = pypdf.PdfReader(io.BytesIO(store.read_bytes(result.volumes[0].key))).pages[0]
    words = text.extract_text()
    for volume in result.volumes[1:]:
        assert f"vol. {volume.number}" in words
    for volume in result.volumes[1:]:
        assert volume_manifest(store.read_bytes(volume.key))["cover_first_page"] is None


def test_zip_volumes_each_hold_whole_documents_under_the_limit() -> None:
    """--format zip: '… - Vol k of n.zip', each a valid ZIP under the limit.

    Each has its own manifest; together they hold every document of the one ZIP, byte
    for byte.
    """
    whole, whole_store = compiled(format="zip")
    result, store = compiled(format="zip", max_volume_bytes=25_000)
    assert len(result.volumes) >= 2
    with zipfile.ZipFile(io.BytesIO(whole_store.read_bytes(whole.key))) as archive:
        expected = sorted(
            hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if name.endswith(".pdf") and not name.startswith("000")
        )
    found = []
    for volume in result.volumes:
        assert str(volume.filename).endswith(f" - Vol {volume.number} of {len(result.volumes)}.zip")
        data = store.read_bytes(volume.key)
        assert volume.over_limit or len(data) <= 25_000
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            manifest = json.loads(archive.read(MANIFEST_NAME))
            assert manifest["volume"] == volume.number
            found += [
                hashlib.sha256(archive.read(name)).hexdigest()
                for name in archive.namelist()
                if name.endswith(".pdf") and not name.startswith("000")
            ]
    assert sorted(found) == expected


class _FailingCommits(InMemoryStore):
    """An in-memory store whose *fail_on*-th commit fails like a refused write."""

    def __init__(self, documents: dict[str, bytes], fail_on: int) -> None:
        super().__init__(documents)
        self.fail_on = fail_on
        self.commits = 0

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        inner = super().create(key)

        @contextmanager
        def creating() -> Iterator[BinaryIO]:
            with inner as out:
                yield out
                self.commits += 1
                if self.commits == self.fail_on:
                    raise DocumentStoreError(key, "the store refused the commit")

        return creating()


def _volume_count() -> int:
    result, _ = compiled(max_volume_bytes=20_000)
    return len(result.volumes)


@pytest.mark.parametrize("fail_on", range(1, 6))
def test_a_store_failing_while_publishing_leaves_nothing(fail_on: int) -> None:
    """A commit refused at any point of publishing the set leaves the store as it was.

    Whether a volume or the set's manifest is refused, the volumes already committed are
    taken back.
    """
    documents = sample_documents()
    # The one-file measuring pass is never committed: commits count the set's files only.
    store = _FailingCommits(documents, fail_on)
    if fail_on > _volume_count() + 1:
        compiled(store, max_volume_bytes=20_000)  # every file committed: nothing failed
        return
    with pytest.raises(DocumentStoreError, match="refused the commit"):
        compiled(store, max_volume_bytes=20_000)
    assert store.keys() == sorted(documents)


def test_a_folder_failing_midway_leaves_no_volume_and_no_temporary_file(tmp_path: Path) -> None:
    """The same in a folder: neither volumes nor temporary files remain."""
    before = sample_folder(tmp_path)

    class Failing(FileSystemStore):
        commits = 0

        def create(self, key: str) -> AbstractContextManager[BinaryIO]:
            inner = super().create(key)

            @contextmanager
            def creating() -> Iterator[BinaryIO]:
                with inner as out:
                    yield out
                    Failing.commits += 1
                    if Failing.commits == 3:
                        raise OSError(28, "No space left on device")

            return creating()

    with pytest.raises(OSError, match="No space"):
        compiled(Failing(tmp_path), max_volume_bytes=20_000)
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


def test_a_store_without_delete_is_refused_before_anything_is_read() -> None:
    """Volumes need a store that can take a committed volume back; one without is refused."""

    class NoDelete:
        def __init__(self) -> None:
            self.inner = InMemoryStore(sample_documents())
            self.reads = 0

        def exists(self, key: str) -> bool:
            return self.inner.exists(key)

        def read_bytes(self, key: str) -> bytes:
            self.reads += 1
            return self.inner.read_bytes(key)

        def create(self, key: str) -> AbstractContextManager[BinaryIO]:
            return self.inner.create(key)

    store = NoDelete()
    with pytest.raises(InvalidValueError, match="delete"):
        compiled(store, max_volume_bytes=20_000)
    assert store.reads == 0


_FACTORS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3}
_FACTORS |= {"KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(sorted(_FACTORS)), st.booleans())
def test_a_size_is_read_in_any_unit_and_case(number: int, unit: str, lower: bool) -> None:
    """'20MB' is 20,000,000 bytes, '20MiB' 20 x 1024²; units in any case, a space allowed."""
    text = f"{number} {unit.lower() if lower else unit}"
    assert BackupOptions(max_volume_bytes=text).max_volume_bytes == number * _FACTORS[unit]


@pytest.mark.parametrize("bad", ["20XB", "MB", "-5MB", "0", 0, "1e6", True, 2.5])
def test_a_size_that_is_not_one_is_refused_naming_the_option(bad: object) -> None:
    """Not a size: a typed error naming the option."""
    with pytest.raises(InvalidValueError, match="max_volume_bytes"):
        BackupOptions(max_volume_bytes=bad)


def test_the_command_writes_volumes_and_lists_them(tmp_path: Path) -> None:
    """Compile --max-volume-size: the volumes and the set's manifest, listed in --json."""
    runner = CliRunner()
    project = tmp_path / "project"
    assert runner.invoke(main, ["sample", str(project)]).exit_code == 0
    found = runner.invoke(
        main,
        ["compile", str(project), "--as", "u-admin", "--max-volume-size", "20KB", "--json"],
    )
    assert found.exit_code in (0, 3), found.output
    payload = json.loads(found.stdout)["result"]
    paths = [Path(p) for p in payload["volume_paths"]]
    assert len(paths) >= 2
    assert all(p.is_file() and p.stat().st_size <= 20_000 for p in paths)
    assert payload["manifest_path"].endswith(" - Volumes.json")
    for path in paths:
        assert runner.invoke(main, ["verify", str(path)]).exit_code == 0


def test_the_command_refuses_a_size_it_cannot_read(tmp_path: Path) -> None:
    """A size that is not one is a usage error (exit 2) saying why."""
    found = CliRunner().invoke(
        main, ["compile", str(tmp_path), "--as", "u-admin", "--max-volume-size", "20XB"]
    )
    assert found.exit_code == 2
    assert "is not a size such as 20MB" in found.output


def test_a_complete_set_of_volumes_verifies_as_a_set() -> None:
    """verify_volumes: every volume, in any order, with the set's manifest, verifies."""
    result, store = compiled(max_volume_bytes=20_000)
    files = [store.read_bytes(str(v.key)) for v in result.volumes]
    checked = verify_volumes([*reversed(files), store.read_bytes(result.key)], store=store)
    assert checked.verified, checked.mismatches
    assert sorted(each.volume or 0 for each in checked.volumes) == [
        v.number for v in result.volumes
    ]
    assert checked.page_count == sum(v.page_count for v in result.volumes)


def test_an_incomplete_or_mixed_set_is_named() -> None:
    """A volume missing, given twice, of another set, or not the file listed: each named."""
    result, store = compiled(max_volume_bytes=20_000)
    files = [store.read_bytes(str(v.key)) for v in result.volumes]
    missing = verify_volumes(files[1:])
    assert [m.kind for m in missing.mismatches] == [MismatchKind.VOLUME_MISSING]
    assert "volume 1 of" in missing.mismatches[0].message
    twice = verify_volumes([*files, files[-1]])
    assert [m.kind for m in twice.mismatches] == [MismatchKind.VOLUME_SET]
    other, other_store = compiled(max_volume_bytes=30_000)
    mixed = verify_volumes([files[0], other_store.read_bytes(str(other.volumes[1].key))])
    assert MismatchKind.VOLUME_SET in [m.kind for m in mixed.mismatches]
    changed = files[1] + b"%appended\n"  # still a valid volume, not the file compiled
    found = verify_volumes([files[0], changed, *files[2:], store.read_bytes(result.key)])
    assert [m.kind for m in found.mismatches] == [MismatchKind.VOLUME_SET]
    assert "SHA-256 differs" in found.mismatches[0].message


def test_a_page_removed_from_a_volume_is_named_with_its_volume() -> None:
    """A volume changed after compile fails its own check, named with its file."""
    result, store = compiled(max_volume_bytes=20_000)
    files = [store.read_bytes(str(v.key)) for v in result.volumes]
    with pikepdf.open(io.BytesIO(files[1])) as pdf:
        del pdf.pages[-1]
        out = io.BytesIO()
        pdf.save(out)
    found = verify_volumes([files[0], out.getvalue(), *files[2:]])
    kinds = {m.kind for m in found.mismatches}
    assert MismatchKind.PAGE_COUNT in kinds
    assert MismatchKind.VOLUME_SET in kinds  # its pages are not those the set lists


def test_the_command_verifies_every_volume_and_the_set(tmp_path: Path) -> None:
    """Verify VOL1 VOL2 … [Volumes.json]: exit 0 for the set, 1 with a volume missing."""
    runner = CliRunner()
    project = tmp_path / "project"
    assert runner.invoke(main, ["sample", str(project)]).exit_code == 0
    found = runner.invoke(
        main,
        ["compile", str(project), "--as", "u-admin", "--max-volume-size", "20KB", "--json"],
    )
    payload = json.loads(found.stdout)["result"]
    paths = [*payload["volume_paths"], payload["manifest_path"]]
    whole = runner.invoke(main, ["verify", "--json", *paths])
    assert whole.exit_code == 0, whole.output
    assert len(json.loads(whole.stdout)["result"]["volumes"]) == len(paths) - 1
    part = runner.invoke(main, ["verify", "--json", *paths[1:]])
    assert part.exit_code == 1
    assert [p["code"] for p in json.loads(part.stdout)["problems"]] == ["volume_missing"]


@pytest.mark.parametrize("stage", ["read", "written"])
def test_an_interruption_from_the_progress_callback_leaves_no_volume(stage: str) -> None:
    """A callback that raises while measuring, or at the last event, leaves nothing.

    The last event comes when every volume is written and none is committed yet.
    """
    documents = sample_documents()
    store = InMemoryStore(documents)

    def progress(event: ProgressEvent) -> None:
        if event.stage.value == stage:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compiled(store, progress, max_volume_bytes=20_000)
    assert store.keys() == sorted(documents)


def sample_folder(folder: Path) -> list[str]:
    """Write the sample's documents into *folder*; what it then holds, sorted."""
    for key, data in sample_documents().items():
        path = folder.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def plans_four_times_too_low(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every volume plan from estimates four times too low; one item per set written."""
    from invoicebackup import _volumes

    real = _volumes._pieces

    def optimistic(measure: Any) -> Any:
        invoices, shares = real(measure)
        low = [
            (
                attrs.evolve(whole, cost=whole.cost // 4),
                [attrs.evolve(piece, cost=piece.cost // 4) for piece in split],
            )
            for whole, split in invoices
        ]
        return low, shares

    monkeypatch.setattr(_volumes, "_pieces", optimistic)
    written: list[int] = []
    real_write = _volumes._write_set

    def counting(*args: Any, **kwargs: Any) -> Any:
        written.append(1)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(_volumes, "_write_set", counting)
    return written


def test_a_plan_that_underestimates_is_made_tighter_until_every_volume_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Volumes planned from estimates four times too low still all come out under the limit.

    Each volume written over the limit makes the plan tighter and the set is written
    again; the result is the same as from a right estimate: every volume under the limit
    but a piece that alone is over.
    """
    written = plans_four_times_too_low(monkeypatch)
    result, _ = compiled(max_volume_bytes=20_000)
    assert len(written) > 1  # the first plan overshot
    for volume in result.volumes:
        assert volume.size is not None
        assert volume.over_limit or volume.size <= 20_000

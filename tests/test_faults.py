"""Faults during a compile: failing reads, failing writes, interruptions, concurrent compiles.

Issue 7: "A document store that fails on the k-th read, or on the write (disk full,
permission denied): the compile fails with a typed error naming the document, no
output or temporary file remains, no input is modified — tested for every k over a
small project. Interrupting a compile leaves nothing behind. Two compiles of the same
selection at once in one folder: both succeed with distinct files."
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import BinaryIO

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicebackup import (
    BackupOptions,
    BackupResult,
    DocumentStore,
    DocumentStoreError,
    FileSystemStore,
    InMemoryStore,
    InvoiceBackupError,
    ProgressEvent,
    ProgressStage,
    backup_filename,
    compile_backup,
    validate_key,
)
from invoicebackup.testing import SAMPLE_ADMIN, sample_documents, sample_project

from .pdf_craft import NOW

PROJECT = sample_project()
SELECTION = sorted(c.id for c in PROJECT.contracts)
OPTIONS = BackupOptions(include_certificate=True)


class Injected(Exception):
    """Raised on purpose by a test double."""


class FaultyStore:
    """A :class:`DocumentStore` around another that fails on its *fail_on*-th read.

    A read is a ``read_bytes`` or an ``open``; the failure is *error(key)*. Every
    key read is recorded, in order, in ``reads``.
    """

    def __init__(
        self,
        inner: DocumentStore,
        *,
        fail_on: int | None = None,
        error: Callable[[str], BaseException] | None = None,
    ) -> None:
        self.inner = inner
        self.fail_on = fail_on
        self.error = error or (lambda key: DocumentStoreError(key, "the disk returned EIO"))
        self.reads: list[str] = []

    def _count(self, key: str) -> None:
        self.reads.append(key)
        if len(self.reads) == self.fail_on:
            raise self.error(key)

    def exists(self, key: str) -> bool:
        """Ask the inner store."""
        return self.inner.exists(key)

    def read_bytes(self, key: str) -> bytes:
        """Count the read, maybe fail, else ask the inner store."""
        self._count(key)
        return self.inner.read_bytes(key)

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """Ask the inner store."""
        return self.inner.create(key)


class _FailingStream:
    """A write stream that fails like a full disk after *limit* bytes."""

    def __init__(self, inner: BinaryIO, error: OSError, limit: int) -> None:
        self._inner = inner
        self._error = error
        self._left = limit

    def write(self, data: bytes) -> int:
        if len(data) > self._left:
            raise self._error
        self._left -= len(data)
        return self._inner.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


class FailingWriteStore(FaultyStore):
    """A store whose ``create`` stream fails with *error* once *limit* bytes are written."""

    def __init__(self, inner: DocumentStore, *, error: OSError, limit: int = 0) -> None:
        super().__init__(inner)
        self.write_error = error
        self.limit = limit

    @contextmanager
    def _create(self, key: str) -> Iterator[BinaryIO]:
        with self.inner.create(key) as out:
            yield _FailingStream(out, self.write_error, self.limit)  # type: ignore[misc]

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        """The inner store's ``create``, with a stream that fails."""
        return self._create(key)


# -- helpers ----------------------------------------------------------------------------------


def _memory_store() -> InMemoryStore:
    return InMemoryStore(sample_documents())


def _folder_store(root: Path) -> FileSystemStore:
    for key, data in sample_documents().items():
        path = root.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return FileSystemStore(root)


def _snapshot_memory(store: InMemoryStore) -> dict[str, str]:
    listing = store.keys()  # InMemoryStore lists its keys but is not iterable
    return {key: hashlib.sha256(store.read_bytes(key)).hexdigest() for key in listing}


def _snapshot_folder(root: Path) -> dict[str, str]:
    """Every file and folder under *root*, hidden ones included, with a hash of each file."""
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            found[os.path.relpath(os.path.join(folder, name), root) + "/"] = "folder"
        for name in files:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return found


def _compile(
    store: DocumentStore,
    *,
    options: BackupOptions = OPTIONS,
    progress: Callable[[ProgressEvent], None] | None = None,
) -> BackupResult:
    return compile_backup(
        PROJECT,
        contract_ids=SELECTION,
        user_id=SAMPLE_ADMIN,
        store=store,
        now=NOW,
        options=options,
        progress=progress,
    )


def _reads_of_a_clean_compile() -> list[str]:
    probe = FaultyStore(_memory_store())
    _compile(probe)
    return probe.reads


READS = _reads_of_a_clean_compile()


def test_the_sample_compile_reads_every_document_once() -> None:
    """The fault tests below cover every read: each document of the selection is read once."""
    assert len(READS) == len(set(READS)) >= 8
    assert "signed/i-2.pdf" in READS
    assert "signed/i-2-certificate.pdf" in READS


# -- failing reads ----------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["placeholder", "skip", "fail"])
@pytest.mark.parametrize("k", range(1, len(READS) + 1))
def test_a_store_failing_on_the_kth_read_fails_the_compile_and_leaves_nothing(
    k: int, policy: str
) -> None:
    """A store error on any read is a typed error naming that document, and nothing is written."""
    inner = _memory_store()
    before = _snapshot_memory(inner)
    store = FaultyStore(inner, fail_on=k)
    with pytest.raises(DocumentStoreError) as caught:
        _compile(store, options=BackupOptions(include_certificate=True, on_bad_document=policy))
    assert caught.value.key == READS[k - 1]
    assert READS[k - 1] in str(caught.value)
    assert _snapshot_memory(inner) == before


@pytest.mark.parametrize("k", range(1, len(READS) + 1))
def test_a_folder_store_failing_on_the_kth_read_leaves_the_folder_as_it_was(
    k: int, tmp_path: Path
) -> None:
    """In a folder, a failed read leaves no backup, no temporary file and every input unchanged."""
    inner = _folder_store(tmp_path)
    before = _snapshot_folder(tmp_path)
    with pytest.raises(DocumentStoreError) as caught:
        _compile(FaultyStore(inner, fail_on=k))
    assert caught.value.key == READS[k - 1]
    assert _snapshot_folder(tmp_path) == before


@pytest.mark.parametrize("k", [1, len(READS)])
def test_a_bare_os_error_from_a_read_becomes_a_typed_error_naming_the_document(k: int) -> None:
    """A store that raises a bare OSError still gives a typed error naming the document."""
    inner = _memory_store()
    before = _snapshot_memory(inner)
    store = FaultyStore(
        inner, fail_on=k, error=lambda key: OSError(errno.EIO, os.strerror(errno.EIO), key)
    )
    with pytest.raises(InvoiceBackupError) as caught:
        _compile(store)
    assert READS[k - 1] in str(caught.value)
    assert _snapshot_memory(inner) == before


# -- failing writes ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES], ids=["ENOSPC", "EACCES"])
@pytest.mark.parametrize("at", ["fsync", "link"])
def test_a_folder_that_fails_at_commit_gives_a_typed_error_and_leaves_nothing(
    code: int, at: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk or a refused permission while committing: a store error, no file, no .tmp."""
    store = _folder_store(tmp_path)
    before = _snapshot_folder(tmp_path)
    (tmp_path / "backups").mkdir()  # the compile would create it; keep the listing comparable
    before["backups/"] = "folder"

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, at, refuse)
    with pytest.raises(DocumentStoreError) as caught:
        _compile(store)
    monkeypatch.undo()
    assert caught.value.key.startswith("backups/Subcontractor invoice backup")
    assert isinstance(caught.value.__cause__, OSError)
    assert caught.value.__cause__.errno == code
    assert _snapshot_folder(tmp_path) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES], ids=["ENOSPC", "EACCES"])
def test_a_write_that_fails_midway_gives_a_typed_error_and_leaves_nothing(
    code: int, tmp_path: Path
) -> None:
    """A disk filling up while the backup is written: a typed error, no file, no .tmp."""
    inner = _folder_store(tmp_path)
    before = _snapshot_folder(tmp_path)
    store = FailingWriteStore(inner, error=OSError(code, os.strerror(code)), limit=0)
    with pytest.raises(InvoiceBackupError) as caught:
        _compile(store)
    assert "backups/" in str(caught.value)
    after = _snapshot_folder(tmp_path)
    assert {k: v for k, v in after.items() if k != "backups/"} == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES], ids=["ENOSPC", "EACCES"])
def test_a_failing_write_never_leaves_a_file_or_temporary_file(code: int, tmp_path: Path) -> None:
    """Whatever error a failing write surfaces as, the folder holds no backup and no .tmp."""
    inner = _folder_store(tmp_path)
    before = _snapshot_folder(tmp_path)
    store = FailingWriteStore(inner, error=OSError(code, os.strerror(code)), limit=1000)
    with pytest.raises(OSError, match=os.strerror(code)):
        _compile(store)
    after = _snapshot_folder(tmp_path)
    assert {k: v for k, v in after.items() if k != "backups/"} == before


class _RefusingMemoryStore(InMemoryStore):
    """An in-memory store whose commits fail as a full disk would."""

    def create(self, key: str) -> AbstractContextManager[BinaryIO]:
        @contextmanager
        def refused() -> Iterator[BinaryIO]:
            with super(_RefusingMemoryStore, self).create(key) as out:
                yield out
                raise DocumentStoreError(key, "the document could not be committed: disk full")

        return refused()


def test_a_memory_store_that_fails_at_commit_gives_a_typed_error_and_leaves_nothing() -> None:
    """An in-memory commit failure is a store error naming the backup, and no key is added."""
    store = _RefusingMemoryStore(sample_documents())
    before = _snapshot_memory(store)
    with pytest.raises(DocumentStoreError, match="disk full") as caught:
        _compile(store)
    assert caught.value.key.startswith("backups/")
    assert _snapshot_memory(store) == before


# -- interruptions ----------------------------------------------------------------------------


def _events_of_a_clean_compile() -> list[ProgressEvent]:
    events: list[ProgressEvent] = []
    _compile(_memory_store(), progress=events.append)
    return events


EVENTS = _events_of_a_clean_compile()
#: Every event, the last one (WRITTEN) included, is sent before the backup is committed.
BEFORE_COMMIT = list(range(len(EVENTS)))


def _interrupt_at(index: int, error: BaseException) -> Callable[[ProgressEvent], None]:
    seen = iter(range(len(EVENTS) + 1))

    def progress(_event: ProgressEvent) -> None:
        if next(seen) == index:
            raise error

    return progress


@pytest.mark.parametrize("error", [Injected("stop"), KeyboardInterrupt()], ids=["exc", "ctrl-c"])
@pytest.mark.parametrize("index", BEFORE_COMMIT)
def test_an_interruption_from_the_progress_callback_leaves_nothing(
    index: int, error: BaseException
) -> None:
    """An exception or Ctrl-C from any progress event (WRITTEN too) propagates; nothing written."""
    store = _memory_store()
    before = _snapshot_memory(store)
    with pytest.raises(type(error)) as caught:
        _compile(store, progress=_interrupt_at(index, error))
    assert caught.value is error
    assert _snapshot_memory(store) == before


@pytest.mark.parametrize(
    "index", [len(EVENTS) // 2, len(EVENTS) - 1], ids=["assembling", "written"]
)
@pytest.mark.parametrize("error", [Injected("stop"), KeyboardInterrupt()], ids=["exc", "ctrl-c"])
def test_an_interruption_in_a_folder_leaves_no_temporary_file(
    index: int, error: BaseException, tmp_path: Path
) -> None:
    """Interrupted in assembly or at the last event, a folder keeps no backup and no .tmp.

    The store may have made the (empty) output folder by then; no file is in it.
    """
    store = _folder_store(tmp_path)
    before = _snapshot_folder(tmp_path)
    with pytest.raises(type(error)):
        _compile(store, progress=_interrupt_at(index, error))
    after = _snapshot_folder(tmp_path)
    assert {k: v for k, v in after.items() if k != "backups/"} == before


# -- concurrency ------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("round_", range(3))
def test_two_compiles_at_once_in_one_folder_both_succeed_with_distinct_files(
    round_: int, tmp_path: Path
) -> None:
    """Two threads compiling the same selection with the same time get two files, one ' (2)'."""
    store = _folder_store(tmp_path)
    barrier = threading.Barrier(2)
    keys: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        def wait_once(event: ProgressEvent) -> None:
            if event.stage is ProgressStage.ASSEMBLED and event.documents_done == 1:
                barrier.wait(timeout=30)

        try:
            result = compile_backup(
                PROJECT,
                contract_ids=SELECTION,
                user_id=SAMPLE_ADMIN,
                store=store,
                now=NOW,
                progress=wait_once,
            )
            keys.append(result.key)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(keys)) == 2
    stems = sorted(Path(k).name for k in keys)
    assert stems[0].endswith(" (2).pdf") != stems[1].endswith(" (2).pdf")
    listing = sorted(os.listdir(tmp_path / "backups"))
    assert listing == sorted(Path(k).name for k in keys)  # no temporary file either


# -- names ------------------------------------------------------------------------------------


_ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]))


@given(name=_ANY_TEXT, number=_ANY_TEXT, project_id=_ANY_TEXT.filter(str.strip))
def test_any_project_name_gives_a_key_the_store_accepts(
    name: str, number: str, project_id: str
) -> None:
    """Whatever the project's name, number and id, the backup's key passes validate_key."""
    project = attrs.evolve(PROJECT, name=name, number=number, id=project_id)
    validate_key(f"backups/{backup_filename(project, now=NOW)}")


def test_a_name_with_nothing_safe_in_it_falls_back_to_a_safe_id() -> None:
    """The fallback for an empty name is made safe too (found by the no-leak property)."""
    project = attrs.evolve(PROJECT, name=" . ", id="0\x1f")
    assert backup_filename(project, now=NOW).split(" - ")[1] == "0_"


def test_a_long_project_number_is_shortened_too() -> None:
    """Not only the name: a long number is cut to fit 240 bytes.

    Found by the property above: a number of 300 bytes made a key segment the store refused.
    """
    project = attrs.evolve(PROJECT, name="Tower", number="☃" * 100)  # 300 UTF-8 bytes
    filename = backup_filename(project, now=NOW)
    assert len(filename.encode()) <= 240
    assert filename.split(" - ")[1] == "T"  # the name first, down to one character
    assert filename.split(" - ")[2].startswith("☃☃☃")
    validate_key(f"backups/{filename}")

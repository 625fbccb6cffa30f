"""Volumes: a backup larger than ``BackupOptions.max_volume_bytes`` written as several files.

How it is sized. A volume's size is only known once it is written (cleaning and
copying change a document's size; the cover sheet, outline, manifest and
cross-reference table come at the end), and the first volume must know the whole set
(its cover sheet gives each invoice's volume, every manifest lists every volume, every
name says "of N"). So a backup is written in two passes, both streamed, so memory
stays flat:

1. **Measure.** The backup is first written as one file, as it would be without the
   option (:mod:`invoicebackup.compile` does it, with a hook from here): each document's
   bytes (and cross-reference entries) and the cover sheet's are noted as they are
   written. If the whole fits, that file *is* the backup and nothing else happens.
   Otherwise it is dropped (its bytes past the limit never even reach the store) and the
   measurements plan the volumes: invoices in backup order, a new volume when the next
   would not fit; an invoice that fits in no volume is split between its documents,
   never inside one. A document that alone does not fit has a volume of its own,
   reported as over the limit.
2. **Write.** Each volume is written from the plan into its own ``create`` of the store;
   all stay uncommitted until every one is written, then they are committed one after
   the other, and if a commit fails, those already committed are deleted again: all the
   volumes appear, or none does.

The plan is an estimate (a volume's end — its bookmarks, page tree, manifest — is
estimated from the one file's), so each volume written is checked against the limit;
one that is over (with more than one invoice or document) makes the plan tighter by what
it overshot, and the volumes are written again (after a few attempts, one piece a
volume, which is over only when that piece alone is). Both the estimate and the check
depend on the input only, so the same input gives the same volumes, byte for byte. (Rolling an
invoice back when it overflows, with the writer's stage/rollback, would hold the whole
invoice in memory, could not know a volume's end — its outline and manifest — before it
is written, nor the set's size that volume 1's name, cover sheet and manifest need: not
chosen. The price of two passes is reading and copying every document twice.)

Each volume is a complete backup of its invoices (its own bookmarks, cover sheet in
volume 1, page numbers from 1, manifest and page digests: ``verify`` checks it alone),
and its manifest lists every volume of the set by what does not depend on any manifest:
its invoices, page count and the digest of its pages (see
:class:`~invoicebackup.manifest.VolumeRecord`). Files' SHA-256s are in the result and in
the set's own manifest, ``… - Volumes.json``, written and committed with the volumes.
All the set's names share one stem, shortened as the one file's name is (:func:`set_names`).
The first pass reports each document ``read``, the volumes each ``assembled`` (see
:mod:`invoicebackup._volumeprogress`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, suppress
from datetime import datetime
from typing import BinaryIO, Final, Protocol

import attrs

from ._assembly import Sink, backup_message
from ._documents import Documents
from ._formats import assemble_as
from ._job import CompileJob
from ._volumepart import VolumePart
from ._volumeprogress import VolumeProgress
from .domain import Project
from .errors import DocumentExistsError, InvalidValueError
from .manifest import BackupManifest, BackupResult, InvoiceRecord, VolumeRecord
from .naming import _fitted_stem, numbered_filename
from .options import BackupOptions
from .progress import ProgressEvent
from .serialization import manifest_to_json_bytes
from .storage import DocumentStore
from .terminology import Vocabulary

#: How many times the volumes are planned tighter and written again before each invoice
#: gets a volume of its own (which no estimate can make wrong).
_ATTEMPTS: Final = 8
#: What a volume's entry costs in each manifest of the set, besides its invoices' ids.
_VOLUME_ENTRY: Final = 200
#: What a page costs at the end of a file: its entry in the page tree, its digest in the
#: manifest (compressed, a digest is about as long as its bytes).
_PAGE_SHARE: Final = 80


class _Deletes(Protocol):
    def delete(self, key: str) -> None: ...


def check_store(store: DocumentStore) -> None:
    """Refuse, before anything is read, a store that cannot take a set of volumes back.

    Raises:
        InvalidValueError: *store* has no ``delete``: a failure while publishing the
            volumes could leave some of them behind.
    """
    if not callable(getattr(store, "delete", None)):
        raise InvalidValueError(
            "output",
            store,
            reason="has no delete(key): a backup written as volumes needs it to take back "
            "the volumes already committed when a later one fails (all appear or none does)",
        )


@attrs.frozen
class _Document:
    """One document as the one-file pass wrote it: its bytes and its pages (1-based)."""

    index: int
    size: int
    pages: range


@attrs.define
class Measure:
    """What the one-file pass learns of each invoice and document: its bytes, as written.

    It is the assembly's :class:`~invoicebackup._volumepart.Measuring`; :meth:`capped`
    keeps the bytes past the limit from the store (the one file is dropped when over).
    """

    limit: int
    invoices: list[tuple[InvoiceRecord, tuple[_Document, ...]]] = attrs.Factory(list)
    #: The cover sheet's bytes (the first volume's only).
    cover_bytes: int = 0
    _documents: list[_Document] = attrs.Factory(list)
    _last: int = 0

    def document(
        self, invoice_id: str, index: int, *, position: int, ending: int, pages: range
    ) -> None:
        at = position + ending
        self._documents.append(_Document(index, at - self._last, pages))
        self._last = at

    def invoice(self, record: InvoiceRecord) -> None:
        self.invoices.append((record, tuple(self._documents)))
        self._documents = []

    def cover(self, size: int) -> None:
        self.cover_bytes = size

    @property
    def invoice_bytes(self) -> int:
        """The bytes of the one file that its documents account for."""
        return self._last

    def capped(self, out: BinaryIO) -> BinaryIO:
        return _Capped(out, self.limit)  # type: ignore[return-value]


class _Capped:
    """Passes writes on until *limit* bytes went through, then drops them."""

    def __init__(self, out: BinaryIO, limit: int) -> None:
        self._out = out
        self._room = limit + 1  # one byte over is enough to know the file is over

    def write(self, chunk: bytes | bytearray | memoryview) -> int:
        if self._room > 0:
            part = memoryview(chunk)[: self._room]
            self._out.write(part)
            self._room -= len(part)
        return len(chunk)


class TooBig(Exception):
    """Raised inside the one file's ``create`` so that it is not committed."""

    def __init__(self, manifest: BackupManifest, size: int) -> None:
        super().__init__(size)
        self.manifest = manifest
        self.size = size


@attrs.frozen(kw_only=True)
class _Piece:
    """What is packed: an invoice whole, or one document of an invoice over the limit."""

    record: InvoiceRecord
    cost: int
    pages: tuple[range, ...]
    #: The documents, when the invoice is split; ``None``: the whole invoice.
    indexes: frozenset[int] | None = None


@attrs.frozen(kw_only=True)
class _Planned:
    """One volume as planned: its pieces and what its manifest says of it."""

    pieces: tuple[_Piece, ...]
    record: VolumeRecord

    @property
    def invoice_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(piece.record.invoice_id for piece in self.pieces))


def _pieces(measure: Measure) -> tuple[list[tuple[_Piece, list[_Piece]]], int]:
    """Each invoice as one piece, and as one piece a document (if it must be split).

    Each costs its bytes plus its share of the end of a file: its pages in the page tree
    and its entries in the manifest (page digests, records). Returns the shares' sum too.
    """
    pieces: list[tuple[_Piece, list[_Piece]]] = []
    shares = 0
    for record, documents in measure.invoices:
        page_count = sum(len(d.pages) for d in documents)
        record_share = len(json.dumps(attrs.asdict(record), default=str)) // 2
        share = _PAGE_SHARE * page_count + record_share
        shares += share
        whole = _Piece(
            record=record,
            cost=sum(d.size for d in documents) + share,
            pages=tuple(d.pages for d in documents),
        )
        # An invoice split between volumes has its record in each.
        split = [
            _Piece(
                record=record,
                cost=document.size + _PAGE_SHARE * len(document.pages) + record_share,
                pages=(document.pages,),
                indexes=frozenset([document.index]),
            )
            for document in documents
        ]
        pieces.append((whole, split if len(split) > 1 else []))
    return pieces, shares


def _partition(
    invoices: Sequence[tuple[_Piece, list[_Piece]]], *, first: int, budget: int, single: bool
) -> list[list[_Piece]]:
    """Invoices in order into volumes: the first of at most *first* bytes, the others *budget*.

    An invoice goes whole where it fits, else into a new volume; one that fits in no volume
    is split between its documents (each where it fits, else in a new volume). With
    *single*, one invoice (or document of a split one) a volume. A volume without a page
    yet takes what comes whatever it costs: a volume of no page would be a page saying
    that nothing is included.
    """
    volumes: list[list[_Piece]] = []
    used = 0

    def room(index: int) -> int:
        return first if index == 0 else budget

    def fits(piece: _Piece) -> bool:
        if not volumes:
            return False
        paged = any(len(pages) for p in volumes[-1] for pages in p.pages)
        return not paged or (not single and used + piece.cost <= room(len(volumes) - 1))

    def add(piece: _Piece) -> None:
        nonlocal used
        if not fits(piece):
            volumes.append([])
            used = 0
        volumes[-1].append(piece)
        used += piece.cost

    for whole, split in invoices:
        if fits(whole) or not split or whole.cost <= room(len(volumes)):
            add(whole)
        else:
            for piece in split:
                add(piece)
    return volumes


def _pages_sha256(digests: Sequence[str]) -> str:
    return hashlib.sha256("".join(d + "\n" for d in digests).encode()).hexdigest()


def _plan(
    measure: Measure,
    whole: BackupManifest,
    whole_size: int,
    *,
    slack: int,
    single: bool,
) -> list[_Planned]:
    """The volumes, from the one file's measurements, *slack* bytes tighter than the limit."""
    # The one file's end but the invoices' shares (the cover sheet, the catalog, the
    # trailer) is counted in every volume: an over-count of the cover sheet after the first.
    invoices, shares = _pieces(measure)
    count = 1
    for _ in range(4):  # the volumes' entries in every manifest depend on how many
        ids = sum(len(record.invoice_id) + 8 for record, _ in measure.invoices)
        # The rest of the one file's end (catalog, form, trailer, the manifest's fields
        # of the project and options…) is in every volume; the cover sheet in the first.
        fixed = max(whole_size - measure.invoice_bytes - shares - measure.cover_bytes, 0)
        budget = measure.limit - count * _VOLUME_ENTRY - ids - slack - fixed
        volumes = _partition(
            invoices, first=budget - measure.cover_bytes, budget=budget, single=single
        )
        if len(volumes) == count:
            break
        count = len(volumes)
    cover = whole.cover_last_page or 0
    planned = []
    for number, volume in enumerate(volumes, 1):
        digests: list[str] = []
        for piece in volume:
            for pages in piece.pages:
                digests += whole.page_digests[pages.start - 1 : pages.stop - 1]
        page_count = sum(len(pages) for piece in volume for pages in piece.pages)
        records = tuple(dict.fromkeys(piece.record.invoice_id for piece in volume))
        planned.append(
            _Planned(
                pieces=tuple(volume),
                record=VolumeRecord(
                    number=number,
                    invoice_ids=records,
                    page_count=(cover if number == 1 else 0) + max(page_count, 1),
                    pages_sha256=_pages_sha256(digests) if whole.page_digests else None,
                ),
            )
        )
    return planned


class _Overshot(Exception):
    def __init__(self, by: int) -> None:
        super().__init__(by)
        self.by = by


@attrs.define
class _Written:
    key: str
    filename: str
    size: int
    sha256: str
    manifest: BackupManifest


def write_volumes(
    job: CompileJob,
    measure: Measure,
    too_big: TooBig,
    *,
    target: DocumentStore,
    base: str,
    folder: str,
    progress: VolumeProgress,
    before_commit: Callable[[BackupResult], None],
) -> BackupResult:
    """Write *job*'s backup measured by *measure* as volumes into *target*; all or none appear.

    *progress* is told of each document put into a volume; *before_commit* is called once
    every file is written, before any is committed. What either raises (a progress
    callback's interruption) leaves nothing behind.
    """
    slack = 0
    for attempt in range(1, _ATTEMPTS + 2):
        planned = _plan(
            measure, too_big.manifest, too_big.size, slack=slack, single=attempt > _ATTEMPTS
        )
        try:
            return _publish(
                job,
                planned,
                target=target,
                base=base,
                folder=folder,
                progress=progress,
                cover=too_big.manifest.cover_last_page or 0,
                before_commit=before_commit,
            )
        except _Overshot as overshot:
            # Deterministic: the same input overshoots by the same bytes every time.
            slack += overshot.by + measure.limit // 50
    raise AssertionError("unreachable: one invoice a volume never overshoots")  # pragma: no cover


def set_names(
    project: Project,
    *,
    now: datetime,
    language: str | None,
    extension: str,
    count: int,
    attempt: int = 1,
) -> list[str]:
    """The file names of a set of *count* volumes, then of the set's manifest.

    ``{stem} - Vol {k} of {count}.{extension}`` and ``{stem} - Volumes.json``: one stem
    for the set, :func:`~invoicebackup.naming.backup_filename`'s shortened as that is, so
    that the longest of these names is within its limit (the `` - Vol k of N`` and the
    extension stay whole); the *attempt*-th free name adds `` (2)``, `` (3)``… to the stem
    as :func:`~invoicebackup.naming.numbered_filename` adds them to one file's name.
    """
    endings = [f" - Vol {v} of {count}.{extension}" for v in range(1, count + 1)]
    endings.append(" - Volumes.json")
    stem = _fitted_stem(project, now=now, language=language, endings=endings)
    numbered = numbered_filename(f"{stem}.{extension}", attempt).removesuffix(f".{extension}")
    return [numbered + ending for ending in endings]


def _publish(
    job: CompileJob,
    planned: Sequence[_Planned],
    *,
    target: DocumentStore,
    base: str,
    folder: str,
    cover: int,
    progress: VolumeProgress,
    before_commit: Callable[[BackupResult], None],
) -> BackupResult:
    """Write every volume under the first free set of names, then commit them all."""
    extension = base.rpartition(".")[2]
    for number in range(1, 1001):
        names = set_names(
            job.project,
            now=job.now,
            language=job.options.language,
            extension=extension,
            count=len(planned),
            attempt=number,
        )
        if any(target.exists(folder + n) for n in names):
            continue
        try:
            return _write_set(
                job,
                planned,
                target,
                folder,
                names,
                cover=cover,
                progress=progress,
                before_commit=before_commit,
            )
        except DocumentExistsError:
            continue  # taken while we wrote: the next names
    raise DocumentExistsError(folder + base, "1000 names are already taken")


def _write_set(
    job: CompileJob,
    planned: Sequence[_Planned],
    target: DocumentStore,
    folder: str,
    names: Sequence[str],
    *,
    cover: int,
    progress: VolumeProgress,
    before_commit: Callable[[BackupResult], None],
) -> BackupResult:
    volumes = tuple(p.record for p in planned)
    volume_of: dict[str, int] = {}
    for volume_record in volumes:  # an invoice split between volumes: its first
        for invoice_id in volume_record.invoice_ids:
            volume_of.setdefault(invoice_id, volume_record.number)
    limit = job.options.max_volume_bytes
    assert limit is not None
    opened: list[tuple[str, AbstractContextManager[BinaryIO]]] = []
    written: list[_Written] = []
    progress.new_set()
    try:
        for part, filename in zip(planned, names, strict=False):
            key = folder + filename
            creating = target.create(key)
            out = creating.__enter__()
            opened.append((key, creating))
            sink = Sink(out, key, job.hashing.stream())
            mine = set(part.invoice_ids)
            others = {
                piece.record.invoice_id: piece.record
                for p in planned
                for piece in p.pieces
                if piece.record.invoice_id not in mine
            }
            volume = VolumePart(
                number=part.record.number,
                invoice_ids=frozenset(mine),
                volumes=volumes,
                volume_of=volume_of,
                others=tuple(others.values()),
                slots=_slots(part.pieces),
            )
            manifest = _assemble_volume(job, sink, volume, notify=progress.volume())
            if sink.size > limit and sum(1 for p in part.pieces if any(p.pages)) > 1:
                raise _Overshot(sink.size - limit)
            _check_digests(manifest, part.record, cover)
            written.append(_Written(key, filename, sink.size, sink.digest.hexdigest(), manifest))
        result = _set_result(written, volumes, limit, job.vocabulary, job.options)
        key = folder + names[-1]
        creating = target.create(key)
        out = creating.__enter__()
        opened.append((key, creating))
        data = manifest_to_json_bytes(result.manifest)
        Sink(out, key, job.hashing.stream()).write(data)
        result = attrs.evolve(
            result,
            key=key,
            filename=names[-1],
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        before_commit(result)
    except BaseException as error:
        for _key, creating in reversed(opened):
            with suppress(Exception):  # the first error matters, not a clean-up's
                creating.__exit__(type(error), error, error.__traceback__)
        raise
    _commit_all(target, opened)
    return result


def _slots(pieces: Sequence[_Piece]) -> dict[str, frozenset[int]]:
    """The documents of each split invoice that *pieces* hold."""
    slots: dict[str, frozenset[int]] = {}
    for piece in pieces:
        if piece.indexes is not None:
            invoice_id = piece.record.invoice_id
            slots[invoice_id] = slots.get(invoice_id, frozenset()) | piece.indexes
    return slots


def _commit_all(
    target: DocumentStore, opened: Sequence[tuple[str, AbstractContextManager[BinaryIO]]]
) -> None:
    """Commit every document, or take back those committed when one fails."""
    committed: list[str] = []
    for index, (key, creating) in enumerate(opened):
        try:
            creating.__exit__(None, None, None)
        except BaseException as error:
            for _key, rest in opened[index + 1 :]:
                with suppress(Exception):
                    rest.__exit__(type(error), error, error.__traceback__)
            deletes: _Deletes = target  # type: ignore[assignment]
            for done in reversed(committed):
                with suppress(Exception):  # each is tried; the commit's error is raised
                    deletes.delete(done)
            raise
        committed.append(key)


def _assemble_volume(
    job: CompileJob, sink: Sink, volume: VolumePart, *, notify: Callable[[ProgressEvent], None]
) -> BackupManifest:
    # A volume's own reader of documents: what the one-file pass shared with its writer
    # is not in this volume's file.
    documents = Documents(limits=job.limits, options=job.options, hashing=job.hashing)
    try:
        return assemble_as(job, documents, sink, notify=notify, volume=volume)
    finally:
        documents.release_all()


def _check_digests(manifest: BackupManifest, record: VolumeRecord, cover: int) -> None:
    """The pages written are those the set's manifests promise for this volume."""
    if record.pages_sha256 is None or not manifest.page_digests:
        return
    after = cover if record.number == 1 else 0
    if _pages_sha256(manifest.page_digests[after:]) != record.pages_sha256:
        raise RuntimeError(  # a defect of this library, never of the input
            f"volume {record.number}'s pages are not those measured; please report it"
        )


def _what(record: InvoiceRecord) -> str:
    """An invoice over the limit in words: its number, and its document when it is one."""
    if len(record.sources) == 1:
        return f"{record.number} ({record.sources[0].filename})"
    return record.number


def _set_result(
    written: Sequence[_Written],
    volumes: Sequence[VolumeRecord],
    limit: int,
    vocabulary: Vocabulary,
    options: BackupOptions,
) -> BackupResult:
    """The result of the set: each volume's file, and the set's manifest."""
    records = tuple(
        attrs.evolve(
            volume,
            key=w.key,
            filename=w.filename,
            size=w.size,
            sha256=w.sha256,
            over_limit=w.size > limit,
        )
        for volume, w in zip(volumes, written, strict=True)
    )
    first = written[0].manifest
    manifest = attrs.evolve(
        first,
        page_count=sum(w.manifest.page_count for w in written),
        invoices=tuple(r for w in written for r in w.manifest.invoices),
        left_out=tuple(item for w in written for item in w.manifest.left_out),
        page_digest=None,
        page_digests=(),
        volume=None,
        volumes=records,
    )
    message = backup_message(manifest, written[0].filename, vocabulary)
    message += " " + vocabulary.message("backup_volumes", count=len(records), limit=limit)
    for record, w in zip(records, written, strict=True):
        if record.over_limit:
            message += " " + vocabulary.message(
                "backup_volume_over_limit",
                number=record.number,
                limit=limit,
                invoice=", ".join(_what(r) for r in w.manifest.invoices),
            )
    return BackupResult(
        key="",
        filename="",
        size=0,
        sha256="",
        message=message,
        manifest=manifest,
        volumes=records,
    )

"""ZIP backups: each document as the bytes it was, in backup order, streamed to the store.

A ZIP backup holds the documents a PDF backup of the same selection would hold — the same
plan, signed versions, policies and limits; what the PDF would skip is skipped — but each
as its own file, byte for byte (a signed original keeps a valid signature), named
``NNN - {contract} - {invoice} - {document}.pdf`` in backup order, then the manifest
(``backup-manifest.json``). A document the PDF would replace by a placeholder page is a
short text file saying what it stands for and why (``… (not included).txt``).

The archive is written with :mod:`zipfile` straight into the store's atomic ``create``
stream, one document at a time (the stream cannot seek: each entry carries a data
descriptor), so memory holds one document, never the archive. Entries are stored, not
compressed (PDFs compress themselves), except the text files; every entry has the backup's
time (in the project's zone) and the same attributes, so the same input and time give the
same bytes. ZIP64 records are written when an entry or the archive needs them.

The manifest's page ranges count the ZIP's PDFs as if read one after the other, in order.
"""

from __future__ import annotations

import itertools
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from typing import Final

import attrs

from . import _cover_pdf
from ._assembly import (
    Sink,
    backup_manifest,
    cover_sheet_for,
    in_file,
    invoice_record,
    placeholder_lines,
    skipped_invoices,
    skipped_slot,
    waiver_record,
)
from ._documents import Documents
from ._images import ParsedImage
from ._job import CompileJob
from ._volumepart import Measuring, VolumePart
from ._work import Slot
from .domain import Contract, Invoice, Project
from .errors import BadDocumentError
from .manifest import MANIFEST_NAME, Action, BackupManifest, InvoiceRecord, LeftOut, SourceRecord
from .naming import _safe
from .options import BackupOptions, Include
from .progress import ProgressEvent, ProgressStage
from .serialization import manifest_to_json_bytes
from .terminology import Vocabulary

#: The longest entry name, in UTF-8 bytes: under the 255 that Linux, macOS and Windows take
#: for one path segment, with room for a folder when the archive is extracted.
MAX_ENTRY_BYTES: Final = 240

#: Names Windows reserves for devices, with any extension. An entry name starts with its
#: number, so it never is one; :func:`entry_name` checks anyway, as a guard.
_RESERVED: Final = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{device}{n}" for device in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]]
)

#: Permissions given to every entry (rw-r--r--, a regular file), as a Unix host writes them.
_ENTRY_MODE: Final = 0o100644 << 16
#: An image's entry keeps its format's usual extension, whatever its declared name says.
_IMAGE_EXTENSIONS: Final = {
    "JPEG": "jpg",
    "PNG": "png",
    "TIFF": "tif",
    "GIF": "gif",
    "WEBP": "webp",
    "BMP": "bmp",
}


def entry_name(
    number: int, width: int, contract: str, invoice: str, document: str, extension: str
) -> str:
    r"""``NNN - {contract} - {invoice} - {document}.{extension}``, safe on every common system.

    Each part is NFC, without control or invisible format characters, without
    ``<>:"/\|?*`` (each run becomes ``_``), without leading or trailing dots and spaces;
    the whole is at most :data:`MAX_ENTRY_BYTES` UTF-8 bytes (the document's name is
    shortened first, then the invoice's number, then the contract's). The number comes
    first, zero-padded to *width* digits, so names sort in backup order, differ even
    where the rest is the same (in any case), and are never a reserved device name.
    """
    prefix = f"{number:0{width}d}"
    parts = [_safe(contract) or "_", _safe(invoice) or "_", _safe(document) or "_"]
    suffix = "." + (_safe(extension) or "bin")

    def render() -> str:
        return " - ".join([prefix, *parts]) + suffix

    for index in (2, 1, 0):
        while len(render().encode()) > MAX_ENTRY_BYTES and len(parts[index]) > 1:
            parts[index] = parts[index][:-1].rstrip(" .") or parts[index][:1]
    name = unicodedata.normalize("NFC", render())
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in _RESERVED:  # pragma: no cover - a name starting with its number never is
        name = "_" + name
    return name


def _stem(filename: str) -> str:
    """*filename* without its extension: the entry gets the one its bytes call for."""
    stem, dot, extension = filename.rpartition(".")
    return stem if dot and stem and 1 <= len(extension) <= 5 else filename


def _entry_time(project: Project, now: datetime) -> tuple[int, int, int, int, int, int]:
    """The backup's time in the project's zone, as a ZIP entry's (1980 to 2107)."""
    local = now.astimezone(project.zone)
    if local.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if local.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


class _Stream:
    """The sink as :mod:`zipfile` writes to it: it cannot tell or seek, so entries stream."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink

    def write(self, data: bytes) -> int:
        return self._sink.write(data)

    def flush(self) -> None:
        """Nothing is buffered here: the store's stream is flushed when it commits."""


@attrs.define
class _Archive:
    """The archive being written, and how its entries are numbered and dated."""

    zip: zipfile.ZipFile
    width: int
    time: tuple[int, int, int, int, int, int]
    count: int = 0
    #: What the central directory will take for the entries so far (ZIP64 extras included).
    directory: int = 0

    def add(self, name: str, data: bytes, *, compress: bool) -> None:
        self.directory += 46 + 28 + len(name.encode())
        info = zipfile.ZipInfo(name, date_time=self.time)
        info.create_system = 3  # Unix, whatever the host: the same bytes everywhere
        info.external_attr = _ENTRY_MODE
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        self.zip.writestr(info, data, compresslevel=6 if compress else None)

    def number(self) -> int:
        self.count += 1
        return self.count


def assemble_zip(
    job: CompileJob,
    documents: Documents,
    sink: Sink,
    *,
    notify: Callable[[ProgressEvent], None],
    volume: VolumePart | None = None,
    measure: Measuring | None = None,
) -> BackupManifest:
    """Read and check every document of *job*, in backup order, and write it into a ZIP in *sink*.

    *volume* and *measure* are as for :func:`invoicebackup._assembly.assemble` (the
    file's end adds a central directory entry for each entry).
    """
    total = sum(len(w.slots) for w in job.work if volume is None or in_file(w, volume))
    work_of = {item.planned.invoice.id: item for item in job.work}
    order = [
        slot
        for planned in job.plan.invoices
        if in_file(work_of[planned.invoice.id], volume)
        for index, slot in enumerate(work_of[planned.invoice.id].slots)
        if slot.declared_pdf and (volume is None or volume.holds(planned.invoice.id, index))
    ]
    documents.following = {id(slot): after for slot, after in itertools.pairwise(order)}
    documents.keep_bytes = True
    records: list[InvoiceRecord] = []
    left_out: list[LeftOut] = []
    pages = 0
    done = 0
    with zipfile.ZipFile(_Stream(sink), mode="w", allowZip64=True) as archive:  # type: ignore[call-overload]
        out = _Archive(
            zip=archive,
            width=max(3, len(str(max(total, 1)))),
            time=_entry_time(job.project, job.now),
        )
        for planned_contract in job.plan.contracts:
            contract = planned_contract.contract
            for planned in planned_contract.invoices:
                item = work_of[planned.invoice.id]
                if not in_file(item, volume):
                    continue
                start = pages
                sources: list[SourceRecord] = []
                for index, slot in enumerate(item.slots):
                    if volume is not None and not volume.holds(planned.invoice.id, index):
                        continue  # in another volume of this invoice's
                    first_page = pages
                    done += 1
                    notify(_event(ProgressStage.READ, done, total, pages))
                    source, skipped = _entry(
                        out,
                        contract,
                        planned.invoice,
                        slot,
                        documents,
                        job.options,
                        job.vocabulary,
                        pages,
                    )
                    if source is not None:
                        sources.append(source)
                        pages = source.last_page
                    if skipped is not None:
                        left_out.append(skipped)
                    if measure is not None:
                        measure.document(
                            planned.invoice.id,
                            index,
                            position=sink.size,
                            ending=out.directory,
                            pages=range(first_page + 1, pages + 1),
                        )
                    notify(_event(ProgressStage.ASSEMBLED, done, total, pages))
                record = invoice_record(planned, contract, item, sources, start, pages)
                if volume is not None and volume.volume_of.get(planned.invoice.id) != volume.number:
                    # Split between volumes: the waivers it misses are said in its first only.
                    record = attrs.evolve(record, missing_waivers=())
                records.append(record)
                if measure is not None:
                    measure.invoice(records[-1])
        if volume is None or volume.number == 1:
            left_out[:0] = skipped_invoices(job.work)
        if Include.COVER_SHEET in job.options.include and (volume is None or volume.number == 1):
            # Number 000, ahead of the documents (numbered from 001 as they were added):
            # written last, since it names every invoice's first page.
            sheet = cover_sheet_for(job, records, volume)
            title = job.vocabulary.term("backup_title")
            cover = _cover_pdf.standalone(
                sheet, title=f"{title} - {job.project.name}", created=job.now
            )
            name = f"{0:0{out.width}d} - {_safe(job.vocabulary.term('cover.bookmark')) or '_'}.pdf"
            before = sink.size + out.directory
            out.add(name, cover, compress=False)
            if measure is not None:
                measure.cover(sink.size + out.directory - before)
        manifest = backup_manifest(
            job.project,
            user_id=job.user_id,
            vocabulary=job.vocabulary,
            options=job.options,
            now=job.now,
            page_count=pages,
            records=records,
            left_out=left_out,
        )
        if volume is not None:
            manifest = attrs.evolve(manifest, volume=volume.number, volumes=volume.volumes)
        if job.options.embed_manifest:
            out.add(MANIFEST_NAME, manifest_to_json_bytes(manifest), compress=True)
    return manifest


def _event(stage: ProgressStage, done: int, total: int, pages: int) -> ProgressEvent:
    return ProgressEvent(
        stage=stage, documents_done=done, documents_total=total, pages_written=pages
    )


def _entry(
    out: _Archive,
    contract: Contract,
    invoice: Invoice,
    slot: Slot,
    documents: Documents,
    options: BackupOptions,
    vocabulary: Vocabulary,
    pages: int,
) -> tuple[SourceRecord | None, LeftOut | None]:
    """Write *slot*'s document (or what stands for it); its source record or why it is not in."""
    loaded = documents.read(slot)
    if loaded.skipped is not None:  # not read, an image left out by choice, or neither
        return None, skipped_slot(invoice, slot, loaded.skipped)
    try:
        error = loaded.error
        if error is None:
            assert loaded.parsed is not None
            assert loaded.data is not None
            assert loaded.data_sha is not None
            parsed = loaded.parsed
            image = parsed.kind if isinstance(parsed, ParsedImage) else None
            name = entry_name(
                out.number(),
                out.width,
                contract.number,
                invoice.number,
                _stem(slot.filename),
                "pdf" if image is None else _IMAGE_EXTENSIONS[image],
            )
            out.add(name, loaded.data, compress=False)
            return SourceRecord(
                role=slot.role,
                key=slot.key,
                filename=slot.filename,
                sha256=loaded.data_sha,
                pages=parsed.page_count,
                first_page=pages + 1,
                last_page=pages + parsed.page_count,
                signed=slot.signed,
                encrypted=parsed.encrypted,
                repaired=parsed.repaired,
                waiver=waiver_record(slot),
                entry=name,
                image=image,
            ), None
        if options.on_bad_document == "fail":
            raise error
        return None, _bad(out, contract, invoice, slot, error, options, vocabulary)
    finally:
        # Nothing is copied from the parsed document: let it go now, as its bytes.
        if loaded.parsed is not None:
            loaded.parsed.release()
        if slot.parsed is not None:
            slot.parsed.release()
        loaded.data = None


def _bad(
    out: _Archive,
    contract: Contract,
    invoice: Invoice,
    slot: Slot,
    error: BadDocumentError,
    options: BackupOptions,
    vocabulary: Vocabulary,
) -> LeftOut:
    entry: str | None = None
    action = Action.SKIPPED
    if options.on_bad_document == "placeholder":
        entry = entry_name(
            out.number(),
            out.width,
            contract.number,
            invoice.number,
            f"{_stem(slot.filename)} (not included)",
            "txt",
        )
        text = "\n".join(placeholder_lines(slot, error, vocabulary)) + "\n"
        out.add(entry, text.encode(), compress=True)
        action = Action.PLACEHOLDER
    return LeftOut(
        invoice_id=invoice.id,
        key=slot.key,
        filename=slot.filename,
        code=error.code,
        reason=error.reason,
        action=action,
        waiver=waiver_record(slot),
        entry=entry,
    )
